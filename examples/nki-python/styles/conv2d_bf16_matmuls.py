"""conv2d + bias + max-pool with bf16 matmuls and f32 accumulation, as
kernels tuned for the Tensor Engine's bf16 rate are written: the weights
and each input slab are cast to nl.bfloat16 on chip (nl.copy with dtype=)
and multiplied into float32 PSUM tiles; bias, pooling and the result stay
in the input's type. Rows tiled to fill a PSUM bank; pooling by nl.max
over 5-D nl.arange windows."""

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
    fits = max(nl.tile_size.gemm_moving_fmax // out_w, pool_size)
    rows = max(t for t in range(pool_size, fits + 1, pool_size)
               if (pool_h * pool_size) % t == 0)

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)

    w_bf = nl.ndarray((P, n_out, n_in, k, k, P), dtype=nl.bfloat16,
                      buffer=nl.sbuf)
    for o in nl.affine_range(n_out):
        w_raw = nl.load(W[o * P:(o + 1) * P])
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_bf[:, o, i, fh, fw] = nl.copy(
                        nisa.nc_transpose(w_raw[:, i * P:(i + 1) * P, fh, fw]),
                        dtype=nl.bfloat16)

    i_p = nl.arange(P)[:, None, None, None, None]
    i_r = nl.arange(rows // pool_size)[None, :, None, None, None]
    i_dr = nl.arange(pool_size)[None, None, :, None, None]
    i_c = nl.arange(pool_w)[None, None, None, :, None]
    i_dc = nl.arange(pool_size)[None, None, None, None, :]
    for b in nl.affine_range(batch):
        for t in nl.affine_range(pool_h * pool_size // rows):
            x_bf = nl.ndarray((P, n_in, rows + k - 1, width),
                              dtype=nl.bfloat16, buffer=nl.sbuf)
            for i in nl.affine_range(n_in):
                x_bf[:, i] = nl.copy(
                    nl.load(X[b, i * P:(i + 1) * P,
                              t * rows:t * rows + rows + k - 1]),
                    dtype=nl.bfloat16)
            for o in nl.affine_range(n_out):
                acc = nl.zeros((P, rows, out_w), nl.float32, buffer=nl.psum)
                for i in nl.affine_range(n_in):
                    for fh in nl.affine_range(k):
                        for fw in nl.affine_range(k):
                            acc += nl.matmul(
                                w_bf[:, o, i, fh, fw],
                                x_bf[:, i, fh:fh + rows, fw:fw + out_w],
                                transpose_x=True)
                bias_t = nl.load(bias[o * P:(o + 1) * P])
                res = nl.add(acc, bias_t, dtype=X.dtype)
                pooled = nl.max(res[i_p, i_r * pool_size + i_dr,
                                    i_c * pool_size + i_dc], axis=(2, 4))
                nl.store(X_out[b, o * P:(o + 1) * P,
                               t * (rows // pool_size):
                               (t + 1) * (rows // pool_size)], value=pooled)
    return X_out
