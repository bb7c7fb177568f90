// With count-events, each DMA, matmul and transpose first reports its kind
// and amount to nki_count_event; other ops report nothing.
// RUN: nki-opt %s --convert-nki-to-linalg=count-events | FileCheck %s
// RUN: nki-opt %s --convert-nki-to-linalg | FileCheck %s --check-prefix=OFF

// CHECK: func.func private @nki_count_event(i64, i64)
// CHECK-LABEL: func.func @events
// HBM->SBUF (kind 0): 128 x 64 f32 = 32768 bytes, computed from the dims.
// CHECK: %[[K0:.*]] = arith.constant 0 : i64
// CHECK: call @nki_count_event(%[[K0]], %{{.*}}) : (i64, i64) -> ()
// CHECK-NEXT: linalg.generic
// Matmul (kind 4), then transpose (kind 5); tensor_copy reports nothing.
// CHECK: %[[K4:.*]] = arith.constant 4 : i64
// CHECK: call @nki_count_event(%[[K4]], %{{.*}})
// CHECK: %[[K5:.*]] = arith.constant 5 : i64
// CHECK: call @nki_count_event(%[[K5]], %{{.*}})
// CHECK-NOT: call @nki_count_event
// SBUF->HBM (kind 1).
// CHECK: %[[K1:.*]] = arith.constant 1 : i64
// CHECK: call @nki_count_event(%[[K1]], %{{.*}})
// OFF-NOT: nki_count_event
func.func @events(%x: memref<128x64xf32>, %out: memref<128x64xf32>) {
  %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
  nki.dma_copy %x to %t : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  %acc = memref.alloc() : memref<64x64xf32, #nki.mem<psum>>
  nki.matmul overwrite %t, %t into %acc : memref<128x64xf32, #nki.mem<sbuf>>, memref<128x64xf32, #nki.mem<sbuf>> into memref<64x64xf32, #nki.mem<psum>>
  %tp = memref.alloc() : memref<64x128xf32, #nki.mem<psum>>
  nki.transpose %t into %tp : memref<128x64xf32, #nki.mem<sbuf>> into memref<64x128xf32, #nki.mem<psum>>
  %s = memref.alloc() : memref<64x128xf32, #nki.mem<sbuf>>
  nki.tensor_copy %tp to %s : memref<64x128xf32, #nki.mem<psum>> to memref<64x128xf32, #nki.mem<sbuf>>
  nki.dma_copy %t to %out : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32>
  return
}
