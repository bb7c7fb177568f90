// A padded 3x3 layer with 160 -> 136 channels (ragged channel tiles), as
// torch-mlir emits it: its weights go through Tensor-Engine transposes.
func.func @deep_layer(%x: tensor<1x160x5x5xf32>, %w: tensor<136x160x3x3xf32>) -> tensor<1x136x5x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<1x160x5x5xf32> to tensor<1x160x7x7xf32>
  %0 = tensor.empty() : tensor<1x136x5x5xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1x136x5x5xf32>) -> tensor<1x136x5x5xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<1x160x7x7xf32>, tensor<136x160x3x3xf32>) outs(%1 : tensor<1x136x5x5xf32>) -> tensor<1x136x5x5xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%2 : tensor<1x136x5x5xf32>) outs(%0 : tensor<1x136x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %4 = arith.cmpf ugt, %in, %cst : f32
    %5 = arith.select %4, %in, %cst : f32
    linalg.yield %5 : f32
  } -> tensor<1x136x5x5xf32>
  return %3 : tensor<1x136x5x5xf32>
}
