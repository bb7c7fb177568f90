// What the importer does not support is reported at the offending op.
// RUN: nki-opt %s --nki-import -split-input-file -verify-diagnostics

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @strided(%x: memref<1x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x4x4xf32>) {
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%out : memref<1x4x4x4xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  // expected-error @+1 {{convert-linalg-to-nki supports stride 1 only}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %w : memref<1x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// -----

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @dilated(%x: memref<1x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x5x5xf32>) {
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%out : memref<1x4x5x5xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  // expected-error @+1 {{convert-linalg-to-nki supports unit dilation only}}
  linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x5x5xf32>)
  return
}

// -----

// Padding: the conv reads a padded copy, not the kernel's argument.
func.func @padded(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %init = tensor.empty() : tensor<1x4x8x8xf32>
  %bias = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<4xf32>) outs(%init : tensor<1x4x8x8xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<1x4x8x8xf32>
  // expected-error @+1 {{the conv's input and filter must be function arguments (padding and other producers are not supported)}}
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%bias : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %conv : tensor<1x4x8x8xf32>
}

// -----

func.func @no_bias(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x6x6xf32>)
  // expected-error @+1 {{expected the bias broadcast into the conv's init, or added to the conv's result by an elementwise linalg.generic}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  return
}

// -----

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @two_convs(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x6x6xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  // expected-error @+1 {{convert-linalg-to-nki imports one conv per function, found 2}}
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  return
}

// -----

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @overlapping_pool(%x: memref<1x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x3x3xf32>) {
  %conv = memref.alloc() : memref<1x4x7x7xf32>
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%conv : memref<1x4x7x7xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%conv : memref<1x4x7x7xf32>)
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x3x3xf32>)
  %window = memref.alloc() : memref<3x3xf32>
  // expected-error @+1 {{convert-linalg-to-nki supports square max-pool windows equal to their stride only}}
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : memref<1x4x7x7xf32>, memref<3x3xf32>) outs(%out : memref<1x4x3x3xf32>)
  return
}

// -----

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @pool_without_ninf(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x3x3xf32>) {
  %conv = memref.alloc() : memref<1x4x6x6xf32>
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%conv : memref<1x4x6x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%conv : memref<1x4x6x6xf32>)
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x3x3xf32>)
  %window = memref.alloc() : memref<2x2xf32>
  // expected-error @+1 {{the max-pool's init must be filled with -inf}}
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%conv, %window : memref<1x4x6x6xf32>, memref<2x2xf32>) outs(%out : memref<1x4x3x3xf32>)
  return
}

// -----

// A ReLU after the conv is not part of what we import.
#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @relu(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<1x4x6x6xf32>) {
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%out : memref<1x4x6x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x4x6x6xf32>)
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{convert-linalg-to-nki: unsupported op 'linalg.generic' in a conv2d + bias + max-pool function}}
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%out : memref<1x4x6x6xf32>) {
    ^bb0(%o: f32):
      %r = arith.maximumf %o, %zero : f32
      linalg.yield %r : f32
  }
  return
}

// -----

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// expected-error @+1 {{X, W, bias and out must share one element type of f32, bf16 or f16}}
func.func @integers(%x: memref<1x3x8x8xi32>, %w: memref<4x3x3x3xi32>, %b: memref<4xi32>, %out: memref<1x4x6x6xi32>) {
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xi32>) outs(%out : memref<1x4x6x6xi32>) {
    ^bb0(%in: i32, %o: i32):
      linalg.yield %in : i32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<1x3x8x8xi32>, memref<4x3x3x3xi32>) outs(%out : memref<1x4x6x6xi32>)
  return
}

// -----

#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// expected-error @+1 {{conv2d argument X must be a static rank-4 memref or tensor, got 'memref<?x3x8x8xf32>'}}
func.func @dynamic(%x: memref<?x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %out: memref<?x4x6x6xf32>) {
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<4xf32>) outs(%out : memref<?x4x6x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : memref<?x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%out : memref<?x4x6x6xf32>)
  return
}
