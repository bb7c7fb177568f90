"""Runs each kernel the three ways NKI scripts do (baremetal, the simulator,
benchmark) and checks it against numpy."""

import os
import sys

import numpy as np

import neuronxcc.nki as nki
from neuronxcc.nki import baremetal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "examples", "nki-python"))
import kernels  # noqa: E402
from conv2d import fused_conv2d_maxpool  # noqa: E402


def conv2d_reference(X, W, bias, pool_size):
    B, C, H, Wd = X.shape
    F, _, K, _ = W.shape
    oh, ow = H - K + 1, Wd - K + 1
    out = np.zeros((B, F, oh, ow))
    for i in range(K):
        for j in range(K):
            out += np.einsum("bchw,fc->bfhw",
                             X[:, :, i:i + oh, j:j + ow], W[:, :, i, j])
    out += bias[None, :, None, None]
    p = pool_size
    out = out[:, :, :oh // p * p, :ow // p * p]
    return out.reshape(B, F, oh // p, p, ow // p, p).max(axis=(3, 5))


def check(name, got, want):
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-4,
                                                 atol=1e-4)
    print(f"{name}: {'PASS' if ok else 'FAIL'} {got.shape}")


rng = np.random.default_rng(0)
lhsT = rng.random((256, 128), dtype=np.float32)
rhs = rng.random((256, 1024), dtype=np.float32)
check("matmul_tiled baremetal", baremetal(kernels.matmul_tiled)(lhsT, rhs),
      kernels.matmul_tiled_reference(lhsT, rhs))

x = rng.random((64, 32), dtype=np.float32)
shift = rng.random((64, 1), dtype=np.float32)
check("scale_shift_rowmax simulate",
      nki.simulate_kernel(kernels.scale_shift_rowmax, x, shift),
      kernels.scale_shift_rowmax_reference(x, shift))

for pool in (1, 2):
    X = rng.random((2, 128, 9, 11), dtype=np.float32)
    W = rng.random((128, 128, 3, 3), dtype=np.float32)
    bias = rng.random(128, dtype=np.float32)
    bench = nki.benchmark(warmup=1, iters=2)(fused_conv2d_maxpool)
    out = bench(X, W, bias, pool_size=pool)
    check(f"conv2d pool {pool} benchmark", out,
          conv2d_reference(X, W, bias, pool))
    latency = bench.benchmark_result.nc_latency.get_latency_percentile(99)
    print(f"modelled latency positive: {latency > 0}")

# 28 x 28 = 784 positions: one whole 512-position partition in the loop, then
# the ragged 272.
X = rng.random((1, 128, 30, 30), dtype=np.float32)
W = rng.random((256, 128, 3, 3), dtype=np.float32)
bias = rng.random(256, dtype=np.float32)
check("conv2d 784 positions baremetal",
      baremetal(fused_conv2d_maxpool)(X, W, bias, pool_size=2),
      conv2d_reference(X, W, bias, 2))
