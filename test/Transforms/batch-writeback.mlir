// RUN: nki-opt %s -nki-batch-writeback --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

// The naive kernel's write-back: position p = start + i of a 30x14 plane,
// one DMA each under `i < size`, becomes one DMA into the plane viewed with
// its rows collapsed.
// CHECK-LABEL: func.func @writeback
// CHECK-SAME: (%[[RES:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[OUT:.*]]: memref<2x256x30x14xf32>, %[[B:.*]]: index, %[[OC:.*]]: index, %[[START:.*]]: index, %[[SIZE:.*]]: index)
// CHECK-NOT: scf.for
// CHECK: %[[N:.*]] = arith.maxsi
// CHECK: %[[SRC:.*]] = memref.subview %[[RES]][0, 0] [128, %[[N]]] [1, 1]
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[\[}}0], [1], [2, 3]] : memref<2x256x30x14xf32> into memref<2x256x420xf32>
// CHECK: %[[DST:.*]] = memref.subview %[[FLAT]][%[[B]], %[[OC]], %[[START]]] [1, 128, %[[N]]] [1, 1, 1] : memref<2x256x420xf32> to memref<128x?xf32, strided<[420, 1], offset: ?>>
// CHECK: nki.dma_copy %[[SRC]] to %[[DST]]
// CHECK-NOT: scf.for
func.func @writeback(%res: memref<128x512xf32, #nki.mem<sbuf>>, %out: memref<2x256x30x14xf32>,
                     %b: index, %oc: index, %start: index, %size: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c14 = arith.constant 14 : index
  %c512 = arith.constant 512 : index
  scf.for %i = %c0 to %c512 step %c1 {
    %in = arith.cmpi ult, %i, %size : index
    scf.if %in {
      %p = arith.addi %start, %i : index
      %oh = arith.divui %p, %c14 : index
      %ow = arith.remui %p, %c14 : index
      %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      %d = memref.subview %out[%b, %oc, %oh, %ow] [1, 128, 1, 1] [1, 1, 1, 1] : memref<2x256x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
      nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>>
    }
  } {nki.affine_range}
  return
}

// -----

// Partially: of two write-back loops, the one into a plane whose rows are
// contiguous folds; the one into a window of a wider plane (rows 16 apart,
// 14 wide) cannot be collapsed and stays.
// CHECK-LABEL: func.func @partial
// CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x420xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x420xf32, strided<[420, 1]>>
// CHECK: scf.for
// CHECK: arith.divui
// CHECK: nki.dma_copy
func.func @partial(%res: memref<128x512xf32, #nki.mem<sbuf>>, %out: memref<128x30x14xf32>, %wide: memref<128x30x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c14 = arith.constant 14 : index
  %c420 = arith.constant 420 : index
  scf.for %i = %c0 to %c420 step %c1 {
    %oh = arith.divui %i, %c14 : index
    %ow = arith.remui %i, %c14 : index
    %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>>
  } {nki.affine_range}
  %window = memref.subview %wide[0, 0, 1] [128, 30, 14] [1, 1, 1] : memref<128x30x16xf32> to memref<128x30x14xf32, strided<[480, 16, 1], offset: 1>>
  // expected-remark @+1 {{Category:nki-batch-writeback | Remark="not folded: the folded source and target views would not match}}
  scf.for %i = %c0 to %c420 step %c1 {
    %oh = arith.divui %i, %c14 : index
    %ow = arith.remui %i, %c14 : index
    %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %window[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x30x14xf32, strided<[480, 16, 1], offset: 1>> to memref<128x1xf32, strided<[480, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[480, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Must not fire: the divisor is not the row width (the index would wrap
// at 7 in a 14-wide row), a sequential loop, an opaque call.
func.func private @opaque()
func.func @blocked(%res: memref<128x512xf32, #nki.mem<sbuf>>, %out: memref<128x30x14xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c14 = arith.constant 14 : index
  %c210 = arith.constant 210 : index
  %c420 = arith.constant 420 : index
  // expected-remark @+1 {{Category:nki-batch-writeback | Remark="not folded: the target: an index is neither `i + c` nor (p / W, p % W) of p = i + c with W the row width}}
  scf.for %i = %c0 to %c210 step %c1 {
    %oh = arith.divui %i, %c7 : index
    %ow = arith.remui %i, %c7 : index
    %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>>
  } {nki.affine_range}
  // expected-remark @+1 {{Category:nki-batch-writeback | Remark="not folded: the loop is not an nki.affine_range (sequential loops are never reordered)}}
  scf.for %i = %c0 to %c420 step %c1 {
    %oh = arith.divui %i, %c14 : index
    %ow = arith.remui %i, %c14 : index
    %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>>
  }
  // expected-remark @+1 {{Category:nki-batch-writeback | Remark="not folded: the loop body has other memory effects}}
  scf.for %i = %c0 to %c420 step %c1 {
    func.call @opaque() : () -> ()
    %oh = arith.divui %i, %c14 : index
    %ow = arith.remui %i, %c14 : index
    %s = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    %d = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
    nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>>
  } {nki.affine_range}
  return
}
