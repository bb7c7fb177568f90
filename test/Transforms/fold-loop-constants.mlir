// RUN: nki-opt %s -nki-fold-loop-constants | FileCheck %s

// A block's offset in its row window and its size, over 111 blocks of 444
// positions of a 222-wide plane: always 0 and 444. The window's start
// varies and stays.
// CHECK-LABEL: func.func @block_offsets
// CHECK: scf.for %[[SP:.*]] =
// CHECK: %[[START:.*]] = arith.minui
// CHECK: memref.subview %arg0[0, %[[START]], 0]
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[SIZE:.*]] = arith.constant 444 : index
// CHECK: memref.subview %arg1[0, %[[ZERO]]] [128, %[[SIZE]]]
func.func @block_offsets(%plane: memref<128x224x224xf32>, %flat: memref<128x888xf32>, %out: memref<128x444xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c111 = arith.constant 111 : index
  %c220 = arith.constant 220 : index
  %c222 = arith.constant 222 : index
  %c444 = arith.constant 444 : index
  %c49284 = arith.constant 49284 : index
  scf.for %sp = %c0 to %c111 step %c1 {
    %pos = arith.muli %sp, %c444 : index
    %row = arith.divui %pos, %c222 : index
    %start = arith.minui %row, %c220 : index
    %window = memref.subview %plane[0, %start, 0] [128, 4, 224] [1, 1, 1]
        : memref<128x224x224xf32> to memref<128x4x224xf32, strided<[50176, 224, 1], offset: ?>>
    %first = arith.muli %start, %c222 : index
    %offset = arith.subi %pos, %first : index
    %left = arith.subi %c49284, %pos : index
    %size = arith.minsi %left, %c444 : index
    %block = memref.subview %flat[0, %offset] [128, %size] [1, 1]
        : memref<128x888xf32> to memref<128x?xf32, strided<[888, 1], offset: ?>>
    memref.copy %block, %out : memref<128x?xf32, strided<[888, 1], offset: ?>> to memref<128x444xf32>
  } {nki.affine_range}
  return
}

// The last of 3 blocks of 2 rows over 5 is ragged: the size varies, and
// stays. So does anything computed from a function argument. Bounds that
// depend on an outer index are evaluated per outer iteration: here the
// inner index is always 0.
// CHECK-LABEL: func.func @not_constant
// CHECK: %[[LEFT:.*]] = arith.subi
// CHECK: arith.minsi %[[LEFT]]
// CHECK: arith.addi %{{.*}}, %arg0
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.store %{{.*}}, %arg1[%[[C0]]]
func.func @not_constant(%n: index, %buf: memref<8xindex>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  scf.for %i = %c0 to %c3 step %c1 {
    %start = arith.muli %i, %c2 : index
    %left = arith.subi %c5, %start : index
    %rows = arith.minsi %left, %c2 : index
    %shifted = arith.addi %rows, %n : index
    memref.store %shifted, %buf[%rows] : memref<8xindex>
    %ub = arith.subi %c1, %i : index
    %ub1 = arith.maxsi %ub, %c1 : index
    scf.for %j = %c0 to %ub1 step %c1 {
      %k = arith.muli %j, %c3 : index
      memref.store %k, %buf[%k] : memref<8xindex>
    }
  } {nki.affine_range}
  return
}

// Too many iterations to evaluate (2^40), but the value is the same in all of
// them symbolically (upstream ValueBoundsConstraintSet): (i + 5) - i = 5.
// CHECK-LABEL: func.func @symbolic
// CHECK: scf.for
// CHECK: %[[FIVE:.*]] = arith.constant 5 : index
// CHECK-NEXT: arith.subi
// CHECK-NEXT: memref.subview %arg0[%[[FIVE]]]
func.func @symbolic(%x: memref<16xf32>, %y: memref<1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %big = arith.constant 1099511627776 : index
  scf.for %i = %c0 to %big step %c1 {
    %a = arith.addi %i, %c5 : index
    %five = arith.subi %a, %i : index
    %v = memref.subview %x[%five] [1] [1] : memref<16xf32> to memref<1xf32, strided<[1], offset: ?>>
    nki.dma_copy %v to %y : memref<1xf32, strided<[1], offset: ?>> to memref<1xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// A value that does change is left alone, symbolically and by evaluation.
// CHECK-LABEL: func.func @varies
// CHECK: %[[A:.*]] = arith.addi
// CHECK: memref.subview %arg0[%[[A]]]
func.func @varies(%x: memref<16xf32>, %y: memref<1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %a = arith.addi %i, %c5 : index
    %v = memref.subview %x[%a] [1] [1] : memref<16xf32> to memref<1xf32, strided<[1], offset: ?>>
    nki.dma_copy %v to %y : memref<1xf32, strided<[1], offset: ?>> to memref<1xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}
