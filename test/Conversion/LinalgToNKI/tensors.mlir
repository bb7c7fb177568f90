// The importer takes memrefs and depends on no pipeline: a front end's tensor
// function is refused with a pointer to nki-import, which bufferizes first.
// RUN: nki-opt %s --convert-linalg-to-nki -verify-diagnostics
// RUN: nki-opt %s --nki-import | FileCheck %s
// CHECK-LABEL: func.func @conv2d(
// CHECK-SAME: memref<1x4x5x5xf32>, %{{.*}}: memref<4x4x3x3xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<1x4x3x3xf32>)
// CHECK: nki.matmul

func.func @conv2d(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %init = tensor.empty() : tensor<1x4x3x3xf32>
  %bias = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<4xf32>) outs(%init : tensor<1x4x3x3xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<1x4x3x3xf32>
  // expected-error @+1 {{convert-linalg-to-nki imports convs on memrefs; bufferize tensors first (the nki-import pipeline does)}}
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) outs(%bias : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %conv : tensor<1x4x3x3xf32>
}
