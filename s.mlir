func.func @conv2d(%x: tensor<1x16x4x4xf32>, %w: tensor<16x16x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x1x1xf32> {
  %init = tensor.empty() : tensor<1x16x2x2xf32>
  %bias = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<16xf32>) outs(%init : tensor<1x16x2x2xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<1x16x2x2xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x16x4x4xf32>, tensor<16x16x3x3xf32>) outs(%bias : tensor<1x16x2x2xf32>) -> tensor<1x16x2x2xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %pinit = tensor.empty() : tensor<1x16x1x1xf32>
  %fill = linalg.fill ins(%ninf : f32) outs(%pinit : tensor<1x16x1x1xf32>) -> tensor<1x16x1x1xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : tensor<1x16x2x2xf32>, tensor<2x2xf32>) outs(%fill : tensor<1x16x1x1xf32>) -> tensor<1x16x1x1xf32>
  return %pool : tensor<1x16x1x1xf32>
}
