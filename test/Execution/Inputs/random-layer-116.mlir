// random-layers seed 116: layout=nhwc_fhwc, n=2, ic=10, oc=129, h=9, w=3, fh=1, fw=2, sh=3, sw=3, dh=1, dw=1, pad=[3, 2, 3, 0], bias=generic, relu=select, pool=1, bf16=False, order=['x', 'b', 'w'], init=False
func.func @layer(%x: tensor<2x9x3x10xf32>, %b: tensor<129xf32>, %w: tensor<129x1x2x10xf32>) -> tensor<2x5x2x129xf32> {
  %zero = arith.constant 0.0 : f32
  %zop = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x2x129xf32>
  %xp = tensor.pad %x low[0, 3, 3, 0] high[0, 2, 0, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zop : f32
  } : tensor<2x9x3x10xf32> to tensor<2x14x6x10xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<129xf32>) outs(%e : tensor<2x5x2x129xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<2x5x2x129xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<[1, 1]> : vector<2xi64>, strides = dense<[3, 3]> : vector<2xi64>}
      ins(%xp, %w : tensor<2x14x6x10xf32>, tensor<129x1x2x10xf32>) outs(%init : tensor<2x5x2x129xf32>) -> tensor<2x5x2x129xf32>
  %rl = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<2x5x2x129xf32>) outs(%e : tensor<2x5x2x129xf32>) {
  ^bb0(%in: f32, %o: f32):
    %p = arith.cmpf ugt, %in, %zero : f32
    %r = arith.select %p, %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x5x2x129xf32>
  return %rl : tensor<2x5x2x129xf32>
}
