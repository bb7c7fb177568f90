// RUN: nki-opt %s --convert-nki-to-linalg=vectorize=true --canonicalize --cse | FileCheck %s

// f32: per 16 x 16 block (column blocks outside, row blocks inside), 16
// row vectors loaded, transposed by 4 rounds of 8 shuffle pairs, and stored
// as 16 target rows at the block's row offset.
// CHECK-LABEL: func.func @f32
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[J0:.*]] = %{{.*}} to %{{.*}} step %[[C16:.*]] {
// CHECK: scf.for %[[R0:.*]] = %{{.*}} to %{{.*}} step %[[C16]] {
// CHECK-COUNT-16: vector.load %arg0[%{{.*}}, %[[J0]]] : memref<32x48xf32>, vector<16xf32>
// CHECK-COUNT-64: vector.shuffle
// CHECK-COUNT-16: vector.store %{{.*}}, %arg1[%{{.*}}, %[[R0]]] : memref<48x32xf32>, vector<16xf32>
// CHECK-NOT: vector.shuffle
func.func @f32(%a: memref<32x48xf32, #nki.mem<sbuf>>, %t: memref<48x32xf32, #nki.mem<psum>>) {
  nki.transpose %a into %t : memref<32x48xf32, #nki.mem<sbuf>> into memref<48x32xf32, #nki.mem<psum>>
  return
}

// bf16: rows 2r and 2r+1 interleaved into 16 words, the words transposed,
// each target row 32 bf16 (16 pairs of source rows).
// CHECK-LABEL: func.func @bf16
// CHECK: vector.interleave %{{.*}}, %{{.*}} : vector<16xbf16> -> vector<32xbf16>
// CHECK: vector.bitcast %{{.*}} : vector<32xbf16> to vector<16xi32>
// CHECK-COUNT-64: vector.shuffle
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<32xbf16>
// CHECK: vector.store %{{.*}}, %arg1[%{{.*}}, %{{.*}}] : memref<16x64xbf16>, vector<32xbf16>
func.func @bf16(%a: memref<64x16xbf16, #nki.mem<sbuf>>, %t: memref<16x64xbf16, #nki.mem<psum>>) {
  nki.transpose %a into %t : memref<64x16xbf16, #nki.mem<sbuf>> into memref<16x64xbf16, #nki.mem<psum>>
  return
}

// Kept as linalg: rows not a multiple of 16 (f32) or 32 (bf16), a dynamic
// tile, and strided rows.
// CHECK-LABEL: func.func @irregular
// CHECK-NOT: vector.shuffle
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: vector.shuffle
// CHECK: return
func.func @irregular(%a24: memref<24x16xf32, #nki.mem<sbuf>>, %t24: memref<16x24xf32, #nki.mem<psum>>,
                     %b16: memref<16x16xbf16, #nki.mem<sbuf>>, %u16: memref<16x16xbf16, #nki.mem<psum>>,
                     %dyn: memref<32x?xf32, #nki.mem<sbuf>>, %tdyn: memref<?x32xf32, #nki.mem<psum>>,
                     %strided: memref<32x16xf32, strided<[32, 2]>, #nki.mem<sbuf>>, %t: memref<16x32xf32, #nki.mem<psum>>) {
  nki.transpose %a24 into %t24 : memref<24x16xf32, #nki.mem<sbuf>> into memref<16x24xf32, #nki.mem<psum>>
  nki.transpose %b16 into %u16 : memref<16x16xbf16, #nki.mem<sbuf>> into memref<16x16xbf16, #nki.mem<psum>>
  nki.transpose %dyn into %tdyn : memref<32x?xf32, #nki.mem<sbuf>> into memref<?x32xf32, #nki.mem<psum>>
  nki.transpose %strided into %t : memref<32x16xf32, strided<[32, 2]>, #nki.mem<sbuf>> into memref<16x32xf32, #nki.mem<psum>>
  return
}
