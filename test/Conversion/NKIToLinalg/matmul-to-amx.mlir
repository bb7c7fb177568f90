// RUN: nki-opt %s --convert-nki-to-linalg="amx-matmuls=true vectorize=true" --canonicalize --cse | FileCheck %s

// An accumulating 128 x 128 x (2 x 222) matmul. The stationary tile is
// packed as [M, K]: pairs of k rows interleaved into 32-bit words, 16 x 16
// blocks of words transposed by four rounds of shuffles. The strided moving
// view is packed in VNNI layout [K/2, 2 x 448] (444 columns padded to 448),
// 32 lanes of each row pair at a time, masked at the row end. The target,
// its free dims flattened to 444 columns, is then covered by 2 x 2 blocks of
// 16 x 16 tiles (416 columns), one column of single tiles (416..431) and a
// partial column (432..443, 12 columns) through a scratch tile; every block
// loads its accumulators, runs the 4 steps of 32 along K and stores them.
// CHECK-LABEL: func.func @accumulate
// CHECK-NOT: linalg.generic
// CHECK-NOT: vector.fma
// CHECK: %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x128xbf16>
// CHECK: scf.for %[[M0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: vector.interleave %{{.*}}, %{{.*}} : vector<16xbf16> -> vector<32xbf16>
// CHECK-COUNT-64: vector.shuffle
// CHECK: vector.store %{{.*}}, %[[A]][%[[M0]], %{{.*}}] : memref<128x128xbf16>, vector<32xbf16>
// CHECK: %[[B:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x896xbf16>
// CHECK: scf.for %[[R:.*]] =
// CHECK: scf.for %[[ROW:.*]] =
// CHECK: scf.for %[[L0:.*]] =
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<32xi1>
// CHECK: vector.maskedload %arg1[%{{.*}}, %[[ROW]], %[[L0]]], %[[MASK]]
// CHECK: vector.maskedload %arg1[%{{.*}}, %[[ROW]], %[[L0]]], %[[MASK]]
// CHECK: %[[PAIRS:.*]] = vector.interleave %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<64xbf16>
// CHECK: %[[PAIR_MASK:.*]] = vector.create_mask %{{.*}} : vector<64xi1>
// CHECK: vector.maskedstore %[[B]][%[[R]], %{{.*}}], %[[PAIR_MASK]], %[[PAIRS]]
// CHECK: %[[C:.*]] = memref.collapse_shape %arg2 {{\[\[}}0], [1, 2]] : memref<128x2x222xf32> into memref<128x444xf32>
// CHECK: scf.for %[[N0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[BM0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-COUNT-4: amx.tile_load %[[C]]{{.*}} into !amx.tile<16x16xf32>
// CHECK: amx.tile_load %[[A]]{{.*}} into !amx.tile<16x32xbf16>
// CHECK: amx.tile_load %[[A]]{{.*}} into !amx.tile<16x32xbf16>
// CHECK: amx.tile_load %[[B]]{{.*}} into !amx.tile<16x32xbf16>
// CHECK: amx.tile_load %[[B]]{{.*}} into !amx.tile<16x32xbf16>
// CHECK-COUNT-4: amx.tile_mulf
// CHECK-COUNT-4: amx.tile_store %[[C]]
// CHECK: scf.for
// CHECK: amx.tile_load %[[C]][%{{.*}}, %[[C416:.*]]] : memref<128x444xf32> into !amx.tile<16x16xf32>
// CHECK: %[[SCRATCH:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK: %[[TAIL:.*]] = vector.constant_mask [12] : vector<16xi1>
// CHECK: scf.for
// CHECK: vector.maskedload %[[C]][%{{.*}}, %[[C432:.*]]], %[[TAIL]]
// CHECK: amx.tile_load %[[SCRATCH]]
// CHECK: amx.tile_store %[[SCRATCH]]
// CHECK: vector.maskedstore %[[C]][%{{.*}}, %[[C432]]], %[[TAIL]]
func.func @accumulate(%w: memref<128x128xbf16, #nki.mem<sbuf>>,
                      %x: memref<128x2x222xbf16, strided<[896, 224, 1]>, #nki.mem<sbuf>>,
                      %acc: memref<128x2x222xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x2x222xbf16, strided<[896, 224, 1]>, #nki.mem<sbuf>> into memref<128x2x222xf32, #nki.mem<psum>>
  return
}

// An overwriting matmul with 48 rows (single 16-row tiles, 3 of them) and
// K = 64: the accumulators start as zero tiles, the target is never read;
// 512 columns are 16 pairs of tiles, with no partial column.
// CHECK-LABEL: func.func @overwrite
// CHECK-NOT: linalg.fill
// CHECK: scf.for %{{.*}} = %[[ZERO:.*]] to %[[C48:.*]] step %[[C16:.*]] {
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C48]] step %[[C16]] {
// CHECK-NOT: amx.tile_load %arg2
// CHECK: amx.tile_zero : !amx.tile<16x16xf32>
// CHECK: amx.tile_zero : !amx.tile<16x16xf32>
// CHECK-NOT: amx.tile_zero
// CHECK-COUNT-2: amx.tile_mulf
// CHECK-NOT: amx.tile_load %arg2
// CHECK-COUNT-2: amx.tile_mulf
// CHECK-COUNT-2: amx.tile_store %{{.*}} : memref<48x512xf32>
// CHECK-NOT: memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK: return
func.func @overwrite(%w: memref<64x48xbf16, #nki.mem<sbuf>>,
                     %x: memref<64x512xbf16, #nki.mem<sbuf>>,
                     %acc: memref<48x512xf32, #nki.mem<psum>>) {
  nki.matmul overwrite %w, %x into %acc
      : memref<64x48xbf16, #nki.mem<sbuf>>, memref<64x512xbf16, #nki.mem<sbuf>> into memref<48x512xf32, #nki.mem<psum>>
  return
}

// Not for AMX, so the vector kernel (or the generic form) takes them: f32
// tiles, K not a multiple of 32, M not a multiple of 16, a ragged (dynamic)
// tile, and a target whose free dims are not contiguous.
// CHECK-LABEL: func.func @not_amx
// CHECK-NOT: amx.
// CHECK: linalg.generic
// CHECK-NOT: amx.
// CHECK: return
func.func @not_amx(%w32: memref<128x128xf32, #nki.mem<sbuf>>, %x32: memref<128x512xf32, #nki.mem<sbuf>>,
                   %acc: memref<128x512xf32, #nki.mem<psum>>,
                   %w48: memref<48x128xbf16, #nki.mem<sbuf>>, %x48: memref<48x512xbf16, #nki.mem<sbuf>>,
                   %w8: memref<128x8xbf16, #nki.mem<sbuf>>, %acc8: memref<8x512xf32, #nki.mem<psum>>,
                   %x: memref<128x512xbf16, #nki.mem<sbuf>>, %w: memref<128x128xbf16, #nki.mem<sbuf>>,
                   %xs: memref<128x2x200xbf16, #nki.mem<sbuf>>,
                   %accs: memref<128x2x200xf32, strided<[512, 256, 1]>, #nki.mem<psum>>,
                   %wd: memref<128x?xbf16, #nki.mem<sbuf>>, %accd: memref<?x512xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w32, %x32 into %acc
      : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  nki.matmul accumulate %w48, %x48 into %acc
      : memref<48x128xbf16, #nki.mem<sbuf>>, memref<48x512xbf16, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  nki.matmul accumulate %w8, %x into %acc8
      : memref<128x8xbf16, #nki.mem<sbuf>>, memref<128x512xbf16, #nki.mem<sbuf>> into memref<8x512xf32, #nki.mem<psum>>
  nki.matmul accumulate %w, %xs into %accs
      : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x2x200xbf16, #nki.mem<sbuf>> into memref<128x2x200xf32, strided<[512, 256, 1]>, #nki.mem<psum>>
  nki.matmul accumulate %wd, %x into %accd
      : memref<128x?xbf16, #nki.mem<sbuf>>, memref<128x512xbf16, #nki.mem<sbuf>> into memref<?x512xf32, #nki.mem<psum>>
  return
}
