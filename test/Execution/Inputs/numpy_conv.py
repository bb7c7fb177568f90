#!/usr/bin/python3
"""Conv2d + bias + max-pool in NumPy, outside MLIR, to cross-check nki-run.

  numpy_conv.py make DIR --seed S --shape B,Cin,H,W,Cout,F
      writes DIR/x.npy, DIR/w.npy, DIR/b.npy (float32, uniform [0, 1))
  numpy_conv.py check DIR OUT.npy --pool P [--rtol R --atol A]
      recomputes the result from DIR's inputs and compares with OUT.npy
"""
import argparse
import os
import sys

import numpy as np


def conv2d_bias_maxpool(x, w, b, pool):
    x, w, b = (a.astype(np.float64) for a in (x, w, b))
    n, cin, h, wd = x.shape
    cout, _, fh, fw = w.shape
    oh, ow = h - fh + 1, wd - fw + 1
    out = np.zeros((n, cout, oh, ow)) + b[None, :, None, None]
    for i in range(fh):
        for j in range(fw):
            out += np.einsum("nchw,oc->nohw", x[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    ph, pw = oh // pool, ow // pool
    out = out[:, :, :ph * pool, :pw * pool].reshape(n, cout, ph, pool, pw, pool)
    return out.max(axis=(3, 5))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    make = sub.add_parser("make")
    make.add_argument("dir")
    make.add_argument("--seed", type=int, default=0)
    make.add_argument("--shape", required=True)
    check = sub.add_parser("check")
    check.add_argument("dir")
    check.add_argument("out")
    check.add_argument("--pool", type=int, default=1)
    check.add_argument("--rtol", type=float, default=1e-5)
    check.add_argument("--atol", type=float, default=1e-8)
    a = p.parse_args()
    if a.cmd == "make":
        bsz, cin, h, wd, cout, f = map(int, a.shape.split(","))
        rng = np.random.default_rng(a.seed)
        os.makedirs(a.dir, exist_ok=True)
        for name, shape in (("x", (bsz, cin, h, wd)), ("w", (cout, cin, f, f)), ("b", (cout,))):
            np.save(os.path.join(a.dir, name + ".npy"), rng.random(shape, dtype=np.float32))
        return 0
    x, w, b = (np.load(os.path.join(a.dir, n + ".npy")) for n in ("x", "w", "b"))
    expected = conv2d_bias_maxpool(x, w, b, a.pool)
    got = np.load(a.out)
    if got.shape != expected.shape:
        print(f"numpy: FAIL shape {got.shape} != {expected.shape}")
        return 1
    ok = np.allclose(got, expected, rtol=a.rtol, atol=a.atol)
    print(f"numpy: {'PASS' if ok else 'FAIL'} max abs error {np.abs(got - expected).max():.3g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
