"""conv2d + bias + max-pool in the `nl` style: nl.load / nl.matmul with
transpose_x=True, weights transposed once into a tensor with block dims
(dims before nl.par_dim), one pooled row per step, pooling by nl.mgrid
indexing and nl.max over the window axes."""

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

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)

    # Weights as [ci, co] tiles, one block per (co tile, ci tile, tap).
    w_t = nl.ndarray((n_out, n_in, k, k, nl.par_dim(P), P), dtype=W.dtype,
                     buffer=nl.sbuf)
    bias_t = nl.ndarray((n_out, nl.par_dim(P), 1), dtype=bias.dtype,
                        buffer=nl.sbuf)
    for o in nl.affine_range(n_out):
        raw = nl.load(W[o * P:(o + 1) * P])           # [co, ci, k, k]
        bias_t[o] = nl.load(bias[o * P:(o + 1) * P])  # [co] into [co, 1]
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_t[o, i, fh, fw] = nl.copy(
                        nl.transpose(raw[:, i * P:(i + 1) * P, fh, fw]))

    i_p, i_r, i_w, i_k = nl.mgrid[0:P, 0:pool_size, 0:pool_w, 0:pool_size]
    for b in nl.affine_range(batch):
        for r in nl.affine_range(pool_h):
            for o in nl.affine_range(n_out):
                acc = nl.zeros((P, pool_size, out_w), nl.float32,
                               buffer=nl.psum)
                for rr in nl.affine_range(pool_size):
                    row = r * pool_size + rr
                    for i in nl.affine_range(n_in):
                        for fh in nl.affine_range(k):
                            for fw in nl.affine_range(k):
                                x = nl.load(X[b, i * P:(i + 1) * P, row + fh,
                                              fw:fw + out_w])
                                acc[:, rr, :] += nl.matmul(
                                    w_t[o, i, fh, fw], x, transpose_x=True)
                res = nl.add(acc, bias_t[o], dtype=X.dtype)
                windows = res[i_p, i_r, pool_size * i_w + i_k]
                nl.store(X_out[b, o * P:(o + 1) * P, r, :],
                         value=nl.max(windows, axis=(1, 3)))
    return X_out
