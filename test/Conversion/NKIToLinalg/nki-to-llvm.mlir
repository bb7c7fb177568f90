// The named pipeline takes a kernel all the way to the LLVM dialect: nothing
// of ours or of the structured dialects is left, every buffer allocated in
// the loops is freed, and the C interface the runner calls is emitted.
// RUN: nki-opt %s --nki-to-llvm | FileCheck %s

// CHECK-LABEL: llvm.func @tile
// CHECK-NOT: nki.
// CHECK-NOT: linalg.
// CHECK-NOT: scf.
// CHECK-NOT: memref.
// CHECK-COUNT-2: llvm.call @malloc
// CHECK-COUNT-2: llvm.call @free
// CHECK: llvm.func @_mlir_ciface_tile
func.func @tile(%x: memref<4x128x64xf32>, %out: memref<4x128x64xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    %u = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %src to %t : memref<128x64xf32, strided<[64, 1], offset: ?>> to memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add %t, %t to %u : memref<128x64xf32, #nki.mem<sbuf>>, memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
    %dst = memref.subview %out[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.dma_copy %u to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.affine_range}
  return
}
