// Tile transposes of the shapes the vector lowering handles (references:
// transpose_reference.mlir): f32 with 2 x 3 blocks of 16 x 16, and bf16
// whose rows pair up into 32-bit words (64 rows -> 2 blocks of 16 pairs).

func.func @f32(%in: memref<32x48xf32>, %out: memref<48x32xf32>) {
  %a = memref.alloc() : memref<32x48xf32, #nki.mem<sbuf>>
  nki.dma_copy %in to %a : memref<32x48xf32> to memref<32x48xf32, #nki.mem<sbuf>>
  %t = memref.alloc() : memref<48x32xf32, #nki.mem<psum>>
  nki.transpose %a into %t : memref<32x48xf32, #nki.mem<sbuf>> into memref<48x32xf32, #nki.mem<psum>>
  %r = memref.alloc() : memref<48x32xf32, #nki.mem<sbuf>>
  nki.tensor_copy %t to %r : memref<48x32xf32, #nki.mem<psum>> to memref<48x32xf32, #nki.mem<sbuf>>
  nki.dma_copy %r to %out : memref<48x32xf32, #nki.mem<sbuf>> to memref<48x32xf32>
  return
}

func.func @bf16(%in: memref<64x16xbf16>, %out: memref<16x64xbf16>) {
  %a = memref.alloc() : memref<64x16xbf16, #nki.mem<sbuf>>
  nki.dma_copy %in to %a : memref<64x16xbf16> to memref<64x16xbf16, #nki.mem<sbuf>>
  %t = memref.alloc() : memref<16x64xbf16, #nki.mem<psum>>
  nki.transpose %a into %t : memref<64x16xbf16, #nki.mem<sbuf>> into memref<16x64xbf16, #nki.mem<psum>>
  %r = memref.alloc() : memref<16x64xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %t to %r : memref<16x64xbf16, #nki.mem<psum>> to memref<16x64xbf16, #nki.mem<sbuf>>
  nki.dma_copy %r to %out : memref<16x64xbf16, #nki.mem<sbuf>> to memref<16x64xbf16>
  return
}
