// RUN: nki-opt %s --convert-nki-to-linalg=fold-transposes=true --canonicalize | FileCheck %s
// RUN: nki-opt %s --convert-nki-to-linalg | FileCheck %s --check-prefix=KEEP
// RUN: nki-opt %s --convert-nki-to-linalg="fold-transposes=true amx-matmuls=true" | FileCheck %s --check-prefix=AMX

// A filter tap gathered from HBM, transposed through PSUM and copied back to
// SBUF: the matmul reads the tap where it is, through a transposed view, and
// the DMA, the transpose and the copy are gone.
// CHECK-LABEL: func.func @tap
// CHECK-SAME: (%[[W:.*]]: memref<128x128x3x3xf32>, %[[X:.*]]: memref<128x49xf32>, %[[ACC:.*]]: memref<128x49xf32>)
// CHECK: %[[TAP:.*]] = memref.subview %[[W]][0, 0, 1, 2] [128, 128, 1, 1] [1, 1, 1, 1]
// CHECK: %[[T:.*]] = memref.transpose %[[TAP]] (d0, d1) -> (d1, d0) : {{.*}} to memref<128x128xf32, strided<[9, 1152], offset: 5>>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[T]], %[[X]] :
// CHECK-NOT: linalg.generic
// CHECK: return
// KEEP-LABEL: func.func @tap
// KEEP-COUNT-4: linalg.generic
func.func @tap(%w: memref<128x128x3x3xf32>, %x: memref<128x49xf32, #nki.mem<sbuf>>, %acc: memref<128x49xf32, #nki.mem<psum>>) {
  %tile = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  %tap = memref.subview %w[0, 0, 1, 2] [128, 128, 1, 1] [1, 1, 1, 1] : memref<128x128x3x3xf32> to memref<128x128xf32, strided<[1152, 9], offset: 5>>
  nki.dma_copy %tap to %tile : memref<128x128xf32, strided<[1152, 9], offset: 5>> to memref<128x128xf32, #nki.mem<sbuf>>
  %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x49xf32, #nki.mem<sbuf>> into memref<128x49xf32, #nki.mem<psum>>
  return
}

// The tile is read by something else too (an eviction of it): the DMA stays
// and the matmul reads the tile through the transposed view.
// CHECK-LABEL: func.func @tile_reused
// CHECK: %[[TILE:.*]] = memref.alloc() {{.*}} : memref<64x128xf32>
// CHECK: linalg.generic {{.*}} outs(%[[TILE]] :
// CHECK: %[[T:.*]] = memref.transpose %[[TILE]] (d0, d1) -> (d1, d0)
// CHECK: linalg.generic {{.*}} ins(%[[T]], %{{.*}} :
// CHECK: linalg.generic {{.*}} ins(%[[TILE]] :
func.func @tile_reused(%w: memref<64x128xf32>, %x: memref<128x49xf32, #nki.mem<sbuf>>, %acc: memref<64x49xf32, #nki.mem<psum>>, %out: memref<64x128xf32>) {
  %tile = memref.alloc() : memref<64x128xf32, #nki.mem<sbuf>>
  nki.dma_copy %w to %tile : memref<64x128xf32> to memref<64x128xf32, #nki.mem<sbuf>>
  %p = memref.alloc() : memref<128x64xf32, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<64x128xf32, #nki.mem<sbuf>> into memref<128x64xf32, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x64xf32, #nki.mem<psum>> to memref<128x64xf32, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x64xf32, #nki.mem<sbuf>>, memref<128x49xf32, #nki.mem<sbuf>> into memref<64x49xf32, #nki.mem<psum>>
  nki.dma_copy %tile to %out : memref<64x128xf32, #nki.mem<sbuf>> to memref<64x128xf32>
  return
}

// Not folded: the tile is overwritten between the transpose and the matmul
// (the matmul must see the transposed old values).
// CHECK-LABEL: func.func @overwritten
// CHECK-NOT: memref.transpose
// CHECK: return
func.func @overwritten(%tile: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<128x49xf32, #nki.mem<sbuf>>, %acc: memref<128x49xf32, #nki.mem<psum>>) {
  %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  nki.memset %tile, 0.0 : memref<128x128xf32, #nki.mem<sbuf>>
  %s = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x49xf32, #nki.mem<sbuf>> into memref<128x49xf32, #nki.mem<psum>>
  return
}

// The weights in HBM change between the DMA and the matmul: the matmul must
// not read them there; the transpose alone still folds, reading the tile.
// CHECK-LABEL: func.func @hbm_written
// CHECK: %[[TILE:.*]] = memref.alloc() {{.*}} : memref<128x128xf32>
// CHECK: linalg.generic {{.*}} outs(%[[TILE]] :
// CHECK: memref.store
// CHECK: %[[T:.*]] = memref.transpose %[[TILE]]
// CHECK: linalg.generic {{.*}} ins(%[[T]], %{{.*}} :
func.func @hbm_written(%w: memref<128x128xf32>, %x: memref<128x49xf32, #nki.mem<sbuf>>, %acc: memref<128x49xf32, #nki.mem<psum>>, %f: f32) {
  %c0 = arith.constant 0 : index
  %tile = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.dma_copy %w to %tile : memref<128x128xf32> to memref<128x128xf32, #nki.mem<sbuf>>
  memref.store %f, %w[%c0, %c0] : memref<128x128xf32>
  %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x49xf32, #nki.mem<sbuf>> into memref<128x49xf32, #nki.mem<psum>>
  return
}

// Not folded: the eviction rounds to bf16, a step the matmul must keep.
// CHECK-LABEL: func.func @rounding
// CHECK-NOT: memref.transpose
// CHECK: return
func.func @rounding(%tile: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<128x49xbf16, #nki.mem<sbuf>>, %acc: memref<128x49xf32, #nki.mem<psum>>) {
  %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x128xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xbf16, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x49xbf16, #nki.mem<sbuf>> into memref<128x49xf32, #nki.mem<psum>>
  return
}

// Not folded: the transposed PSUM tile is also evicted elsewhere.
// CHECK-LABEL: func.func @psum_reused
// CHECK-NOT: memref.transpose
// CHECK: return
func.func @psum_reused(%tile: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<128x49xf32, #nki.mem<sbuf>>, %acc: memref<128x49xf32, #nki.mem<psum>>, %out: memref<128x128xf32>) {
  %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x49xf32, #nki.mem<sbuf>> into memref<128x49xf32, #nki.mem<psum>>
  %e = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p to %e : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
  nki.dma_copy %e to %out : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32>
  return
}

// With AMX matmuls, bf16 tiles keep their transposes (the AMX kernel packs
// tiles with contiguous rows); f32 ones still fold.
// AMX-LABEL: func.func @bf16_amx
// AMX-NOT: memref.transpose
// AMX: return
func.func @bf16_amx(%tile: memref<128x128xbf16, #nki.mem<sbuf>>, %x: memref<128x64xbf16, #nki.mem<sbuf>>, %acc: memref<128x64xf32, #nki.mem<psum>>) {
  %p = memref.alloc() : memref<128x128xbf16, #nki.mem<psum>>
  nki.transpose %tile into %p : memref<128x128xbf16, #nki.mem<sbuf>> into memref<128x128xbf16, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x128xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %p to %s : memref<128x128xbf16, #nki.mem<psum>> to memref<128x128xbf16, #nki.mem<sbuf>>
  nki.matmul accumulate %s, %x into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x64xbf16, #nki.mem<sbuf>> into memref<128x64xf32, #nki.mem<psum>>
  return
}

// A ragged channel tile (the last 32 of 160 channels): the tiles are views
// of whole allocations, which go with them.
// CHECK-LABEL: func.func @ragged
// CHECK-SAME: (%[[TILE:[^:]*]]: memref<128x128xf32>
// CHECK: %[[PART:.*]] = memref.subview %[[TILE]][0, 0] [%{{.*}}, 96]
// CHECK: %[[T:.*]] = memref.transpose %[[PART]] (d0, d1) -> (d1, d0)
// CHECK: linalg.generic {{.*}} ins(%[[T]], %{{.*}} :
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @ragged(%tile: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<96x49xf32, #nki.mem<sbuf>>, %acc: memref<128x49xf32, #nki.mem<psum>>, %n: index) {
  %part = memref.subview %tile[0, 0] [%n, 96] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<?x96xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  %pv = memref.subview %p[0, 0] [96, %n] [1, 1] : memref<128x128xf32, #nki.mem<psum>> to memref<96x?xf32, strided<[128, 1]>, #nki.mem<psum>>
  nki.transpose %part into %pv : memref<?x96xf32, strided<[128, 1]>, #nki.mem<sbuf>> into memref<96x?xf32, strided<[128, 1]>, #nki.mem<psum>>
  %s = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  %sv = memref.subview %s[0, 0] [96, %n] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<96x?xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  nki.tensor_copy %pv to %sv : memref<96x?xf32, strided<[128, 1]>, #nki.mem<psum>> to memref<96x?xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %accv = memref.subview %acc[0, 0] [%n, 49] [1, 1] : memref<128x49xf32, #nki.mem<psum>> to memref<?x49xf32, strided<[49, 1]>, #nki.mem<psum>>
  nki.matmul accumulate %sv, %x into %accv : memref<96x?xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<96x49xf32, #nki.mem<sbuf>> into memref<?x49xf32, strided<[49, 1]>, #nki.mem<psum>>
  return
}
