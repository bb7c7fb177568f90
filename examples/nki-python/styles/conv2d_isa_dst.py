"""conv2d + bias + max-pool in the newer NKI spelling: the top-level `nki`
modules, @nki.baremetal, and ISA calls that write their `dst` (nc_matmul
into a PSUM tile with accumulate=True, nc_transpose into PSUM, tensor_copy
and tensor_scalar into SBUF tiles, dma_copy everywhere). Weights
transposed once per output-channel tile; one input slab per tile of
output rows; a ragged last row tile sized by min() (nki-py splits that
loop instead of unrolling it); pooling by nisa.tensor_tensor maxima of
stride-2 slices."""

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.baremetal
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, channels, height, width = X.shape
    filters, _, k, _ = W.shape
    out_h, out_w = height - k + 1, width - k + 1
    pool_h, pool_w = out_h // pool_size, out_w // pool_size
    used_h = pool_h * pool_size
    P = nl.tile_size.pmax
    n_in, n_out = channels // P, filters // P
    # Output rows per tile: a multiple of pool_size filling a PSUM bank;
    # the last tile may be shorter.
    rows = max(nl.tile_size.gemm_moving_fmax // out_w // pool_size, 1) * \
        pool_size
    n_tiles = (used_h + rows - 1) // rows

    X_out = nl.ndarray((batch, filters, pool_h, pool_w), dtype=X.dtype,
                       buffer=nl.shared_hbm)

    for o in nl.affine_range(n_out):
        w_raw = nl.ndarray((P, channels, k, k), dtype=W.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=w_raw, src=W[o * P:(o + 1) * P])
        w_t = nl.ndarray((P, n_in, k, k, P), dtype=W.dtype, buffer=nl.sbuf)
        for i in nl.affine_range(n_in):
            for fh in nl.affine_range(k):
                for fw in nl.affine_range(k):
                    w_ps = nl.ndarray((P, P), dtype=W.dtype, buffer=nl.psum)
                    nisa.nc_transpose(dst=w_ps,
                                      data=w_raw[:, i * P:(i + 1) * P, fh, fw])
                    nisa.tensor_copy(dst=w_t[:, i, fh, fw], src=w_ps)
        bias_t = nl.ndarray((P, 1), dtype=bias.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=bias_t[:, 0], src=bias[o * P:(o + 1) * P])
        for b in nl.affine_range(batch):
            for t in nl.affine_range(n_tiles):
                n = min(rows, used_h - t * rows)
                slab = nl.ndarray((P, n_in, rows + k - 1, width),
                                  dtype=X.dtype, buffer=nl.sbuf)
                for i in nl.affine_range(n_in):
                    nisa.dma_copy(dst=slab[:, i, 0:n + k - 1],
                                  src=X[b, i * P:(i + 1) * P,
                                        t * rows:t * rows + n + k - 1])
                acc = nl.ndarray((P, rows, out_w), dtype=nl.float32,
                                 buffer=nl.psum)
                first = True
                for i in nl.static_range(n_in):
                    for fh in nl.static_range(k):
                        for fw in nl.static_range(k):
                            nisa.nc_matmul(dst=acc[:, 0:n],
                                           stationary=w_t[:, i, fh, fw],
                                           moving=slab[:, i, fh:fh + n,
                                                       fw:fw + out_w],
                                           accumulate=not first)
                            first = False
                res = nl.ndarray((P, rows, out_w), dtype=X.dtype,
                                 buffer=nl.sbuf)
                nisa.tensor_scalar(dst=res[:, 0:n], data=acc[:, 0:n],
                                   op0=np.add, operand0=bias_t)
                if pool_size > 1:
                    cols = nl.ndarray((P, rows, pool_w), dtype=X.dtype,
                                      buffer=nl.sbuf)
                    nisa.tensor_tensor(dst=cols[:, 0:n],
                                       data1=res[:, 0:n, 0:2 * pool_w:2],
                                       data2=res[:, 0:n, 1:2 * pool_w:2],
                                       op=np.maximum)
                    res = nl.ndarray((P, rows // 2, pool_w), dtype=X.dtype,
                                     buffer=nl.sbuf)
                    nisa.tensor_tensor(dst=res[:, 0:n // 2],
                                       data1=cols[:, 0:n:2],
                                       data2=cols[:, 1:n:2], op=np.maximum)
                nisa.dma_copy(dst=X_out[b, o * P:(o + 1) * P,
                                        t * (rows // pool_size):
                                        t * (rows // pool_size) +
                                        n // pool_size],
                              src=res[:, 0:n // pool_size])
    return X_out
