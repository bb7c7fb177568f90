// References for matmul_bf16.mlir in upstream linalg: bf16 inputs widened
// exactly to f32, products summed in f32.
func.func @ragged(%lhsT: tensor<128x48xbf16>, %rhs: tensor<128x200xbf16>) -> tensor<48x200xf32> {
  %empty = tensor.empty() : tensor<48x128xbf16>
  %lhs = linalg.transpose ins(%lhsT : tensor<128x48xbf16>) outs(%empty : tensor<48x128xbf16>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<48x200xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<48x200xf32>) -> tensor<48x200xf32>
  %out = linalg.matmul ins(%lhs, %rhs : tensor<48x128xbf16>, tensor<128x200xbf16>) outs(%acc : tensor<48x200xf32>) -> tensor<48x200xf32>
  return %out : tensor<48x200xf32>
}

func.func @paired(%lhsT: tensor<32x64xbf16>, %rhs: tensor<32x2x96xbf16>) -> tensor<64x2x88xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<64x2x88xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<64x2x88xf32>) -> tensor<64x2x88xf32>
  // out[m, r, c] += lhsT[k, m] * rhs[k, r, c + 4]
  %out = linalg.generic {
      indexing_maps = [affine_map<(m, r, c, k) -> (k, m)>,
                       affine_map<(m, r, c, k) -> (k, r, c + 4)>,
                       affine_map<(m, r, c, k) -> (m, r, c)>],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%lhsT, %rhs : tensor<32x64xbf16>, tensor<32x2x96xbf16>) outs(%acc : tensor<64x2x88xf32>) {
  ^bb0(%a: bf16, %b: bf16, %sum: f32):
    %wa = arith.extf %a : bf16 to f32
    %wb = arith.extf %b : bf16 to f32
    %p = arith.mulf %wa, %wb : f32
    %s = arith.addf %sum, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x2x88xf32>
  return %out : tensor<64x2x88xf32>
}
