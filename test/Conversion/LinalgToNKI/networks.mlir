// Functions of several layers, as torch-mlir and TOSA paths emit whole
// blocks: each becomes one NKI kernel whose layers run in order, the
// intermediates in HBM scratch, residual adds and ReLU/ReLU6 fused at
// eviction. test/Execution/networks.test runs each against its upstream
// linalg lowering.
// RUN: nki-opt %s --convert-linalg-to-nki=strict=true | FileCheck %s

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#channel = affine_map<(n, c, h, w) -> (c)>
#last = affine_map<(n, h, w, c) -> (c)>

// A ResNet basic block (batch-norm folded into the convs' biases, as
// inference exports do): conv3x3 -> bias -> ReLU -> conv3x3 -> bias ->
// + x -> ReLU. The first conv's result goes to HBM scratch; the second
// conv reads it and adds x (its residual) at eviction, before the ReLU.
// CHECK-LABEL: func.func @resnet_basic_block(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x8x10x10xf32>, %[[W1:[^:]*]]: memref<8x8x3x3xf32>, %[[B1:[^:]*]]: memref<8xf32>, %[[W2:[^:]*]]: memref<8x8x3x3xf32>, %[[B2:[^:]*]]: memref<8xf32>, %[[OUT:[^:]*]]: memref<1x8x10x10xf32>)
// CHECK: %[[MID:.*]] = memref.alloc() : memref<1x8x10x10xf32>
// CHECK: scf.for
// CHECK: memref.subview %[[W1]][
// CHECK: memref.subview %[[X]][
// CHECK: memref.expand_shape %[[B1]]
// CHECK: nki.tensor_scalar max
// CHECK: %[[STORE:.*]] = memref.subview %[[MID]][
// CHECK: nki.dma_copy %{{.*}} to %[[STORE]]
// CHECK: scf.for
// CHECK: memref.subview %[[W2]][
// CHECK: memref.subview %[[MID]][
// CHECK: memref.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]]
// CHECK: nki.tensor_tensor add
// CHECK: memref.expand_shape %[[B2]]
// CHECK: nki.tensor_scalar add
// CHECK: nki.tensor_scalar max
// CHECK: nki.dma_copy {{.*}} to %{{.*}}
func.func @resnet_basic_block(%x: tensor<1x8x10x10xf32>, %w1: tensor<8x8x3x3xf32>, %b1: tensor<8xf32>, %w2: tensor<8x8x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x10x10xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<1x8x10x10xf32> to tensor<1x8x12x12xf32>
  %e = tensor.empty() : tensor<1x8x10x10xf32>
  %bias1 = linalg.broadcast ins(%b1 : tensor<8xf32>) outs(%e : tensor<1x8x10x10xf32>) dimensions = [0, 2, 3]
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w1 : tensor<1x8x12x12xf32>, tensor<8x8x3x3xf32>) outs(%bias1 : tensor<1x8x10x10xf32>) -> tensor<1x8x10x10xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x8x10x10xf32>) outs(%e : tensor<1x8x10x10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %p, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<1x8x10x10xf32>
  %padded2 = tensor.pad %r1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<1x8x10x10xf32> to tensor<1x8x12x12xf32>
  %bias2 = linalg.broadcast ins(%b2 : tensor<8xf32>) outs(%e : tensor<1x8x10x10xf32>) dimensions = [0, 2, 3]
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded2, %w2 : tensor<1x8x12x12xf32>, tensor<8x8x3x3xf32>) outs(%bias2 : tensor<1x8x10x10xf32>) -> tensor<1x8x10x10xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c2, %x : tensor<1x8x10x10xf32>, tensor<1x8x10x10xf32>) outs(%e : tensor<1x8x10x10xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x8x10x10xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<1x8x10x10xf32>) outs(%e : tensor<1x8x10x10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %p, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<1x8x10x10xf32>
  return %r2 : tensor<1x8x10x10xf32>
}

// A MobileNet-v2 inverted residual block as torch-mlir emits it (NCHW,
// batch-norm folded into biases): 1x1 expand -> ReLU6 (torch-mlir's clamp:
// two compare-and-selects) -> depthwise 3x3 (PyTorch's [C, 1, 3, 3] weight
// collapsed by tensor.collapse_shape) -> ReLU6 (TOSA's min(max(x, 0), 6))
// -> 1x1 project -> + x. Three steps, two scratch buffers; the ReLU6 is a
// max and a min at eviction.
// CHECK-LABEL: func.func @mobilenet_v2_block(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x8x9x9xf32>, %[[WE:[^:]*]]: memref<24x8x1x1xf32>, %[[BE:[^:]*]]: memref<24xf32>, %[[WD:[^:]*]]: memref<24x1x3x3xf32>, %[[BD:[^:]*]]: memref<24xf32>, %[[WP:[^:]*]]: memref<8x24x1x1xf32>, %[[BP:[^:]*]]: memref<8xf32>, %[[OUT:[^:]*]]: memref<1x8x9x9xf32>)
// CHECK: %[[EXPANDED:.*]] = memref.alloc() : memref<1x24x9x9xf32>
// CHECK: nki.matmul
// CHECK: nki.tensor_scalar max
// CHECK-NEXT: %[[SIX:.*]] = arith.constant 6.0
// CHECK-NEXT: nki.tensor_scalar min %{{.*}}, %[[SIX]]
// CHECK: %[[DEPTHWISE:.*]] = memref.alloc() : memref<1x24x9x9xf32>
// CHECK: memref.collapse_shape %[[WD]] {{\[\[}}0, 1], [2], [3]] : memref<24x1x3x3xf32> into memref<24x3x3xf32>
// CHECK: memref.subview %[[EXPANDED]][
// CHECK: nki.tensor_scalar multiply
// CHECK: nki.tensor_scalar min
// CHECK: memref.subview %[[DEPTHWISE]][
// CHECK: nki.matmul
// CHECK: nki.tensor_tensor add
// CHECK-NOT: nki.tensor_scalar max
// CHECK: return
func.func @mobilenet_v2_block(%x: tensor<1x8x9x9xf32>, %we: tensor<24x8x1x1xf32>, %be: tensor<24xf32>, %wd: tensor<24x1x3x3xf32>, %bd: tensor<24xf32>, %wp: tensor<8x24x1x1xf32>, %bp: tensor<8xf32>) -> tensor<1x8x9x9xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %six = arith.constant 6.000000e+00 : f32
  %e24 = tensor.empty() : tensor<1x24x9x9xf32>
  %bias_e = linalg.generic {indexing_maps = [#channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%be : tensor<24xf32>) outs(%e24 : tensor<1x24x9x9xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x24x9x9xf32>
  %expand = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %we : tensor<1x8x9x9xf32>, tensor<24x8x1x1xf32>) outs(%bias_e : tensor<1x24x9x9xf32>) -> tensor<1x24x9x9xf32>
  %relu6_e = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expand : tensor<1x24x9x9xf32>) outs(%e24 : tensor<1x24x9x9xf32>) {
  ^bb0(%in: f32, %out: f32):
    %lo = arith.cmpf ult, %in, %cst : f32
    %a = arith.select %lo, %cst, %in : f32
    %hi = arith.cmpf ugt, %a, %six : f32
    %b = arith.select %hi, %six, %a : f32
    linalg.yield %b : f32
  } -> tensor<1x24x9x9xf32>
  %padded = tensor.pad %relu6_e low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<1x24x9x9xf32> to tensor<1x24x11x11xf32>
  %bias_d = linalg.broadcast ins(%bd : tensor<24xf32>) outs(%e24 : tensor<1x24x9x9xf32>) dimensions = [0, 2, 3]
  %collapsed = tensor.collapse_shape %wd [[0, 1], [2], [3]] : tensor<24x1x3x3xf32> into tensor<24x3x3xf32>
  %dw = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %collapsed : tensor<1x24x11x11xf32>, tensor<24x3x3xf32>) outs(%bias_d : tensor<1x24x9x9xf32>) -> tensor<1x24x9x9xf32>
  %relu6_d = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%dw : tensor<1x24x9x9xf32>) outs(%e24 : tensor<1x24x9x9xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.maximumf %in, %cst : f32
    %b = arith.minimumf %a, %six : f32
    linalg.yield %b : f32
  } -> tensor<1x24x9x9xf32>
  %e8 = tensor.empty() : tensor<1x8x9x9xf32>
  %bias_p = linalg.broadcast ins(%bp : tensor<8xf32>) outs(%e8 : tensor<1x8x9x9xf32>) dimensions = [0, 2, 3]
  %project = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%relu6_d, %wp : tensor<1x24x9x9xf32>, tensor<8x24x1x1xf32>) outs(%bias_p : tensor<1x8x9x9xf32>) -> tensor<1x8x9x9xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %project : tensor<1x8x9x9xf32>, tensor<1x8x9x9xf32>) outs(%e8 : tensor<1x8x9x9xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x8x9x9xf32>
  return %sum : tensor<1x8x9x9xf32>
}

// ResNet's downsampling block: the shortcut is a 1x1/2 conv of x, emitted
// after the main path's second conv. The second conv's chain stops at the
// add (the shortcut is not computed yet); the shortcut conv takes the
// second conv's result as its residual, then the ReLU.
// CHECK-LABEL: func.func @resnet_downsample_block(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x8x10x10xf32>, %{{[^:]*}}: memref<16x8x3x3xf32>, %{{[^:]*}}: memref<16xf32>, %{{[^:]*}}: memref<16x16x3x3xf32>, %{{[^:]*}}: memref<16xf32>, %[[WS:[^:]*]]: memref<16x8x1x1xf32>, %{{[^:]*}}: memref<16xf32>, %[[OUT:[^:]*]]: memref<1x16x5x5xf32>)
// CHECK: %[[MAIN1:.*]] = memref.alloc() : memref<1x16x5x5xf32>
// CHECK: nki.tensor_scalar max
// CHECK: %[[MAIN2:.*]] = memref.alloc() : memref<1x16x5x5xf32>
// CHECK-NOT: nki.tensor_scalar max
// CHECK: memref.subview %[[WS]][
// CHECK: memref.subview %[[MAIN2]][
// CHECK: nki.tensor_tensor add
// CHECK: nki.tensor_scalar add
// CHECK: nki.tensor_scalar max
func.func @resnet_downsample_block(%x: tensor<1x8x10x10xf32>, %w1: tensor<16x8x3x3xf32>, %b1: tensor<16xf32>, %w2: tensor<16x16x3x3xf32>, %b2: tensor<16xf32>, %ws: tensor<16x8x1x1xf32>, %bs: tensor<16xf32>) -> tensor<1x16x5x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<1x8x10x10xf32> to tensor<1x8x12x12xf32>
  %e = tensor.empty() : tensor<1x16x5x5xf32>
  %bias1 = linalg.broadcast ins(%b1 : tensor<16xf32>) outs(%e : tensor<1x16x5x5xf32>) dimensions = [0, 2, 3]
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded, %w1 : tensor<1x8x12x12xf32>, tensor<16x8x3x3xf32>) outs(%bias1 : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x16x5x5xf32>) outs(%e : tensor<1x16x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %p, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<1x16x5x5xf32>
  %padded2 = tensor.pad %r1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<1x16x5x5xf32> to tensor<1x16x7x7xf32>
  %bias2 = linalg.broadcast ins(%b2 : tensor<16xf32>) outs(%e : tensor<1x16x5x5xf32>) dimensions = [0, 2, 3]
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded2, %w2 : tensor<1x16x7x7xf32>, tensor<16x16x3x3xf32>) outs(%bias2 : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  %bias_s = linalg.broadcast ins(%bs : tensor<16xf32>) outs(%e : tensor<1x16x5x5xf32>) dimensions = [0, 2, 3]
  %shortcut = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %ws : tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>) outs(%bias_s : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c2, %shortcut : tensor<1x16x5x5xf32>, tensor<1x16x5x5xf32>) outs(%e : tensor<1x16x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x16x5x5xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<1x16x5x5xf32>) outs(%e : tensor<1x16x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %p, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<1x16x5x5xf32>
  return %r2 : tensor<1x16x5x5xf32>
}

// A stem: conv -> ReLU -> ResNet's padded 3x3/2 max-pool (a step of its
// own, reading the conv's scratch) -> a second conv reading the pooled
// scratch.
// CHECK-LABEL: func.func @stem_pool_conv(
// CHECK: %[[CONV:.*]] = memref.alloc() : memref<1x8x12x12xf32>
// CHECK: nki.matmul
// CHECK: %[[POOLED:.*]] = memref.alloc() : memref<1x8x6x6xf32>
// CHECK: nki.memset %{{.*}}, 0xFFF0000000000000
// CHECK: memref.subview %[[CONV]][
// CHECK: nki.tensor_tensor max
// CHECK: memref.subview %[[POOLED]][
// CHECK: nki.matmul
func.func @stem_pool_conv(%x: tensor<1x4x12x12xf32>, %w1: tensor<8x4x3x3xf32>, %w2: tensor<8x8x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<1x4x12x12xf32> to tensor<1x4x14x14xf32>
  %e = tensor.empty() : tensor<1x8x12x12xf32>
  %zero = linalg.fill ins(%cst : f32) outs(%e : tensor<1x8x12x12xf32>) -> tensor<1x8x12x12xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w1 : tensor<1x4x14x14xf32>, tensor<8x4x3x3xf32>) outs(%zero : tensor<1x8x12x12xf32>) -> tensor<1x8x12x12xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x8x12x12xf32>) outs(%e : tensor<1x8x12x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %p, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<1x8x12x12xf32>
  %padded_pool = tensor.pad %r1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %ninf : f32
  } : tensor<1x8x12x12xf32> to tensor<1x8x14x14xf32>
  %ep = tensor.empty() : tensor<1x8x6x6xf32>
  %minf = linalg.fill ins(%ninf : f32) outs(%ep : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded_pool, %window : tensor<1x8x14x14xf32>, tensor<3x3xf32>) outs(%minf : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %e2 = tensor.empty() : tensor<1x8x4x4xf32>
  %zero2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%pool, %w2 : tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) outs(%zero2 : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %c2 : tensor<1x8x4x4xf32>
}

// TOSA's NHWC path: the bias added after the conv, the clamp as
// min(max(x, 0), 0.5) (a bound the random test data reaches), a 1x1 conv,
// then a global average pool (a pooling step reading the second conv's
// scratch).
// CHECK-LABEL: func.func @nhwc_clamp_global_pool(
// CHECK-SAME: %{{[^:]*}}: memref<1x6x6x4xf32>, %{{[^:]*}}: memref<3x3x4x8xf32>, %{{[^:]*}}: memref<8xf32>, %{{[^:]*}}: memref<1x1x8x8xf32>, %{{[^:]*}}: memref<1x1x1x8xf32>)
// CHECK: memref.alloc() : memref<1x4x4x8xf32>
// CHECK: nki.tensor_scalar min
// CHECK: %[[SECOND:.*]] = memref.alloc() : memref<1x4x4x8xf32>
// CHECK: nki.matmul
// CHECK: memref.subview %[[SECOND]][
// CHECK: nki.tensor_reduce add
func.func @nhwc_clamp_global_pool(%x: tensor<1x6x6x4xf32>, %w1: tensor<3x3x4x8xf32>, %b1: tensor<8xf32>, %w2: tensor<1x1x8x8xf32>) -> tensor<1x1x1x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %six = arith.constant 5.000000e-01 : f32
  %count = arith.constant 1.600000e+01 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %zero = linalg.fill ins(%cst : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %c1 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x6x6x4xf32>, tensor<3x3x4x8xf32>) outs(%zero : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %biased = linalg.generic {indexing_maps = [#id, #last, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1, %b1 : tensor<1x4x4x8xf32>, tensor<8xf32>) outs(%e : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x4x4x8xf32>
  %clamped = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%biased : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.maximumf %in, %cst : f32
    %b = arith.minimumf %a, %six : f32
    linalg.yield %b : f32
  } -> tensor<1x4x4x8xf32>
  %zero2 = linalg.fill ins(%cst : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %c2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%clamped, %w2 : tensor<1x4x4x8xf32>, tensor<1x1x8x8xf32>) outs(%zero2 : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %ep = tensor.empty() : tensor<1x1x1x8xf32>
  %zp = linalg.fill ins(%cst : f32) outs(%ep : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  %window = tensor.empty() : tensor<4x4xf32>
  %sum = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%c2, %window : tensor<1x4x4x8xf32>, tensor<4x4xf32>) outs(%zp : tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  %avg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<1x1x1x8xf32>) outs(%ep : tensor<1x1x1x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.divf %in, %count : f32
    linalg.yield %t : f32
  } -> tensor<1x1x1x8xf32>
  return %avg : tensor<1x1x1x8xf32>
}
