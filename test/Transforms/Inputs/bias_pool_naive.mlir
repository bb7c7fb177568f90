// A standalone bias + 2x2 max-pool kernel written the naive way: per channel
// tile, the whole 16x12 plane is loaded, the bias added, each output row
// pooled, and every pooled position stored by its own DMA, indexed
// (p / 6, p % 6) from a linear position p.
func.func @bias_pool(%x: memref<2x128x16x12xf32>, %bias: memref<128xf32>, %out: memref<2x128x8x6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  %c48 = arith.constant 48 : index
  scf.for %b = %c0 to %c2 step %c1 {
    %plane = memref.alloc() : memref<128x16x12xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[%b, 0, 0, 0] [1, 128, 16, 12] [1, 1, 1, 1] : memref<2x128x16x12xf32> to memref<128x16x12xf32, strided<[192, 12, 1], offset: ?>>
    nki.dma_copy %src to %plane : memref<128x16x12xf32, strided<[192, 12, 1], offset: ?>> to memref<128x16x12xf32, #nki.mem<sbuf>>
    %bias_tile = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
    %bias2d = memref.expand_shape %bias [[0, 1]] output_shape [128, 1] : memref<128xf32> into memref<128x1xf32>
    nki.dma_copy %bias2d to %bias_tile : memref<128x1xf32> to memref<128x1xf32, #nki.mem<sbuf>>
    %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x16x12xf32, #nki.mem<sbuf>> into memref<128x192xf32, #nki.mem<sbuf>>
    nki.tensor_scalar add %flat, %bias_tile to %flat : memref<128x192xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x192xf32, #nki.mem<sbuf>>
    %windows = memref.expand_shape %plane [[0], [1, 2], [3, 4]] output_shape [128, 8, 2, 6, 2] : memref<128x16x12xf32, #nki.mem<sbuf>> into memref<128x8x2x6x2xf32, #nki.mem<sbuf>>
    %pooled = memref.alloc() : memref<128x8x6xf32, #nki.mem<sbuf>>
    nki.tensor_reduce max %windows to %pooled axes = [2, 4] : memref<128x8x2x6x2xf32, #nki.mem<sbuf>> to memref<128x8x6xf32, #nki.mem<sbuf>>
    %pooled_flat = memref.collapse_shape %pooled [[0], [1, 2]] : memref<128x8x6xf32, #nki.mem<sbuf>> into memref<128x48xf32, #nki.mem<sbuf>>
    scf.for %p = %c0 to %c48 step %c1 {
      %oh = arith.divui %p, %c6 : index
      %ow = arith.remui %p, %c6 : index
      %s = memref.subview %pooled_flat[0, %p] [128, 1] [1, 1] : memref<128x48xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[48, 1], offset: ?>, #nki.mem<sbuf>>
      %d = memref.subview %out[%b, 0, %oh, %ow] [1, 128, 1, 1] [1, 1, 1, 1] : memref<2x128x8x6xf32> to memref<128x1xf32, strided<[48, 1], offset: ?>>
      nki.dma_copy %s to %d : memref<128x1xf32, strided<[48, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[48, 1], offset: ?>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
