// lhsT x rhs without the transpose: the wrong answer for a non-symmetric lhsT.
func.func @matmul_tiled(%lhsT: tensor<256x256xf32>, %rhs: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<256x1024xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<256x1024xf32>) -> tensor<256x1024xf32>
  %out = linalg.matmul ins(%lhsT, %rhs : tensor<256x256xf32>, tensor<256x1024xf32>) outs(%acc : tensor<256x1024xf32>) -> tensor<256x1024xf32>
  return %out : tensor<256x1024xf32>
}
