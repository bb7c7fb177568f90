"""The seed's naive fused conv2d + bias + max-pool, in NKI Python: the kernel
that shared/seed/conv2d-performance-analysis.md takes apart, with every
inefficiency it names (numbered as there) left in. Signature and shapes of the
CS149 assignment: X [B, Cin, H, W], W [Cout, Cin, FH, FW], bias [Cout],
pool_size 1 or 2, Cin and Cout multiples of 128.

  nki-py --trace examples/nki-python/conv2d.py:fused_conv2d_maxpool \
      --arg X=4x256x32x16xf32 --arg W=256x256x3x3xf32 --arg bias=256xf32 \
      --arg pool_size=2 -o conv2d.mlir

writes it as the nki dialect (examples/conv2d_naive.mlir is the same kernel
written by hand).
"""

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.isa as nisa

SPATIAL_PARTITION_SIZE = 512  # output positions per PSUM tile


@nki.jit
def fused_conv2d_maxpool(X, W, bias, pool_size=1):
    batch, in_channels, height, width = X.shape
    out_channels, _, filter_h, filter_w = W.shape
    out_h, out_w = height - filter_h + 1, width - filter_w + 1
    positions = out_h * out_w
    P = nl.tile_size.pmax

    out = nl.ndarray((batch, out_channels, out_h // pool_size,
                      out_w // pool_size), dtype=X.dtype, buffer=nl.hbm)
    # A linear partition of positions does not hold whole pooling windows:
    # the conv plane goes to HBM and is pooled afterwards.
    plane = out
    if pool_size > 1:
        plane = nl.ndarray((batch, out_channels, out_h, out_w), dtype=X.dtype,
                           buffer=nl.hbm)
    bias_column = bias.reshape((out_channels, 1))

    def partition(b, oc, start, size):
        """Output positions [start, start + size) of channel tile oc."""
        acc = nl.zeros((P, SPATIAL_PARTITION_SIZE), dtype=nl.float32,
                       buffer=nl.psum)
        for ic in nl.affine_range(in_channels // P):
            for fh in nl.affine_range(filter_h):
                for fw in nl.affine_range(filter_w):
                    w_tile = nl.ndarray((P, P), dtype=W.dtype, buffer=nl.sbuf)
                    nisa.dma_copy(dst=w_tile,
                                  src=W[oc * P:(oc + 1) * P,
                                        ic * P:(ic + 1) * P, fh, fw])
                    # (1)+(3) the whole shifted plane, every time.
                    x_plane = nl.ndarray((P, out_h, out_w), dtype=X.dtype,
                                         buffer=nl.sbuf)
                    nisa.dma_copy(dst=x_plane,
                                  src=X[b, ic * P:(ic + 1) * P,
                                        fh:fh + out_h, fw:fw + out_w])
                    x_flat = x_plane.reshape((P, positions))
                    x_tile = nl.ndarray((P, SPATIAL_PARTITION_SIZE),
                                        dtype=X.dtype, buffer=nl.sbuf)
                    # (2) element by element.
                    for i in nl.affine_range(size):
                        x_tile[:, i] = x_flat[:, start + i]
                    # (5) the transpose in the innermost loop.
                    w_t = nisa.tensor_copy(nisa.nc_transpose(w_tile))
                    acc += nisa.nc_matmul(w_t, x_tile)
        res = nisa.tensor_copy(acc)
        bias_tile = nl.load(bias_column[oc * P:(oc + 1) * P, :])
        res = nisa.tensor_scalar(res, nl.add, bias_tile)
        # (4) one DMA per output position.
        for i in nl.affine_range(size):
            oh = (start + i) // out_w
            ow = (start + i) % out_w
            nisa.dma_copy(dst=plane[b, oc * P:(oc + 1) * P, oh, ow],
                          src=res[:, i])

    # Whole partitions in a loop, then the ragged last one.
    full, tail = divmod(positions, SPATIAL_PARTITION_SIZE)
    for b in nl.affine_range(batch):
        for oc in nl.affine_range(out_channels // P):
            for sp in nl.affine_range(full):
                partition(b, oc, sp * SPATIAL_PARTITION_SIZE,
                          SPATIAL_PARTITION_SIZE)
            if tail:
                partition(b, oc, full * SPATIAL_PARTITION_SIZE, tail)

    if pool_size > 1:
        for b in nl.affine_range(batch):
            for oc in nl.affine_range(out_channels // P):
                for ph in nl.affine_range(out_h // pool_size):
                    rows = nl.load(plane[b, oc * P:(oc + 1) * P,
                                         ph * pool_size:(ph + 1) * pool_size,
                                         0:out_w // pool_size * pool_size])
                    windows = rows.reshape((P, pool_size, out_w // pool_size,
                                            pool_size))
                    pooled = nl.max(windows, axis=(1, 3))
                    nl.store(out[b, oc * P:(oc + 1) * P, ph, :],
                             value=pooled)
    return out
