"""conv2d + bias + max-pool one output row per matmul: each tap's weights
transposed where they are used (nl.transpose of a loaded tile, not
hoisted), the bias broadcast with nl.broadcast_to, and pooling by the
maximum of stride-2 slices (nl.maximum of even and odd rows and
columns)."""

import neuronxcc.nki as nki
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

    for b in nl.affine_range(batch):
        for o in nl.affine_range(n_out):
            bias_tile = nl.load(bias[o * P:(o + 1) * P])
            bias_rows = nl.broadcast_to(bias_tile, shape=(P, out_w))
            for r in nl.affine_range(out_h // pool_size):
                res = nl.ndarray((P, pool_size, out_w), dtype=X.dtype,
                                 buffer=nl.sbuf)
                for rr in nl.affine_range(pool_size):
                    acc = nl.zeros((P, out_w), nl.float32, buffer=nl.psum)
                    for i in nl.affine_range(n_in):
                        for fh in nl.affine_range(k):
                            for fw in nl.affine_range(k):
                                w = nl.load(W[o * P:(o + 1) * P,
                                              i * P:(i + 1) * P, fh, fw])
                                w_t = nl.copy(nl.transpose(w))
                                x = nl.load(X[b, i * P:(i + 1) * P,
                                              r * pool_size + rr + fh,
                                              fw:fw + out_w])
                                acc += nl.matmul(w_t, x, transpose_x=True)
                    res[:, rr, :] = nl.add(acc, bias_rows, dtype=X.dtype)
                if pool_size == 2:
                    top = nl.maximum(res[:, 0, 0:2 * pool_w:2],
                                     res[:, 0, 1:2 * pool_w:2])
                    bottom = nl.maximum(res[:, 1, 0:2 * pool_w:2],
                                        res[:, 1, 1:2 * pool_w:2])
                    pooled = nl.maximum(top, bottom)
                else:
                    pooled = res[:, 0, :]
                nl.store(X_out[b, o * P:(o + 1) * P, r, :], value=pooled)
    return X_out
