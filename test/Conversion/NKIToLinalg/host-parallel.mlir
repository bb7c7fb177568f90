// RUN: nki-opt %s --nki-host-parallel -split-input-file | FileCheck %s

// Each iteration stores its own 128 x 64 block of the output (rows of 256,
// 4 blocks side by side) from tiles it allocates: parallel.
// CHECK-LABEL: func.func @disjoint_blocks
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NOT: scf.parallel
// CHECK: nki.dma_copy
func.func @disjoint_blocks(%x: memref<128x256xf32>, %out: memref<128x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %col = arith.muli %i, %c64 : index
    %tile = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[0, %col] [128, 64] [1, 1] : memref<128x256xf32> to memref<128x64xf32, strided<[256, 1], offset: ?>>
    nki.dma_copy %src to %tile : memref<128x64xf32, strided<[256, 1], offset: ?>> to memref<128x64xf32, #nki.mem<sbuf>>
    %dst = memref.subview %out[0, %col] [128, 64] [1, 1] : memref<128x256xf32> to memref<128x64xf32, strided<[256, 1], offset: ?>>
    nki.dma_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[256, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Blocks of 96 columns every 64: neighbouring iterations overlap. Sequential.
// CHECK-LABEL: func.func @overlapping_blocks
// CHECK-NOT: scf.parallel
func.func @overlapping_blocks(%tile: memref<128x96xf32, #nki.mem<sbuf>>, %out: memref<128x288xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %col = arith.muli %i, %c64 : index
    %dst = memref.subview %out[0, %col] [128, 96] [1, 1] : memref<128x288xf32> to memref<128x96xf32, strided<[288, 1], offset: ?>>
    nki.dma_copy %tile to %dst : memref<128x96xf32, #nki.mem<sbuf>> to memref<128x96xf32, strided<[288, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Iterations accumulate into one PSUM tile allocated outside: the order is
// free (nki.affine_range) but they may not run at once. The loop inside,
// whose iterations each write their own tile, runs in parallel instead.
// CHECK-LABEL: func.func @shared_accumulator
// CHECK: scf.for
// CHECK: nki.matmul
// CHECK: scf.parallel
func.func @shared_accumulator(%w: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<2x128x512xf32, #nki.mem<sbuf>>,
                              %acc: memref<128x512xf32, #nki.mem<psum>>, %out: memref<4x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  scf.for %k = %c0 to %c2 step %c1 {
    %xk = memref.subview %x[%k, 0, 0] [1, 128, 512] [1, 1, 1] : memref<2x128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.matmul accumulate %w, %xk into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    scf.for %j = %c0 to %c4 step %c1 {
      %col = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
      nki.memset %col, 1.0 : memref<128x1xf32, #nki.mem<sbuf>>
      %row = memref.subview %out[%j, 0] [1, 128] [1, 1] : memref<4x128xf32> to memref<128xf32, strided<[1], offset: ?>>
      %dst = memref.expand_shape %row [[0, 1]] output_shape [128, 1] : memref<128xf32, strided<[1], offset: ?>> into memref<128x1xf32, strided<[1, 1], offset: ?>>
      nki.dma_copy %col to %dst : memref<128x1xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1, 1], offset: ?>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

func.func private @opaque()

// A sequential loop, and an op of unknown effects: neither runs in parallel.
// CHECK-LABEL: func.func @not_independent
// CHECK-NOT: scf.parallel
func.func @not_independent(%tile: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<128x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %col = arith.muli %i, %c64 : index
    %dst = memref.subview %out[0, %col] [128, 64] [1, 1] : memref<128x256xf32> to memref<128x64xf32, strided<[256, 1], offset: ?>>
    nki.dma_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[256, 1], offset: ?>>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    func.call @opaque() : () -> ()
  } {nki.affine_range}
  return
}

// -----

// HBM scratch allocated outside the loop (the conv plane before pooling)
// counts as shared like an argument: disjoint rows, parallel. The loop that
// reads it back is parallel too; a loop that wrote it and read it back
// would not be.
// CHECK-LABEL: func.func @scratch_rows
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.for
func.func @scratch_rows(%tile: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<4x128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %plane = memref.alloc() : memref<4x128x64xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %dst = memref.subview %plane[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c4 step %c1 {
    %rows = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %plane[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %src to %rows : memref<128x64xf32, strided<[64, 1], offset: ?>> to memref<128x64xf32, #nki.mem<sbuf>>
    %dst = memref.subview %out[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %rows to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c4 step %c1 {
    %dst = memref.subview %plane[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    %rows = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %dst to %rows : memref<128x64xf32, strided<[64, 1], offset: ?>> to memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Hoisted weights: each iteration loads, transposes and copies its tile
// into its own slice of an SBUF stack allocated outside the loop: disjoint
// slices, parallel. Every iteration copying into the same slice is not.
// CHECK-LABEL: func.func @hoisted_tiles
// CHECK: scf.parallel
// CHECK: nki.tensor_copy
// CHECK: scf.for
// CHECK: nki.tensor_copy
func.func @hoisted_tiles(%w: memref<4x128x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %stack = memref.alloc() : memref<128x4x128xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c4 step %c1 {
    %src = memref.subview %w[%i, 0, 0] [1, 128, 128] [1, 1, 1] : memref<4x128x128xf32> to memref<128x128xf32, strided<[128, 1], offset: ?>>
    %tile = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    nki.dma_copy %src to %tile : memref<128x128xf32, strided<[128, 1], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
    %t = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
    nki.transpose %tile into %t : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
    %dst = memref.subview %stack[0, %i, 0] [128, 1, 128] [1, 1, 1] : memref<128x4x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %t to %dst : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c4 step %c1 {
    %src = memref.subview %w[%i, 0, 0] [1, 128, 128] [1, 1, 1] : memref<4x128x128xf32> to memref<128x128xf32, strided<[128, 1], offset: ?>>
    %tile = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    nki.dma_copy %src to %tile : memref<128x128xf32, strided<[128, 1], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
    %dst = memref.subview %stack[0, 0, 0] [128, 1, 128] [1, 1, 1] : memref<128x4x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %tile to %dst : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}
