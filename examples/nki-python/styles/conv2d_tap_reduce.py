"""conv2d + bias + max-pool with the filter taps reduced in SBUF: each tap's
contribution is accumulated over input-channel tiles in its own PSUM tile
by nl.matmul(w, x) (the weights as stored, [co, ci]: nl.matmul transposes
them on every use), then added into an SBUF accumulator with
`acc[...] = nl.loop_reduce(psum, op=np.add, loop_indices=[fh, fw])`. Two
output rows per tile where they divide the output; the bias broadcast with
broadcast_to; pooling by nisa.tensor_reduce over 5-D nl.arange windows."""

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
    used_h = pool_h * pool_size
    rows = 2 if used_h % 2 == 0 else 1

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.hbm)

    i_p = nl.arange(P)[:, None, None, None, None]
    i_r = nl.arange(rows // pool_size)[None, :, None, None, None]
    i_dr = nl.arange(pool_size)[None, None, :, None, None]
    i_c = nl.arange(pool_w)[None, None, None, :, None]
    i_dc = nl.arange(pool_size)[None, None, None, None, :]
    for b in nl.affine_range(batch):
        for o in nl.affine_range(n_out):
            w_tile = nl.load(W[o * P:(o + 1) * P])
            bias_t = nl.load(bias[o * P:(o + 1) * P])
            bias_rows = nl.broadcast_to(bias_t, (P, rows * out_w))
            for t in nl.affine_range(used_h // rows):
                acc = nl.zeros((P, rows * out_w), dtype=nl.float32,
                               buffer=nl.sbuf)
                for fh in nl.affine_range(k):
                    for fw in nl.affine_range(k):
                        tap = nl.zeros((P, rows * out_w), nl.float32,
                                       buffer=nl.psum)
                        for i in nl.affine_range(n_in):
                            x = nl.ndarray((P, rows * out_w), dtype=X.dtype,
                                           buffer=nl.sbuf)
                            for r in nl.affine_range(rows):
                                x[:, r * out_w:(r + 1) * out_w] = nl.load(
                                    X[b, i * P:(i + 1) * P, t * rows + r + fh,
                                      fw:fw + out_w])
                            tap += nl.matmul(
                                w_tile[:, i * P:(i + 1) * P, fh, fw], x)
                        acc[...] = nl.loop_reduce(tap, op=np.add,
                                                  loop_indices=[fh, fw],
                                                  dtype=nl.float32)
                res = nl.add(acc, bias_rows, dtype=X.dtype)
                pooled = nisa.tensor_reduce(
                    np.max, res[i_p, (i_r * pool_size + i_dr) * out_w +
                                i_c * pool_size + i_dc], axis=(2, 4))
                nl.store(X_out[b, o * P:(o + 1) * P,
                               t * (rows // pool_size):
                               (t + 1) * (rows // pool_size)], value=pooled)
    return X_out
