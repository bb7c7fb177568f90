// conv2d (weights [FH, FW, Cin, Cout]) + bias + 2x2 max-pool in upstream
// linalg, for conv2d_hwcf_weights.mlir.
func.func @reference(%x: tensor<4x256x32x16xf32>, %w: tensor<3x3x256x256xf32>,
                     %bias: tensor<256xf32>) -> tensor<4x256x15x7xf32> {
  %init = tensor.empty() : tensor<4x256x30x14xf32>
  %biased = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<256xf32>) outs(%init : tensor<4x256x30x14xf32>) {
    ^bb0(%b: f32, %o: f32):
      linalg.yield %b : f32
  } -> tensor<4x256x30x14xf32>
  %conv = linalg.generic {indexing_maps = [
        affine_map<(n, f, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>,
        affine_map<(n, f, h, w, c, kh, kw) -> (kh, kw, c, f)>,
        affine_map<(n, f, h, w, c, kh, kw) -> (n, f, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<4x256x32x16xf32>, tensor<3x3x256x256xf32>) outs(%biased : tensor<4x256x30x14xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %o, %p : f32
      linalg.yield %s : f32
  } -> tensor<4x256x30x14xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %pinit = tensor.empty() : tensor<4x256x15x7xf32>
  %fill = linalg.fill ins(%ninf : f32) outs(%pinit : tensor<4x256x15x7xf32>) -> tensor<4x256x15x7xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : tensor<4x256x30x14xf32>, tensor<2x2xf32>) outs(%fill : tensor<4x256x15x7xf32>) -> tensor<4x256x15x7xf32>
  return %pool : tensor<4x256x15x7xf32>
}
