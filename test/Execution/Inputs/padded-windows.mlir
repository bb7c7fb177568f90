// Padded conv layers whose padded image is loaded in windows of rows when
// the SBUF budget is small (test/Execution/padded-windows.test): several
// spatial blocks each, so that windows start in the top padding, in the
// interior and in the bottom padding.

// A stem in small: 3 channels, 7x7/2, pad 3, ReLU (torch-mlir's form).
func.func @stem(%x: tensor<1x3x64x62xf32>, %w: tensor<8x3x7x7xf32>) -> tensor<1x8x32x31xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 3, 3] high[0, 0, 3, 3] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x3x64x62xf32> to tensor<1x3x70x68xf32>
  %0 = tensor.empty() : tensor<1x8x32x31xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1x8x32x31xf32>) -> tensor<1x8x32x31xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded, %w : tensor<1x3x70x68xf32>, tensor<8x3x7x7xf32>) outs(%1 : tensor<1x8x32x31xf32>) -> tensor<1x8x32x31xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%2 : tensor<1x8x32x31xf32>) outs(%0 : tensor<1x8x32x31xf32>) {
  ^bb0(%in: f32, %out: f32):
    %4 = arith.cmpf ugt, %in, %cst : f32
    %5 = arith.select %4, %in, %cst : f32
    linalg.yield %5 : f32
  } -> tensor<1x8x32x31xf32>
  return %3 : tensor<1x8x32x31xf32>
}

// Stride 1, uneven padding (2 on top, 1 below), dilation 2, two images,
// 130 input channels (two channel tiles).
func.func @uneven(%x: tensor<2x130x30x21xf32>, %w: tensor<16x130x3x3xf32>) -> tensor<2x16x29x21xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 2, 2] high[0, 0, 1, 2] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<2x130x30x21xf32> to tensor<2x130x33x25xf32>
  %0 = tensor.empty() : tensor<2x16x29x21xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x16x29x21xf32>) -> tensor<2x16x29x21xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<2x130x33x25xf32>, tensor<16x130x3x3xf32>) outs(%1 : tensor<2x16x29x21xf32>) -> tensor<2x16x29x21xf32>
  return %2 : tensor<2x16x29x21xf32>
}
