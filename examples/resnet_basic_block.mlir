#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @resnet_basic_block(%x: tensor<1x64x56x56xf32>, %w1: tensor<64x64x3x3xf32>, %b1: tensor<64xf32>, %w2: tensor<64x64x3x3xf32>, %b2: tensor<64xf32>) -> tensor<1x64x56x56xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %six = arith.constant 6.000000e+00 : f32
  %padded1 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x64x56x56xf32> to tensor<1x64x58x58xf32>
  %empty2 = tensor.empty() : tensor<1x64x56x56xf32>
  %bias3 = linalg.broadcast ins(%b1 : tensor<64xf32>) outs(%empty2 : tensor<1x64x56x56xf32>) dimensions = [0, 2, 3]
  %conv4 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded1, %w1 : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%bias3 : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %empty5 = tensor.empty() : tensor<1x64x56x56xf32>
  %value6 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv4 : tensor<1x64x56x56xf32>) outs(%empty5 : tensor<1x64x56x56xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %p = arith.cmpf ugt, %in0, %zero : f32
    %s = arith.select %p, %in0, %zero : f32
    linalg.yield %s : f32
  } -> tensor<1x64x56x56xf32>
  %padded7 = tensor.pad %value6 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x64x56x56xf32> to tensor<1x64x58x58xf32>
  %empty8 = tensor.empty() : tensor<1x64x56x56xf32>
  %bias9 = linalg.broadcast ins(%b2 : tensor<64xf32>) outs(%empty8 : tensor<1x64x56x56xf32>) dimensions = [0, 2, 3]
  %conv10 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded7, %w2 : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%bias9 : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %empty11 = tensor.empty() : tensor<1x64x56x56xf32>
  %value12 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv10, %x : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) outs(%empty11 : tensor<1x64x56x56xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s = arith.addf %in0, %in1 : f32
    linalg.yield %s : f32
  } -> tensor<1x64x56x56xf32>
  %empty13 = tensor.empty() : tensor<1x64x56x56xf32>
  %value14 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%value12 : tensor<1x64x56x56xf32>) outs(%empty13 : tensor<1x64x56x56xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %p = arith.cmpf ugt, %in0, %zero : f32
    %s = arith.select %p, %in0, %zero : f32
    linalg.yield %s : f32
  } -> tensor<1x64x56x56xf32>
  return %value14 : tensor<1x64x56x56xf32>
}
