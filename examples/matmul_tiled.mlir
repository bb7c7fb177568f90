// Tiled matmul on NKI: out[M, N] = lhsT[K, M]^T x rhs[K, N], tiled to the
// Tensor Engine's limits (K 128 x M 128 x N 512) and accumulated over K in
// PSUM. This is the `nki_matmul_tiled_` helper the seed kernel defines but
// never calls; the im2col strategy of the conv uses it.
//
//   nki-opt examples/matmul_tiled.mlir -nki-verify-buffers -canonicalize
func.func @matmul_tiled(%lhsT: memref<256x256xf32>, %rhs: memref<256x1024xf32>,
                        %out: memref<256x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %c1024 = arith.constant 1024 : index
  // M tiles of 128 output rows (partitions of the result).
  scf.for %m = %c0 to %c256 step %c128 {
    // N tiles of 512 columns: one PSUM bank of f32.
    scf.for %n = %c0 to %c1024 step %c512 {
      %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
      nki.memset %acc, 0.0 : memref<128x512xf32, #nki.mem<psum>>
      // K tiles of 128, the contraction on partitions, summed in PSUM. Adding
      // into PSUM is associative, so the K loop is an affine_range too.
      scf.for %k = %c0 to %c256 step %c128 {
        %a = memref.subview %lhsT[%k, %m] [128, 128] [1, 1]
            : memref<256x256xf32> to memref<128x128xf32, strided<[256, 1], offset: ?>>
        %b = memref.subview %rhs[%k, %n] [128, 512] [1, 1]
            : memref<256x1024xf32> to memref<128x512xf32, strided<[1024, 1], offset: ?>>
        %a_tile = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
        %b_tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
        nki.dma_copy %a to %a_tile
            : memref<128x128xf32, strided<[256, 1], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
        nki.dma_copy %b to %b_tile
            : memref<128x512xf32, strided<[1024, 1], offset: ?>> to memref<128x512xf32, #nki.mem<sbuf>>
        nki.matmul accumulate %a_tile, %b_tile into %acc
            : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>
              into memref<128x512xf32, #nki.mem<psum>>
      } {nki.affine_range}
      // Evict PSUM to SBUF, then one DMA stores the whole tile.
      %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
      nki.tensor_copy %acc to %res
          : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
      %o = memref.subview %out[%m, %n] [128, 512] [1, 1]
          : memref<256x1024xf32> to memref<128x512xf32, strided<[1024, 1], offset: ?>>
      nki.dma_copy %res to %o
          : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[1024, 1], offset: ?>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
