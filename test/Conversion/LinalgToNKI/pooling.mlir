// Standalone pooling layers as torch-mlir emits them (max_pool2d with
// -inf padding, avg_pool2d as a sum divided by the window size,
// adaptive_avg_pool2d(1) as a sum over the whole image) and TOSA paths
// (NHWC, the lowest float for -inf), each imported as
// an NKI kernel (X, out): per image and tile of 128 channels, the padded
// image in SBUF and one Vector-Engine op per window tap over every output
// position (a strided view), or one tensor_reduce for a global pool.
// test/Execution/pooling.test runs every one against its upstream lowering.
// RUN: nki-opt %s --convert-linalg-to-nki=strict=true | FileCheck %s

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>

// ResNet's max-pool after the stem: 3x3, stride 2, padding 1 with -inf.
// CHECK-LABEL: func.func @max_3x3_s2_p1(
// CHECK-SAME: %[[X:.*]]: memref<1x64x16x16xf32>, %[[OUT:.*]]: memref<1x64x8x8xf32>)
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<128x18x18xf32, #nki.mem<sbuf>>
// CHECK: nki.memset %[[IMAGE]], 0xFFF0000000000000
// CHECK: %[[SRC:.*]] = memref.subview %[[X]][%{{.*}}, 0, 0, 0] [1, 64, 16, 16] [1, 1, 1, 1]
// CHECK: %[[INTERIOR:.*]] = memref.subview %[[IMAGE]][0, 1, 1] [64, 16, 16] [1, 1, 1]
// CHECK: nki.dma_copy %[[SRC]] to %[[INTERIOR]]
// CHECK: %[[ACC:.*]] = memref.subview %{{.*}}[0, 0, 0] [64, 8, 8] [1, 1, 1]
// CHECK: %[[TAP0:.*]] = memref.subview %[[IMAGE]][0, 0, 0] [64, 8, 8] [1, 2, 2]
// CHECK: nki.tensor_copy %[[TAP0]] to %[[ACC]]
// CHECK: %[[TAP1:.*]] = memref.subview %[[IMAGE]][0, 0, 1] [64, 8, 8] [1, 2, 2]
// CHECK: nki.tensor_tensor max %[[ACC]], %[[TAP1]] to %[[ACC]]
// CHECK-COUNT-7: nki.tensor_tensor max %[[ACC]]
// CHECK: nki.tensor_copy %[[ACC]] to %[[RES:.*]] :
// CHECK: %[[DEST:.*]] = memref.subview %[[OUT]][%{{.*}}, 0, 0, 0] [1, 64, 8, 8] [1, 1, 1, 1]
// CHECK: nki.dma_copy %[[RES]] to %[[DEST]]
func.func @max_3x3_s2_p1(%x: tensor<1x64x16x16xf32>) -> tensor<1x64x8x8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %ninf : f32
  } : tensor<1x64x16x16xf32> to tensor<1x64x18x18xf32>
  %empty = tensor.empty() : tensor<1x64x8x8xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%empty : tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%padded, %window : tensor<1x64x18x18xf32>, tensor<3x3xf32>) outs(%init : tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  return %pool : tensor<1x64x8x8xf32>
}

// avg_pool2d 2x2/2 over 130 channels (a full tile of 128, then 2): a sum
// scaled by 1/4 at the end; no padding, so no memset.
// CHECK-LABEL: func.func @avg_2x2_130_channels(
// CHECK-SAME: %[[X:.*]]: memref<2x130x8x8xf32>, %[[OUT:.*]]: memref<2x130x4x4xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: nki.memset
// CHECK: nki.tensor_copy
// CHECK-COUNT-3: nki.tensor_tensor add
// CHECK: nki.tensor_scalar multiply %{{.*}}, %{{.*}} to %{{.*}} : memref<128x4x4xf32, strided<[16, 4, 1]>, #nki.mem<sbuf>>, f32
// CHECK: } {nki.affine_range}
// CHECK: memref.subview %[[X]][%{{.*}}, 128, 0, 0] [1, 2, 8, 8]
// CHECK: nki.tensor_scalar multiply %{{.*}} : memref<2x4x4xf32
// CHECK: } {nki.affine_range}
func.func @avg_2x2_130_channels(%x: tensor<2x130x8x8xf32>) -> tensor<2x130x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %four = arith.constant 4.0 : f32
  %empty = tensor.empty() : tensor<2x130x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x130x4x4xf32>) -> tensor<2x130x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %sum = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %window : tensor<2x130x8x8xf32>, tensor<2x2xf32>) outs(%init : tensor<2x130x4x4xf32>) -> tensor<2x130x4x4xf32>
  %e2 = tensor.empty() : tensor<2x130x4x4xf32>
  %avg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<2x130x4x4xf32>) outs(%e2 : tensor<2x130x4x4xf32>) {
  ^bb0(%in: f32, %o: f32):
    %d = arith.divf %in, %four : f32
    linalg.yield %d : f32
  } -> tensor<2x130x4x4xf32>
  return %avg : tensor<2x130x4x4xf32>
}

// adaptive_avg_pool2d(1): one tensor_reduce over both image axes.
// CHECK-LABEL: func.func @global_avg(
// CHECK-SAME: %{{.*}}: memref<1x256x7x7xf32>, %[[OUT:.*]]: memref<1x256x1x1xf32>)
// CHECK: nki.tensor_reduce add %{{.*}} to %[[SUMS:.*]] axes = [1, 2] : memref<128x7x7xf32, {{.*}}> to memref<128xf32
// CHECK: nki.tensor_scalar multiply %[[SUMS]], %{{.*}} to %[[AVG:.*]] :
// CHECK: %[[DEST:.*]] = memref.subview %[[OUT]][%{{.*}}, %{{.*}}, 0, 0] [1, 128, 1, 1] [1, 1, 1, 1] : memref<1x256x1x1xf32> to memref<128xf32
// CHECK: nki.dma_copy %[[AVG]] to %[[DEST]]
func.func @global_avg(%x: tensor<1x256x7x7xf32>) -> tensor<1x256x1x1xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 49.0 : f32
  %empty = tensor.empty() : tensor<1x256x1x1xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x256x1x1xf32>) -> tensor<1x256x1x1xf32>
  %window = tensor.empty() : tensor<7x7xf32>
  %sum = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %window : tensor<1x256x7x7xf32>, tensor<7x7xf32>) outs(%init : tensor<1x256x1x1xf32>) -> tensor<1x256x1x1xf32>
  %e2 = tensor.empty() : tensor<1x256x1x1xf32>
  %avg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x256x1x1xf32>) outs(%e2 : tensor<1x256x1x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %d = arith.divf %in, %n : f32
    linalg.yield %d : f32
  } -> tensor<1x256x1x1xf32>
  return %avg : tensor<1x256x1x1xf32>
}

// avg_pool2d 3x3/1 with zero padding 1 (count_include_pad=True) in bf16,
// the scale multiplied in; the accumulation is f32.
// CHECK-LABEL: func.func @avg_3x3_p1_bf16(
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<128x8x8xbf16, #nki.mem<sbuf>>
// CHECK: nki.memset %[[IMAGE]], 0.0
// CHECK: memref.alloc() : memref<128x6x6xf32, #nki.mem<sbuf>>
// CHECK-COUNT-8: nki.tensor_tensor add
// CHECK: nki.tensor_scalar multiply {{.*}} to memref<32x6x6xbf16
func.func @avg_3x3_p1_bf16(%x: tensor<1x32x6x6xbf16>) -> tensor<1x32x6x6xbf16> {
  %zero = arith.constant 0.0 : bf16
  %ninth = arith.constant 0.111111111 : bf16
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : bf16
  } : tensor<1x32x6x6xbf16> to tensor<1x32x8x8xbf16>
  %empty = tensor.empty() : tensor<1x32x6x6xbf16>
  %init = linalg.fill ins(%zero : bf16) outs(%empty : tensor<1x32x6x6xbf16>) -> tensor<1x32x6x6xbf16>
  %window = tensor.empty() : tensor<3x3xbf16>
  %sum = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %window : tensor<1x32x8x8xbf16>, tensor<3x3xbf16>) outs(%init : tensor<1x32x6x6xbf16>) -> tensor<1x32x6x6xbf16>
  %e2 = tensor.empty() : tensor<1x32x6x6xbf16>
  %avg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x32x6x6xbf16>) outs(%e2 : tensor<1x32x6x6xbf16>) {
  ^bb0(%in: bf16, %o: bf16):
    %d = arith.mulf %ninth, %in : bf16
    linalg.yield %d : bf16
  } -> tensor<1x32x6x6xbf16>
  return %avg : tensor<1x32x6x6xbf16>
}

// A dilated max-pool whose init is not -inf: the output starts from the
// init (memset) and takes every tap, so any init is exact.
// CHECK-LABEL: func.func @max_dilated_init(
// CHECK: nki.memset %{{.*}}, 5.000000e-01 : memref<128x4x4xf32, #nki.mem<sbuf>>
// CHECK-COUNT-3: nki.tensor_tensor max
// CHECK: memref.subview %{{.*}}[0, 2, 2] [16, 4, 4] [1, 1, 1]
// CHECK-NEXT: nki.tensor_tensor max
func.func @max_dilated_init(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x4x4xf32> {
  %half = arith.constant 0.5 : f32
  %empty = tensor.empty() : tensor<1x16x4x4xf32>
  %init = linalg.fill ins(%half : f32) outs(%empty : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %window : tensor<1x16x6x6xf32>, tensor<2x2xf32>) outs(%init : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %pool : tensor<1x16x4x4xf32>
}

// TOSA's max_pool2d through tosa-to-linalg: NHWC, padded and filled with
// the lowest float rather than -inf. Channels reach the partitions by the
// DMA's access pattern (a transposed view of the NHWC image).
// CHECK-LABEL: func.func @max_nhwc_lowest(
// CHECK-SAME: %[[X:.*]]: memref<1x9x9x16xf32>, %[[OUT:.*]]: memref<1x4x4x16xf32>)
// CHECK: nki.memset %{{.*}}, -3.4028234663852886E+38
// CHECK: %[[HWC:.*]] = memref.subview %[[X]][%{{.*}}, 0, 0, 0] [1, 9, 9, 16] [1, 1, 1, 1]
// CHECK: %[[CHW:.*]] = memref.transpose %[[HWC]] (d0, d1, d2) -> (d2, d0, d1)
// CHECK: nki.dma_copy %[[CHW]] to
// CHECK: memref.transpose
// CHECK: nki.dma_copy
func.func @max_nhwc_lowest(%x: tensor<1x9x9x16xf32>) -> tensor<1x4x4x16xf32> {
  %lowest = arith.constant -3.40282347E+38 : f32
  %padded = tensor.pad %x low[0, 0, 0, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %lowest : f32
  } : tensor<1x9x9x16xf32> to tensor<1x10x10x16xf32>
  %empty = tensor.empty() : tensor<1x4x4x16xf32>
  %init = linalg.fill ins(%lowest : f32) outs(%empty : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%padded, %window : tensor<1x10x10x16xf32>, tensor<3x3xf32>) outs(%init : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  return %pool : tensor<1x4x4x16xf32>
}

// NHWC global average over 130 channels (a full tile, then 2).
// CHECK-LABEL: func.func @global_avg_nhwc(
// CHECK-SAME: %{{.*}}: memref<2x5x5x130xf32>, %[[OUT:.*]]: memref<2x1x1x130xf32>)
// CHECK: nki.tensor_reduce add
// CHECK: memref.subview %[[OUT]][%{{.*}}, 0, 0, %{{.*}}] [1, 1, 1, 128] [1, 1, 1, 1] : memref<2x1x1x130xf32> to memref<128xf32
// CHECK: nki.tensor_reduce add
// CHECK: memref.subview %[[OUT]][%{{.*}}, 0, 0, 128] [1, 1, 1, 2] [1, 1, 1, 1] : memref<2x1x1x130xf32> to memref<2xf32
func.func @global_avg_nhwc(%x: tensor<2x5x5x130xf32>) -> tensor<2x1x1x130xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 25.0 : f32
  %empty = tensor.empty() : tensor<2x1x1x130xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x1x1x130xf32>) -> tensor<2x1x1x130xf32>
  %window = tensor.empty() : tensor<5x5xf32>
  %sum = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %window : tensor<2x5x5x130xf32>, tensor<5x5xf32>) outs(%init : tensor<2x1x1x130xf32>) -> tensor<2x1x1x130xf32>
  %e2 = tensor.empty() : tensor<2x1x1x130xf32>
  %avg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<2x1x1x130xf32>) outs(%e2 : tensor<2x1x1x130xf32>) {
  ^bb0(%in: f32, %o: f32):
    %d = arith.divf %in, %n : f32
    linalg.yield %d : f32
  } -> tensor<2x1x1x130xf32>
  return %avg : tensor<2x1x1x130xf32>
}
