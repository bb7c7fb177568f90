// RUN: nki-opt %s --convert-nki-to-linalg=vectorize=true --canonicalize --cse | FileCheck %s

// A DMA of 30 rows of 14 (rows 16 apart in HBM): per partition and row, one
// 16-lane f32 vector masked to the 14 elements of the row.
// CHECK-LABEL: func.func @rows
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[P:.*]] =
// CHECK: scf.for %[[R:.*]] =
// CHECK: %[[MASK:.*]] = vector.constant_mask [14] : vector<16xi1>
// CHECK: %[[V:.*]] = vector.maskedload %arg0[%[[P]], %[[R]], %{{.*}}], %[[MASK]]
// CHECK: vector.maskedstore %arg1[%[[P]], %[[R]], %{{.*}}], %[[MASK]], %[[V]]
func.func @rows(%x: memref<128x30x14xf32, strided<[512, 16, 1]>>, %t: memref<128x30x14xf32, #nki.mem<sbuf>>) {
  nki.dma_copy %x to %t : memref<128x30x14xf32, strided<[512, 16, 1]>> to memref<128x30x14xf32, #nki.mem<sbuf>>
  return
}

// An eviction of f32 PSUM into bf16 SBUF: 512-element rows in unmasked
// 16-lane steps, each rounded with arith.truncf.
// CHECK-LABEL: func.func @evict
// CHECK-NOT: vector.maskedload
// CHECK: scf.for %[[P:.*]] =
// CHECK: scf.for %[[L:.*]] = %{{.*}} to %{{.*}} step %[[C16:.*]] {
// CHECK: %[[V:.*]] = vector.load %arg0[%[[P]], %[[L]]] : memref<128x512xf32>, vector<16xf32>
// CHECK: %[[B:.*]] = arith.truncf %[[V]] : vector<16xf32> to vector<16xbf16>
// CHECK: vector.store %[[B]], %arg1[%[[P]], %[[L]]] : memref<128x512xbf16>, vector<16xbf16>
func.func @evict(%acc: memref<128x512xf32, #nki.mem<psum>>, %t: memref<128x512xbf16, #nki.mem<sbuf>>) {
  nki.tensor_copy %acc to %t : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xbf16, #nki.mem<sbuf>>
  return
}

// Kept as linalg: a strided last dim (the weights' per-tap gather), and a
// dynamic tile.
// CHECK-LABEL: func.func @irregular
// CHECK-NOT: vector.load
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: vector.load
// CHECK: return
func.func @irregular(%w: memref<128x128xbf16, strided<[2304, 9]>>, %t: memref<128x128xbf16, #nki.mem<sbuf>>,
                     %d: memref<128x?xf32>, %u: memref<128x?xf32, #nki.mem<sbuf>>) {
  nki.dma_copy %w to %t : memref<128x128xbf16, strided<[2304, 9]>> to memref<128x128xbf16, #nki.mem<sbuf>>
  nki.dma_copy %d to %u : memref<128x?xf32> to memref<128x?xf32, #nki.mem<sbuf>>
  return
}

// f16 to bf16: neither type extends the other, so the copy goes through f32
// (a direct arith.truncf between them does not verify).
// CHECK-LABEL: func.func @f16_to_bf16
// CHECK: %[[V:.*]] = vector.load %arg0
// CHECK: %[[W:.*]] = arith.extf %[[V]] : vector<{{[0-9]+}}xf16> to vector<{{[0-9]+}}xf32>
// CHECK: %[[B:.*]] = arith.truncf %[[W]] : vector<{{[0-9]+}}xf32> to vector<{{[0-9]+}}xbf16>
// CHECK: vector.store %[[B]], %arg1
func.func @f16_to_bf16(%x: memref<128x64xf16, #nki.mem<sbuf>>, %y: memref<128x64xbf16, #nki.mem<sbuf>>) {
  nki.tensor_copy %x to %y : memref<128x64xf16, #nki.mem<sbuf>> to memref<128x64xbf16, #nki.mem<sbuf>>
  return
}
