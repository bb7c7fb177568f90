"""conv2d + bias + max-pool over tiles of output rows that fill a PSUM
bank, the last tile ragged: nl.mgrid indices with masks on the loads, the
bias add and the stores (rows past the image are never loaded or stored),
pooling by nl.max over 5-D nl.arange windows."""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl


@nki.jit
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, channels, height, width = X.shape
    filters, _, k, _ = W.shape
    out_h, out_w = height - k + 1, width - k + 1
    pool_h, pool_w = out_h // pool_size, out_w // pool_size
    P = nl.tile_size.pmax
    n_in, n_out = channels // P, filters // P
    # Rows per tile: a PSUM bank's worth, a multiple of the pool size.
    rows = max(pool_size, nl.tile_size.gemm_moving_fmax // out_w //
               pool_size * pool_size)
    n_tiles = (out_h + rows - 1) // rows

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)
    w_t = nl.ndarray((n_out, n_in, nl.par_dim(P), k, k, P), dtype=W.dtype,
                     buffer=nl.sbuf)
    for o in nl.affine_range(n_out):
        for i in nl.affine_range(n_in):
            w = nl.load(W[o * P:(o + 1) * P, i * P:(i + 1) * P])
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_t[o, i][:, fh, fw, :] = nl.transpose(w[:, :, fh, fw])

    i_p, i_r, i_c = nl.mgrid[0:P, 0:rows + k - 1, 0:width]
    o_p, o_r, o_c = nl.mgrid[0:P, 0:rows, 0:out_w]
    q_p, q_r, q_i, q_c, q_j = nl.mgrid[0:P, 0:rows // pool_size, 0:pool_size,
                                       0:pool_w, 0:pool_size]
    s_p, s_r, s_c = nl.mgrid[0:P, 0:rows // pool_size, 0:pool_w]
    for b in nl.affine_range(batch):
        for t in nl.affine_range(n_tiles):
            x_sb = nl.ndarray((n_in, nl.par_dim(P), rows + k - 1, width),
                              dtype=X.dtype, buffer=nl.sbuf)
            for i in nl.affine_range(n_in):
                x_sb[i] = nl.load(X[b, i * P + i_p, t * rows + i_r, i_c],
                                  mask=(t * rows + i_r < height))
            for o in nl.affine_range(n_out):
                acc = nl.zeros((P, rows, out_w), np.float32, buffer=nl.psum)
                for i in nl.affine_range(n_in):
                    for fh in nl.affine_range(k):
                        for fw in nl.affine_range(k):
                            acc += nl.matmul(
                                w_t[o, i][:, fh, fw, :],
                                x_sb[i][:, fh:fh + rows, fw:fw + out_w],
                                transpose_x=True)
                bias_t = nl.load(bias[o * P:(o + 1) * P])
                res = nl.add(acc[o_p, o_r, o_c], bias_t, dtype=X.dtype,
                             mask=(t * rows + o_r < out_h))
                pooled = nl.max(res[q_p, q_r * pool_size + q_i,
                                    q_c * pool_size + q_j], axis=(2, 4))
                nl.store(X_out[b, o * P + s_p, t * (rows // pool_size) + s_r,
                               s_c],
                         value=pooled,
                         mask=(t * (rows // pool_size) + s_r < pool_h))
    return X_out
