// Every op and every form of it parses, prints, and parses again to the
// same text; the generic form round-trips too.
// RUN: nki-opt %s > %t.1.mlir
// RUN: nki-opt %t.1.mlir > %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s < %t.1.mlir
// RUN: nki-opt -mlir-print-op-generic %s | nki-opt | FileCheck %s

!sbuf_tile = memref<128x512xf32, #nki.mem<sbuf>>
!psum_tile = memref<128x512xf32, #nki.mem<psum>>

// CHECK-LABEL: func.func @dma_directions
func.func @dma_directions(%x: memref<4x256x34x34xf32>, %out: memref<128x512xf32>,
                          %scratch: memref<128x512xf32>) {
  %c0 = arith.constant 0 : index
  %tile = memref.alloc() : !sbuf_tile
  %copy = memref.alloc() : !sbuf_tile
  %low = memref.alloc() : memref<128x512xbf16, #nki.mem<sbuf>>
  %plane = memref.alloc() : memref<128x32x32xf32, #nki.mem<sbuf>>
  // A strided HBM view loads into SBUF.
  %window = memref.subview %x[1, 128, 1, 2] [1, 128, 32, 32] [1, 1, 1, 1]
      : memref<4x256x34x34xf32> to memref<128x32x32xf32, strided<[1156, 34, 1], offset: 443940>>
  // CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x32x32xf32, strided<[1156, 34, 1], offset: 443940>> to memref<128x32x32xf32, #nki.mem<sbuf>>
  nki.dma_copy %window to %plane : memref<128x32x32xf32, strided<[1156, 34, 1], offset: 443940>> to memref<128x32x32xf32, #nki.mem<sbuf>>
  // CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32>
  nki.dma_copy %tile to %out : !sbuf_tile to memref<128x512xf32>
  // CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %tile to %copy : !sbuf_tile to !sbuf_tile
  // CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x512xf32> to memref<128x512xf32>
  nki.dma_copy %out to %scratch : memref<128x512xf32> to memref<128x512xf32>
  // A DMA between element types casts.
  // CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x512xf32> to memref<128x512xbf16, #nki.mem<sbuf>>
  nki.dma_copy %out to %low : memref<128x512xf32> to memref<128x512xbf16, #nki.mem<sbuf>>
  return
}

// CHECK-LABEL: func.func @tensor_engine
func.func @tensor_engine(%w: memref<128x128xbf16, #nki.mem<sbuf>>,
                         %x: memref<128x512xbf16, #nki.mem<sbuf>>,
                         %slab: memref<128x10x34xf32, #nki.mem<sbuf>>,
                         %wt: memref<128x128xf32, #nki.mem<sbuf>>) {
  %acc = memref.alloc() : !psum_tile
  %wpsum = memref.alloc() : memref<128x128xbf16, #nki.mem<psum>>
  // CHECK: nki.matmul overwrite %{{.*}}, %{{.*}} into %{{.*}} : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x512xbf16, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  nki.matmul overwrite %w, %x into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x512xbf16, #nki.mem<sbuf>> into !psum_tile
  // CHECK: nki.matmul accumulate
  nki.matmul accumulate %w, %x into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x512xbf16, #nki.mem<sbuf>> into !psum_tile
  // The moving operand may be a strided window with several free dims: a
  // filter tap reading 8 rows x 32 columns of a slab; M may be under 128.
  %tap = memref.subview %slab[0, 1, 2] [128, 8, 32] [1, 1, 1]
      : memref<128x10x34xf32, #nki.mem<sbuf>> to memref<128x8x32xf32, strided<[340, 34, 1], offset: 36>, #nki.mem<sbuf>>
  %wcols = memref.subview %wt[0, 0] [128, 64] [1, 1]
      : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %rows = memref.alloc() : memref<64x8x32xf32, #nki.mem<psum>>
  // CHECK: nki.matmul accumulate %{{.*}}, %{{.*}} into %{{.*}} : memref<128x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<128x8x32xf32, strided<[340, 34, 1], offset: 36>, #nki.mem<sbuf>> into memref<64x8x32xf32, #nki.mem<psum>>
  nki.matmul accumulate %wcols, %tap into %rows : memref<128x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<128x8x32xf32, strided<[340, 34, 1], offset: 36>, #nki.mem<sbuf>> into memref<64x8x32xf32, #nki.mem<psum>>
  // CHECK: nki.transpose %{{.*}} into %{{.*}} : memref<128x128xbf16, #nki.mem<sbuf>> into memref<128x128xbf16, #nki.mem<psum>>
  nki.transpose %w into %wpsum : memref<128x128xbf16, #nki.mem<sbuf>> into memref<128x128xbf16, #nki.mem<psum>>
  return
}

// A ragged channel tile: the contraction size is only known at run time.
// CHECK-LABEL: func.func @dynamic_partitions
func.func @dynamic_partitions(%n: index, %w: memref<128x128xf32, #nki.mem<sbuf>>,
                              %x: memref<128x512xf32, #nki.mem<sbuf>>) {
  %acc = memref.alloc() : !psum_tile
  %wk = memref.subview %w[0, 0] [%n, 128] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<?x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %xk = memref.subview %x[0, 0] [%n, 512] [1, 1] : !sbuf_tile to memref<?x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  // CHECK: nki.matmul accumulate %{{.*}}, %{{.*}} into %{{.*}} : memref<?x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<?x512xf32, strided<[512, 1]>, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  nki.matmul accumulate %wk, %xk into %acc : memref<?x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<?x512xf32, strided<[512, 1]>, #nki.mem<sbuf>> into !psum_tile
  return
}

// CHECK-LABEL: func.func @vector_engine
func.func @vector_engine(%bias: memref<128x1xf32, #nki.mem<sbuf>>, %s: f32) {
  %acc = memref.alloc() : !psum_tile
  %res = memref.alloc() : !sbuf_tile
  %low = memref.alloc() : memref<128x512xbf16, #nki.mem<sbuf>>
  %pooled = memref.alloc() : memref<128x8x16xf32, #nki.mem<sbuf>>
  %rowmax = memref.alloc() : memref<128xf32, #nki.mem<sbuf>>
  // CHECK: nki.memset %{{.*}}, 0.000000e+00 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset %acc, 0.0 : !psum_tile
  // CHECK: nki.memset %{{.*}}, 0xFFF0000000000000 : memref<128x512xf32, #nki.mem<sbuf>>
  nki.memset %res, 0xFFF0000000000000 : !sbuf_tile
  // CHECK: nki.tensor_copy %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_copy %acc to %res : !psum_tile to !sbuf_tile
  // CHECK: nki.tensor_copy %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %res to %low : !sbuf_tile to memref<128x512xbf16, #nki.mem<sbuf>>
  // An engine copy may write PSUM (NKI: `psum_tile[...] = sbuf_tile`).
  // CHECK: nki.tensor_copy %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<psum>>
  nki.tensor_copy %res to %acc : !sbuf_tile to !psum_tile
  // CHECK: nki.tensor_tensor add %{{.*}}, %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add %res, %acc to %res : !sbuf_tile, !psum_tile to !sbuf_tile
  // CHECK: nki.tensor_tensor subtract
  nki.tensor_tensor subtract %res, %res to %res : !sbuf_tile, !sbuf_tile to !sbuf_tile
  // CHECK: nki.tensor_tensor multiply
  nki.tensor_tensor multiply %res, %res to %res : !sbuf_tile, !sbuf_tile to !sbuf_tile
  // CHECK: nki.tensor_tensor max
  nki.tensor_tensor max %res, %res to %res : !sbuf_tile, !sbuf_tile to !sbuf_tile
  // CHECK: nki.tensor_tensor min
  nki.tensor_tensor min %res, %res to %res : !sbuf_tile, !sbuf_tile to !sbuf_tile
  // CHECK: nki.tensor_scalar add %{{.*}}, %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_scalar add %res, %bias to %res : !sbuf_tile, memref<128x1xf32, #nki.mem<sbuf>> to !sbuf_tile
  // CHECK: nki.tensor_scalar multiply %{{.*}}, %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<psum>>, f32 to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_scalar multiply %acc, %s to %res : !psum_tile, f32 to !sbuf_tile
  // A 2x2 max-pool of a 16x32 row block: max over axes 2 and 4 of a view.
  %window = memref.expand_shape %res [[0], [1, 2, 3, 4]] output_shape [128, 8, 2, 16, 2]
      : !sbuf_tile into memref<128x8x2x16x2xf32, #nki.mem<sbuf>>
  // CHECK: nki.tensor_reduce max %{{.*}} to %{{.*}} axes = [2, 4] : memref<128x8x2x16x2xf32, #nki.mem<sbuf>> to memref<128x8x16xf32, #nki.mem<sbuf>>
  nki.tensor_reduce max %window to %pooled axes = [2, 4] : memref<128x8x2x16x2xf32, #nki.mem<sbuf>> to memref<128x8x16xf32, #nki.mem<sbuf>>
  // CHECK: nki.tensor_reduce add %{{.*}} to %{{.*}} axes = [1] : memref<128x512xf32, #nki.mem<psum>> to memref<128xf32, #nki.mem<sbuf>>
  nki.tensor_reduce add %acc to %rowmax axes = [1] : !psum_tile to memref<128xf32, #nki.mem<sbuf>>
  return
}

// A PSUM tile wider than one bank names its banks: [partitions, banks, F].
// CHECK-LABEL: func.func @multi_bank_psum
func.func @multi_bank_psum(%w: memref<128x128xf32, #nki.mem<sbuf>>, %x: !sbuf_tile) {
  // CHECK: memref.alloc() : memref<128x8x512xf32, #nki.mem<psum>>
  %banks = memref.alloc() : memref<128x8x512xf32, #nki.mem<psum>>
  %bank3 = memref.subview %banks[0, 3, 0] [128, 1, 512] [1, 1, 1]
      : memref<128x8x512xf32, #nki.mem<psum>> to memref<128x512xf32, strided<[4096, 1], offset: 1536>, #nki.mem<psum>>
  // CHECK: nki.matmul overwrite {{.*}} into memref<128x512xf32, strided<[4096, 1], offset: 1536>, #nki.mem<psum>>
  nki.matmul overwrite %w, %x into %bank3 : memref<128x128xf32, #nki.mem<sbuf>>, !sbuf_tile into memref<128x512xf32, strided<[4096, 1], offset: 1536>, #nki.mem<psum>>
  return
}

// CHECK-LABEL: func.func @affine_range
func.func @affine_range(%w: memref<128x128xf32, #nki.mem<sbuf>>, %x: !sbuf_tile) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c9 = arith.constant 9 : index
  %acc = memref.alloc() : !psum_tile
  // CHECK: scf.for
  // CHECK: nki.matmul accumulate
  // CHECK: } {nki.affine_range}
  scf.for %tap = %c0 to %c9 step %c1 {
    nki.matmul accumulate %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, !sbuf_tile into !psum_tile
  } {nki.affine_range}
  return
}
