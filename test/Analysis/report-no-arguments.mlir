// Regression (mutation fuzzing): a kernel without arguments crashed the
// report while it computed the Tensor-Engine roofline (it read the first
// argument's element type). It counts as fp32: 2 x 2,097,152 MACs at
// 20 TFLOP/s is 0.2 us.
// RUN: nki-opt %s --nki-report -o /dev/null | FileCheck %s

// CHECK: nki-report @no_arguments
// CHECK: count: dma HBM->SBUF 0 (0 bytes);{{.*}} matmul 1 (2097152 MACs); transpose 0
// CHECK: Tensor-Engine roofline 0.2 us
func.func @no_arguments() {
  %w = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  %x = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  %acc = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.memset %w, 1.0 : memref<128x128xf32, #nki.mem<sbuf>>
  nki.memset %x, 1.0 : memref<128x128xf32, #nki.mem<sbuf>>
  nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  return
}
