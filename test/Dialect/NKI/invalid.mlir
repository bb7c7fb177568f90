// Every verifier rule of the dialect rejects at least one case here.
// RUN: nki-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// On-chip buffer rules, checked on every operand of an NKI op
//===----------------------------------------------------------------------===//

func.func @too_many_partitions(%x: memref<256x512xf32>, %t: memref<256x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.dma_copy' op target: SBUF buffer 'memref<256x512xf32, #nki.mem<sbuf>>' spans 256 partitions (dim 0); trn2 has 128}}
  nki.dma_copy %x to %t : memref<256x512xf32> to memref<256x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @no_partition_dim(%x: memref<f32>, %t: memref<f32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{target: SBUF buffer 'memref<f32, #nki.mem<sbuf>>' needs a partition dimension (dim 0)}}
  nki.dma_copy %x to %t : memref<f32> to memref<f32, #nki.mem<sbuf>>
  return
}

// -----

func.func @unsupported_element_type(%x: memref<128x4xi32>, %t: memref<128x4xi32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{source element type 'i32' is not supported; expected f32, bf16 or f16}}
  nki.dma_copy %x to %t : memref<128x4xi32> to memref<128x4xi32, #nki.mem<sbuf>>
  return
}

// -----

func.func @sbuf_capacity(%x: memref<128x60000xf32>, %t: memref<128x60000xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{target: SBUF buffer 'memref<128x60000xf32, #nki.mem<sbuf>>' needs 240000 bytes per partition, more than the 212992 usable on trn2}}
  nki.dma_copy %x to %t : memref<128x60000xf32> to memref<128x60000xf32, #nki.mem<sbuf>>
  return
}

// -----

// The bytes per partition overflow int64: still rejected (regression).
func.func @sbuf_size_overflow(%t: memref<128x4611686018427387904x4xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op target: SBUF buffer 'memref<128x4611686018427387904x4xf32, #nki.mem<sbuf>>' needs 2^63 or more bytes per partition}}
  nki.memset %t, 0.0 : memref<128x4611686018427387904x4xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @psum_wider_than_a_bank(%t: memref<128x1024xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{target: PSUM tile 'memref<128x1024xf32, #nki.mem<psum>>' needs 4096 bytes per partition, more than one 2048-byte bank; a multi-bank tile is shaped [partitions, banks <= 8, F] with F fitting one bank}}
  nki.memset %t, 0.0 : memref<128x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @psum_too_many_banks(%t: memref<128x16x128xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{PSUM tile 'memref<128x16x128xf32, #nki.mem<psum>>' needs 8192 bytes per partition, more than one 2048-byte bank}}
  nki.memset %t, 0.0 : memref<128x16x128xf32, #nki.mem<psum>>
  return
}

// -----

func.func @psum_bank_row_too_wide(%t: memref<128x2x1024xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{PSUM tile 'memref<128x2x1024xf32, #nki.mem<psum>>' needs 8192 bytes per partition, more than one 2048-byte bank}}
  nki.memset %t, 0.0 : memref<128x2x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @foreign_memory_space(%x: memref<128x4xf32>, %t: memref<128x4xf32, 3>) {
  // expected-error @+1 {{target must be in HBM or SBUF, but 'memref<128x4xf32, 3>' is in a foreign memory space}}
  nki.dma_copy %x to %t : memref<128x4xf32> to memref<128x4xf32, 3>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.dma_copy
//===----------------------------------------------------------------------===//

func.func @dma_from_psum(%p: memref<128x512xf32, #nki.mem<psum>>, %t: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.dma_copy' op source must be in HBM or SBUF, but 'memref<128x512xf32, #nki.mem<psum>>' is in PSUM}}
  nki.dma_copy %p to %t : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @dma_to_psum(%x: memref<128x512xf32>, %p: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.dma_copy' op target must be in HBM or SBUF, but 'memref<128x512xf32, #nki.mem<psum>>' is in PSUM}}
  nki.dma_copy %x to %p : memref<128x512xf32> to memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @dma_shape_mismatch(%x: memref<128x512xf32>, %t: memref<128x256xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.dma_copy' op source shape 128x512 differs from target shape 128x256}}
  nki.dma_copy %x to %t : memref<128x512xf32> to memref<128x256xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @dma_needs_explicit_reshape(%x: memref<128x16x32xf32>, %t: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.dma_copy' op source shape 128x16x32 differs from target shape 128x512}}
  nki.dma_copy %x to %t : memref<128x16x32xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.matmul
//===----------------------------------------------------------------------===//

!w = memref<128x128xf32, #nki.mem<sbuf>>
!x = memref<128x512xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

func.func @matmul_stationary_in_hbm(%w: memref<128x128xf32>, %x: !x, %acc: !acc) {
  // expected-error @+1 {{'nki.matmul' op stationary must be in SBUF, but 'memref<128x128xf32>' is in HBM}}
  nki.matmul overwrite %w, %x into %acc : memref<128x128xf32>, !x into !acc
  return
}

// -----

!w = memref<128x128xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

func.func @matmul_moving_in_psum(%w: !w, %x: !acc, %acc: !acc) {
  // expected-error @+1 {{'nki.matmul' op moving must be in SBUF, but 'memref<128x512xf32, #nki.mem<psum>>' is in PSUM}}
  nki.matmul overwrite %w, %x into %acc : !w, !acc into !acc
  return
}

// -----

!w = memref<128x128xf32, #nki.mem<sbuf>>
!x = memref<128x512xf32, #nki.mem<sbuf>>

func.func @matmul_target_in_sbuf(%w: !w, %x: !x, %acc: !x) {
  // expected-error @+1 {{'nki.matmul' op target must be in PSUM, but 'memref<128x512xf32, #nki.mem<sbuf>>' is in SBUF}}
  nki.matmul overwrite %w, %x into %acc : !w, !x into !x
  return
}

// -----

!x = memref<128x512xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

func.func @matmul_stationary_rank(%w: memref<128x2x64xf32, #nki.mem<sbuf>>, %x: !x, %acc: !acc) {
  // expected-error @+1 {{'nki.matmul' op stationary must be a 2-D [K, M] tile, got 'memref<128x2x64xf32, #nki.mem<sbuf>>'}}
  nki.matmul overwrite %w, %x into %acc : memref<128x2x64xf32, #nki.mem<sbuf>>, !x into !acc
  return
}

// -----

!w = memref<128x128xf32, #nki.mem<sbuf>>

func.func @matmul_moving_without_free_dim(%w: !w, %x: memref<128xf32, #nki.mem<sbuf>>, %acc: memref<128xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op moving must be a [K, F...] tile with at least one free dimension, got 'memref<128xf32, #nki.mem<sbuf>>'}}
  nki.matmul overwrite %w, %x into %acc : !w, memref<128xf32, #nki.mem<sbuf>> into memref<128xf32, #nki.mem<psum>>
  return
}

// -----

!x = memref<128x512xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

func.func @matmul_mixed_element_types(%w: memref<128x128xbf16, #nki.mem<sbuf>>, %x: !x, %acc: !acc) {
  // expected-error @+1 {{'nki.matmul' op stationary element type 'bf16' differs from moving element type 'f32'}}
  nki.matmul overwrite %w, %x into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, !x into !acc
  return
}

// -----

!w = memref<128x128xbf16, #nki.mem<sbuf>>
!x = memref<128x512xbf16, #nki.mem<sbuf>>

func.func @matmul_result_not_f32(%w: !w, %x: !x, %acc: memref<128x512xbf16, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op target must be an f32 PSUM tile, got 'memref<128x512xbf16, #nki.mem<psum>>'}}
  nki.matmul overwrite %w, %x into %acc : !w, !x into memref<128x512xbf16, #nki.mem<psum>>
  return
}

// -----

!acc = memref<128x512xf32, #nki.mem<psum>>

func.func @matmul_contraction_mismatch(%w: memref<64x128xf32, #nki.mem<sbuf>>, %x: memref<128x512xf32, #nki.mem<sbuf>>, %acc: !acc) {
  // expected-error @+1 {{'nki.matmul' op contraction (partition) sizes differ: stationary has K = 64, moving has K = 128}}
  nki.matmul overwrite %w, %x into %acc : memref<64x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into !acc
  return
}

// -----

!x = memref<128x512xf32, #nki.mem<sbuf>>

func.func @matmul_stationary_too_wide(%w: memref<128x256xf32, #nki.mem<sbuf>>, %x: !x, %acc: memref<256x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op stationary free size M = 256 exceeds the Tensor Engine's 128}}
  nki.matmul overwrite %w, %x into %acc : memref<128x256xf32, #nki.mem<sbuf>>, !x into memref<256x512xf32, #nki.mem<psum>>
  return
}

// -----

!w = memref<128x128xf32, #nki.mem<sbuf>>

func.func @matmul_moving_too_wide(%w: !w, %x: memref<128x2x512xf32, #nki.mem<sbuf>>, %acc: memref<128x2x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op moving free size N = 1024 exceeds the Tensor Engine's 512}}
  nki.matmul overwrite %w, %x into %acc : !w, memref<128x2x512xf32, #nki.mem<sbuf>> into memref<128x2x512xf32, #nki.mem<psum>>
  return
}

// -----

!w = memref<128x64xf32, #nki.mem<sbuf>>
!x = memref<128x16x32xf32, #nki.mem<sbuf>>

func.func @matmul_target_shape(%w: !w, %x: !x, %acc: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op target shape 64x512 differs from [M, moving free dims] = 64x16x32}}
  nki.matmul accumulate %w, %x into %acc : !w, !x into memref<64x512xf32, #nki.mem<psum>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_from_psum(%s: memref<128x128xf32, #nki.mem<psum>>, %t: memref<128x128xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.transpose' op source must be in SBUF, but 'memref<128x128xf32, #nki.mem<psum>>' is in PSUM}}
  nki.transpose %s into %t : memref<128x128xf32, #nki.mem<psum>> into memref<128x128xf32, #nki.mem<psum>>
  return
}

// -----

func.func @transpose_into_sbuf(%s: memref<128x128xf32, #nki.mem<sbuf>>, %t: memref<128x128xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.transpose' op target must be in PSUM, but 'memref<128x128xf32, #nki.mem<sbuf>>' is in SBUF}}
  nki.transpose %s into %t : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @transpose_rank(%s: memref<16x8x8xf32, #nki.mem<sbuf>>, %t: memref<8x8x16xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.transpose' op transposes 2-D tiles only}}
  nki.transpose %s into %t : memref<16x8x8xf32, #nki.mem<sbuf>> into memref<8x8x16xf32, #nki.mem<psum>>
  return
}

// -----

func.func @transpose_too_wide(%s: memref<64x256xf32, #nki.mem<sbuf>>, %t: memref<256x64xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.transpose' op source free size 256 exceeds the Tensor Engine's 128}}
  nki.transpose %s into %t : memref<64x256xf32, #nki.mem<sbuf>> into memref<256x64xf32, #nki.mem<psum>>
  return
}

// -----

func.func @transpose_shape(%s: memref<128x64xf32, #nki.mem<sbuf>>, %t: memref<128x64xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.transpose' op target shape 128x64 is not the transposed source shape 64x128}}
  nki.transpose %s into %t : memref<128x64xf32, #nki.mem<sbuf>> into memref<128x64xf32, #nki.mem<psum>>
  return
}

// -----

func.func @transpose_element_type(%s: memref<128x128xbf16, #nki.mem<sbuf>>, %t: memref<128x128xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.transpose' op target element type 'f32' differs from source element type 'bf16'}}
  nki.transpose %s into %t : memref<128x128xbf16, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.tensor_copy
//===----------------------------------------------------------------------===//

func.func @tensor_copy_from_hbm(%s: memref<128x512xf32>, %t: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_copy' op source must be in SBUF or PSUM, but 'memref<128x512xf32>' is in HBM}}
  nki.tensor_copy %s to %t : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_copy_into_hbm(%s: memref<128x512xf32, #nki.mem<sbuf>>, %t: memref<128x512xf32>) {
  // expected-error @+1 {{'nki.tensor_copy' op target must be in SBUF or PSUM, but 'memref<128x512xf32>' is in HBM}}
  nki.tensor_copy %s to %t : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32>
  return
}

// -----

func.func @tensor_copy_shape(%s: memref<128x512xf32, #nki.mem<psum>>, %t: memref<64x512xbf16, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_copy' op source shape 128x512 differs from target shape 64x512}}
  nki.tensor_copy %s to %t : memref<128x512xf32, #nki.mem<psum>> to memref<64x512xbf16, #nki.mem<sbuf>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.tensor_tensor
//===----------------------------------------------------------------------===//

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_tensor_from_hbm(%a: memref<128x512xf32>, %b: !t) {
  // expected-error @+1 {{'nki.tensor_tensor' op lhs must be in SBUF or PSUM, but 'memref<128x512xf32>' is in HBM}}
  nki.tensor_tensor add %a, %b to %b : memref<128x512xf32>, !t to !t
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_tensor_into_hbm(%a: !t, %out: memref<128x512xf32>) {
  // expected-error @+1 {{'nki.tensor_tensor' op target must be in SBUF or PSUM, but 'memref<128x512xf32>' is in HBM}}
  nki.tensor_tensor add %a, %a to %out : !t, !t to memref<128x512xf32>
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_tensor_operand_shapes(%a: !t, %b: memref<128x256xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op lhs shape 128x512 differs from rhs shape 128x256}}
  nki.tensor_tensor max %a, %b to %a : !t, memref<128x256xf32, #nki.mem<sbuf>> to !t
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_tensor_target_shape(%a: !t, %c: memref<128x256xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op lhs shape 128x512 differs from target shape 128x256}}
  nki.tensor_tensor max %a, %a to %c : !t, !t to memref<128x256xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_tensor_unknown_operator(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'op' [add, subtract, multiply, max, min]}}
  nki.tensor_tensor divide %a, %a to %a : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.tensor_scalar
//===----------------------------------------------------------------------===//

func.func @tensor_scalar_from_hbm(%a: memref<128x512xf32>, %t: memref<128x512xf32, #nki.mem<sbuf>>, %s: f32) {
  // expected-error @+1 {{'nki.tensor_scalar' op source must be in SBUF or PSUM, but 'memref<128x512xf32>' is in HBM}}
  nki.tensor_scalar add %a, %s to %t : memref<128x512xf32>, f32 to memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_scalar_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>, %t: memref<128x500xf32, #nki.mem<sbuf>>, %s: f32) {
  // expected-error @+1 {{'nki.tensor_scalar' op source shape 128x512 differs from target shape 128x500}}
  nki.tensor_scalar add %a, %s to %t : memref<128x512xf32, #nki.mem<sbuf>>, f32 to memref<128x500xf32, #nki.mem<sbuf>>
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_scalar_vector_shape(%a: !t, %bias: memref<128x2xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_scalar' op a per-partition scalar must be shaped 128x1, got 128x2}}
  nki.tensor_scalar add %a, %bias to %a : !t, memref<128x2xf32, #nki.mem<sbuf>> to !t
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_scalar_vector_in_hbm(%a: !t, %bias: memref<128x1xf32>) {
  // expected-error @+1 {{'nki.tensor_scalar' op scalar must be in SBUF, but 'memref<128x1xf32>' is in HBM}}
  nki.tensor_scalar add %a, %bias to %a : !t, memref<128x1xf32> to !t
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @tensor_scalar_integer(%a: !t, %s: i32) {
  // expected-error @+1 {{'nki.tensor_scalar' op operand #1 must be floating-point or memref of any type values, but got 'i32'}}
  nki.tensor_scalar add %a, %s to %a : !t, i32 to !t
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.tensor_reduce
//===----------------------------------------------------------------------===//

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @reduce_not_associative(%a: !t, %r: memref<128xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_reduce' op reduction operator must be associative; 'subtract' is not}}
  nki.tensor_reduce subtract %a to %r axes = [1] : !t to memref<128xf32, #nki.mem<sbuf>>
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @reduce_no_axes(%a: !t) {
  // expected-error @+1 {{'nki.tensor_reduce' op needs at least one axis to reduce}}
  nki.tensor_reduce max %a to %a axes = [] : !t to !t
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @reduce_partition_axis(%a: !t, %r: memref<512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_reduce' op axis 0 is not a free axis of the source (1 to 1)}}
  nki.tensor_reduce max %a to %r axes = [0] : !t to memref<512xf32, #nki.mem<sbuf>>
  return
}

// -----

!t = memref<128x512xf32, #nki.mem<sbuf>>

func.func @reduce_axis_out_of_range(%a: !t, %r: memref<128xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_reduce' op axis 2 is not a free axis of the source (1 to 1)}}
  nki.tensor_reduce max %a to %r axes = [2] : !t to memref<128xf32, #nki.mem<sbuf>>
  return
}

// -----

!t = memref<128x4x4xf32, #nki.mem<sbuf>>

func.func @reduce_axes_order(%a: !t, %r: memref<128xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_reduce' op axes must be strictly increasing}}
  nki.tensor_reduce max %a to %r axes = [2, 1] : !t to memref<128xf32, #nki.mem<sbuf>>
  return
}

// -----

!t = memref<128x8x2x16x2xf32, #nki.mem<sbuf>>

func.func @reduce_target_shape(%a: !t, %r: memref<128x16x8xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_reduce' op target shape 128x16x8 differs from the source shape without the reduced axes, 128x8x16}}
  nki.tensor_reduce max %a to %r axes = [2, 4] : !t to memref<128x16x8xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @reduce_into_psum(%a: memref<128x512xf32, #nki.mem<sbuf>>, %r: memref<128xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.tensor_reduce' op target must be in SBUF, but 'memref<128xf32, #nki.mem<psum>>' is in PSUM}}
  nki.tensor_reduce max %a to %r axes = [1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128xf32, #nki.mem<psum>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.memset
//===----------------------------------------------------------------------===//

func.func @memset_hbm(%out: memref<128x512xf32>) {
  // expected-error @+1 {{'nki.memset' op target must be in SBUF or PSUM, but 'memref<128x512xf32>' is in HBM}}
  nki.memset %out, 0.0 : memref<128x512xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.affine_range and other dialect attributes
//===----------------------------------------------------------------------===//

func.func @affine_range_on_non_loop() {
  // expected-error @+1 {{'nki.affine_range' only applies to scf.for loops}}
  %c0 = arith.constant {nki.affine_range} 0 : index
  return
}

// -----

func.func @affine_range_not_unit(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'nki.affine_range' must be a unit attribute}}
  scf.for %i = %c0 to %n step %c1 {
  } {nki.affine_range = 1 : i64}
  return
}

// -----

func.func @affine_range_with_iter_args(%n: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{an 'nki.affine_range' loop has independent iterations and cannot carry values through iter_args}}
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %c0) -> (index) {
    %next = arith.addi %acc, %i : index
    scf.yield %next : index
  } {nki.affine_range}
  return %sum : index
}

// -----

func.func @unknown_nki_attribute() {
  // expected-error @+1 {{unknown NKI attribute 'nki.sequential_range'}}
  %c0 = arith.constant {nki.sequential_range} 0 : index
  return
}

// -----

// expected-error @+2 {{expected ::mlir::nki::MemorySpace to be one of: sbuf, psum}}
// expected-error @+1 {{failed to parse NKI_MemorySpaceAttr parameter 'value'}}
func.func @hbm_is_the_default_space(%x: memref<128x4xf32, #nki.mem<hbm>>) {
  return
}

// -----

//===----------------------------------------------------------------------===//
// nki.conv2d kernel parameters
//===----------------------------------------------------------------------===//

// expected-error @+1 {{a conv2d kernel takes (X, W, bias, out), got 3 arguments}}
func.func @conv_arity(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 1>} {
  return
}

// -----

// expected-error @+1 {{conv2d argument X must be a static rank-4 memref or tensor, got 'memref<?x3x8x8xf32>'}}
func.func @conv_dynamic(%x: memref<?x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 1>} {
  return
}

// -----

// expected-error @+1 {{conv2d W has 2 input channels, X has 3}}
func.func @conv_channels(%x: memref<1x3x8x8xf32>, %w: memref<4x2x3x3xf32>, %b: memref<4xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 1>} {
  return
}

// -----

// expected-error @+1 {{conv2d filter 9x9 is larger than the image 8x8}}
func.func @conv_filter(%x: memref<1x3x8x8xf32>, %w: memref<4x3x9x9xf32>, %b: memref<4xf32>, %o: memref<1x4x1x1xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 1>} {
  return
}

// -----

// expected-error @+1 {{conv2d bias has 5 elements, W has 4 output channels}}
func.func @conv_bias(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<5xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 1>} {
  return
}

// -----

// expected-error @+1 {{conv2d out shape 1x4x6x6 differs from the expected 1x4x3x3 (stride 1, no padding, pool 2)}}
func.func @conv_out(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 2>} {
  return
}

// -----

// expected-error @+1 {{conv2d pool size must be at least 1, got 0}}
func.func @conv_pool(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 0>} {
  return
}

// -----

// expected-error @+1 {{'nki.conv2d' must be a #nki.conv2d}}
func.func @conv_not_attr(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = 2 : i64} {
  return
}

// -----

func.func @conv_on_loop(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'nki.conv2d' only applies to functions}}
  scf.for %i = %c0 to %n step %c1 {
  } {nki.conv2d = #nki.conv2d<pool = 1>}
  return
}
