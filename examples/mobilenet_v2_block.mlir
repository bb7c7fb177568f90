#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @mobilenet_v2_block(%x: tensor<1x24x56x56xf32>, %we: tensor<144x24x1x1xf32>, %be: tensor<144xf32>, %wd: tensor<144x1x3x3xf32>, %bd: tensor<144xf32>, %wp: tensor<24x144x1x1xf32>, %bp: tensor<24xf32>) -> tensor<1x24x56x56xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %six = arith.constant 6.000000e+00 : f32
  %empty1 = tensor.empty() : tensor<1x144x56x56xf32>
  %bias2 = linalg.broadcast ins(%be : tensor<144xf32>) outs(%empty1 : tensor<1x144x56x56xf32>) dimensions = [0, 2, 3]
  %conv3 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %we : tensor<1x24x56x56xf32>, tensor<144x24x1x1xf32>) outs(%bias2 : tensor<1x144x56x56xf32>) -> tensor<1x144x56x56xf32>
  %empty4 = tensor.empty() : tensor<1x144x56x56xf32>
  %value5 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv3 : tensor<1x144x56x56xf32>) outs(%empty4 : tensor<1x144x56x56xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %lo = arith.cmpf ult, %in0, %zero : f32
    %a = arith.select %lo, %zero, %in0 : f32
    %hi = arith.cmpf ugt, %a, %six : f32
    %b = arith.select %hi, %six, %a : f32
    linalg.yield %b : f32
  } -> tensor<1x144x56x56xf32>
  %padded6 = tensor.pad %value5 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x144x56x56xf32> to tensor<1x144x58x58xf32>
  %wd_chw = tensor.collapse_shape %wd [[0, 1], [2], [3]] : tensor<144x1x3x3xf32> into tensor<144x3x3xf32>
  %empty7 = tensor.empty() : tensor<1x144x56x56xf32>
  %bias8 = linalg.broadcast ins(%bd : tensor<144xf32>) outs(%empty7 : tensor<1x144x56x56xf32>) dimensions = [0, 2, 3]
  %conv9 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded6, %wd_chw : tensor<1x144x58x58xf32>, tensor<144x3x3xf32>) outs(%bias8 : tensor<1x144x56x56xf32>) -> tensor<1x144x56x56xf32>
  %empty10 = tensor.empty() : tensor<1x144x56x56xf32>
  %value11 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv9 : tensor<1x144x56x56xf32>) outs(%empty10 : tensor<1x144x56x56xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %lo = arith.cmpf ult, %in0, %zero : f32
    %a = arith.select %lo, %zero, %in0 : f32
    %hi = arith.cmpf ugt, %a, %six : f32
    %b = arith.select %hi, %six, %a : f32
    linalg.yield %b : f32
  } -> tensor<1x144x56x56xf32>
  %empty12 = tensor.empty() : tensor<1x24x56x56xf32>
  %bias13 = linalg.broadcast ins(%bp : tensor<24xf32>) outs(%empty12 : tensor<1x24x56x56xf32>) dimensions = [0, 2, 3]
  %conv14 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%value11, %wp : tensor<1x144x56x56xf32>, tensor<24x144x1x1xf32>) outs(%bias13 : tensor<1x24x56x56xf32>) -> tensor<1x24x56x56xf32>
  %empty15 = tensor.empty() : tensor<1x24x56x56xf32>
  %value16 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %conv14 : tensor<1x24x56x56xf32>, tensor<1x24x56x56xf32>) outs(%empty15 : tensor<1x24x56x56xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s = arith.addf %in0, %in1 : f32
    linalg.yield %s : f32
  } -> tensor<1x24x56x56xf32>
  return %value16 : tensor<1x24x56x56xf32>
}
