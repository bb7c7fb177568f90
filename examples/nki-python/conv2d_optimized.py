"""The seed's fused conv2d + bias + max-pool written the way its analysis
(shared/seed/conv2d-performance-analysis.md) says a fast NKI kernel is:
weights loaded and transposed once, before the batch loop; one input slab
per tile of output rows, loaded once and shared by every filter tap and
every output-channel tile (slice loading, tap reuse); matmuls over as many
output rows as fill a PSUM bank; bias and pooling applied as PSUM is
evicted; one store per tile. Same signature and shapes as conv2d.py.
  nki-py --trace examples/nki-python/conv2d_optimized.py:fused_conv2d_maxpool \
      --arg X=4x256x32x16xf32 --arg W=256x256x3x3xf32 --arg bias=256xf32 \
      --arg pool_size=2 -o conv2d_optimized.mlir
"""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


def rows_per_tile(rows, out_w, pool_size):
    """The most output rows (a multiple of pool_size dividing `rows`) whose
    positions fit one PSUM bank."""
    fits = max(nl.tile_size.gemm_moving_fmax // out_w, pool_size)
    return max(t for t in range(pool_size, fits + 1, pool_size)
               if rows % t == 0)


@nki.jit
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, channels, height, width = X.shape
    filters, _, k, _ = W.shape
    out_h, out_w = height - k + 1, width - k + 1
    pool_h, pool_w = out_h // pool_size, out_w // pool_size
    P = nl.tile_size.pmax
    n_in, n_out = channels // P, filters // P
    rows = rows_per_tile(pool_h * pool_size, out_w, pool_size)

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)

    # w_t[:, o, i, fh, fw] is the [ci, co] tile of tap (fh, fw).
    w_t = nl.ndarray((P, n_out, n_in, k, k, P), dtype=W.dtype,
                     buffer=nl.sbuf)
    bias_t = nl.ndarray((P, n_out), dtype=bias.dtype, buffer=nl.sbuf)
    for o in nl.affine_range(n_out):
        w_raw = nl.load(W[o * P:(o + 1) * P])
        bias_t[:, o] = nl.load(bias[o * P:(o + 1) * P])
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_t[:, o, i, fh, fw] = nisa.nc_transpose(
                        w_raw[:, i * P:(i + 1) * P, fh, fw])

    for b in nl.affine_range(batch):
        for t in nl.affine_range(pool_h * pool_size // rows):
            slab = nl.ndarray((P, n_in, rows + k - 1, width), dtype=X.dtype,
                              buffer=nl.sbuf)
            for i in nl.affine_range(n_in):
                slab[:, i] = nl.load(X[b, i * P:(i + 1) * P,
                                       t * rows:t * rows + rows + k - 1])
            for o in nl.affine_range(n_out):
                acc = nl.zeros((P, rows, out_w), nl.float32, buffer=nl.psum)
                for i in nl.affine_range(n_in):
                    for fh in nl.affine_range(k):
                        for fw in nl.affine_range(k):
                            acc += nisa.nc_matmul(
                                w_t[:, o, i, fh, fw],
                                slab[:, i, fh:fh + rows, fw:fw + out_w])
                res = nisa.tensor_scalar(acc, np.add, bias_t[:, o],
                                         dtype=X.dtype)
                if pool_size > 1:
                    windows = res[:, :, :pool_w * pool_size].reshape(
                        (P, rows // pool_size, pool_size, pool_w, pool_size))
                    res = nisa.tensor_reduce(np.max, windows, axis=(2, 4))
                nl.store(X_out[b, o * P:(o + 1) * P,
                               t * (rows // pool_size):
                               (t + 1) * (rows // pool_size)], value=res)
    return X_out
