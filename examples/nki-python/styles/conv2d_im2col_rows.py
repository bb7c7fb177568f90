"""conv2d + bias + max-pool by im2col, one output row per matmul: for each
output row the nine shifted copies of its input rows are gathered into a
column tile with nisa.tensor_copy, then contracted tap by tap with
nisa.nc_matmul(stationary=..., moving=...); weights loaded and transposed
per output-channel tile with nl.transpose; pooling by the maximum of
stride-2 slices of the rows a pooled row covers."""

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

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)

    for o in nl.affine_range(n_out):
        w_raw = nl.load(W[o * P:(o + 1) * P])
        w_t = nl.ndarray((P, n_in, k, k, P), dtype=W.dtype, buffer=nl.sbuf)
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_t[:, i, fh, fw] = nl.transpose(
                        w_raw[:, i * P:(i + 1) * P, fh, fw])
        bias_t = nl.load(bias[o * P:(o + 1) * P])
        for b in nl.affine_range(batch):
            for r in nl.affine_range(pool_h):
                conv = nl.ndarray((P, pool_size, out_w), dtype=nl.float32,
                                  buffer=nl.sbuf)
                for rr in nl.affine_range(pool_size):
                    row = r * pool_size + rr
                    cols = nl.ndarray((P, n_in, k, k, out_w), dtype=X.dtype,
                                      buffer=nl.sbuf)
                    for i in nl.affine_range(n_in):
                        for fh in nl.affine_range(k):
                            x_row = nl.load(X[b, i * P:(i + 1) * P,
                                              row + fh, :])
                            for fw in nl.affine_range(k):
                                cols[:, i, fh, fw] = nisa.tensor_copy(
                                    x_row[:, fw:fw + out_w])
                    acc = nl.zeros((P, out_w), nl.float32, buffer=nl.psum)
                    for i in nl.affine_range(n_in):
                        for fh in nl.affine_range(k):
                            for fw in nl.affine_range(k):
                                acc += nisa.nc_matmul(
                                    stationary=w_t[:, i, fh, fw],
                                    moving=cols[:, i, fh, fw])
                    conv[:, rr] = nl.add(acc, bias_t)
                pooled = conv[:, 0, :]
                for rr in nl.static_range(1, pool_size):
                    pooled = nl.maximum(pooled, conv[:, rr, :])
                if pool_size > 1:
                    pooled = nl.maximum(pooled[:, 0:pool_w * 2:2],
                                        pooled[:, 1:pool_w * 2:2])
                nl.store(X_out[b, o * P:(o + 1) * P, r], value=pooled)
    return X_out
