// max_pool2d(x + bias, 2) in upstream linalg.
func.func @bias_pool(%x: tensor<2x128x16x12xf32>, %bias: tensor<128xf32>) -> tensor<2x128x8x6xf32> {
  %init = tensor.empty() : tensor<2x128x16x12xf32>
  %biased = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<2x128x16x12xf32>, tensor<128xf32>) outs(%init : tensor<2x128x16x12xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
  } -> tensor<2x128x16x12xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %pinit = tensor.empty() : tensor<2x128x8x6xf32>
  %fill = linalg.fill ins(%ninf : f32) outs(%pinit : tensor<2x128x8x6xf32>) -> tensor<2x128x8x6xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%biased, %window : tensor<2x128x16x12xf32>, tensor<2x2xf32>) outs(%fill : tensor<2x128x8x6xf32>) -> tensor<2x128x8x6xf32>
  return %pool : tensor<2x128x8x6xf32>
}
