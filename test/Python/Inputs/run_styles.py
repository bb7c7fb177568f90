"""Runs the conv2d kernels of examples/nki-python (one per style NKI
authors write in) through nki.simulate_kernel and checks each against
numpy: several channel tiles, ragged row tiles, pool 1 and 2, float32 and
float16."""

import glob
import importlib.util
import os

import numpy as np

import neuronxcc.nki as nki

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..",
                        "examples", "nki-python")


def reference(X, W, bias, pool):
    _, _, H, Wd = X.shape
    K = W.shape[2]
    oh, ow = H - K + 1, Wd - K + 1
    out = np.zeros((X.shape[0], W.shape[0], oh, ow))
    for i in range(K):
        for j in range(K):
            out += np.einsum("bchw,fc->bfhw", X[:, :, i:i + oh, j:j + ow],
                             W[:, :, i, j])
    out += bias[None, :, None, None]
    out = out[:, :, :oh // pool * pool, :ow // pool * pool]
    return out.reshape(out.shape[0], out.shape[1], oh // pool, pool,
                       ow // pool, pool).max(axis=(3, 5))


def load(path):
    spec = importlib.util.spec_from_file_location(
        os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fused_conv2d_maxpool


def bf16(a):
    """`a` rounded to bfloat16 (to nearest even), as float32."""
    bits = a.astype(np.float32).view(np.uint32)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.view(np.float32)


rng = np.random.default_rng(7)
paths = sorted(glob.glob(os.path.join(EXAMPLES, "conv2d*.py"))) + \
    sorted(glob.glob(os.path.join(EXAMPLES, "styles", "conv2d_*.py")))
for path in paths:
    kernel = load(path)
    # (batch, channels, height, width, filters): two channel tiles each way;
    # 130 wide leaves 4 rows per PSUM bank, so 10 rows tile raggedly.
    for B, C, H, Wd, F in ((1, 256, 8, 16, 256), (1, 128, 12, 130, 128)):
        X = rng.random((B, C, H, Wd), dtype=np.float32)
        W = rng.random((F, C, 3, 3), dtype=np.float32) - 0.5
        bias = rng.random(F, dtype=np.float32)
        for pool in (1, 2):
            got = nki.simulate_kernel(kernel, X, W, bias, pool_size=pool)
            # A kernel with bf16 matmuls multiplies the operands rounded
            # to bf16, exactly, and accumulates in float32.
            rounded = bf16 if "bf16" in path else (lambda a: a)
            want = reference(rounded(X), rounded(W), bias, pool)
            ok = got.shape == want.shape and \
                np.allclose(got, want, rtol=1e-4, atol=1e-3)
            print(f"{os.path.basename(path)} {C}x{H}x{Wd} pool {pool}: "
                  f"{'PASS' if ok else 'FAIL'}")
    # float16 in and out (the CS149 harness's performance runs): within
    # float16's rounding of the result.
    X = rng.random((1, 128, 8, 16)).astype(np.float16)
    W = (rng.random((128, 128, 3, 3)) - 0.5).astype(np.float16)
    bias = rng.random(128).astype(np.float16)
    got = nki.simulate_kernel(kernel, X, W, bias, pool_size=2)
    want = reference(rounded(X.astype(np.float32)),
                     rounded(W.astype(np.float32)), bias.astype(np.float64), 2)
    ok = got.dtype == np.float16 and got.shape == want.shape and \
        np.allclose(got, want, rtol=2e-3, atol=2e-2)
    print(f"{os.path.basename(path)} float16: {'PASS' if ok else 'FAIL'}")
