// out = lhsT^T x rhs in upstream linalg: the reference for
// examples/matmul_tiled.mlir.
func.func @matmul_tiled(%lhsT: tensor<256x256xf32>, %rhs: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %empty = tensor.empty() : tensor<256x256xf32>
  %lhs = linalg.transpose ins(%lhsT : tensor<256x256xf32>) outs(%empty : tensor<256x256xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<256x1024xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<256x1024xf32>) -> tensor<256x1024xf32>
  %out = linalg.matmul ins(%lhs, %rhs : tensor<256x256xf32>, tensor<256x1024xf32>) outs(%acc : tensor<256x1024xf32>) -> tensor<256x1024xf32>
  return %out : tensor<256x1024xf32>
}
