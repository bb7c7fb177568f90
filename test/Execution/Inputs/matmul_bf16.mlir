// bf16 matmuls of the shapes the AMX lowering treats separately, with
// out = lhsT^T x rhs in f32 (references: matmul_bf16_reference.mlir).

// 48 rows (one 16-row tile at a time), 200 columns (six pairs of 16-column
// tiles and a partial tile of 8), K = 128 as two halves: an overwriting
// matmul, then an accumulating one.
func.func @ragged(%lhsT: memref<128x48xbf16>, %rhs: memref<128x200xbf16>,
                  %out: memref<48x200xf32>) {
  %acc = memref.alloc() : memref<48x200xf32, #nki.mem<psum>>
  %a0 = memref.alloc() : memref<64x48xbf16, #nki.mem<sbuf>>
  %b0 = memref.alloc() : memref<64x200xbf16, #nki.mem<sbuf>>
  %a1 = memref.alloc() : memref<64x48xbf16, #nki.mem<sbuf>>
  %b1 = memref.alloc() : memref<64x200xbf16, #nki.mem<sbuf>>
  %lhs0 = memref.subview %lhsT[0, 0] [64, 48] [1, 1] : memref<128x48xbf16> to memref<64x48xbf16, strided<[48, 1]>>
  %lhs1 = memref.subview %lhsT[64, 0] [64, 48] [1, 1] : memref<128x48xbf16> to memref<64x48xbf16, strided<[48, 1], offset: 3072>>
  %rhs0 = memref.subview %rhs[0, 0] [64, 200] [1, 1] : memref<128x200xbf16> to memref<64x200xbf16, strided<[200, 1]>>
  %rhs1 = memref.subview %rhs[64, 0] [64, 200] [1, 1] : memref<128x200xbf16> to memref<64x200xbf16, strided<[200, 1], offset: 12800>>
  nki.dma_copy %lhs0 to %a0 : memref<64x48xbf16, strided<[48, 1]>> to memref<64x48xbf16, #nki.mem<sbuf>>
  nki.dma_copy %lhs1 to %a1 : memref<64x48xbf16, strided<[48, 1], offset: 3072>> to memref<64x48xbf16, #nki.mem<sbuf>>
  nki.dma_copy %rhs0 to %b0 : memref<64x200xbf16, strided<[200, 1]>> to memref<64x200xbf16, #nki.mem<sbuf>>
  nki.dma_copy %rhs1 to %b1 : memref<64x200xbf16, strided<[200, 1], offset: 12800>> to memref<64x200xbf16, #nki.mem<sbuf>>
  nki.matmul overwrite %a0, %b0 into %acc : memref<64x48xbf16, #nki.mem<sbuf>>, memref<64x200xbf16, #nki.mem<sbuf>> into memref<48x200xf32, #nki.mem<psum>>
  nki.matmul accumulate %a1, %b1 into %acc : memref<64x48xbf16, #nki.mem<sbuf>>, memref<64x200xbf16, #nki.mem<sbuf>> into memref<48x200xf32, #nki.mem<psum>>
  %res = memref.alloc() : memref<48x200xf32, #nki.mem<sbuf>>
  nki.tensor_copy %acc to %res : memref<48x200xf32, #nki.mem<psum>> to memref<48x200xf32, #nki.mem<sbuf>>
  nki.dma_copy %res to %out : memref<48x200xf32, #nki.mem<sbuf>> to memref<48x200xf32>
  return
}

// 64 rows (pairs of 16-row tiles), K = 32, a moving view of 2 rows of 88
// (176 columns: five pairs of tiles and one single tile), accumulating into
// a zeroed PSUM tile.
func.func @paired(%lhsT: memref<32x64xbf16>, %rhs: memref<32x2x96xbf16>,
                  %out: memref<64x2x88xf32>) {
  %acc = memref.alloc() : memref<64x2x88xf32, #nki.mem<psum>>
  nki.memset %acc, 0.0 : memref<64x2x88xf32, #nki.mem<psum>>
  %a = memref.alloc() : memref<32x64xbf16, #nki.mem<sbuf>>
  %b = memref.alloc() : memref<32x2x96xbf16, #nki.mem<sbuf>>
  nki.dma_copy %lhsT to %a : memref<32x64xbf16> to memref<32x64xbf16, #nki.mem<sbuf>>
  nki.dma_copy %rhs to %b : memref<32x2x96xbf16> to memref<32x2x96xbf16, #nki.mem<sbuf>>
  %moving = memref.subview %b[0, 0, 4] [32, 2, 88] [1, 1, 1] : memref<32x2x96xbf16, #nki.mem<sbuf>> to memref<32x2x88xbf16, strided<[192, 96, 1], offset: 4>, #nki.mem<sbuf>>
  nki.matmul accumulate %a, %moving into %acc : memref<32x64xbf16, #nki.mem<sbuf>>, memref<32x2x88xbf16, strided<[192, 96, 1], offset: 4>, #nki.mem<sbuf>> into memref<64x2x88xf32, #nki.mem<psum>>
  %res = memref.alloc() : memref<64x2x88xf32, #nki.mem<sbuf>>
  nki.tensor_copy %acc to %res : memref<64x2x88xf32, #nki.mem<psum>> to memref<64x2x88xf32, #nki.mem<sbuf>>
  nki.dma_copy %res to %out : memref<64x2x88xf32, #nki.mem<sbuf>> to memref<64x2x88xf32>
  return
}
