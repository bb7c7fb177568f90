// The conv layers front ends emit, each imported as a naive NKI kernel that
// keeps the function's argument order (a tensor result becomes the last
// argument). test/Execution/conv2d-forms.test runs every one against its
// upstream linalg lowering.
// RUN: nki-opt %s --convert-linalg-to-nki=strict=true | FileCheck %s

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#channel = affine_map<(n, c, h, w) -> (c)>
#last = affine_map<(n, h, w, c) -> (c)>

// torch-mlir's ResNet-18 3x3/2 layer: zero padding by tensor.pad, no bias
// (zero-filled init), ReLU as select(x > 0, x, 0). The image is padded on
// chip: zeroed in SBUF, X loaded into its interior (no padded copy in HBM),
// then each tap copies its strided window on chip. The image has the 8
// partitions of the tile's channels, not 128 to zero.
// CHECK-LABEL: func.func @torch_padded_strided_relu(
// CHECK-SAME: %[[X:.*]]: memref<1x8x10x10xf32>, %{{.*}}: memref<16x8x3x3xf32>, %{{.*}}: memref<1x16x5x5xf32>)
// CHECK-NOT: nki.conv2d
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<8x12x12xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.memset %[[IMAGE]], 0.0
// CHECK: %[[IN:.*]] = memref.subview %[[X]][%{{.*}}, %{{.*}}, 0, 0] [1, 8, 10, 10] [1, 1, 1, 1]
// CHECK: %[[INTERIOR:.*]] = memref.subview %[[IMAGE]][0, 1, 1] [8, 10, 10] [1, 1, 1]
// CHECK: nki.dma_copy %[[IN]] to %[[INTERIOR]]
// CHECK: %[[PLANE:.*]] = memref.alloc() : memref<128x5x5xf32, #nki.mem<sbuf>>
// CHECK: %[[TAP:.*]] = memref.subview %[[IMAGE]][0, %{{.*}}, %{{.*}}] [8, 5, 5] [1, 2, 2]
// CHECK: nki.tensor_copy %[[TAP]] to
// CHECK: nki.matmul
// CHECK-NOT: nki.dma_copy {{.*}} : memref<16x1xf32>
// CHECK: nki.tensor_scalar max
func.func @torch_padded_strided_relu(%x: tensor<1x8x10x10xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x5x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x8x10x10xf32> to tensor<1x8x12x12xf32>
  %0 = tensor.empty() : tensor<1x16x5x5xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded, %w : tensor<1x8x12x12xf32>, tensor<16x8x3x3xf32>) outs(%1 : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  %4 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%2 : tensor<1x16x5x5xf32>) outs(%0 : tensor<1x16x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %5 = arith.cmpf ugt, %in, %cst : f32
    %6 = arith.select %5, %in, %cst : f32
    linalg.yield %6 : f32
  } -> tensor<1x16x5x5xf32>
  return %4 : tensor<1x16x5x5xf32>
}

// Arguments in another order than (X, W, bias): the kernel keeps it. The
// bias is broadcast with linalg.broadcast (current torch-mlir); padding is
// asymmetric, the dilation 2.
// CHECK-LABEL: func.func @bias_first_dilated(
// CHECK-SAME: %[[B:.*]]: memref<6xf32>, %[[W:.*]]: memref<6x3x3x3xf32>, %[[X2:.*]]: memref<2x3x9x8xf32>, %{{.*}}: memref<2x6x6x5xf32>)
// CHECK-NOT: nki.conv2d
// CHECK: memref.subview %[[W]]
// CHECK: memref.subview %[[X2]]
// CHECK: memref.expand_shape %[[B]]
// CHECK: nki.tensor_scalar add
func.func @bias_first_dilated(%b: tensor<6xf32>, %w: tensor<6x3x3x3xf32>, %x: tensor<2x3x9x8xf32>) -> tensor<2x6x6x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 0] high[0, 0, 0, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<2x3x9x8xf32> to tensor<2x3x10x9xf32>
  %e = tensor.empty() : tensor<2x6x6x5xf32>
  %init = linalg.broadcast ins(%b : tensor<6xf32>) outs(%e : tensor<2x6x6x5xf32>) dimensions = [0, 2, 3]
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : tensor<2x3x10x9xf32>, tensor<6x3x3x3xf32>) outs(%init : tensor<2x6x6x5xf32>) -> tensor<2x6x6x5xf32>
  return %0 : tensor<2x6x6x5xf32>
}

// IREE/TOSA's NHWC x HWCF: channels reach the partitions through a
// transposed DMA access pattern; HWCF weights are already [ic, oc], so no
// Tensor-Engine transpose. The bias is added after the conv, then a ReLU as
// maximumf.
// CHECK-LABEL: func.func @nhwc_hwcf(
// CHECK-SAME: %[[XN:.*]]: memref<1x7x6x5xf32>, %{{.*}}: memref<3x3x5x4xf32>, %{{.*}}: memref<4xf32>, %[[OUT:.*]]: memref<1x5x4x4xf32>)
// CHECK-NOT: nki.transpose
// CHECK: %[[HWC:.*]] = memref.subview %[[XN]]
// CHECK: memref.transpose %[[HWC]] (d0, d1, d2) -> (d2, d0, d1)
// CHECK-NOT: nki.transpose
// CHECK: nki.tensor_scalar add
// CHECK: nki.tensor_scalar max
// CHECK: memref.subview %[[OUT]][{{.*}}] [1, 1, 1, 4] [1, 1, 1, 1] : memref<1x5x4x4xf32> to memref<4xf32
func.func @nhwc_hwcf(%x: tensor<1x7x6x5xf32>, %w: tensor<3x3x5x4xf32>, %b: tensor<4xf32>) -> tensor<1x5x4x4xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<1x5x4x4xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x7x6x5xf32>, tensor<3x3x5x4xf32>) outs(%init : tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32>
  %1 = linalg.generic {indexing_maps = [#id, #last, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%0, %b : tensor<1x5x4x4xf32>, tensor<4xf32>) outs(%e : tensor<1x5x4x4xf32>) {
    ^bb0(%c: f32, %bias: f32, %o: f32):
      %s = arith.addf %c, %bias : f32
      linalg.yield %s : f32
  } -> tensor<1x5x4x4xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%1 : tensor<1x5x4x4xf32>) outs(%e : tensor<1x5x4x4xf32>) {
    ^bb0(%in: f32, %o: f32):
      %r = arith.maximumf %in, %cst : f32
      linalg.yield %r : f32
  } -> tensor<1x5x4x4xf32>
  return %2 : tensor<1x5x4x4xf32>
}

// NHWC x FHWC with stride 2: the weights are [oc, ic] and transposed.
// CHECK-LABEL: func.func @nhwc_fhwc(
// CHECK: memref.transpose
// CHECK: nki.transpose
func.func @nhwc_fhwc(%x: tensor<2x9x9x3xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<2x4x4x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x4x4x8xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32>
  %0 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<2x9x9x3xf32>, tensor<8x3x3x3xf32>) outs(%init : tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32>
  return %0 : tensor<2x4x4x8xf32>
}

// Mixed precision: bf16 operands, an f32 result; the tiles are bf16, the
// accumulator and the result f32.
// CHECK-LABEL: func.func @mixed_precision(
// CHECK-SAME: memref<1x4x6x6xbf16>, %{{.*}}: memref<4x4x3x3xbf16>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<1x4x4x4xf32>)
// CHECK: nki.matmul accumulate {{.*}} : memref<4x4xbf16, {{.*}}>, memref<4x512xbf16, {{.*}}> into memref<4x512xf32,
// CHECK: memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
func.func @mixed_precision(%x: tensor<1x4x6x6xbf16>, %w: tensor<4x4x3x3xbf16>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.generic {indexing_maps = [#channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<4xf32>) outs(%e : tensor<1x4x4x4xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<1x4x4x4xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x4x6x6xbf16>, tensor<4x4x3x3xbf16>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// The memref form: a zero-filled output, the conv, an in-place ReLU, then
// a 2x2 max-pool into the out argument. Same signature.
// CHECK-LABEL: func.func @memref_relu_pool(
// CHECK-SAME: memref<1x3x10x10xf32>, %{{.*}}: memref<4x3x3x3xf32>, %{{.*}}: memref<1x4x4x4xf32>)
// CHECK: nki.tensor_scalar max
// CHECK: nki.tensor_reduce max
func.func @memref_relu_pool(%x: memref<1x3x10x10xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %conv = memref.alloc() : memref<1x4x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%conv : memref<1x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%conv : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%conv : memref<1x4x8x8xf32>) {
    ^bb0(%o: f32):
      %r = arith.maximumf %o, %zero : f32
      linalg.yield %r : f32
  }
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x4x4xf32>)
  %window = memref.alloc() : memref<2x2xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : memref<1x4x8x8xf32>, memref<2x2xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// The memref form of a padded input, as one-shot bufferization writes
// tensor.pad: a buffer zero-filled by linalg.map, X copied into its
// interior, the conv reading the buffer (1 row above, 2 below, 2 columns
// left, 0 right), then freeing it. Imported like tensor.pad: the halo is zeroed on chip and
// X loaded into the interior; no padded buffer in HBM.
// CHECK-LABEL: func.func @memref_padded(
// CHECK-SAME: %[[X:.*]]: memref<1x3x6x7xf32>, %{{.*}}: memref<5x3x3x3xf32>, %{{.*}}: memref<1x5x7x7xf32>)
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<3x9x9xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.memset %[[IMAGE]], 0.0
// CHECK: %[[IN:.*]] = memref.subview %[[X]][%{{.*}}, %{{.*}}, 0, 0] [1, 3, 6, 7] [1, 1, 1, 1]
// CHECK: %[[INTERIOR:.*]] = memref.subview %[[IMAGE]][0, 1, 2] [3, 6, 7] [1, 1, 1]
// CHECK: nki.dma_copy %[[IN]] to %[[INTERIOR]]
// CHECK: nki.matmul
func.func @memref_padded(%x: memref<1x3x6x7xf32>, %w: memref<5x3x3x3xf32>, %out: memref<1x5x7x7xf32>) {
  %cst = arith.constant 0.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<1x3x9x9xf32>
  linalg.map outs(%padded : memref<1x3x9x9xf32>)
    (%init: f32) {
      linalg.yield %cst : f32
    }
  %interior = memref.subview %padded[0, 0, 1, 2] [1, 3, 6, 7] [1, 1, 1, 1] : memref<1x3x9x9xf32> to memref<1x3x6x7xf32, strided<[243, 81, 9, 1], offset: 11>>
  memref.copy %x, %interior : memref<1x3x6x7xf32> to memref<1x3x6x7xf32, strided<[243, 81, 9, 1], offset: 11>>
  linalg.fill ins(%cst : f32) outs(%out : memref<1x5x7x7xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : memref<1x3x9x9xf32>, memref<5x3x3x3xf32>) outs(%out : memref<1x5x7x7xf32>)
  memref.dealloc %padded : memref<1x3x9x9xf32>
  return
}

// NHWC with a 2x2 max-pool (linalg.pooling_nhwc_max): the conv plane goes
// to NCHW scratch, is pooled row by row, and each pooled row reaches the
// NHWC output through a transposed view (channels on partitions).
// CHECK-LABEL: func.func @nhwc_pool(
// CHECK-SAME: memref<1x9x9x5xf32>, %{{.*}}: memref<3x3x5x6xf32>, %[[OUT:.*]]: memref<1x3x3x6xf32>)
// CHECK: nki.tensor_reduce max
// CHECK: %[[ROW:.*]] = memref.subview %[[OUT]][%{{.*}}, %{{.*}}, 0, %{{.*}}] [1, 1, 3, 6] [1, 1, 1, 1]
// CHECK: %[[T:.*]] = memref.transpose %[[ROW]] (d0, d1) -> (d1, d0)
// CHECK: nki.dma_copy %{{.*}} to %[[T]]
func.func @nhwc_pool(%x: tensor<1x9x9x5xf32>, %w: tensor<3x3x5x6xf32>) -> tensor<1x3x3x6xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x7x7x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x7x7x6xf32>) -> tensor<1x7x7x6xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x9x9x5xf32>, tensor<3x3x5x6xf32>) outs(%init : tensor<1x7x7x6xf32>) -> tensor<1x7x7x6xf32>
  %pe = tensor.empty() : tensor<1x3x3x6xf32>
  %pinit = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x3x3x6xf32>) -> tensor<1x3x3x6xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%c, %window : tensor<1x7x7x6xf32>, tensor<2x2xf32>) outs(%pinit : tensor<1x3x3x6xf32>) -> tensor<1x3x3x6xf32>
  return %p : tensor<1x3x3x6xf32>
}

// torch-mlir's ResNet stem in small: a padded strided conv, its ReLU, then
// max_pool2d(3, stride 2, padding 1): -inf padded, overlapping windows, so
// not fused at eviction: the conv plane goes to HBM scratch and a pooling
// nest of its own (the standalone pooling kernel's) pools it into the output.
// CHECK-LABEL: func.func @stem_maxpool(
// CHECK-SAME: %{{.*}}: memref<1x3x20x18xf32>, %{{.*}}: memref<8x3x7x7xf32>, %[[OUT:.*]]: memref<1x8x5x5xf32>)
// CHECK: %[[SCRATCH:.*]] = memref.alloc() : memref<1x8x10x9xf32>
// CHECK: nki.tensor_scalar max
// CHECK: %[[POSITION:.*]] = memref.subview %[[SCRATCH]][
// CHECK: nki.dma_copy %{{.*}} to %[[POSITION]] : memref<8x1xf32, {{.*}}#nki.mem<sbuf>> to memref<8x1xf32, strided<[90, 9], offset: ?>>
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<128x12x11xf32, #nki.mem<sbuf>>
// CHECK: nki.memset %[[IMAGE]], 0xFFF0000000000000
// CHECK: %[[PLANE:.*]] = memref.subview %[[SCRATCH]][
// CHECK: nki.dma_copy %[[PLANE]] to
// CHECK-COUNT-8: nki.tensor_tensor max
// CHECK: %[[POOLED:.*]] = memref.subview %[[OUT]][
// CHECK: nki.dma_copy %{{.*}} to %[[POOLED]] : memref<8x5x5xf32, {{.*}}#nki.mem<sbuf>> to memref<8x5x5xf32, strided<[25, 5, 1], offset: ?>>
func.func @stem_maxpool(%x: tensor<1x3x20x18xf32>, %w: tensor<8x3x7x7xf32>) -> tensor<1x8x5x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %x low[0, 0, 3, 3] high[0, 0, 3, 3] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x3x20x18xf32> to tensor<1x3x26x24xf32>
  %e = tensor.empty() : tensor<1x8x10x9xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<1x8x10x9xf32>) -> tensor<1x8x10x9xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%padded, %w : tensor<1x3x26x24xf32>, tensor<8x3x7x7xf32>) outs(%init : tensor<1x8x10x9xf32>) -> tensor<1x8x10x9xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x8x10x9xf32>) outs(%e : tensor<1x8x10x9xf32>) {
    ^bb0(%in: f32, %o: f32):
      %gt = arith.cmpf ugt, %in, %cst : f32
      %r = arith.select %gt, %in, %cst : f32
      linalg.yield %r : f32
  } -> tensor<1x8x10x9xf32>
  %ppad = tensor.pad %relu low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %ninf : f32
  } : tensor<1x8x10x9xf32> to tensor<1x8x12x11xf32>
  %pe = tensor.empty() : tensor<1x8x5x5xf32>
  %pinit = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%ppad, %window : tensor<1x8x12x11xf32>, tensor<3x3xf32>) outs(%pinit : tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  return %pool : tensor<1x8x5x5xf32>
}

// An NHWC conv with a bias, then avg_pool2d(2) (a sum divided by 4): the
// scratch plane is NHWC, as the pooling nest reads it.
// CHECK-LABEL: func.func @nhwc_avgpool(
// CHECK-SAME: %[[OUT:.*]]: memref<1x4x4x6xf32>)
// CHECK: memref.alloc() : memref<1x9x9x6xf32>
// CHECK: nki.tensor_tensor add
// CHECK: nki.tensor_scalar multiply %{{.*}}, %{{.*}} : memref<6x4x4xf32
func.func @nhwc_avgpool(%x: tensor<1x9x9x4xf32>, %w: tensor<3x3x4x6xf32>, %b: tensor<6xf32>) -> tensor<1x4x4x6xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %four = arith.constant 4.000000e+00 : f32
  %padded = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b2: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x9x9x4xf32> to tensor<1x11x11x4xf32>
  %e = tensor.empty() : tensor<1x9x9x6xf32>
  %init = linalg.broadcast ins(%b : tensor<6xf32>) outs(%e : tensor<1x9x9x6xf32>) dimensions = [0, 1, 2]
  %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : tensor<1x11x11x4xf32>, tensor<3x3x4x6xf32>) outs(%init : tensor<1x9x9x6xf32>) -> tensor<1x9x9x6xf32>
  %pe = tensor.empty() : tensor<1x4x4x6xf32>
  %pinit = linalg.fill ins(%cst : f32) outs(%pe : tensor<1x4x4x6xf32>) -> tensor<1x4x4x6xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %sum = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : tensor<1x9x9x6xf32>, tensor<2x2xf32>) outs(%pinit : tensor<1x4x4x6xf32>) -> tensor<1x4x4x6xf32>
  %avg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x4x4x6xf32>) outs(%pe : tensor<1x4x4x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      %d = arith.divf %in, %four : f32
      linalg.yield %d : f32
  } -> tensor<1x4x4x6xf32>
  return %avg : tensor<1x4x4x6xf32>
}

// The seed's own form still records nki.conv2d.
// CHECK-LABEL: func.func @seed_form(
// CHECK-SAME: nki.conv2d = #nki.conv2d<pool = 1>
func.func @seed_form(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.generic {indexing_maps = [#channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<4xf32>) outs(%e : tensor<1x4x4x4xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<1x4x4x4xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// A caller-provided init the conv accumulates into (an input of the
// kernel): loaded per spatial partition and added at eviction, NCHW, and
// NHWC through a transposed access pattern.
// CHECK-LABEL: func.func @caller_init(
// CHECK-SAME: %{{.*}}: memref<1x4x9x9xf32>, %{{.*}}: memref<6x4x3x3xf32>, %[[INIT:.*]]: memref<1x6x4x4xf32>, %{{.*}}: memref<1x6x4x4xf32>)
// CHECK: memref.subview %[[INIT]]
// CHECK: memref.collapse_shape
// CHECK: nki.dma_copy
// CHECK: nki.tensor_tensor add
func.func @caller_init(%x: tensor<1x4x9x9xf32>, %w: tensor<6x4x3x3xf32>, %init: tensor<1x6x4x4xf32>) -> tensor<1x6x4x4xf32> {
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %w : tensor<1x4x9x9xf32>, tensor<6x4x3x3xf32>) outs(%init : tensor<1x6x4x4xf32>) -> tensor<1x6x4x4xf32>
  return %c : tensor<1x6x4x4xf32>
}
// CHECK-LABEL: func.func @caller_init_nhwc(
// CHECK-SAME: %[[INIT2:.*]]: memref<1x4x4x6xf32>, %{{.*}}: memref<1x9x9x4xf32>, %{{.*}}: memref<3x3x4x6xf32>, %{{.*}}: memref<1x4x4x6xf32>)
// CHECK: memref.subview %[[INIT2]]
// CHECK: memref.transpose %{{.*}} (d0, d1) -> (d1, d0)
// CHECK: nki.tensor_tensor add
func.func @caller_init_nhwc(%init: tensor<1x4x4x6xf32>, %x: tensor<1x9x9x4xf32>, %w: tensor<3x3x4x6xf32>) -> tensor<1x4x4x6xf32> {
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %w : tensor<1x9x9x4xf32>, tensor<3x3x4x6xf32>) outs(%init : tensor<1x4x4x6xf32>) -> tensor<1x4x4x6xf32>
  return %c : tensor<1x4x4x6xf32>
}

// torch-mlir's depthwise 3x3 (groups = channels, bias=False), padded, ReLU:
// no input-channel loop and no matmul. Per tap, the tap's weight of each
// channel ([channels, 1], one scalar per partition, from the CHW filter) is
// loaded, the copied positions are multiplied by it on the Vector Engine and
// added into an f32 SBUF accumulator.
// CHECK-LABEL: func.func @depthwise_nchw(
// CHECK-SAME: %[[X:.*]]: memref<1x24x14x14xf32>, %[[W:.*]]: memref<24x3x3xf32>, %{{.*}}: memref<1x24x14x14xf32>)
// CHECK-NOT: nki.matmul
// CHECK: %[[ACC:.*]] = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.memset %[[ACC]], 0.0
// CHECK: scf.for %[[FH:.*]] =
// CHECK: scf.for %[[FW:.*]] =
// CHECK: %[[WTILE:.*]] = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
// CHECK: %[[TAPW:.*]] = memref.subview %[[W]][%{{.*}}, %[[FH]], %[[FW]]] [24, 1, 1] [1, 1, 1] : memref<24x3x3xf32> to memref<24x1xf32, strided<[9, 3], offset: ?>>
// CHECK: nki.dma_copy %[[TAPW]] to
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<24x16x16xf32, #nki.mem<sbuf>>
// CHECK: %[[SCALARS:.*]] = memref.subview %[[WTILE]][0, 0] [24, 1]
// CHECK: nki.tensor_scalar multiply %{{.*}}, %[[SCALARS]] to %[[PRODUCTS:[^ ]*]] :
// CHECK: %[[SUMS:.*]] = memref.subview %[[ACC]][0, 0] [24, 512]
// CHECK: nki.tensor_tensor add %[[SUMS]], %[[PRODUCTS]] to %[[SUMS]]
// CHECK-NOT: nki.matmul
// CHECK: nki.tensor_copy %[[ACC]] to
// CHECK: nki.tensor_scalar max
func.func @depthwise_nchw(%x: tensor<1x24x14x14xf32>, %w: tensor<24x3x3xf32>) -> tensor<1x24x14x14xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x24x14x14xf32> to tensor<1x24x16x16xf32>
  %0 = tensor.empty() : tensor<1x24x14x14xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1x24x14x14xf32>) -> tensor<1x24x14x14xf32>
  %2 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<1x24x16x16xf32>, tensor<24x3x3xf32>) outs(%1 : tensor<1x24x14x14xf32>) -> tensor<1x24x14x14xf32>
  %3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%2 : tensor<1x24x14x14xf32>) outs(%0 : tensor<1x24x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    %4 = arith.cmpf ugt, %in, %cst : f32
    %5 = arith.select %4, %in, %cst : f32
    linalg.yield %5 : f32
  } -> tensor<1x24x14x14xf32>
  return %3 : tensor<1x24x14x14xf32>
}

// IREE's NHWC depthwise (a MobileNet-v2 expansion width of 144 channels:
// a full tile and a ragged one of 16), stride 2, the bias broadcast into the
// init: the HWC filter's tap is [1, channels] in HBM, put on partitions by a
// transposed view of the DMA source.
// CHECK-LABEL: func.func @depthwise_nhwc(
// CHECK-SAME: %{{.*}}: memref<2x17x15x144xf32>, %[[W:.*]]: memref<3x3x144xf32>, %{{.*}}: memref<144xf32>, %{{.*}}: memref<2x8x7x144xf32>)
// CHECK-NOT: nki.matmul
// CHECK: %[[TAPW:.*]] = memref.subview %[[W]][%{{.*}}, %{{.*}}, %{{.*}}] [1, 1, %{{.*}}] [1, 1, 1] : memref<3x3x144xf32> to memref<1x?xf32, strided<[{{[0-9]+}}, 1], offset: ?>>
// CHECK: %[[ONPARTITIONS:.*]] = memref.transpose %[[TAPW]] (d0, d1) -> (d1, d0)
// CHECK: nki.dma_copy %[[ONPARTITIONS]] to
// CHECK: nki.tensor_scalar multiply
// CHECK: nki.tensor_tensor add
// CHECK: nki.tensor_scalar add
func.func @depthwise_nhwc(%x: tensor<2x17x15x144xf32>, %w: tensor<3x3x144xf32>, %b: tensor<144xf32>) -> tensor<2x8x7x144xf32> {
  %0 = tensor.empty() : tensor<2x8x7x144xf32>
  %1 = linalg.broadcast ins(%b : tensor<144xf32>) outs(%0 : tensor<2x8x7x144xf32>) dimensions = [0, 1, 2]
  %2 = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<2x17x15x144xf32>, tensor<3x3x144xf32>) outs(%1 : tensor<2x8x7x144xf32>) -> tensor<2x8x7x144xf32>
  return %2 : tensor<2x8x7x144xf32>
}

// A depthwise conv in bf16 with an f32 result, dilation 2, on memrefs.
// CHECK-LABEL: func.func @depthwise_mixed_dilated(
// CHECK-NOT: nki.matmul
// CHECK: memref.alloc() : memref<128x1xbf16, #nki.mem<sbuf>>
// CHECK: nki.tensor_scalar multiply {{.*}} : memref<16x512xbf16, {{.*}}>, memref<16x1xbf16, {{.*}}> to memref<16x512xf32,
func.func @depthwise_mixed_dilated(%x: memref<1x16x11x12xbf16>, %w: memref<16x3x3xbf16>, %out: memref<1x16x7x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  linalg.fill ins(%cst : f32) outs(%out : memref<1x16x7x8xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : memref<1x16x11x12xbf16>, memref<16x3x3xbf16>) outs(%out : memref<1x16x7x8xf32>)
  return
}

// One conv with a skip connection from an argument (added at eviction like
// a caller's init) and a ReLU6-style clamp (torch-mlir's form) to [0, 0.5], a bound the
// random test data reaches: max 0, then min 0.5.
// CHECK-LABEL: func.func @residual_clamp(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x6x5x5xf32>, %[[SKIP:[^:]*]]: memref<1x4x5x5xf32>, %{{[^:]*}}: memref<4x6x1x1xf32>, %{{[^:]*}}: memref<1x4x5x5xf32>)
// CHECK: nki.matmul
// CHECK: memref.subview %[[SKIP]][
// CHECK: nki.tensor_tensor add
// CHECK: nki.tensor_scalar max
// CHECK-NEXT: arith.constant 5.0
// CHECK-NEXT: nki.tensor_scalar min
func.func @residual_clamp(%x: tensor<1x6x5x5xf32>, %skip: tensor<1x4x5x5xf32>, %w: tensor<4x6x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %six = arith.constant 5.000000e-01 : f32
  %e = tensor.empty() : tensor<1x4x5x5xf32>
  %zero = linalg.fill ins(%cst : f32) outs(%e : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x6x5x5xf32>, tensor<4x6x1x1xf32>) outs(%zero : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%skip, %c : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) outs(%e : tensor<1x4x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %t = arith.addf %b, %a : f32
    linalg.yield %t : f32
  } -> tensor<1x4x5x5xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<1x4x5x5xf32>) outs(%e : tensor<1x4x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %lo = arith.cmpf ult, %in, %cst : f32
    %a = arith.select %lo, %cst, %in : f32
    %hi = arith.cmpf ugt, %a, %six : f32
    %b = arith.select %hi, %six, %a : f32
    linalg.yield %b : f32
  } -> tensor<1x4x5x5xf32>
  return %r : tensor<1x4x5x5xf32>
}
