// RUN: nki-opt %s -nki-hoist-loads --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s
// RUN: nki-opt %s -nki-hoist-loads=sbuf-budget=1024 --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SMALL

// A per-channel-tile bias load inside (oc, sp) depends on oc only: loaded
// once per oc tile, before the sp loop; the add reads it.
// CHECK-LABEL: func.func @bias
// CHECK: scf.for %[[OC:.*]] =
// CHECK: %[[CACHE:.*]] = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x1xf32, strided<[1, 1], offset: ?>> to memref<128x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
// CHECK: scf.for
// CHECK-NOT: nki.dma_copy
// CHECK: nki.tensor_scalar add
func.func @bias(%bias: memref<256x1xf32>, %res: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  scf.for %oc = %c0 to %c2 step %c1 {
    %oc0 = arith.muli %oc, %c128 : index
    scf.for %sp = %c0 to %c8 step %c1 {
      %t = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
      %src = memref.subview %bias[%oc0, 0] [128, 1] [1, 1] : memref<256x1xf32> to memref<128x1xf32, strided<[1, 1], offset: ?>>
      nki.dma_copy %src to %t : memref<128x1xf32, strided<[1, 1], offset: ?>> to memref<128x1xf32, #nki.mem<sbuf>>
      nki.tensor_scalar add %res, %t to %res : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// An input block that depends on the spatial loop, not on the output-channel
// loop around it. With room, all 8 blocks are cached before the loops; with
// a 1 KiB budget they do not fit, so the channel loop moves inside the
// spatial loop and one block, loaded per spatial step, serves both tiles.
// CHECK-LABEL: func.func @slab
// CHECK: memref.alloc() : memref<128x8x64xf32, #nki.mem<sbuf>>
// CHECK: scf.for {{.*}} to %c8
// CHECK: nki.dma_copy
// SMALL-LABEL: func.func @slab
// SMALL: scf.for %[[SP:.*]] = %{{.*}} to %[[C8:.*]] step
// SMALL: %[[SLOT:.*]] = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
// SMALL: nki.dma_copy %{{.*}} to %{{.*}}
// SMALL: scf.for %[[OC:.*]] = %{{.*}} to %{{.*}} step
// SMALL-NOT: nki.dma_copy
// SMALL: nki.matmul accumulate %{{.*}}, %{{.*}} into
func.func @slab(%x: memref<128x512xf32>, %w: memref<128x128xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  scf.for %oc = %c0 to %c2 step %c1 {
    scf.for %sp = %c0 to %c8 step %c1 {
      %start = arith.muli %sp, %c64 : index
      %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
      %src = memref.subview %x[0, %start] [128, 64] [1, 1] : memref<128x512xf32> to memref<128x64xf32, strided<[512, 1], offset: ?>>
      nki.dma_copy %src to %t : memref<128x64xf32, strided<[512, 1], offset: ?>> to memref<128x64xf32, #nki.mem<sbuf>>
      %acc = memref.alloc() : memref<128x64xf32, #nki.mem<psum>>
      nki.matmul accumulate %w, %t into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x64xf32, #nki.mem<sbuf>> into memref<128x64xf32, #nki.mem<psum>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// Left alone: a load that depends on every loop (silently), and one whose
// tensor the loops write (with a remark).
// CHECK-LABEL: func.func @blocked
func.func @blocked(%x: memref<128x512xf32>, %y: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  scf.for %sp = %c0 to %c8 step %c1 {
    %start = arith.muli %sp, %c64 : index
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[0, %start] [128, 64] [1, 1] : memref<128x512xf32> to memref<128x64xf32, strided<[512, 1], offset: ?>>
    nki.dma_copy %src to %t : memref<128x64xf32, strided<[512, 1], offset: ?>> to memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %t to %y : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  scf.for %sp = %c0 to %c8 step %c1 {
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[0, 0] [128, 64] [1, 1] : memref<128x512xf32> to memref<128x64xf32, strided<[512, 1]>>
    // expected-remark @+1 {{Category:nki-hoist-loads | Remark="not hoisted: an op in the loops may write the loaded tensor}}
    nki.dma_copy %src to %t : memref<128x64xf32, strided<[512, 1]>> to memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %t to %y : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, #nki.mem<sbuf>>
    %dst = memref.subview %x[0, 64] [128, 64] [1, 1] : memref<128x512xf32> to memref<128x64xf32, strided<[512, 1], offset: 64>>
    nki.dma_copy %y to %dst : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[512, 1], offset: 64>>
  } {nki.affine_range}
  return
}

// -----

// Regression: the hoisted tile [128, 2, 128] is read through a rank-reducing
// subview (one 2-D half of it). The view of the cache slot drops the same
// dim, so the transpose still reads a 2-D tile (it read a 3-D one before,
// which the verifier rejects).
// CHECK-LABEL: func.func @rank_reducing_read
// CHECK: memref.alloc() : memref<128x2x128xf32, #nki.mem<sbuf>>
// CHECK: scf.for
// CHECK-NOT: nki.dma_copy
// CHECK: %[[HALF:.*]] = memref.subview %{{.*}}[0, 1, 0] [128, 1, 128] [1, 1, 1] : memref<128x2x128xf32, {{.*}}> to memref<128x128xf32, {{.*}}>
// CHECK: nki.transpose %[[HALF]] into
func.func @rank_reducing_read(%w: memref<128x2x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<128x2x128xf32, #nki.mem<sbuf>>
    nki.dma_copy %w to %t : memref<128x2x128xf32> to memref<128x2x128xf32, #nki.mem<sbuf>>
    %half = memref.subview %t[0, 1, 0] [128, 1, 128] [1, 1, 1] : memref<128x2x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[256, 1], offset: 128>, #nki.mem<sbuf>>
    %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
    nki.transpose %half into %p : memref<128x128xf32, strided<[256, 1], offset: 128>, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  } {nki.affine_range}
  return
}

// -----

// A zero-padded image: a memset of the whole tile, then a load into its
// interior, in a loop neither depends on. The pair is one chain, hoisted;
// the memset fills the cache slot too. Also under the small budget: a cache
// of one tile (1,296 bytes per partition) takes no more SBUF than the tile
// did in the loop.
// CHECK-LABEL: func.func @zero_padded_image
// CHECK: %[[CACHE:.*]] = memref.alloc() : memref<128x18x18xf32, #nki.mem<sbuf>>
// CHECK: nki.memset %{{.*}}, 0.0
// CHECK: nki.dma_copy
// CHECK: scf.for
// CHECK-NOT: nki.memset
// CHECK-NOT: nki.dma_copy
// CHECK: nki.tensor_copy
// SMALL-LABEL: func.func @zero_padded_image
// SMALL: nki.memset
// SMALL: nki.dma_copy
// SMALL: scf.for
// SMALL-NOT: nki.dma_copy
// SMALL: nki.tensor_copy
func.func @zero_padded_image(%x: memref<128x16x16xf32>, %out: memref<128x16x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %t = %c0 to %c3 step %c1 {
    %image = memref.alloc() : memref<128x18x18xf32, #nki.mem<sbuf>>
    nki.memset %image, 0.0 : memref<128x18x18xf32, #nki.mem<sbuf>>
    %interior = memref.subview %image[0, 1, 1] [128, 16, 16] [1, 1, 1] : memref<128x18x18xf32, #nki.mem<sbuf>> to memref<128x16x16xf32, strided<[324, 18, 1], offset: 19>, #nki.mem<sbuf>>
    nki.dma_copy %x to %interior : memref<128x16x16xf32> to memref<128x16x16xf32, strided<[324, 18, 1], offset: 19>, #nki.mem<sbuf>>
    %window = memref.subview %image[0, %t, %t] [128, 16, 16] [1, 1, 1] : memref<128x18x18xf32, #nki.mem<sbuf>> to memref<128x16x16xf32, strided<[324, 18, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %window to %out : memref<128x16x16xf32, strided<[324, 18, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x16x16xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Must not fire: a load into part of a tile that nothing fills first (the
// rest of the tile is whatever the iteration left there).
// CHECK-LABEL: func.func @partial_load_without_memset
// CHECK: scf.for
// CHECK: memref.alloc() : memref<128x18x18xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy
// SMALL-LABEL: func.func @partial_load_without_memset
// SMALL: scf.for
// SMALL: nki.dma_copy
func.func @partial_load_without_memset(%x: memref<128x16x16xf32>, %out: memref<128x16x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %t = %c0 to %c3 step %c1 {
    %image = memref.alloc() : memref<128x18x18xf32, #nki.mem<sbuf>>
    %interior = memref.subview %image[0, 1, 1] [128, 16, 16] [1, 1, 1] : memref<128x18x18xf32, #nki.mem<sbuf>> to memref<128x16x16xf32, strided<[324, 18, 1], offset: 19>, #nki.mem<sbuf>>
    nki.dma_copy %x to %interior : memref<128x16x16xf32> to memref<128x16x16xf32, strided<[324, 18, 1], offset: 19>, #nki.mem<sbuf>>
    %window = memref.subview %image[0, %t, %t] [128, 16, 16] [1, 1, 1] : memref<128x18x18xf32, #nki.mem<sbuf>> to memref<128x16x16xf32, strided<[324, 18, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %window to %out : memref<128x16x16xf32, strided<[324, 18, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x16x16xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Must not fire, nor reorder: the load depends on %i only, and the loop it
// does not depend on runs once, so no cache pays; moving that loop inside
// %i would not make one pay either, so the nest keeps its order.
// CHECK-LABEL: func.func @one_trip_outside
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C1:.*]] step %[[C1]] {
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C1]] {
// CHECK: nki.dma_copy
// SMALL-LABEL: func.func @one_trip_outside
// SMALL: scf.for %{{.*}} = %{{.*}} to %[[C1:.*]] step %[[C1]] {
// SMALL-NEXT: scf.for
// SMALL: nki.dma_copy
func.func @one_trip_outside(%x: memref<4x128x16xf32>, %out: memref<128x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %b = %c0 to %c1 step %c1 {
    scf.for %i = %c0 to %c4 step %c1 {
      %t = memref.alloc() : memref<128x16xf32, #nki.mem<sbuf>>
      %src = memref.subview %x[%i, 0, 0] [1, 128, 16] [1, 1, 1] : memref<4x128x16xf32> to memref<128x16xf32, strided<[16, 1], offset: ?>>
      // expected-remark @+1 {{Category:nki-hoist-loads | Remark="not hoisted: the loops it does not depend on run once: a cache would not save work}}
      nki.dma_copy %src to %t : memref<128x16xf32, strided<[16, 1], offset: ?>> to memref<128x16xf32, #nki.mem<sbuf>>
      nki.tensor_copy %t to %out : memref<128x16xf32, #nki.mem<sbuf>> to memref<128x16xf32, #nki.mem<sbuf>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
