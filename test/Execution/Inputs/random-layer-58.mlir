// random-layers seed 58: layout=nhwc_fhwc, n=1, ic=3, oc=16, h=5, w=9, fh=4, fw=3, sh=2, sw=2, dh=2, dw=2, pad=[3, 0, 0, 2], bias=none, relu=maximumf, pool=1, bf16=False, order=['w', 'i', 'b', 'x'], init=True
func.func @layer(%w: tensor<16x4x3x3xf32>, %i: tensor<1x1x4x16xf32>, %x: tensor<1x5x9x3xf32>) -> tensor<1x1x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %zop = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x4x16xf32>
  %xp = tensor.pad %x low[0, 3, 0, 0] high[0, 0, 2, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zop : f32
  } : tensor<1x5x9x3xf32> to tensor<1x8x11x3xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<[2, 2]> : vector<2xi64>, strides = dense<[2, 2]> : vector<2xi64>}
      ins(%xp, %w : tensor<1x8x11x3xf32>, tensor<16x4x3x3xf32>) outs(%i : tensor<1x1x4x16xf32>) -> tensor<1x1x4x16xf32>
  %rl = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x1x4x16xf32>) outs(%e : tensor<1x1x4x16xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x1x4x16xf32>
  return %rl : tensor<1x1x4x16xf32>
}
