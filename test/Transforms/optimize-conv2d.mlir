// What nki-optimize does to the naive conv kernel, at a shape with several
// spatial partitions (66x66 input, 64x64 = 4096 output positions = 8
// partitions of 512): weights transposed once, before the spatial loop;
// inside it no transpose, no whole-plane load, no element copy loop, one
// input load per (input-channel tile, group of up to 8 spatial blocks; here
// the 8 blocks are one group), one store per output tile.
// RUN: %conv2d_linalg --in-channels 128 --out-channels 128 --height 66 --width 66 > %t.mlir
// RUN: nki-opt %t.mlir --nki-import --nki-optimize | FileCheck %s

// CHECK-LABEL: func.func @conv2d
// The transposed weights, computed once into a cache.
// CHECK: %[[CACHE:.*]] = memref.alloc() : memref<128x1x1x3x3x128xf32, #nki.mem<sbuf>>
// CHECK: nki.transpose
// CHECK: nki.tensor_copy %{{.*}} to %{{.*}} : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>
// The bias tile, loaded once.
// CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x1xf32> to memref<128x1xf32, #nki.mem<sbuf>>
// One input load for the group of 8 spatial blocks (canonicalization
// removed the single-trip batch, channel and group loops): 8 x 8 rows plus
// the 2-row and 2-column halo, shared by the 9 filter taps of all blocks.
// CHECK: %[[SLAB:.*]] = memref.alloc() : memref<128x66x66xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy %{{.*}} to %[[SLAB]] : memref<128x66x66xf32, strided<[4356, 66, 1]>> to memref<128x66x66xf32, #nki.mem<sbuf>>
// The spatial block loop reads its 10 rows of the slab.
// CHECK: scf.for %[[SP:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NOT: nki.transpose
// CHECK: %[[BLOCK:.*]] = memref.subview %[[SLAB]][0, %{{.*}}, 0] [128, 10, 66]
// Filter row and column; inside, no DMA and no transpose.
// CHECK: scf.for %[[FH:.*]] =
// CHECK: scf.for %[[FW:.*]] =
// CHECK-NOT: nki.dma_copy
// The matmul reads the tap's shifted 8 x 64 window of the slab in place
// (copy forwarding; the block's offset in its window is always 0, which
// nki-fold-loop-constants proves by evaluation), accumulating into the
// PSUM tile viewed as 8 rows of 64.
// CHECK-NOT: nki.tensor_copy
// CHECK: %[[WINDOW:.*]] = memref.subview %[[BLOCK]][0, %[[FH]], %[[FW]]] [128, 8, 64]
// CHECK: %[[W:.*]] = memref.subview %[[CACHE]]
// CHECK: nki.matmul accumulate %[[W]], %[[WINDOW]] into %{{.*}} : {{.*}} into memref<128x8x64xf32, #nki.mem<psum>>
// CHECK: } {nki.affine_range}
// CHECK: } {nki.affine_range}
// One store of the tile: 512 positions into the collapsed output plane.
// CHECK: nki.tensor_scalar add
// CHECK-NOT: scf.for
// CHECK: nki.dma_copy {{.*}} to memref<128x512xf32, strided<[4096, 1], offset: ?>>
// CHECK-NEXT: } {nki.affine_range}
