// RUN: nki-opt %s -nki-fuse-eviction --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

!acc = memref<128x512xf32, #nki.mem<psum>>
!res = memref<128x512xbf16, #nki.mem<sbuf>>
!bias = memref<128x1xf32, #nki.mem<sbuf>>

// The bias is added while the PSUM result moves to SBUF.
// CHECK-LABEL: func.func @bias_at_eviction
// CHECK-SAME: (%[[ACC:.*]]: memref<128x512xf32, #nki.mem<psum>>, %[[RES:.*]]: memref<128x512xbf16, #nki.mem<sbuf>>, %[[BIAS:.*]]: memref<128x1xf32, #nki.mem<sbuf>>)
// CHECK-NOT: nki.tensor_copy
// CHECK: nki.tensor_scalar add %[[ACC]], %[[BIAS]] to %[[RES]]
func.func @bias_at_eviction(%acc: !acc, %res: !res, %bias: !bias) {
  nki.tensor_copy %acc to %res : !acc to !res
  nki.tensor_scalar add %res, %bias to %res : !res, !bias to !res
  return
}

// -----

!acc = memref<128x512xf32, #nki.mem<psum>>
!res = memref<128x512xf32, #nki.mem<sbuf>>

// An unrelated op in between does not matter; tensor_tensor fuses too.
// CHECK-LABEL: func.func @tensor_tensor
// CHECK: nki.memset
// CHECK-NOT: nki.tensor_copy
// CHECK: nki.tensor_tensor max %arg2, %arg0 to %arg1
func.func @tensor_tensor(%acc: !acc, %res: !res, %other: !res, %unrelated: !res) {
  nki.tensor_copy %acc to %res : !acc to !res
  nki.memset %unrelated, 0.0 : !res
  nki.tensor_tensor max %other, %res to %res : !res, !res to !res
  return
}

// -----

!acc = memref<128x512xf32, #nki.mem<psum>>
!res = memref<128x512xf32, #nki.mem<sbuf>>
!bias = memref<128x1xf32, #nki.mem<sbuf>>

// Must not fuse: the PSUM tile is written in between (a new accumulation);
// the copied tile is read by something else first; the op writes another
// tile; the op reads the tile twice.
// CHECK-LABEL: func.func @blocked
// CHECK-COUNT-4: nki.tensor_copy
func.func @blocked(%acc: !acc, %res: !res, %bias: !bias, %w: memref<128x128xf32, #nki.mem<sbuf>>, %x: !res, %out: memref<128x512xf32>, %other: !res) {
  nki.tensor_copy %acc to %res : !acc to !res
  nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, !res into !acc
  nki.tensor_scalar add %res, %bias to %res : !res, !bias to !res
  nki.tensor_copy %acc to %res : !acc to !res
  nki.dma_copy %res to %out : !res to memref<128x512xf32>
  nki.tensor_scalar add %res, %bias to %res : !res, !bias to !res
  nki.tensor_copy %acc to %res : !acc to !res
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_scalar add %res, %bias to %other : !res, !bias to !res
  nki.tensor_copy %acc to %res : !acc to !res
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_tensor add %res, %res to %res : !res, !res to !res
  return
}

// -----

!acc = memref<128x64xf32, #nki.mem<psum>>
!res = memref<128x64xf32, #nki.mem<sbuf>>
!col = memref<128x1xf32, strided<[64, 1], offset: 3>, #nki.mem<sbuf>>

// Regression: the op also reads the evicted tile through a view (a column as
// the scalar, a reshape as the other operand). Fused, it would read the view
// before the tile is written; both stay, with a remark.
// CHECK-LABEL: func.func @second_read_through_a_view
// CHECK-COUNT-2: nki.tensor_copy
func.func @second_read_through_a_view(%acc: !acc, %res: !res, %wide: memref<128x2x32xf32, #nki.mem<sbuf>>) {
  nki.tensor_copy %acc to %res : !acc to !res
  %col = memref.subview %res[0, 3] [128, 1] [1, 1] : !res to !col
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_scalar add %res, %col to %res : !res, !col to !res
  nki.tensor_copy %acc to %res : !acc to !res
  %rows = memref.expand_shape %res [[0], [1, 2]] output_shape [128, 2, 32] : !res into memref<128x2x32xf32, #nki.mem<sbuf>>
  %flat = memref.collapse_shape %rows [[0], [1, 2]] : memref<128x2x32xf32, #nki.mem<sbuf>> into !res
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_tensor add %res, %flat to %res : !res, !res to !res
  return
}

// -----

!res = memref<128x64xf32, #nki.mem<sbuf>>
!half = memref<128x32xf32, strided<[64, 1]>, #nki.mem<sbuf>>

// A copy between two views of one buffer is not an eviction: left alone.
// CHECK-LABEL: func.func @copy_within_a_buffer
// CHECK: nki.tensor_copy
func.func @copy_within_a_buffer(%buf: !res, %bias: memref<128x1xf32, #nki.mem<sbuf>>) {
  %lo = memref.subview %buf[0, 0] [128, 32] [1, 1] : !res to !half
  %hi = memref.subview %buf[0, 32] [128, 32] [1, 1] : !res to memref<128x32xf32, strided<[64, 1], offset: 32>, #nki.mem<sbuf>>
  nki.tensor_copy %hi to %lo : memref<128x32xf32, strided<[64, 1], offset: 32>, #nki.mem<sbuf>> to !half
  nki.tensor_scalar add %lo, %bias to %lo : !half, memref<128x1xf32, #nki.mem<sbuf>> to !half
  return
}

// -----

!acc = memref<128x512xf32, #nki.mem<psum>>
!res = memref<128x512xf32, #nki.mem<sbuf>>
!rows = memref<16x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
!accrows = memref<16x512xf32, strided<[512, 1]>, #nki.mem<psum>>

// A tile of 16 output channels: the ReLU transforms its first 16
// partitions in place and only those are read later (the write-back), so
// the ReLU reads the same 16 partitions of PSUM and the copy goes.
// CHECK-LABEL: func.func @partition_prefix
// CHECK-SAME: (%[[ACC:.*]]: memref<128x512xf32, #nki.mem<psum>>,
// CHECK-NOT: nki.tensor_copy
// CHECK: %[[FROM:.*]] = memref.subview %[[ACC]][0, 0] [16, 512] [1, 1]
// CHECK: nki.tensor_scalar max %[[FROM]], %{{.*}} to %{{.*}} : memref<16x512xf32, strided<[512, 1]>, #nki.mem<psum>>
// CHECK: nki.dma_copy
func.func @partition_prefix(%acc: !acc, %out: memref<16x100xf32>) {
  %zero = arith.constant 0.0 : f32
  %res = memref.alloc() : !res
  nki.tensor_copy %acc to %res : !acc to !res
  %rows = memref.subview %res[0, 0] [16, 512] [1, 1] : !res to !rows
  nki.tensor_scalar max %rows, %zero to %rows : !rows, f32 to !rows
  %used = memref.subview %res[0, 0] [16, 100] [1, 1] : !res to memref<16x100xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.dma_copy %used to %out : memref<16x100xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<16x100xf32>
  return
}

// Must not fuse: partition 16 onwards is read later (the copy wrote it);
// the prefix covers half of the free dim; the tile is a view of a larger
// buffer (another view of it may read the rest).
// CHECK-LABEL: func.func @prefix_blocked
// CHECK-COUNT-3: nki.tensor_copy
func.func @prefix_blocked(%acc: !acc, %out: memref<32x100xf32>, %big: memref<256x512xf32, #nki.mem<sbuf>>) {
  %zero = arith.constant 0.0 : f32
  %res = memref.alloc() : !res
  nki.tensor_copy %acc to %res : !acc to !res
  %rows = memref.subview %res[0, 0] [16, 512] [1, 1] : !res to !rows
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_scalar max %rows, %zero to %rows : !rows, f32 to !rows
  %more = memref.subview %res[0, 0] [32, 100] [1, 1] : !res to memref<32x100xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.dma_copy %more to %out : memref<32x100xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<32x100xf32>

  %res2 = memref.alloc() : !res
  nki.tensor_copy %acc to %res2 : !acc to !res
  %half = memref.subview %res2[0, 0] [16, 256] [1, 1] : !res to memref<16x256xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_scalar max %half, %zero to %half : memref<16x256xf32, strided<[512, 1]>, #nki.mem<sbuf>>, f32 to memref<16x256xf32, strided<[512, 1]>, #nki.mem<sbuf>>

  %res3 = memref.subview %big[0, 0] [128, 512] [1, 1] : memref<256x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.tensor_copy %acc to %res3 : !acc to memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  %rows3 = memref.subview %res3[0, 0] [16, 512] [1, 1] : memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>> to !rows
  // expected-remark @+1 {{Category:nki-fuse-eviction | Remark="not fused: the op does not transform the evicted tile (or the only partitions of it read later) in place through exactly one operand}}
  nki.tensor_scalar max %rows3, %zero to %rows3 : !rows, f32 to !rows
  return
}
