// Every NKI op declares a write to its target, so upstream CSE does not merge
// two loads of the target across it (a missing or wrong effect would let it).
// RUN: nki-opt %s -cse -allow-unregistered-dialect | FileCheck %s

!t = memref<128x512xf32, #nki.mem<sbuf>>
!p = memref<128x512xf32, #nki.mem<psum>>
!w = memref<128x128xf32, #nki.mem<sbuf>>
!wp = memref<128x128xf32, #nki.mem<psum>>

// CHECK-LABEL: func.func @loads_not_merged
// CHECK:      memref.load %arg1
// CHECK-NEXT: nki.dma_copy
// CHECK-NEXT: memref.load %arg1
// CHECK-NEXT: nki.tensor_copy
// CHECK-NEXT: memref.load %arg1
// CHECK-NEXT: nki.tensor_tensor
// CHECK-NEXT: memref.load %arg1
// CHECK-NEXT: nki.tensor_scalar
// CHECK-NEXT: memref.load %arg1
// CHECK-NEXT: nki.memset
// CHECK-NEXT: memref.load %arg1
// CHECK-NEXT: memref.load %arg2
// CHECK-NEXT: nki.matmul overwrite
// CHECK-NEXT: memref.load %arg2
// CHECK-NEXT: nki.matmul accumulate
// CHECK-NEXT: memref.load %arg2
// CHECK-NEXT: memref.load %arg4
// CHECK-NEXT: nki.transpose
// CHECK-NEXT: memref.load %arg4
// CHECK-NEXT: memref.load %arg5
// CHECK-NEXT: nki.tensor_reduce
// CHECK-NEXT: memref.load %arg5
func.func @loads_not_merged(%a: !t, %b: !t, %acc: !p, %w: !w, %wt: !wp,
                            %row: memref<128xf32, #nki.mem<sbuf>>, %s: f32) {
  %c0 = arith.constant 0 : index
  %0 = memref.load %b[%c0, %c0] : !t
  nki.dma_copy %a to %b : !t to !t
  %1 = memref.load %b[%c0, %c0] : !t
  nki.tensor_copy %a to %b : !t to !t
  %2 = memref.load %b[%c0, %c0] : !t
  nki.tensor_tensor add %a, %a to %b : !t, !t to !t
  %3 = memref.load %b[%c0, %c0] : !t
  nki.tensor_scalar add %a, %s to %b : !t, f32 to !t
  %4 = memref.load %b[%c0, %c0] : !t
  nki.memset %b, 1.0 : !t
  %5 = memref.load %b[%c0, %c0] : !t
  %6 = memref.load %acc[%c0, %c0] : !p
  nki.matmul overwrite %w, %a into %acc : !w, !t into !p
  %7 = memref.load %acc[%c0, %c0] : !p
  nki.matmul accumulate %w, %a into %acc : !w, !t into !p
  %8 = memref.load %acc[%c0, %c0] : !p
  %9 = memref.load %wt[%c0, %c0] : !wp
  nki.transpose %w into %wt : !w into !wp
  %10 = memref.load %wt[%c0, %c0] : !wp
  %11 = memref.load %row[%c0] : memref<128xf32, #nki.mem<sbuf>>
  nki.tensor_reduce max %a to %row axes = [1] : !t to memref<128xf32, #nki.mem<sbuf>>
  %12 = memref.load %row[%c0] : memref<128xf32, #nki.mem<sbuf>>
  "test.use"(%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12) : (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) -> ()
  return
}
