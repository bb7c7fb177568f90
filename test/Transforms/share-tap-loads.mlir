// RUN: nki-opt %s -nki-share-tap-loads --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s
// RUN: nki-opt %s -nki-share-tap-loads=sbuf-budget=256 --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file 2>&1 | FileCheck %s --check-prefix=BUDGET
// BUDGET: remark: [Missed] not-rewritten | Category:nki-share-tap-loads | Remark="not shared: the slab needs 432 bytes per partition, more than the budget of 256

// Each of 3x3 taps loads a 4x16 window of a 34x18 plane shifted by
// (fh, fw) from row r0: one 6x18 slab load before the taps instead.
// CHECK-LABEL: func.func @taps
// CHECK-SAME: (%[[X:.*]]: memref<2x128x34x18xf32>, %[[B:.*]]: index, %[[R0:.*]]: index
// CHECK: %[[SLAB:.*]] = memref.alloc() : memref<128x6x18xf32, #nki.mem<sbuf>>
// CHECK: %[[WIN:.*]] = memref.subview %[[X]][%[[B]], 0, %[[R0]], 0] [1, 128, 6, 18] [1, 1, 1, 1]
// CHECK: nki.dma_copy %[[WIN]] to %[[SLAB]]
// CHECK: scf.for %[[FH:.*]] =
// CHECK: scf.for %[[FW:.*]] =
// CHECK-NOT: nki.dma_copy
// CHECK: %[[VIEW:.*]] = memref.subview %[[SLAB]][0, %[[FH]], %[[FW]]] [128, 4, 16] [1, 1, 1]
// CHECK: nki.tensor_copy %[[VIEW]] to %{{.*}} : memref<128x4x16xf32, strided<[108, 18, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x4x16xf32, #nki.mem<sbuf>>
func.func @taps(%x: memref<2x128x34x18xf32>, %b: index, %r0: index, %out: memref<128x4x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %fh = %c0 to %c3 step %c1 {
    scf.for %fw = %c0 to %c3 step %c1 {
      %row = arith.addi %fh, %r0 : index
      %t = memref.alloc() : memref<128x4x16xf32, #nki.mem<sbuf>>
      %plane = memref.subview %x[%b, 0, %fh, %fw] [1, 128, 32, 16] [1, 1, 1, 1] : memref<2x128x34x18xf32> to memref<128x32x16xf32, strided<[612, 18, 1], offset: ?>>
      %rows = memref.subview %plane[0, %r0, 0] [128, 4, 16] [1, 1, 1] : memref<128x32x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>>
      nki.dma_copy %rows to %t : memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, #nki.mem<sbuf>>
      nki.tensor_tensor add %t, %out to %out : memref<128x4x16xf32, #nki.mem<sbuf>>, memref<128x4x16xf32, #nki.mem<sbuf>> to memref<128x4x16xf32, #nki.mem<sbuf>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// Must not fire: a sequential tap loop; the loaded tensor written in the
// loops; a tap moving a dropped dim. (A slab over the budget: RUN line 2.)
func.func @blocked(%x: memref<128x34x18xf32>, %w: memref<128x128x3x3xf32>, %y: memref<128x4x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %fh = %c0 to %c3 step %c1 {
    %t = memref.alloc() : memref<128x4x16xf32, #nki.mem<sbuf>>
    %rows = memref.subview %x[0, %fh, 0] [128, 4, 16] [1, 1, 1] : memref<128x34x18xf32> to memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>>
    // expected-remark @+1 {{Category:nki-share-tap-loads | Remark="not shared: a loop of the band is not an nki.affine_range (sequential loops are never reordered)}}
    nki.dma_copy %rows to %t : memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, #nki.mem<sbuf>>
  }
  scf.for %fh = %c0 to %c3 step %c1 {
    %t = memref.alloc() : memref<128x4x16xf32, #nki.mem<sbuf>>
    %rows = memref.subview %x[0, %fh, 0] [128, 4, 16] [1, 1, 1] : memref<128x34x18xf32> to memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>>
    // expected-remark @+1 {{Category:nki-share-tap-loads | Remark="not shared: an op in the loops may write the loaded tensor}}
    nki.dma_copy %rows to %t : memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, #nki.mem<sbuf>>
    %dst = memref.subview %x[0, 20, 0] [128, 4, 16] [1, 1, 1] : memref<128x34x18xf32> to memref<128x4x16xf32, strided<[612, 18, 1], offset: 360>>
    nki.dma_copy %y to %dst : memref<128x4x16xf32, #nki.mem<sbuf>> to memref<128x4x16xf32, strided<[612, 18, 1], offset: 360>>
  } {nki.affine_range}
  scf.for %fh = %c0 to %c3 step %c1 {
    %t = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    %tap = memref.subview %w[0, 0, %fh, 0] [128, 128, 1, 1] [1, 1, 1, 1] : memref<128x128x3x3xf32> to memref<128x128xf32, strided<[1152, 9], offset: ?>>
    // expected-remark @+1 {{Category:nki-share-tap-loads | Remark="not shared: a moving dim is dropped or is the partition dim}}
    nki.dma_copy %tap to %t : memref<128x128xf32, strided<[1152, 9], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Without a budget option the slab may take half the usable SBUF of the
// kernel's #nki.target: 400 of 800 bytes here, less than the 432 needed.
module attributes {nki.target = #nki.target<name = "tiny", partitions = 128, sbuf_bytes_per_partition = 800, psum_bank_bytes = 2048, psum_banks = 8, tensor_engine_mhz = 2400, vector_engine_mhz = 960, dma_queues = 16, dma_bytes_per_us = 368000, dma_fixed_ns = 1300>} {
func.func @taps_on_small_target(%x: memref<2x128x34x18xf32>, %b: index, %r0: index, %out: memref<128x4x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %fh = %c0 to %c3 step %c1 {
    scf.for %fw = %c0 to %c3 step %c1 {
      %row = arith.addi %fh, %r0 : index
      %t = memref.alloc() : memref<128x4x16xf32, #nki.mem<sbuf>>
      %plane = memref.subview %x[%b, 0, %fh, %fw] [1, 128, 32, 16] [1, 1, 1, 1] : memref<2x128x34x18xf32> to memref<128x32x16xf32, strided<[612, 18, 1], offset: ?>>
      %rows = memref.subview %plane[0, %r0, 0] [128, 4, 16] [1, 1, 1] : memref<128x32x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>>
      // expected-remark @+1 {{Category:nki-share-tap-loads | Remark="not shared: the slab needs 432 bytes per partition, more than the budget of 400}}
      nki.dma_copy %rows to %t : memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, #nki.mem<sbuf>>
      nki.tensor_tensor add %t, %out to %out : memref<128x4x16xf32, #nki.mem<sbuf>>, memref<128x4x16xf32, #nki.mem<sbuf>> to memref<128x4x16xf32, #nki.mem<sbuf>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
}
