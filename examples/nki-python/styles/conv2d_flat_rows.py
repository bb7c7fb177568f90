"""conv2d + bias + max-pool on flattened rows: X viewed as [B, C, H*W] by a
reshape of the HBM tensor, a slab of whole input rows loaded flat, and each
filter tap a contiguous shifted slice of it (the position of output
(r, c) plus fh * W + fw), so the matmul computes every column of the
output rows, the last k - 1 of each row wrapping into the next row; those
are dropped when PSUM is evicted. The slab's tail past the last row is
zeroed. Pooling by nisa.tensor_reduce over a reshape."""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, channels, height, width = X.shape
    filters, _, k, _ = W.shape
    out_h, out_w = height - k + 1, width - k + 1
    pool_h, pool_w = out_h // pool_size, out_w // pool_size
    P = nl.tile_size.pmax
    n_in, n_out = channels // P, filters // P
    fits = max(nl.tile_size.gemm_moving_fmax // width, pool_size)
    rows = max(t for t in range(pool_size, fits + 1, pool_size)
               if (pool_h * pool_size) % t == 0)
    slab_len = (rows + k - 1) * width

    X_flat = X.reshape((batch, channels, height * width))
    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)

    for o in nl.affine_range(n_out):
        w_raw = nl.load(W[o * P:(o + 1) * P])
        w_t = nl.ndarray((P, n_in, k, k, P), dtype=W.dtype, buffer=nl.sbuf)
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_t[:, i, fh, fw] = nisa.nc_transpose(
                        w_raw[:, i * P:(i + 1) * P, fh, fw])
        bias_t = nl.ndarray((P, 1), dtype=bias.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=bias_t[:, 0], src=bias[o * P:(o + 1) * P])
        for b in nl.affine_range(batch):
            for t in nl.affine_range(pool_h * pool_size // rows):
                slab = nl.zeros((P, n_in, slab_len + k - 1), dtype=X.dtype,
                                buffer=nl.sbuf)
                for i in nl.affine_range(n_in):
                    nisa.dma_copy(
                        dst=slab[:, i, 0:slab_len],
                        src=X_flat[b, i * P:(i + 1) * P,
                                   t * rows * width:
                                   t * rows * width + slab_len])
                acc = nl.zeros((P, rows * width), nl.float32, buffer=nl.psum)
                for i in nl.affine_range(n_in):
                    for fh in nl.affine_range(k):
                        for fw in nl.affine_range(k):
                            shift = fh * width + fw
                            acc += nisa.nc_matmul(
                                w_t[:, i, fh, fw],
                                slab[:, i, shift:shift + rows * width])
                res = nisa.tensor_scalar(acc, np.add, bias_t, dtype=X.dtype)
                valid = nl.copy(res.reshape((P, rows, width))[:, :, 0:out_w])
                if pool_size > 1:
                    windows = valid[:, :, 0:pool_w * pool_size].reshape(
                        (P, rows // pool_size, pool_size, pool_w, pool_size))
                    valid = nisa.tensor_reduce(np.max, windows, axis=(2, 4))
                nl.store(X_out[b, o * P:(o + 1) * P,
                               t * (rows // pool_size):
                               (t + 1) * (rows // pool_size)], value=valid)
    return X_out
