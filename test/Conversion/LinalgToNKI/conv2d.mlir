// The importer rebuilds a linalg conv2d + bias + max-pool as the seed's naive
// kernel; functions without a conv stay as they are.
// RUN: %conv2d_linalg --batch 2 --in-channels 3 --out-channels 200 --height 10 --width 9 --pool 2 > %t.mlir
// RUN: cat %s >> %t.mlir
// RUN: nki-opt %t.mlir --nki-import | FileCheck %s

// CHECK-LABEL: func.func @conv2d(
// CHECK-SAME: %[[X:.*]]: memref<2x3x10x9xf32>, %[[W:.*]]: memref<200x3x3x3xf32>, %[[B:.*]]: memref<200xf32>, %[[OUT:.*]]: memref<2x200x4x3xf32>)
// CHECK-SAME: attributes {nki.conv2d = #nki.conv2d<pool = 2>}
// The conv plane goes to HBM scratch for the pooling phase.
// CHECK: %[[PLANE:.*]] = memref.alloc() : memref<2x200x8x7xf32>
// Loops: batch, output-channel tile (200 = 128 + a ragged 72), spatial partition.
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[OC0:.*]] = arith.muli
// CHECK: %[[OCS:.*]] = arith.minsi
// CHECK: scf.for
// CHECK: %[[ACC:.*]] = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
// CHECK: nki.memset %[[ACC]], 0.000000e+00
// Input-channel tile, filter row, filter column.
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %[[W]][%[[OC0]], %{{.*}}, %{{.*}}, %{{.*}}] [%[[OCS]], 3, 1, 1]
// CHECK: nki.dma_copy
// The whole shifted plane, every time.
// CHECK: memref.alloc() : memref<128x8x7xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] [1, 3, 8, 7]
// CHECK: nki.dma_copy
// CHECK: memref.collapse_shape
// The column-by-column copy under the i < size guard, of the tile's 3
// channels.
// CHECK: scf.for
// CHECK: arith.cmpi ult
// CHECK: scf.if
// CHECK: nki.tensor_copy {{.*}} : memref<3x1xf32, {{.*}}> to memref<3x1xf32, {{.*}}>
// CHECK: } {nki.affine_range}
// CHECK: nki.transpose
// CHECK: nki.tensor_copy
// CHECK: nki.matmul accumulate {{.*}} into memref<?x512xf32, strided<[512, 1]>, #nki.mem<psum>>
// CHECK: } {nki.affine_range}
// CHECK: } {nki.affine_range}
// CHECK: } {nki.affine_range}
// Eviction, bias, one DMA per position.
// CHECK: nki.tensor_copy %[[ACC]]
// CHECK: memref.expand_shape %[[B]]
// CHECK: nki.dma_copy
// CHECK: nki.tensor_scalar add
// CHECK: scf.for
// CHECK: scf.if
// CHECK: arith.divui
// CHECK: arith.remui
// CHECK: nki.dma_copy {{.*}} to memref<?x1xf32, strided<[56, 7], offset: ?>>
// Pooling: two conv rows per output row, a max over axes 1 and 3.
// CHECK: memref.alloc() : memref<128x2x6xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy
// CHECK: memref.expand_shape {{.*}} output_shape [128, 2, 3, 2]
// CHECK: nki.tensor_reduce max {{.*}} axes = [1, 3]
// CHECK: nki.dma_copy {{.*}} to memref<?x3xf32, strided<[12, 1], offset: ?>>
// CHECK-NOT: linalg.

// CHECK-LABEL: func.func @not_a_conv
// CHECK: linalg.matmul
func.func @not_a_conv(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}
