// RUN: nki-opt %s -nki-fuse-scratch-consumers -canonicalize --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

// Pool at eviction: each iteration stores 4 conv rows (a 4 x 8 tile,
// flattened) into the scratch plane; the pooling nest loads row pairs back.
// After the store, the pooling body runs for the 2 row pairs that tile
// holds, reading the tile; no scratch, no second nest.
// CHECK-LABEL: func.func @pool_at_eviction
// CHECK-NOT: memref.alloc() : memref<128x8x8xf32>
// CHECK: scf.for %[[BLOCK:.*]] =
// CHECK: nki.tensor_scalar add
// CHECK-NOT: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x32xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided
// CHECK: scf.for %[[PH:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[ROWS:.*]] = memref.subview %{{.*}}[0, %{{.*}}] [128, 16] [1, 1]
// CHECK: %[[PAIR:.*]] = memref.expand_shape %[[ROWS]] {{\[\[}}0], [1, 2]] output_shape [128, 2, 8]
// CHECK: nki.tensor_copy %[[PAIR]] to %[[TILE:.*]] :
// CHECK: nki.tensor_reduce max
// CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x4xf32, #nki.mem<sbuf>> to memref<128x4xf32, strided<[16, 1], offset: ?>>
// CHECK-NOT: scf.for
// CHECK: return
func.func @pool_at_eviction(%acc: memref<128x32xf32, #nki.mem<psum>>, %bias: memref<128x1xf32, #nki.mem<sbuf>>,
                            %out: memref<128x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %plane = memref.alloc() : memref<128x8x8xf32>
  scf.for %blk = %c0 to %c2 step %c1 {
    %res = memref.alloc() : memref<128x32xf32, #nki.mem<sbuf>>
    nki.tensor_scalar add %acc, %bias to %res : memref<128x32xf32, #nki.mem<psum>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x32xf32, #nki.mem<sbuf>>
    %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x8x8xf32> into memref<128x64xf32>
    %pos = arith.muli %blk, %c32 : index
    %dst = memref.subview %flat[0, %pos] [128, 32] [1, 1] : memref<128x64xf32> to memref<128x32xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %res to %dst : memref<128x32xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[64, 1], offset: ?>>
  } {nki.affine_range}
  scf.for %ph = %c0 to %c4 step %c1 {
    %row = arith.muli %ph, %c2 : index
    %rows = memref.alloc() : memref<128x2x8xf32, #nki.mem<sbuf>>
    %src = memref.subview %plane[0, %row, 0] [128, 2, 8] [1, 1, 1] : memref<128x8x8xf32> to memref<128x2x8xf32, strided<[64, 8, 1], offset: ?>>
    nki.dma_copy %src to %rows : memref<128x2x8xf32, strided<[64, 8, 1], offset: ?>> to memref<128x2x8xf32, #nki.mem<sbuf>>
    %windows = memref.expand_shape %rows [[0], [1], [2, 3]] output_shape [128, 2, 4, 2] : memref<128x2x8xf32, #nki.mem<sbuf>> into memref<128x2x4x2xf32, #nki.mem<sbuf>>
    %pooled = memref.alloc() : memref<128x4xf32, #nki.mem<sbuf>>
    nki.tensor_reduce max %windows to %pooled axes = [1, 3] : memref<128x2x4x2xf32, #nki.mem<sbuf>> to memref<128x4xf32, #nki.mem<sbuf>>
    %o = memref.subview %out[0, %ph, 0] [128, 1, 4] [1, 1, 1] : memref<128x4x4xf32> to memref<128x4xf32, strided<[16, 1], offset: ?>>
    nki.dma_copy %pooled to %o : memref<128x4xf32, #nki.mem<sbuf>> to memref<128x4xf32, strided<[16, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Blocks of 3 rows while the pooling reads pairs: the pair (2, 3) straddles
// two stores, so no store serves it whole.
// CHECK-LABEL: func.func @pairs_straddle_blocks
// CHECK: memref.alloc() : memref<128x6x8xf32>
func.func @pairs_straddle_blocks(%res: memref<128x24xf32, #nki.mem<sbuf>>, %out: memref<128x3x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c24 = arith.constant 24 : index
  %plane = memref.alloc() : memref<128x6x8xf32>
  scf.for %blk = %c0 to %c2 step %c1 {
    %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x6x8xf32> into memref<128x48xf32>
    %pos = arith.muli %blk, %c24 : index
    %dst = memref.subview %flat[0, %pos] [128, 24] [1, 1] : memref<128x48xf32> to memref<128x24xf32, strided<[48, 1], offset: ?>>
    nki.dma_copy %res to %dst : memref<128x24xf32, #nki.mem<sbuf>> to memref<128x24xf32, strided<[48, 1], offset: ?>>
  } {nki.affine_range}
  scf.for %ph = %c0 to %c3 step %c1 {
    %row = arith.muli %ph, %c2 : index
    %rows = memref.alloc() : memref<128x2x8xf32, #nki.mem<sbuf>>
    %src = memref.subview %plane[0, %row, 0] [128, 2, 8] [1, 1, 1] : memref<128x6x8xf32> to memref<128x2x8xf32, strided<[48, 8, 1], offset: ?>>
    // expected-remark @below {{Category:nki-fuse-scratch-consumers | Remark="not fused: the stores do not serve every consumer iteration exactly once}}
    nki.dma_copy %src to %rows : memref<128x2x8xf32, strided<[48, 8, 1], offset: ?>> to memref<128x2x8xf32, #nki.mem<sbuf>>
    %first = memref.subview %rows[0, 0, 0] [128, 1, 8] [1, 1, 1] : memref<128x2x8xf32, #nki.mem<sbuf>> to memref<128x8xf32, strided<[16, 1]>, #nki.mem<sbuf>>
    %o = memref.subview %out[0, %ph, 0] [128, 1, 8] [1, 1, 1] : memref<128x3x8xf32> to memref<128x8xf32, strided<[24, 1], offset: ?>>
    nki.dma_copy %first to %o : memref<128x8xf32, strided<[16, 1]>, #nki.mem<sbuf>> to memref<128x8xf32, strided<[24, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Two stores write the same rows (the last one wins in HBM): reading the
// first store's tile would be wrong.
// CHECK-LABEL: func.func @overlapping_stores
// CHECK: memref.alloc() : memref<128x4x8xf32>
func.func @overlapping_stores(%res: memref<128x32xf32, #nki.mem<sbuf>>, %out: memref<128x2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %plane = memref.alloc() : memref<128x4x8xf32>
  scf.for %blk = %c0 to %c2 step %c1 {
    %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x4x8xf32> into memref<128x32xf32>
    %dst = memref.subview %flat[0, 0] [128, 32] [1, 1] : memref<128x32xf32> to memref<128x32xf32, strided<[32, 1]>>
    nki.dma_copy %res to %dst : memref<128x32xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[32, 1]>>
  } {nki.affine_range}
  scf.for %ph = %c0 to %c2 step %c1 {
    %row = arith.muli %ph, %c2 : index
    %rows = memref.alloc() : memref<128x2x8xf32, #nki.mem<sbuf>>
    %src = memref.subview %plane[0, %row, 0] [128, 2, 8] [1, 1, 1] : memref<128x4x8xf32> to memref<128x2x8xf32, strided<[32, 8, 1], offset: ?>>
    // expected-remark @below {{Category:nki-fuse-scratch-consumers | Remark="not fused: two store windows overlap}}
    nki.dma_copy %src to %rows : memref<128x2x8xf32, strided<[32, 8, 1], offset: ?>> to memref<128x2x8xf32, #nki.mem<sbuf>>
    %first = memref.subview %rows[0, 0, 0] [128, 1, 8] [1, 1, 1] : memref<128x2x8xf32, #nki.mem<sbuf>> to memref<128x8xf32, strided<[16, 1]>, #nki.mem<sbuf>>
    %o = memref.subview %out[0, %ph, 0] [128, 1, 8] [1, 1, 1] : memref<128x2x8xf32> to memref<128x8xf32, strided<[16, 1], offset: ?>>
    nki.dma_copy %first to %o : memref<128x8xf32, strided<[16, 1]>, #nki.mem<sbuf>> to memref<128x8xf32, strided<[16, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// The consumer writes what the producer reads (the output doubles as the
// producer's input): moving the consumer earlier would change the producer.
// CHECK-LABEL: func.func @consumer_writes_producer_input
// CHECK: memref.alloc() : memref<128x4x8xf32>
func.func @consumer_writes_producer_input(%io: memref<128x32xf32>, %out: memref<128x2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %plane = memref.alloc() : memref<128x4x8xf32>
  scf.for %blk = %c0 to %c2 step %c1 {
    %res = memref.alloc() : memref<128x16xf32, #nki.mem<sbuf>>
    %pos = arith.muli %blk, %c16 : index
    %in = memref.subview %io[0, %pos] [128, 16] [1, 1] : memref<128x32xf32> to memref<128x16xf32, strided<[32, 1], offset: ?>>
    nki.dma_copy %in to %res : memref<128x16xf32, strided<[32, 1], offset: ?>> to memref<128x16xf32, #nki.mem<sbuf>>
    %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x4x8xf32> into memref<128x32xf32>
    %dst = memref.subview %flat[0, %pos] [128, 16] [1, 1] : memref<128x32xf32> to memref<128x16xf32, strided<[32, 1], offset: ?>>
    nki.dma_copy %res to %dst : memref<128x16xf32, #nki.mem<sbuf>> to memref<128x16xf32, strided<[32, 1], offset: ?>>
  } {nki.affine_range}
  scf.for %ph = %c0 to %c2 step %c1 {
    %row = arith.muli %ph, %c2 : index
    %rows = memref.alloc() : memref<128x2x8xf32, #nki.mem<sbuf>>
    %src = memref.subview %plane[0, %row, 0] [128, 2, 8] [1, 1, 1] : memref<128x4x8xf32> to memref<128x2x8xf32, strided<[32, 8, 1], offset: ?>>
    // expected-remark @below {{Category:nki-fuse-scratch-consumers | Remark="not fused: the consumer body touches memory the producer nest uses}}
    nki.dma_copy %src to %rows : memref<128x2x8xf32, strided<[32, 8, 1], offset: ?>> to memref<128x2x8xf32, #nki.mem<sbuf>>
    %flatrows = memref.collapse_shape %rows [[0], [1, 2]] : memref<128x2x8xf32, #nki.mem<sbuf>> into memref<128x16xf32, #nki.mem<sbuf>>
    %pos = arith.muli %ph, %c16 : index
    %back = memref.subview %io[0, %pos] [128, 16] [1, 1] : memref<128x32xf32> to memref<128x16xf32, strided<[32, 1], offset: ?>>
    nki.dma_copy %flatrows to %back : memref<128x16xf32, #nki.mem<sbuf>> to memref<128x16xf32, strided<[32, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// The store runs only under a condition: the consumer iterations of a block
// whose store is skipped would then not run at all. Left alone.
// CHECK-LABEL: func.func @conditional_store
// CHECK: memref.alloc() : memref<128x4x8xf32>
func.func @conditional_store(%res: memref<128x16xf32, #nki.mem<sbuf>>, %cond: i1, %out: memref<128x2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %plane = memref.alloc() : memref<128x4x8xf32>
  scf.for %blk = %c0 to %c2 step %c1 {
    scf.if %cond {
      %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x4x8xf32> into memref<128x32xf32>
      %pos = arith.muli %blk, %c16 : index
      %dst = memref.subview %flat[0, %pos] [128, 16] [1, 1] : memref<128x32xf32> to memref<128x16xf32, strided<[32, 1], offset: ?>>
      nki.dma_copy %res to %dst : memref<128x16xf32, #nki.mem<sbuf>> to memref<128x16xf32, strided<[32, 1], offset: ?>>
    }
  } {nki.affine_range}
  scf.for %ph = %c0 to %c2 step %c1 {
    %row = arith.muli %ph, %c2 : index
    %rows = memref.alloc() : memref<128x2x8xf32, #nki.mem<sbuf>>
    %src = memref.subview %plane[0, %row, 0] [128, 2, 8] [1, 1, 1] : memref<128x4x8xf32> to memref<128x2x8xf32, strided<[32, 8, 1], offset: ?>>
    // expected-remark @below {{Category:nki-fuse-scratch-consumers | Remark="not fused: the store is under a region that is not a loop}}
    nki.dma_copy %src to %rows : memref<128x2x8xf32, strided<[32, 8, 1], offset: ?>> to memref<128x2x8xf32, #nki.mem<sbuf>>
    %o = memref.subview %out[0, %ph, 0] [128, 1, 8] [1, 1, 1] : memref<128x2x8xf32> to memref<128x8xf32, strided<[16, 1], offset: ?>>
    %first = memref.subview %rows[0, 0, 0] [128, 1, 8] [1, 1, 1] : memref<128x2x8xf32, #nki.mem<sbuf>> to memref<128x8xf32, strided<[16, 1]>, #nki.mem<sbuf>>
    nki.dma_copy %first to %o : memref<128x8xf32, strided<[16, 1]>, #nki.mem<sbuf>> to memref<128x8xf32, strided<[16, 1], offset: ?>>
  } {nki.affine_range}
  return
}
