// RUN: nki-opt %s -nki-fold-copy-loops --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

// The naive kernel's column-by-column copy of a spatial partition, under
// `i < size`: one copy of min(512, size) columns starting at `start`.
// CHECK-LABEL: func.func @guarded_columns
// CHECK-SAME: (%[[FLAT:.*]]: memref<128x420xf32, #nki.mem<sbuf>>, %[[START:.*]]: index, %[[SIZE:.*]]: index)
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK-NOT: scf.for
// CHECK: %[[MIN:.*]] = arith.minsi %{{.*}}, %[[SIZE]] : index
// CHECK: %[[N:.*]] = arith.maxsi %[[MIN]], %{{.*}} : index
// CHECK: %[[SRC:.*]] = memref.subview %[[FLAT]][0, %[[START]]] [128, %[[N]]] [1, 1]
// CHECK: %[[DST:.*]] = memref.subview %[[TILE]][0, 0] [128, %[[N]]] [1, 1]
// CHECK: nki.tensor_copy %[[SRC]] to %[[DST]] : memref<128x?xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
// CHECK-NOT: scf.for
func.func @guarded_columns(%flat: memref<128x420xf32, #nki.mem<sbuf>>, %start: index, %size: index) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c512 step %c1 {
    %in = arith.cmpi ult, %i, %size : index
    scf.if %in {
      %p = arith.addi %start, %i : index
      %s = memref.subview %flat[0, %p] [128, 1] [1, 1] : memref<128x420xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>>
      %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_copy %s to %d : memref<128x1xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    }
  } {nki.affine_range}
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Rows of an HBM tensor loaded one DMA each into the partitions, from row 2,
// with the constant guard `8 > r` written the other way round: 6 rows, a
// static size, and the cast kept.
// CHECK-LABEL: func.func @rows_from_hbm
// CHECK-NOT: scf.for
// CHECK: %[[SRC:.*]] = memref.subview %arg0[2, 0] [6, 64] [1, 1] : memref<16x64xf32> to memref<6x64xf32, strided<[64, 1], offset: 128>>
// CHECK: %[[DST:.*]] = memref.subview %{{.*}}[2, 0] [6, 64] [1, 1] : memref<16x64xbf16, #nki.mem<sbuf>> to memref<6x64xbf16, strided<[64, 1], offset: 128>, #nki.mem<sbuf>>
// CHECK: nki.dma_copy %[[SRC]] to %[[DST]]
func.func @rows_from_hbm(%x: memref<16x64xf32>) -> memref<16x64xbf16, #nki.mem<sbuf>> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  %t = memref.alloc() : memref<16x64xbf16, #nki.mem<sbuf>>
  scf.for %r = %c2 to %c10 step %c1 {
    %in = arith.cmpi ugt, %c8, %r : index
    scf.if %in {
      %s = memref.subview %x[%r, 0] [1, 64] [1, 1] : memref<16x64xf32> to memref<1x64xf32, strided<[64, 1], offset: ?>>
      %d = memref.subview %t[%r, 0] [1, 64] [1, 1] : memref<16x64xbf16, #nki.mem<sbuf>> to memref<1x64xbf16, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>
      nki.dma_copy %s to %d : memref<1x64xf32, strided<[64, 1], offset: ?>> to memref<1x64xbf16, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>
    }
  } {nki.affine_range}
  return %t : memref<16x64xbf16, #nki.mem<sbuf>>
}

// -----

// Nested element loops fold level by level into one 2-D copy.
// CHECK-LABEL: func.func @nested
// CHECK-NOT: scf.for
// CHECK: nki.tensor_copy %{{.*}} to %{{.*}} : memref<4x8xf32, strided<[8, 1]>, #nki.mem<sbuf>> to memref<4x8xf32, strided<[16, 1], offset: 2>, #nki.mem<sbuf>>
func.func @nested(%a: memref<4x8xf32, #nki.mem<sbuf>>) -> memref<4x16xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %b = memref.alloc() : memref<4x16xf32, #nki.mem<sbuf>>
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %j2 = arith.addi %j, %c2 : index
      %s = memref.subview %a[%p, %j] [1, 1] [1, 1] : memref<4x8xf32, #nki.mem<sbuf>> to memref<1x1xf32, strided<[8, 1], offset: ?>, #nki.mem<sbuf>>
      %d = memref.subview %b[%p, %j2] [1, 1] [1, 1] : memref<4x16xf32, #nki.mem<sbuf>> to memref<1x1xf32, strided<[16, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_copy %s to %d : memref<1x1xf32, strided<[8, 1], offset: ?>, #nki.mem<sbuf>> to memref<1x1xf32, strided<[16, 1], offset: ?>, #nki.mem<sbuf>>
    } {nki.affine_range}
  } {nki.affine_range}
  return %b : memref<4x16xf32, #nki.mem<sbuf>>
}

// -----

// Must not fire: a sequential loop.
func.func @sequential(%flat: memref<128x512xf32, #nki.mem<sbuf>>) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the loop is not an nki.affine_range (sequential loops are never reordered)}}
  scf.for %i = %c0 to %c512 step %c1 {
    %s = memref.subview %flat[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  }
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Must not fire: an opaque call in the body may read or write anything.
func.func private @opaque()
func.func @opaque_call(%flat: memref<128x512xf32, #nki.mem<sbuf>>) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the loop body has other memory effects}}
  scf.for %i = %c0 to %c512 step %c1 {
    func.call @opaque() : () -> ()
    %s = memref.subview %flat[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Must not fire: an intervening write to the source inside the loop.
func.func @intervening_write(%flat: memref<128x512xf32, #nki.mem<sbuf>>, %v: f32) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the loop body has other memory effects}}
  scf.for %i = %c0 to %c512 step %c1 {
    memref.store %v, %flat[%c0, %i] : memref<128x512xf32, #nki.mem<sbuf>>
    %s = memref.subview %flat[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Must not fire: a shift within one buffer overlaps itself.
func.func @overlapping(%n: index) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c511 = arith.constant 511 : index
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: source and target may overlap}}
  scf.for %i = %c0 to %c511 step %c1 {
    %i1 = arith.addi %i, %c1 : index
    %s = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %tile[0, %i1] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Must not fire: two views of one kernel argument may overlap; two distinct
// arguments are distinct tensors (NKI's calling convention) and fold.
// CHECK-LABEL: func.func @arguments
// CHECK: scf.for
// CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<64x16xf32, strided<[16, 1]>> to memref<64x16xf32, strided<[32, 1]>>
func.func @arguments(%x: memref<64x32xf32>, %y: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %lo = memref.subview %x[0, 0] [64, 16] [1, 1] : memref<64x32xf32> to memref<64x16xf32, strided<[32, 1]>>
  %hi = memref.subview %x[0, 8] [64, 16] [1, 1] : memref<64x32xf32> to memref<64x16xf32, strided<[32, 1], offset: 8>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: source and target may overlap}}
  scf.for %i = %c0 to %c16 step %c1 {
    %s = memref.subview %lo[0, %i] [64, 1] [1, 1] : memref<64x16xf32, strided<[32, 1]>> to memref<64x1xf32, strided<[32, 1], offset: ?>>
    %d = memref.subview %hi[0, %i] [64, 1] [1, 1] : memref<64x16xf32, strided<[32, 1], offset: 8>> to memref<64x1xf32, strided<[32, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<64x1xf32, strided<[32, 1], offset: ?>> to memref<64x1xf32, strided<[32, 1], offset: ?>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c16 step %c1 {
    %s = memref.subview %y[0, %i] [64, 1] [1, 1] : memref<64x16xf32> to memref<64x1xf32, strided<[16, 1], offset: ?>>
    %d = memref.subview %x[0, %i] [64, 1] [1, 1] : memref<64x32xf32> to memref<64x1xf32, strided<[32, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<64x1xf32, strided<[16, 1], offset: ?>> to memref<64x1xf32, strided<[32, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Must not fire: a step of 2, a stride-2 index, the same target every time,
// a guard on something other than the loop index.
func.func @not_unit_stride(%flat: memref<128x512xf32, #nki.mem<sbuf>>, %k: index) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the loop step is not 1}}
  scf.for %i = %c0 to %c512 step %c2 {
    %s = memref.subview %flat[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.affine_range}
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the source: an index is neither `i + c` nor (p / W, p % W) of p = i + c with W the row width}}
  scf.for %i = %c0 to %c256 step %c1 {
    %i2 = arith.muli %i, %c2 : index
    %s = memref.subview %flat[0, %i2] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.affine_range}
  %d0 = memref.subview %tile[0, 0] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the target: every iteration copies the same region}}
  scf.for %i = %c0 to %c512 step %c1 {
    %s = memref.subview %flat[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %s to %d0 : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  } {nki.affine_range}
  // expected-remark @+1 {{Category:nki-fold-copy-loops | Remark="not folded: the guard is not `i < bound` with an invariant bound}}
  scf.for %i = %c0 to %c512 step %c1 {
    %in = arith.cmpi ult, %k, %i : index
    scf.if %in {
      %s = memref.subview %flat[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    }
  } {nki.affine_range}
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Not copy loops: no remark, nothing changes. Stores of plane positions are
// nki-batch-writeback's.
// CHECK-LABEL: func.func @not_candidates
// CHECK-COUNT-2: scf.for
func.func @not_candidates(%w: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<128x512xf32, #nki.mem<sbuf>>,
                          %res: memref<128x512xf32, #nki.mem<sbuf>>, %out: memref<128x420xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c14 = arith.constant 14 : index
  %c420 = arith.constant 420 : index
  %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  scf.for %i = %c0 to %c4 step %c1 {
    nki.matmul accumulate %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  } {nki.affine_range}
  %plane = memref.expand_shape %out [[0], [1, 2]] output_shape [128, 30, 14] : memref<128x420xf32> into memref<128x30x14xf32>
  scf.for %i = %c0 to %c420 step %c1 {
    %oh = arith.divui %i, %c14 : index
    %ow = arith.remui %i, %c14 : index
    %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %plane[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>>
  } {nki.affine_range}
  return
}
