// RUN: nki-opt %s -nki-forward-copies --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s
// RUN: nki-opt %s -nki-forward-copies=into-matmul=false -split-input-file 2>/dev/null | FileCheck %s --check-prefix=KEEP

!slab = memref<128x4x16xf32, #nki.mem<sbuf>>
!rows = memref<128x2x14xf32, strided<[64, 16, 1], offset: 18>, #nki.mem<sbuf>>

// A shifted window copied into a plane that is only copied onward, flattened:
// one copy from the window into the destination viewed as rows.
// CHECK-LABEL: func.func @copy_then_flat_copy
// CHECK-SAME: (%[[SLAB:.*]]: memref<128x4x16xf32, #nki.mem<sbuf>>, %[[DST:.*]]: memref<128x28xf32, #nki.mem<sbuf>>
// CHECK: %[[WIN:.*]] = memref.subview %[[SLAB]][0, 1, 2] [128, 2, 14]
// CHECK-NOT: memref.alloc
// CHECK: %[[ROWS:.*]] = memref.expand_shape %[[DST]] {{\[\[}}0], [1, 2]] output_shape [128, 2, 14]
// CHECK-NEXT: nki.tensor_copy %[[WIN]] to %[[ROWS]] : {{.*}} to memref<128x2x14xf32, #nki.mem<sbuf>>
// CHECK-NEXT: return
func.func @copy_then_flat_copy(%slab: !slab, %dst: memref<128x28xf32, #nki.mem<sbuf>>) {
  %win = memref.subview %slab[0, 1, 2] [128, 2, 14] [1, 1, 1] : !slab to !rows
  %plane = memref.alloc() : memref<128x2x14xf32, #nki.mem<sbuf>>
  nki.tensor_copy %win to %plane : !rows to memref<128x2x14xf32, #nki.mem<sbuf>>
  %flat = memref.collapse_shape %plane [[0], [1, 2]]
      : memref<128x2x14xf32, #nki.mem<sbuf>> into memref<128x28xf32, #nki.mem<sbuf>>
  nki.tensor_copy %flat to %dst : memref<128x28xf32, #nki.mem<sbuf>> to memref<128x28xf32, #nki.mem<sbuf>>
  return
}

// -----

// A DMA into a tile that is only copied onward: the DMA writes the
// destination, with the cast the onward copy made.
// CHECK-LABEL: func.func @dma_then_copy
// CHECK-NOT: memref.alloc
// CHECK: nki.dma_copy %arg0 to %arg1 : memref<128x64xf32> to memref<128x64xbf16, #nki.mem<sbuf>>
// CHECK-NOT: nki.tensor_copy
func.func @dma_then_copy(%src: memref<128x64xf32>, %dst: memref<128x64xbf16, #nki.mem<sbuf>>) {
  %tile = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
  nki.dma_copy %src to %tile : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xbf16, #nki.mem<sbuf>>
  return
}

// -----

!slab = memref<128x4x16xf32, #nki.mem<sbuf>>
!rows = memref<128x2x14xf32, strided<[64, 16, 1], offset: 18>, #nki.mem<sbuf>>
!w = memref<128x128xf32, #nki.mem<sbuf>>
!acc = memref<128x512xf32, #nki.mem<psum>>

// The seed's moving tile: a shifted window (after the two copies above
// collapse into one) written into the first 28 columns of a 512-column tile.
// The matmul reads the window itself and accumulates into the matching
// 2x14 view of the PSUM tile; the other 484 columns were undefined.
// CHECK-LABEL: func.func @window_into_matmul
// CHECK-SAME: (%[[SLAB:.*]]: memref<128x4x16xf32, #nki.mem<sbuf>>, %[[W:.*]]: memref<128x128xf32, #nki.mem<sbuf>>, %[[ACC:.*]]: memref<128x512xf32, #nki.mem<psum>>)
// CHECK: %[[WIN:.*]] = memref.subview %[[SLAB]][0, 1, 2] [128, 2, 14]
// CHECK-NOT: nki.tensor_copy
// CHECK: %[[COLS:.*]] = memref.subview %[[ACC]][0, 0] [128, 28] [1, 1]
// CHECK: %[[OUT:.*]] = memref.expand_shape %[[COLS]] {{\[\[}}0], [1, 2]] output_shape [128, 2, 14] : memref<128x28xf32, strided<[512, 1]>, #nki.mem<psum>> into memref<128x2x14xf32, strided<[512, 14, 1]>, #nki.mem<psum>>
// CHECK: nki.matmul accumulate %[[W]], %[[WIN]] into %[[OUT]]
// KEEP-LABEL: func.func @window_into_matmul
// KEEP: nki.tensor_copy
// KEEP: nki.matmul accumulate %{{.*}}, %[[TILE:.*]] into %arg2 : {{.*}}, memref<128x512xf32, #nki.mem<sbuf>> into
func.func @window_into_matmul(%slab: !slab, %w: !w, %acc: !acc) {
  %win = memref.subview %slab[0, 1, 2] [128, 2, 14] [1, 1, 1] : !slab to !rows
  %moving = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  %cols = memref.subview %moving[0, 0] [128, 28] [1, 1]
      : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x28xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  %plane = memref.expand_shape %cols [[0], [1, 2]] output_shape [128, 2, 14]
      : memref<128x28xf32, strided<[512, 1]>, #nki.mem<sbuf>> into memref<128x2x14xf32, strided<[512, 14, 1]>, #nki.mem<sbuf>>
  nki.tensor_copy %win to %plane : !rows to memref<128x2x14xf32, strided<[512, 14, 1]>, #nki.mem<sbuf>>
  nki.matmul accumulate %w, %moving into %acc : !w, memref<128x512xf32, #nki.mem<sbuf>> into !acc
  return
}

// -----

// A converting copy is not a detour: the tile holds rounded values.
// CHECK-LABEL: func.func @converting_copy
// CHECK: nki.tensor_copy %arg0 to %[[T:.*]] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xbf16, #nki.mem<sbuf>>
// CHECK: nki.tensor_copy %[[T]] to %arg1
func.func @converting_copy(%src: memref<128x64xf32, #nki.mem<sbuf>>, %dst: memref<128x64xf32, #nki.mem<sbuf>>) {
  %tile = memref.alloc() : memref<128x64xbf16, #nki.mem<sbuf>>
  // expected-remark @below {{Category:nki-forward-copies | Remark="not forwarded: the copy converts the element type}}
  nki.tensor_copy %src to %tile : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %tile to %dst : memref<128x64xbf16, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  return
}

// -----

// The source changes between the copy and the read: the tile holds the old
// values, so it stays. An opaque call blocks the same way.
// CHECK-LABEL: func.func @source_written_between
// CHECK: nki.tensor_copy %arg0 to %[[T:.*]] :
// CHECK: nki.memset %arg0
// CHECK: nki.tensor_copy %[[T]] to %arg1
func.func @source_written_between(%src: memref<128x64xf32, #nki.mem<sbuf>>, %dst: memref<128x64xf32, #nki.mem<sbuf>>) {
  %tile = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
  // expected-remark @below {{Category:nki-forward-copies | Remark="not forwarded: an op between the copy and the read may write the copied data}}
  nki.tensor_copy %src to %tile : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset %src, 0.0 : memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  return
}

func.func private @opaque()

// CHECK-LABEL: func.func @opaque_call_between
// CHECK: nki.dma_copy %arg0 to %[[T:.*]] :
// CHECK: call @opaque
// CHECK: nki.tensor_copy %[[T]] to %arg1
func.func @opaque_call_between(%src: memref<128x64xf32>, %dst: memref<128x64xf32, #nki.mem<sbuf>>) {
  %tile = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
  // expected-remark @below {{Category:nki-forward-copies | Remark="not forwarded: an op between the copy and the read may write the copied data}}
  nki.dma_copy %src to %tile : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  func.call @opaque() : () -> ()
  nki.tensor_copy %tile to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  return
}

// -----

// The onward copy writes where the data came from (overlapping windows of
// one buffer): through the tile the reads all happen first; forwarded they
// would not.
// CHECK-LABEL: func.func @overlapping_destination
// CHECK: nki.tensor_copy %{{.*}} to %[[T:.*]] :
// CHECK: nki.tensor_copy %[[T]] to
func.func @overlapping_destination(%buf: memref<128x64xf32, #nki.mem<sbuf>>) {
  %a = memref.subview %buf[0, 0] [128, 32] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[64, 1]>, #nki.mem<sbuf>>
  %b = memref.subview %buf[0, 16] [128, 32] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[64, 1], offset: 16>, #nki.mem<sbuf>>
  %tile = memref.alloc() : memref<128x32xf32, #nki.mem<sbuf>>
  // expected-remark @below {{Category:nki-forward-copies | Remark="not forwarded: the copied data may overlap the destination}}
  nki.tensor_copy %a to %tile : memref<128x32xf32, strided<[64, 1]>, #nki.mem<sbuf>> to memref<128x32xf32, #nki.mem<sbuf>>
  nki.tensor_copy %tile to %b : memref<128x32xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[64, 1], offset: 16>, #nki.mem<sbuf>>
  return
}

// -----

// A moving tile filled in 64 of its 128 partitions: the other partitions
// are undefined but still contracted, so the matmul keeps its tile.
// CHECK-LABEL: func.func @partial_partitions
// CHECK: nki.tensor_copy
// CHECK: nki.matmul accumulate %arg1, %[[T:.*]] into
func.func @partial_partitions(%src: memref<64x512xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %acc: memref<128x512xf32, #nki.mem<psum>>) {
  %moving = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  %half = memref.subview %moving[0, 0] [64, 512] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<64x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  // expected-remark @below {{Category:nki-forward-copies | Remark="not forwarded: the copy fills only some partitions of the moving tile}}
  nki.tensor_copy %src to %half : memref<64x512xf32, #nki.mem<sbuf>> to memref<64x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.matmul accumulate %w, %moving into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

// A tile read twice is needed: nothing to forward, and nothing to say.
// CHECK-LABEL: func.func @read_twice
// CHECK: nki.tensor_copy %arg0 to %[[T:.*]] :
// CHECK: nki.tensor_copy %[[T]] to %arg1
// CHECK: nki.tensor_copy %[[T]] to %arg2
func.func @read_twice(%src: memref<128x64xf32, #nki.mem<sbuf>>, %d1: memref<128x64xf32, #nki.mem<sbuf>>, %d2: memref<128x64xf32, #nki.mem<sbuf>>) {
  %tile = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %src to %tile : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %tile to %d1 : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %tile to %d2 : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  return
}

// -----

!slab = memref<128x4x16xf32, #nki.mem<sbuf>>
!rows = memref<128x2x14xf32, strided<[64, 16, 1], offset: 18>, #nki.mem<sbuf>>

// The plane is read by the matmul flattened: the matmul reads the window
// and writes its PSUM tile regrouped into the plane's rows.
// CHECK-LABEL: func.func @flattened_plane_into_matmul
// CHECK-SAME: (%[[SLAB:.*]]: memref<128x4x16xf32, #nki.mem<sbuf>>, %[[W:.*]]: memref<128x128xf32, #nki.mem<sbuf>>, %[[ACC:.*]]: memref<128x28xf32, #nki.mem<psum>>)
// CHECK: %[[WIN:.*]] = memref.subview %[[SLAB]][0, 1, 2] [128, 2, 14]
// CHECK-NOT: nki.tensor_copy
// CHECK: %[[OUT:.*]] = memref.expand_shape %[[ACC]] {{\[\[}}0], [1, 2]] output_shape [128, 2, 14]
// CHECK: nki.matmul accumulate %[[W]], %[[WIN]] into %[[OUT]]
func.func @flattened_plane_into_matmul(%slab: !slab, %w: memref<128x128xf32, #nki.mem<sbuf>>, %acc: memref<128x28xf32, #nki.mem<psum>>) {
  %win = memref.subview %slab[0, 1, 2] [128, 2, 14] [1, 1, 1] : !slab to !rows
  %plane = memref.alloc() : memref<128x2x14xf32, #nki.mem<sbuf>>
  nki.tensor_copy %win to %plane : !rows to memref<128x2x14xf32, #nki.mem<sbuf>>
  %flat = memref.collapse_shape %plane [[0], [1, 2]]
      : memref<128x2x14xf32, #nki.mem<sbuf>> into memref<128x28xf32, #nki.mem<sbuf>>
  nki.matmul accumulate %w, %flat into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x28xf32, #nki.mem<sbuf>> into memref<128x28xf32, #nki.mem<psum>>
  return
}

// -----

// Regression: a ragged output-channel tile (M known at run time) makes the
// PSUM target's partition dim dynamic; its view for the forwarded columns
// takes that size as a value, not as a static marker (the pass built an
// invalid subview: two dynamic sizes, one operand).
// CHECK-LABEL: func.func @ragged_target
// CHECK-SAME: (%[[N:.*]]: index, %[[W:.*]]: memref<128x128xf32, #nki.mem<sbuf>>, %[[SRC:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[ACC:.*]]: memref<128x512xf32, #nki.mem<psum>>)
// CHECK-DAG: %[[ROWS:.*]] = memref.subview %[[ACC]][0, 0] [%[[N]], 512] [1, 1]
// CHECK-DAG: %[[COLS:.*]] = memref.subview %[[SRC]][0, 0] [128, 420] [1, 1]
// CHECK: %[[TARGET:.*]] = memref.subview %[[ROWS]][0, 0] [%[[N]], 420] [1, 1]
// CHECK: nki.matmul accumulate %{{.*}}, %[[COLS]] into %[[TARGET]]
func.func @ragged_target(%n: index, %w: memref<128x128xf32, #nki.mem<sbuf>>, %src: memref<128x512xf32, #nki.mem<sbuf>>, %acc: memref<128x512xf32, #nki.mem<psum>>) {
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  %cols = memref.subview %src[0, 0] [128, 420] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x420xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  %part = memref.subview %tile[0, 0] [128, 420] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x420xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.tensor_copy %cols to %part : memref<128x420xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x420xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  %wm = memref.subview %w[0, 0] [128, %n] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %rows = memref.subview %acc[0, 0] [%n, 512] [1, 1] : memref<128x512xf32, #nki.mem<psum>> to memref<?x512xf32, strided<[512, 1]>, #nki.mem<psum>>
  nki.matmul accumulate %wm, %tile into %rows : memref<128x?xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<?x512xf32, strided<[512, 1]>, #nki.mem<psum>>
  return
}
