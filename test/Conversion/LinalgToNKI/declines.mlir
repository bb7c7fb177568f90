// Every conv the importer sees and does not import gets a warning at the op
// that stops it, and its function comes out exactly as it went in; the
// functions beside it are still imported.
// RUN: nki-opt %s --convert-linalg-to-nki -verify-diagnostics | FileCheck %s
// With strict=true the same declines are errors and the pass fails.
// RUN: not nki-opt %s --convert-linalg-to-nki=strict=true 2>&1 | FileCheck %s --check-prefix=STRICT
// STRICT: error: convert-linalg-to-nki: not imported: dynamic shapes

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#channel = affine_map<(n, c, h, w) -> (c)>

// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: tensor<?x3x8x8xf32>
// CHECK: linalg.conv_2d_nchw_fchw
func.func @dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %init: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  // expected-warning @+1 {{not imported: dynamic shapes (NKI kernels are static: specialize the function's shapes first)}}
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// A function the importer does import, between the declined ones.
// CHECK-LABEL: func.func @imported(
// CHECK-SAME: memref<1x3x8x8xf32>, %{{.*}}: memref<4x3x3x3xf32>, %{{.*}}: memref<1x4x6x6xf32>)
// CHECK: nki.matmul
func.func @imported(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// CHECK-LABEL: func.func @integers(
// CHECK: linalg.conv_2d_nchw_fchw
func.func @integers(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>) -> tensor<1x4x6x6xi32> {
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x6x6xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<1x4x6x6xi32>) -> tensor<1x4x6x6xi32>
  // expected-warning @+1 {{not imported: element types other than f32, bf16 or f16 (integer and quantized convs are not imported)}}
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8>) outs(%init : tensor<1x4x6x6xi32>) -> tensor<1x4x6x6xi32>
  return %0 : tensor<1x4x6x6xi32>
}

// A depthwise conv with a channel multiplier (two filters per channel).
// CHECK-LABEL: func.func @depthwise_multiplier(
// CHECK: linalg.depthwise_conv_2d_nhwc_hwcm
func.func @depthwise_multiplier(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x2xf32>, %init: tensor<1x6x6x4x2xf32>) -> tensor<1x6x6x4x2xf32> {
  // expected-warning @+1 {{not imported: 'linalg.depthwise_conv_2d_nhwc_hwcm' is not one of the supported convs (conv_2d_nchw_fchw, conv_2d_nhwc_hwcf, conv_2d_nhwc_fhwc, depthwise_conv_2d_nchw_chw, depthwise_conv_2d_nhwc_hwc)}}
  %0 = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x8x4xf32>, tensor<3x3x4x2xf32>) outs(%init : tensor<1x6x6x4x2xf32>) -> tensor<1x6x6x4x2xf32>
  return %0 : tensor<1x6x6x4x2xf32>
}

// CHECK-LABEL: func.func @two_convs(
func.func @two_convs(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x4x6x6xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  // expected-warning @+1 {{not imported: one conv per function is imported; found 2}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  return
}

// Weights folded into the module as constants are not kernel arguments.
func.func @constant_filter(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<4x3x3x3xf32>
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  // expected-warning @+1 {{not imported: the filter is not a function argument}}
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

func.func @pad_with_one(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  // expected-warning @+1 {{not imported: the input is padded with another value than zero}}
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %one : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

func.func @pad_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x5x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  // expected-warning @+1 {{not imported: the input is padded along its batch or channel dim}}
  %p = tensor.pad %x low[0, 1, 0, 0] high[0, 1, 0, 0] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
  } : tensor<1x3x8x8xf32> to tensor<1x5x8x8xf32>
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p, %w : tensor<1x5x8x8xf32>, tensor<4x5x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// An op after the conv that is not part of a layer.
func.func @exp_after(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  // expected-warning @+1 {{not imported: 'linalg.generic' after the conv is not a bias add, a residual add, a ReLU or a pooling, in that order}}
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%0 : tensor<1x4x6x6xf32>) outs(%e : tensor<1x4x6x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      %r = math.exp %in : f32
      linalg.yield %r : f32
  } -> tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}

// A ReLU after an average pool: relu(avg(x)) is not avg(relu(x)), and the
// conv's epilogue runs before the pooling; declined (the pooling reader sees
// an elementwise op after the sum that is not its scaling).
func.func @relu_after_avgpool(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %pe = tensor.empty() : tensor<1x4x3x3xf32>
  %pinit = linalg.fill ins(%zero : f32) outs(%pe : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %1 = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%0, %window : tensor<1x4x6x6xf32>, tensor<2x2xf32>) outs(%pinit : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  // expected-warning @+1 {{not imported: the pooled result is not divided or multiplied by a constant (average pooling by a per-position count is not imported)}}
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%1 : tensor<1x4x3x3xf32>) outs(%pe : tensor<1x4x3x3xf32>) {
    ^bb0(%in: f32, %o: f32):
      %r = arith.maximumf %in, %zero : f32
      linalg.yield %r : f32
  } -> tensor<1x4x3x3xf32>
  return %2 : tensor<1x4x3x3xf32>
}

// The conv's result is also returned before the ReLU: two results.
func.func @two_results(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  // expected-warning @+1 {{not imported: the function does not return the layer's result alone}}
  return %0, %0 : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}

func.func @overlapping_pool(%x: memref<1x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x3x3xf32>) {
  %conv = memref.alloc() : memref<1x4x7x7xf32>
  linalg.generic {indexing_maps = [#channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%conv : memref<1x4x7x7xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%conv : memref<1x4x7x7xf32>)
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x3x3xf32>)
  %window = memref.alloc() : memref<3x3xf32>
  // expected-warning @+1 {{not imported: only square max-pool windows equal to their stride are fused}}
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : memref<1x4x7x7xf32>, memref<3x3xf32>) outs(%out : memref<1x4x3x3xf32>)
  return
}

func.func @pool_without_ninf(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x3x3xf32>) {
  %conv = memref.alloc() : memref<1x4x6x6xf32>
  linalg.generic {indexing_maps = [#channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%conv : memref<1x4x6x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%conv : memref<1x4x6x6xf32>)
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x3x3xf32>)
  %window = memref.alloc() : memref<2x2xf32>
  // expected-warning @+1 {{not imported: the max-pool's init is not filled with -inf}}
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : memref<1x4x6x6xf32>, memref<2x2xf32>) outs(%out : memref<1x4x3x3xf32>)
  return
}

// On memrefs, the conv accumulates into the output argument itself.
func.func @in_place(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x4x6x6xf32>) {
  // expected-warning @+1 {{not imported: the conv accumulates into its output buffer in place}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  return
}

// A padded input buffer (memref form) padded with ones, copied into a
// strided part, or also read after the conv.
func.func @padded_with_ones(%x: memref<1x3x6x6xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = memref.alloc() : memref<1x3x8x8xf32>
  linalg.fill ins(%one : f32) outs(%padded : memref<1x3x8x8xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 3, 6, 6] [1, 1, 1, 1] : memref<1x3x8x8xf32> to memref<1x3x6x6xf32, strided<[192, 64, 8, 1], offset: 9>>
  memref.copy %x, %interior : memref<1x3x6x6xf32> to memref<1x3x6x6xf32, strided<[192, 64, 8, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x6x6xf32>)
  // expected-warning @+1 {{not imported: the padded input buffer has other uses than its zero fill, the copy of X into it and the conv}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  return
}

func.func @padded_strided_copy(%x: memref<1x3x4x4xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x3x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x3x8x8xf32>)
  %interior = memref.subview %padded[0, 0, 0, 0] [1, 3, 4, 4] [1, 1, 2, 2] : memref<1x3x8x8xf32> to memref<1x3x4x4xf32, strided<[192, 64, 16, 2]>>
  memref.copy %x, %interior : memref<1x3x4x4xf32> to memref<1x3x4x4xf32, strided<[192, 64, 16, 2]>>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x6x6xf32>)
  // expected-warning @+1 {{not imported: X is copied into a strided or dynamic part of the padded buffer}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  return
}

func.func @padded_read_twice(%x: memref<1x3x6x6xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x4x6x6xf32>, %out2: memref<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x3x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x3x8x8xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 3, 6, 6] [1, 1, 1, 1] : memref<1x3x8x8xf32> to memref<1x3x6x6xf32, strided<[192, 64, 8, 1], offset: 9>>
  memref.copy %x, %interior : memref<1x3x6x6xf32> to memref<1x3x6x6xf32, strided<[192, 64, 8, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x6x6xf32>)
  // expected-warning @+1 {{not imported: the padded input buffer has other uses than its zero fill, the copy of X into it and the conv}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  %window = memref.subview %padded[0, 0, 0, 0] [1, 3, 6, 6] [1, 1, 1, 1] : memref<1x3x8x8xf32> to memref<1x3x6x6xf32, strided<[192, 64, 8, 1]>>
  %part = memref.subview %out2[0, 0, 0, 0] [1, 3, 6, 6] [1, 1, 1, 1] : memref<1x4x6x6xf32> to memref<1x3x6x6xf32, strided<[144, 36, 6, 1]>>
  memref.copy %window, %part : memref<1x3x6x6xf32, strided<[192, 64, 8, 1]>> to memref<1x3x6x6xf32, strided<[144, 36, 6, 1]>>
  return
}

// A max-pool in the other layout than the conv's.
func.func @pool_other_layout(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x2x3x6xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %pe = tensor.empty() : tensor<1x2x3x6xf32>
  %pinit = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x2x3x6xf32>) -> tensor<1x2x3x6xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  // expected-warning @+1 {{not imported: the pooling's layout is not the conv's}}
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%c, %window : tensor<1x4x6x6xf32>, tensor<2x2xf32>) outs(%pinit : tensor<1x2x3x6xf32>) -> tensor<1x2x3x6xf32>
  return %p : tensor<1x2x3x6xf32>
}

// An argument the layer does not use.
// expected-warning @+1 {{not imported: argument #2 is not an input of the layer}}
func.func @extra_argument(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %unused: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// Importing would change the signature its caller uses.
// expected-warning @+1 {{not imported: the function is called in the module}}
func.func private @called(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
// CHECK-LABEL: func.func @caller(
// CHECK: call @called
func.func @caller(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = call @called(%x, %w) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// CHECK-LABEL: func.func @not_a_conv(
// CHECK-SAME: %{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return
func.func @not_a_conv(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// Standalone pooling (test/Conversion/LinalgToNKI/pooling.mlir has the
// imported forms) declined: a min-pool, dynamic shapes, the memref form, and
// average pooling that divides by a per-position count
// (count_include_pad=False).
// CHECK-LABEL: func.func @pool_min(
// CHECK: linalg.pooling_nhwc_min
func.func @pool_min(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32> {
  %inf = arith.constant 0x7F800000 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.fill ins(%inf : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  // expected-warning @+1 {{not imported: standalone pooling is imported as pooling_nchw_max, pooling_nchw_sum or their NHWC forms}}
  %p = linalg.pooling_nhwc_min {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %window : tensor<1x8x8x4xf32>, tensor<2x2xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}

// CHECK-LABEL: func.func @pool_dynamic(
// CHECK: linalg.pooling_nchw_max
func.func @pool_dynamic(%x: tensor<?x4x8x8xf32>, %init: tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32> {
  %window = tensor.empty() : tensor<2x2xf32>
  // expected-warning @+1 {{not imported: the pooled input is not the function's one argument}}
  %p = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %window : tensor<?x4x8x8xf32>, tensor<2x2xf32>) outs(%init : tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  return %p : tensor<?x4x4x4xf32>
}

// CHECK-LABEL: func.func @pool_dynamic_shape(
// CHECK: linalg.pooling_nchw_max
func.func @pool_dynamic_shape(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x4x4x4xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  // expected-warning @+1 {{not imported: dynamic shapes (NKI kernels are static: specialize the function's shapes first)}}
  %p = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %window : tensor<?x4x8x8xf32>, tensor<2x2xf32>) outs(%init : tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  return %p : tensor<?x4x4x4xf32>
}

// CHECK-LABEL: func.func @pool_memref(
// CHECK: linalg.pooling_nchw_max
func.func @pool_memref(%x: memref<1x4x8x8xf32>, %out: memref<1x4x4x4xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x4x4xf32>)
  %window = memref.alloc() : memref<2x2xf32>
  // expected-warning @+1 {{not imported: standalone pooling is imported on tensors}}
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %window : memref<1x4x8x8xf32>, memref<2x2xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// CHECK-LABEL: func.func @avg_by_count(
// CHECK: linalg.pooling_nchw_sum
func.func @avg_by_count(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %count = arith.constant dense<4.0> : tensor<1x4x4x4xf32>
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %s = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %window : tensor<1x4x8x8xf32>, tensor<2x2xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x4xf32>
  // expected-warning @+1 {{not imported: the pooled result is not divided or multiplied by a constant}}
  %avg = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %count : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) outs(%e2 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %d = arith.divf %a, %c : f32
    linalg.yield %d : f32
  } -> tensor<1x4x4x4xf32>
  return %avg : tensor<1x4x4x4xf32>
}

// A network (several layers on tensors) with an op that is no layer's part:
// the first conv's chain ends before it, so the second conv reads a value
// no layer computes.
// CHECK-LABEL: func.func @network_other_op(
// CHECK: math.exp
func.func @network_other_op(%x: tensor<1x4x8x8xf32>, %w1: tensor<4x4x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w1 : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1 : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.exp %in : f32
    linalg.yield %t : f32
  } -> tensor<1x4x8x8xf32>
  // expected-warning @+1 {{not imported: the input is not a function argument or an earlier layer's result (or one zero-padded by tensor.pad)}}
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%exp, %w2 : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %c2 : tensor<1x4x8x8xf32>
}

// A network that returns two layers' results: the kernel has one output.
// CHECK-LABEL: func.func @network_two_results(
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw
func.func @network_two_results(%x: tensor<1x4x8x8xf32>, %w1: tensor<4x4x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w1 : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%c1, %w2 : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // expected-warning @+1 {{not imported: the function does not return one layer's result alone}}
  return %c1, %c2 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// An op no layer reads, beside a network: nothing in the function may be
// left out of the kernel.
// CHECK-LABEL: func.func @network_unread_op(
// CHECK: math.exp
func.func @network_unread_op(%x: tensor<1x4x8x8xf32>, %w1: tensor<4x4x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // expected-warning @+1 {{not imported: 'linalg.generic' is not part of a layer (a conv with its bias, residual add, ReLU and pooling, or a pooling)}}
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.exp %in : f32
    linalg.yield %t : f32
  } -> tensor<1x4x8x8xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w1 : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%c1, %w2 : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %c2 : tensor<1x4x8x8xf32>
}
