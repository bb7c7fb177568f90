// RUN: nki-opt %s --nki-normalize-loops --split-input-file | FileCheck %s

// A channel loop stepping by 128 runs over tile numbers; the tile offset is
// recomputed in the body, and nki.affine_range stays.
// CHECK: #[[TILE:.*]] = affine_map<(d0) -> (d0 * 128)>
// CHECK-LABEL: func.func @step_128
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C2]] step %[[C1]] {
// CHECK:   %[[OFF:.*]] = affine.apply #[[TILE]](%[[I]])
// CHECK:   memref.subview %{{.*}}[%[[OFF]], 0]
// CHECK: } {nki.affine_range}
func.func @step_128(%a: memref<256x4xf32>) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  scf.for %oc0 = %c0 to %c256 step %c128 {
    %v = memref.subview %a[%oc0, 0] [128, 4] [1, 1] : memref<256x4xf32> to memref<128x4xf32, strided<[4, 1], offset: ?>>
    %t = memref.alloc() : memref<128x4xf32, #nki.mem<sbuf>>
    nki.dma_copy %v to %t : memref<128x4xf32, strided<[4, 1], offset: ?>> to memref<128x4xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// A lower bound and a trip count that the step does not divide: 3 .. 10
// step 4 runs twice (3, 7).
// CHECK: #[[MAP:.*]] = affine_map<(d0) -> (d0 * 4 + 3)>
// CHECK-LABEL: func.func @offset_ragged
// CHECK: scf.for %[[I:.*]] = %c0{{.*}} to %c2{{.*}} step %c1
// CHECK:   %[[V:.*]] = affine.apply #[[MAP]](%[[I]])
// CHECK:   memref.store %{{.*}}, %{{.*}}[%[[V]]]
func.func @offset_ragged(%a: memref<16xf32>) {
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c3 to %c10 step %c4 {
    memref.store %f, %a[%i] : memref<16xf32>
  }
  return
}

// -----

// Loops already in normal form, and loops whose step is not a known
// positive constant, are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 {
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %[[S:.*]] {
// CHECK-NOT: affine.apply
func.func @untouched(%a: memref<16xf32>, %step: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %f, %a[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %c8 step %step {
    memref.store %f, %a[%i] : memref<16xf32>
  }
  return
}
