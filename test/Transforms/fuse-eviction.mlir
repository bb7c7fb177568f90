// RUN: nki-opt %s -nki-fuse-eviction -split-input-file -verify-diagnostics | FileCheck %s

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
  // expected-remark @+1 {{nki-fuse-eviction: not fused: the op does not transform the evicted tile in place through exactly one operand}}
  nki.tensor_scalar add %res, %bias to %other : !res, !bias to !res
  nki.tensor_copy %acc to %res : !acc to !res
  // expected-remark @+1 {{nki-fuse-eviction: not fused: the op does not transform the evicted tile in place through exactly one operand}}
  nki.tensor_tensor add %res, %res to %res : !res, !res to !res
  return
}
