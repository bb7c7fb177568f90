// RUN: nki-opt %s -nki-pack-contraction --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

!w = memref<16x3x3x64xf32, #nki.mem<sbuf>>
!x = memref<16x10x10xf32, #nki.mem<sbuf>>
!acc = memref<64x8x8xf32, #nki.mem<psum>>

// The 9 taps of a 16-channel 3x3 conv: 8 taps would fit 128 partitions, so
// 2 chunks of 5 and 4 taps (80 and 64 rows). Each iteration copies its
// operands into slot fh * 3 + fw: partitions (slot mod 5) * 16, chunk slot / 5.
// CHECK-LABEL: func.func @taps
// CHECK-SAME: (%[[W:.*]]: memref<16x3x3x64xf32, #nki.mem<sbuf>>, %[[X:.*]]: memref<16x10x10xf32, #nki.mem<sbuf>>, %[[ACC:.*]]: memref<64x8x8xf32, #nki.mem<psum>>)
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[PW:.*]] = memref.alloc() : memref<80x2x64xf32, #nki.mem<sbuf>>
// CHECK: %[[PX:.*]] = memref.alloc() : memref<80x2x8x8xf32, #nki.mem<sbuf>>
// CHECK: scf.for %[[FH:.*]] = %{{.*}} to %[[C3]]
// CHECK: scf.for %[[FW:.*]] = %{{.*}} to %[[C3]]
// CHECK: %[[WT:.*]] = memref.subview %[[W]][0, %[[FH]], %[[FW]], 0]
// CHECK: %[[XT:.*]] = memref.subview %[[X]][0, %[[FH]], %[[FW]]]
// CHECK-NOT: nki.matmul
// CHECK: %[[C3_AGAIN:.*]] = arith.constant 3 : index
// CHECK: %[[ROW_SLOT:.*]] = arith.muli %[[FH]], %[[C3_AGAIN]]
// CHECK: %[[SLOT:.*]] = arith.addi %[[ROW_SLOT]], %[[FW]]
// CHECK: %[[C5:.*]] = arith.constant 5 : index
// CHECK: %[[CHUNK:.*]] = arith.divui %[[SLOT]], %[[C5]]
// CHECK: %[[IN_CHUNK:.*]] = arith.remui %[[SLOT]], %[[C5]]
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[ROW:.*]] = arith.muli %[[IN_CHUNK]], %[[C16]]
// CHECK: %[[WSLOT:.*]] = memref.subview %[[PW]][%[[ROW]], %[[CHUNK]], 0] [16, 1, 64] [1, 1, 1]
// CHECK: nki.dma_copy %[[WT]] to %[[WSLOT]]
// CHECK: %[[XSLOT:.*]] = memref.subview %[[PX]][%[[ROW]], %[[CHUNK]], 0, 0] [16, 1, 8, 8] [1, 1, 1, 1]
// CHECK: nki.dma_copy %[[XT]] to %[[XSLOT]]
// CHECK: }
// CHECK: }
// CHECK: %[[W0:.*]] = memref.subview %[[PW]][0, 0, 0] [80, 1, 64] [1, 1, 1]
// CHECK: %[[X0:.*]] = memref.subview %[[PX]][0, 0, 0, 0] [80, 1, 8, 8] [1, 1, 1, 1]
// CHECK: nki.matmul accumulate %[[W0]], %[[X0]] into %[[ACC]]
// CHECK: %[[W1:.*]] = memref.subview %[[PW]][0, 1, 0] [64, 1, 64] [1, 1, 1]
// CHECK: %[[X1:.*]] = memref.subview %[[PX]][0, 1, 0, 0] [64, 1, 8, 8] [1, 1, 1, 1]
// CHECK: nki.matmul accumulate %[[W1]], %[[X1]] into %[[ACC]]
// CHECK-NOT: nki.matmul
func.func @taps(%w: !w, %x: !x, %acc: !acc) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %fh = %c0 to %c3 step %c1 {
    scf.for %fw = %c0 to %c3 step %c1 {
      %wt = memref.subview %w[0, %fh, %fw, 0] [16, 1, 1, 64] [1, 1, 1, 1] : !w to memref<16x64xf32, strided<[576, 1], offset: ?>, #nki.mem<sbuf>>
      %xt = memref.subview %x[0, %fh, %fw] [16, 8, 8] [1, 1, 1] : !x to memref<16x8x8xf32, strided<[100, 10, 1], offset: ?>, #nki.mem<sbuf>>
      nki.matmul accumulate %wt, %xt into %acc : memref<16x64xf32, strided<[576, 1], offset: ?>, #nki.mem<sbuf>>, memref<16x8x8xf32, strided<[100, 10, 1], offset: ?>, #nki.mem<sbuf>> into !acc
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

!tile = memref<8x512xf32, #nki.mem<sbuf>>
!w = memref<8x128xf32, #nki.mem<sbuf>>

// The PSUM view is built in the loop body, the same in every iteration:
// the matmul after the loop gets its own copy of it. Only the inner loop
// packs: the outer one evicts the tile. 4 iterations of 8 rows: one chunk.
// CHECK-LABEL: func.func @view_in_body
// CHECK: scf.for
// CHECK: nki.memset %[[ACC:[^ ,]*]]
// CHECK: %[[PW:.*]] = memref.alloc() : memref<32x1x128xf32, #nki.mem<sbuf>>
// CHECK: %[[PX:.*]] = memref.alloc() : memref<32x1x512xf32, #nki.mem<sbuf>>
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[ROW:.*]] = arith.muli %[[K]], %[[C8]]
// CHECK: memref.subview %[[PW]][%[[ROW]], 0, 0] [8, 1, 128]
// CHECK: nki.dma_copy
// CHECK: memref.subview %[[PX]][%[[ROW]], 0, 0] [8, 1, 512]
// CHECK: nki.dma_copy
// CHECK-NOT: nki.matmul
// CHECK: }
// CHECK: %[[VIEW:.*]] = memref.subview %[[ACC]][0, 0] [128, 512]
// CHECK: %[[W0:.*]] = memref.subview %[[PW]][0, 0, 0] [32, 1, 128]
// CHECK: %[[X0:.*]] = memref.subview %[[PX]][0, 0, 0] [32, 1, 512]
// CHECK: nki.matmul accumulate %[[W0]], %[[X0]] into %[[VIEW]]
// CHECK: nki.tensor_copy %[[ACC]]
func.func @view_in_body(%w: !w, %x: memref<4x8x512xf32, #nki.mem<sbuf>>, %out: memref<2x128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  scf.for %i = %c0 to %c2 step %c1 {
    nki.memset %acc, 0.0 : memref<128x512xf32, #nki.mem<psum>>
    scf.for %k = %c0 to %c4 step %c1 {
      %view = memref.subview %acc[0, 0] [128, 512] [1, 1] : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, strided<[512, 1]>, #nki.mem<psum>>
      %xt = memref.subview %x[%k, 0, 0] [1, 8, 512] [1, 1, 1] : memref<4x8x512xf32, #nki.mem<sbuf>> to memref<8x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      nki.matmul accumulate %w, %xt into %view : !w, memref<8x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> into memref<128x512xf32, strided<[512, 1]>, #nki.mem<psum>>
    } {nki.affine_range}
    %o = memref.subview %out[%i, 0, 0] [1, 128, 512] [1, 1, 1] : memref<2x128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %o : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
  }
  return
}

// -----

!w = memref<8x128xf32, #nki.mem<sbuf>>
!x = memref<8x512xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

// Must not pack: the loop reads the PSUM tile (a running sum is observed);
// another matmul accumulates into it in the same loop; the trip count is not
// a constant. Not candidates, no remark: a matmul that overwrites; one that
// contracts more than max-rows partitions; one in no loop.
// CHECK-LABEL: func.func @declined
// CHECK-NOT: nki.dma_copy
// CHECK-COUNT-7: nki.matmul
// CHECK-NOT: nki.dma_copy
func.func @declined(%w: !w, %x: !x, %acc: !acc, %out: memref<128x512xf32, #nki.mem<sbuf>>, %n: index, %wide: memref<48x128xf32, #nki.mem<sbuf>>, %xwide: memref<48x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %k = %c0 to %c4 step %c1 {
    // expected-remark @+1 {{Category:nki-pack-contraction | Remark="not packed: no loop around it only accumulates into its PSUM tile}}
    nki.matmul accumulate %w, %x into %acc : !w, !x into !acc
    nki.tensor_copy %acc to %out : !acc to memref<128x512xf32, #nki.mem<sbuf>>
  }
  scf.for %k = %c0 to %c4 step %c1 {
    // expected-remark @+1 {{Category:nki-pack-contraction | Remark="not packed: no loop around it only accumulates into its PSUM tile}}
    nki.matmul accumulate %w, %x into %acc : !w, !x into !acc
    // expected-remark @+1 {{Category:nki-pack-contraction | Remark="not packed: no loop around it only accumulates into its PSUM tile}}
    nki.matmul accumulate %w, %x into %acc : !w, !x into !acc
  }
  scf.for %k = %c0 to %n step %c1 {
    // expected-remark @+1 {{Category:nki-pack-contraction | Remark="not packed: no loop around it only accumulates into its PSUM tile}}
    nki.matmul accumulate %w, %x into %acc : !w, !x into !acc
  }
  scf.for %k = %c0 to %c4 step %c1 {
    nki.matmul overwrite %w, %x into %acc : !w, !x into !acc
  }
  scf.for %k = %c0 to %c4 step %c1 {
    nki.matmul accumulate %wide, %xwide into %acc : memref<48x128xf32, #nki.mem<sbuf>>, memref<48x512xf32, #nki.mem<sbuf>> into !acc
  }
  nki.matmul accumulate %w, %x into %acc : !w, !x into !acc
  return
}

// -----

!w = memref<16x64xf32, #nki.mem<sbuf>>
!x = memref<16x512xf32, #nki.mem<sbuf>>
!acc = memref<64x512xf32, #nki.mem<psum>>

// Must not pack: 1000 iterations of 16 rows would take 125 chunks of
// (64 + 512) floats, 288000 bytes per partition, over half of trn2's SBUF.
// CHECK-LABEL: func.func @over_budget
// CHECK-NOT: nki.dma_copy
func.func @over_budget(%w: !w, %x: !x, %acc: !acc) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1000 = arith.constant 1000 : index
  scf.for %k = %c0 to %c1000 step %c1 {
    // expected-remark @+1 {{Category:nki-pack-contraction | Remark="not packed: the packed operands would not fit the SBUF budget}}
    nki.matmul accumulate %w, %x into %acc : !w, !x into !acc
  }
  return
}
