"""conv2d + bias + max-pool one output row at a time in a sequential loop,
pooling rows in pairs as they come: an even row's column maxima wait in a
tile allocated outside the loop (`if row % 2 == 0`) until the odd row after
it. Weights in block dims (before nl.par_dim), transposed once with
nisa.nc_transpose; the bias broadcast along the row by a copy loop and
added by nisa.tensor_tensor."""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, channels, height, width = X.shape
    filters, _, k, _ = W.shape
    out_h, out_w = height - k + 1, width - k + 1
    pool_w = out_w // pool_size
    P = nl.tile_size.pmax
    n_in, n_out = channels // P, filters // P

    X_out = nl.ndarray((batch, filters, out_h // pool_size, pool_w),
                       dtype=X.dtype, buffer=nl.hbm)

    w_t = nl.ndarray((n_out, n_in, k, k, nl.par_dim(P), P), dtype=W.dtype,
                     buffer=nl.sbuf)
    bias_sb = nl.ndarray((n_out, nl.par_dim(P), 1), dtype=bias.dtype,
                         buffer=nl.sbuf)
    for o in nl.affine_range(n_out):
        w_raw = nl.ndarray((P, channels, k, k), dtype=W.dtype,
                           buffer=nl.sbuf)
        nisa.dma_copy(dst=w_raw, src=W[o * P:(o + 1) * P])
        nisa.dma_copy(dst=bias_sb[o, :, 0], src=bias[o * P:(o + 1) * P])
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_t[o, i, fh, fw] = nisa.tensor_copy(nisa.nc_transpose(
                        w_raw[:, i * P:(i + 1) * P, fh, fw]))

    for b in nl.affine_range(batch):
        for o in nl.affine_range(n_out):
            bias_row = nl.ndarray((P, out_w), dtype=bias.dtype,
                                  buffer=nl.sbuf)
            for c in nl.affine_range(out_w):
                bias_row[:, c] = bias_sb[o, :, 0]
            even = nl.ndarray((P, pool_w), dtype=X.dtype, buffer=nl.sbuf)
            for row in nl.sequential_range(out_h // pool_size * pool_size):
                acc = nl.zeros((P, out_w), nl.float32, buffer=nl.psum)
                for i in nl.affine_range(n_in):
                    for fh in nl.affine_range(k):
                        x = nl.ndarray((P, width), dtype=X.dtype,
                                       buffer=nl.sbuf)
                        nisa.dma_copy(dst=x, src=X[b, i * P:(i + 1) * P,
                                                   row + fh])
                        for fw in nl.affine_range(k):
                            acc += nisa.nc_matmul(w_t[o, i, fh, fw],
                                                  x[:, fw:fw + out_w])
                res = nisa.tensor_tensor(acc, bias_row, op=np.add,
                                         dtype=X.dtype)
                if pool_size == 1:
                    nisa.dma_copy(dst=X_out[b, o * P:(o + 1) * P, row],
                                  src=res)
                else:
                    cols = nisa.tensor_tensor(res[:, 0:2 * pool_w:2],
                                              res[:, 1:2 * pool_w:2],
                                              op=np.maximum)
                    if row % 2 == 0:
                        even[...] = nisa.tensor_copy(cols)
                    else:
                        pooled = nisa.tensor_tensor(even, cols,
                                                    op=np.maximum)
                        nisa.dma_copy(dst=X_out[b, o * P:(o + 1) * P,
                                                row // 2], src=pooled)
    return X_out
