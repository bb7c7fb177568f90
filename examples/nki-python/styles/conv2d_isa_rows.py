"""conv2d + bias + max-pool in the `nisa` style: nisa.dma_copy,
nisa.nc_transpose and nisa.nc_matmul into PSUM with `+=`, several output
rows per matmul (as many as fill a PSUM bank), the bias added by
nisa.tensor_scalar at eviction, pooling by nisa.tensor_reduce over a
reshape."""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


def rows_per_tile(out_h, out_w, pool_size):
    """The most output rows (a multiple of pool_size dividing out_h) whose
    positions fit one PSUM bank."""
    fits = nl.tile_size.gemm_moving_fmax // out_w
    return max(t for t in range(pool_size, max(fits, pool_size) + 1,
                                pool_size) if out_h % t == 0)


@nki.jit
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, channels, height, width = X.shape
    filters, _, k, _ = W.shape
    out_h, out_w = height - k + 1, width - k + 1
    pool_w = out_w // pool_size
    P = nl.tile_size.pmax
    n_in, n_out = channels // P, filters // P
    rows = rows_per_tile(out_h, out_w, pool_size)

    X_out = nl.ndarray((batch, filters, out_h // pool_size, pool_w),
                       dtype=X.dtype, buffer=nl.hbm)

    bias_sb = nl.ndarray((P, n_out), dtype=bias.dtype, buffer=nl.sbuf)
    for o in nl.affine_range(n_out):
        nisa.dma_copy(dst=bias_sb[:, o], src=bias[o * P:(o + 1) * P])

    for b in nl.affine_range(batch):
        for t in nl.affine_range(out_h // rows):
            x_sb = nl.ndarray((P, n_in, rows + k - 1, width), dtype=X.dtype,
                              buffer=nl.sbuf)
            for i in nl.affine_range(n_in):
                nisa.dma_copy(dst=x_sb[:, i],
                              src=X[b, i * P:(i + 1) * P,
                                    t * rows:t * rows + rows + k - 1, :])
            for o in nl.affine_range(n_out):
                w_sb = nl.ndarray((P, channels, k, k), dtype=W.dtype,
                                  buffer=nl.sbuf)
                nisa.dma_copy(dst=w_sb, src=W[o * P:(o + 1) * P])
                acc = nl.zeros((P, rows, out_w), dtype=np.float32,
                               buffer=nl.psum)
                for i in nl.affine_range(n_in):
                    for fh in nl.affine_range(k):
                        for fw in nl.affine_range(k):
                            w_tap = nisa.nc_transpose(
                                w_sb[:, i * P:(i + 1) * P, fh, fw])
                            w_tap_sb = nisa.tensor_copy(w_tap, dtype=W.dtype)
                            acc += nisa.nc_matmul(
                                w_tap_sb, x_sb[:, i, fh:fh + rows,
                                               fw:fw + out_w])
                res = nisa.tensor_scalar(acc, np.add, bias_sb[:, o],
                                         dtype=X.dtype)
                if pool_size > 1:
                    windows = res[:, :, :pool_w * pool_size].reshape(
                        (P, rows // pool_size, pool_size, pool_w, pool_size))
                    res = nisa.tensor_reduce(np.max, windows, axis=(2, 4))
                nisa.dma_copy(
                    dst=X_out[b, o * P:(o + 1) * P,
                              t * rows // pool_size:(t + 1) * rows // pool_size],
                    src=res)
    return X_out
