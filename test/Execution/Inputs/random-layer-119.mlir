// random-layers seed 119: layout=nhwc_hwcf, n=2, ic=19, oc=1, h=11, w=4, fh=2, fw=1, sh=3, sw=3, dh=2, dw=1, pad=[0, 0, 2, 2], bias=generic, relu=select, pool=1, bf16=False, order=['x', 'w', 'b'], init=False
func.func @layer(%x: tensor<2x11x4x19xf32>, %w: tensor<2x1x19x1xf32>, %b: tensor<1xf32>) -> tensor<2x3x3x1xf32> {
  %zero = arith.constant 0.0 : f32
  %zop = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x3x1xf32>
  %xp = tensor.pad %x low[0, 0, 2, 0] high[0, 0, 2, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zop : f32
  } : tensor<2x11x4x19xf32> to tensor<2x11x8x19xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<1xf32>) outs(%e : tensor<2x3x3x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x3x1xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<[2, 1]> : vector<2xi64>, strides = dense<[3, 3]> : vector<2xi64>}
      ins(%xp, %w : tensor<2x11x8x19xf32>, tensor<2x1x19x1xf32>) outs(%init : tensor<2x3x3x1xf32>) -> tensor<2x3x3x1xf32>
  %rl = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<2x3x3x1xf32>) outs(%e : tensor<2x3x3x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %p = arith.cmpf ugt, %in, %zero : f32
    %r = arith.select %p, %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x3x3x1xf32>
  return %rl : tensor<2x3x3x1xf32>
}
