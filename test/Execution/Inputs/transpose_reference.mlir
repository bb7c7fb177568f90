// References for transpose.mlir in upstream linalg.
func.func @f32(%in: tensor<32x48xf32>) -> tensor<48x32xf32> {
  %init = tensor.empty() : tensor<48x32xf32>
  %out = linalg.transpose ins(%in : tensor<32x48xf32>) outs(%init : tensor<48x32xf32>) permutation = [1, 0]
  return %out : tensor<48x32xf32>
}

func.func @bf16(%in: tensor<64x16xbf16>) -> tensor<16x64xbf16> {
  %init = tensor.empty() : tensor<16x64xbf16>
  %out = linalg.transpose ins(%in : tensor<64x16xbf16>) outs(%init : tensor<16x64xbf16>) permutation = [1, 0]
  return %out : tensor<16x64xbf16>
}
