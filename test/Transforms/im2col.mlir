// RUN: nki-opt %s -nki-im2col --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s
// RUN: nki-opt %s -nki-im2col=sbuf-budget=4096 --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=BUDGET

!slab = memref<128x2x4x16xf32, #nki.mem<sbuf>>
!w = memref<128x2x2x3x128xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

// Shifted taps (3 row shifts) of two input-channel tiles, for two
// output-channel tiles: each moving tile is gathered once, before the
// output-channel loop, into a [128, 2, 3, 512] column matrix; the matmuls
// read its slots.
// CHECK-LABEL: func.func @taps
// CHECK: %[[M:.*]] = memref.alloc() : memref<128x2x3x512xf32, #nki.mem<sbuf>>
// CHECK: scf.for %[[IC:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[SLOT:.*]] = memref.subview %[[M]][0, %[[IC]], %[[T]], 0] [128, 1, 1, 512]
// CHECK: %[[COLS:.*]] = memref.subview %[[SLOT]][0, 0] [128, 28]
// CHECK: %[[ROWS:.*]] = memref.expand_shape %[[COLS]]
// CHECK: nki.tensor_copy %{{.*}} to %[[ROWS]]
// CHECK: } {nki.affine_range}
// CHECK: } {nki.affine_range}
// CHECK: scf.for %[[OC:.*]] =
// CHECK: scf.for %[[IC2:.*]] =
// CHECK: scf.for %[[T2:.*]] =
// CHECK-NOT: nki.tensor_copy
// CHECK: %[[READ:.*]] = memref.subview %[[M]][0, %[[IC2]], %[[T2]], 0] [128, 1, 1, 512]
// CHECK: nki.matmul accumulate %{{.*}}, %[[READ]] into
func.func @taps(%slab: !slab, %w: !w, %acc: !acc) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  scf.for %oc = %c0 to %c2 step %c1 {
    scf.for %ic = %c0 to %c2 step %c1 {
      scf.for %t = %c0 to %c3 step %c1 {
        %win = memref.subview %slab[0, %ic, %t, 1] [128, 1, 2, 14] [1, 1, 1, 1]
            : !slab to memref<128x2x14xf32, strided<[128, 16, 1], offset: ?>, #nki.mem<sbuf>>
        %moving = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
        %cols = memref.subview %moving[0, 0] [128, 28] [1, 1]
            : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x28xf32, strided<[512, 1]>, #nki.mem<sbuf>>
        %rows = memref.expand_shape %cols [[0], [1, 2]] output_shape [128, 2, 14]
            : memref<128x28xf32, strided<[512, 1]>, #nki.mem<sbuf>> into memref<128x2x14xf32, strided<[512, 14, 1]>, #nki.mem<sbuf>>
        nki.tensor_copy %win to %rows
            : memref<128x2x14xf32, strided<[128, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x2x14xf32, strided<[512, 14, 1]>, #nki.mem<sbuf>>
        %wt = memref.subview %w[0, %oc, %ic, %t, 0] [128, 1, 1, 1, 128] [1, 1, 1, 1, 1]
            : !w to memref<128x128xf32, strided<[1536, 1], offset: ?>, #nki.mem<sbuf>>
        nki.matmul accumulate %wt, %moving into %acc
            : memref<128x128xf32, strided<[1536, 1], offset: ?>, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into !acc
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
// BUDGET: remark: [Missed] not-rewritten | Category:nki-im2col | Remark="not hoisted: the cache of tiles needs 12288 bytes per partition, more than the budget of 4096

// -----

!slab = memref<128x4x16xf32, #nki.mem<sbuf>>
!w = memref<128x2x3x128xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

// The slab is reloaded in every output-channel iteration: gathering before
// that loop would read stale data.
// CHECK-LABEL: func.func @slab_written_in_loop
// CHECK-NOT: memref<128x3x512xf32
// CHECK: scf.for
// CHECK: nki.dma_copy
// CHECK: nki.tensor_copy
func.func @slab_written_in_loop(%x: memref<2x128x4x16xf32>, %slab: !slab, %w: !w, %acc: !acc) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  scf.for %oc = %c0 to %c2 step %c1 {
    %src = memref.subview %x[%oc, 0, 0, 0] [1, 128, 4, 16] [1, 1, 1, 1]
        : memref<2x128x4x16xf32> to memref<128x4x16xf32, strided<[64, 16, 1], offset: ?>>
    nki.dma_copy %src to %slab : memref<128x4x16xf32, strided<[64, 16, 1], offset: ?>> to !slab
    scf.for %t = %c0 to %c3 step %c1 {
      %win = memref.subview %slab[0, %t, 0] [128, 2, 16] [1, 1, 1]
          : !slab to memref<128x2x16xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>>
      %moving = memref.alloc() : memref<128x2x16xf32, #nki.mem<sbuf>>
      // expected-remark @below {{Category:nki-im2col | Remark="not hoisted: an op in the loops may write the loaded tensor}}
      nki.tensor_copy %win to %moving
          : memref<128x2x16xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x2x16xf32, #nki.mem<sbuf>>
      %wt = memref.subview %w[0, %oc, %t, 0] [128, 1, 1, 128] [1, 1, 1, 1]
          : !w to memref<128x128xf32, strided<[768, 1], offset: ?>, #nki.mem<sbuf>>
      %out = memref.subview %acc[0, 0] [128, 32] [1, 1] : !acc to memref<128x32xf32, strided<[512, 1]>, #nki.mem<psum>>
      %out3 = memref.expand_shape %out [[0], [1, 2]] output_shape [128, 2, 16]
          : memref<128x32xf32, strided<[512, 1]>, #nki.mem<psum>> into memref<128x2x16xf32, strided<[512, 16, 1]>, #nki.mem<psum>>
      nki.matmul accumulate %wt, %moving into %out3
          : memref<128x128xf32, strided<[768, 1], offset: ?>, #nki.mem<sbuf>>, memref<128x2x16xf32, #nki.mem<sbuf>> into memref<128x2x16xf32, strided<[512, 16, 1]>, #nki.mem<psum>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

!slab = memref<128x4x16xf32, #nki.mem<sbuf>>
!w = memref<128x3x128xf32, #nki.mem<sbuf>>
!acc = memref<128x2x16xf32, #nki.mem<psum>>

// One output-channel tile: every gathered tile is used once where it is
// made, so there is no matrix to build. A copy that feeds no matmul is not
// a gather and is left alone.
// CHECK-LABEL: func.func @single_use
// CHECK-NOT: memref<128x3x2x16xf32
// CHECK: scf.for
// CHECK: nki.tensor_copy
// CHECK: nki.matmul
func.func @single_use(%slab: !slab, %w: !w, %acc: !acc, %other: memref<128x2x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %t = %c0 to %c3 step %c1 {
    %win = memref.subview %slab[0, %t, 0] [128, 2, 16] [1, 1, 1]
        : !slab to memref<128x2x16xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>>
    %moving = memref.alloc() : memref<128x2x16xf32, #nki.mem<sbuf>>
    // expected-remark @below {{Category:nki-im2col | Remark="not hoisted: the tile depends on every enclosing loop}}
    nki.tensor_copy %win to %moving
        : memref<128x2x16xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x2x16xf32, #nki.mem<sbuf>>
    %wt = memref.subview %w[0, %t, 0] [128, 1, 128] [1, 1, 1]
        : !w to memref<128x128xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
    nki.matmul accumulate %wt, %moving into %acc
        : memref<128x128xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>, memref<128x2x16xf32, #nki.mem<sbuf>> into !acc
    nki.tensor_copy %win to %other
        : memref<128x2x16xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x2x16xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

!slab = memref<128x4x16xf32, #nki.mem<sbuf>>
!w = memref<128x2x3x128xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

// The gather in two steps, as slice loading leaves it: the window goes into
// a row plane, then the block's positions (at an offset computed in the
// loop) go into the moving tile. Both copies move to the matrix's prologue;
// the plane stays a per-iteration buffer there.
// CHECK-LABEL: func.func @staged
// CHECK: %[[M:.*]] = memref.alloc() : memref<128x3x512xf32, #nki.mem<sbuf>>
// CHECK: scf.for %[[T:.*]] =
// CHECK: %[[SLOT:.*]] = memref.subview %[[M]][0, %[[T]], 0]
// CHECK: %[[PLANE:.*]] = memref.alloc() : memref<128x2x14xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_copy %{{.*}} to %[[PLANE]]
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[PLANE]]
// CHECK: %[[BLOCK:.*]] = memref.subview %[[FLAT]][0, %{{.*}}] [128, 20]
// CHECK: %[[DST:.*]] = memref.subview %[[SLOT]][0, 0] [128, 20]
// CHECK: nki.tensor_copy %[[BLOCK]] to %[[DST]]
// CHECK: scf.for %[[OC:.*]] =
// CHECK-NOT: nki.tensor_copy
// CHECK: nki.matmul
func.func @staged(%slab: !slab, %w: !w, %acc: !acc, %off: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  scf.for %oc = %c0 to %c2 step %c1 {
    scf.for %t = %c0 to %c3 step %c1 {
      %win = memref.subview %slab[0, %t, 1] [128, 2, 14] [1, 1, 1]
          : !slab to memref<128x2x14xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>>
      %plane = memref.alloc() : memref<128x2x14xf32, #nki.mem<sbuf>>
      nki.tensor_copy %win to %plane
          : memref<128x2x14xf32, strided<[64, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x2x14xf32, #nki.mem<sbuf>>
      %flat = memref.collapse_shape %plane [[0], [1, 2]]
          : memref<128x2x14xf32, #nki.mem<sbuf>> into memref<128x28xf32, #nki.mem<sbuf>>
      %block = memref.subview %flat[0, %off] [128, 20] [1, 1]
          : memref<128x28xf32, #nki.mem<sbuf>> to memref<128x20xf32, strided<[28, 1], offset: ?>, #nki.mem<sbuf>>
      %moving = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
      %cols = memref.subview %moving[0, 0] [128, 20] [1, 1]
          : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x20xf32, strided<[512, 1]>, #nki.mem<sbuf>>
      nki.tensor_copy %block to %cols
          : memref<128x20xf32, strided<[28, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x20xf32, strided<[512, 1]>, #nki.mem<sbuf>>
      %wt = memref.subview %w[0, %oc, %t, 0] [128, 1, 1, 128] [1, 1, 1, 1]
          : !w to memref<128x128xf32, strided<[768, 1], offset: ?>, #nki.mem<sbuf>>
      nki.matmul accumulate %wt, %moving into %acc
          : memref<128x128xf32, strided<[768, 1], offset: ?>, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into !acc
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
