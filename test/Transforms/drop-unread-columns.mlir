// RUN: nki-opt %s --nki-drop-unread-columns --split-input-file | FileCheck %s

// The im2col block: 512-column matmuls into PSUM, an eviction, and a store
// of the first 420 columns. The eviction is narrowed to 420 columns, which
// leaves the PSUM tile read only there: its memset and matmuls (with their
// moving tiles) are narrowed too.
// CHECK-LABEL: func.func @im2col_block
// CHECK: %[[ACC:.*]] = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
// CHECK: %[[ACC420:.*]] = memref.subview %[[ACC]][0, 0] [128, 420] [1, 1]
// CHECK: nki.memset %[[ACC420]], 0.000000e+00 : memref<128x420xf32, strided<[512, 1]>, #nki.mem<psum>>
// CHECK: scf.for
// CHECK: %[[COLS:.*]] = memref.subview %arg1
// CHECK: %[[COLS420:.*]] = memref.subview %[[COLS]][0, 0] [128, 420] [1, 1]
// CHECK: %[[ACC420B:.*]] = memref.subview %[[ACC]][0, 0] [128, 420] [1, 1]
// CHECK: nki.matmul accumulate %arg0, %[[COLS420]] into %[[ACC420B]] : {{.*}}, memref<128x420xbf16, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>> into memref<128x420xf32, strided<[512, 1]>, #nki.mem<psum>>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<128x512xbf16, #nki.mem<sbuf>>
// CHECK: %[[SRC:.*]] = memref.subview %[[ACC]][0, 0] [128, 420] [1, 1]
// CHECK: %[[DST:.*]] = memref.subview %[[OUT]][0, 0] [128, 420] [1, 1]
// CHECK: nki.tensor_scalar add %[[SRC]], %arg2 to %[[DST]] : memref<128x420xf32, strided<[512, 1]>, #nki.mem<psum>>, memref<128x1xbf16, #nki.mem<sbuf>> to memref<128x420xbf16, strided<[512, 1]>, #nki.mem<sbuf>>
func.func @im2col_block(%w: memref<128x128xbf16, #nki.mem<sbuf>>, %cols: memref<128x2x512xbf16, #nki.mem<sbuf>>,
                        %bias: memref<128x1xbf16, #nki.mem<sbuf>>, %out: memref<128x420xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  nki.memset %acc, 0.0 : memref<128x512xf32, #nki.mem<psum>>
  scf.for %i = %c0 to %c2 step %c1 {
    %m = memref.subview %cols[0, %i, 0] [128, 1, 512] [1, 1, 1] : memref<128x2x512xbf16, #nki.mem<sbuf>> to memref<128x512xbf16, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>>
    nki.matmul accumulate %w, %m into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x512xbf16, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  } {nki.affine_range}
  %tile = memref.alloc() : memref<128x512xbf16, #nki.mem<sbuf>>
  nki.tensor_scalar add %acc, %bias to %tile : memref<128x512xf32, #nki.mem<psum>>, memref<128x1xbf16, #nki.mem<sbuf>> to memref<128x512xbf16, #nki.mem<sbuf>>
  %rows = memref.subview %tile[0, 0] [128, 420] [1, 1] : memref<128x512xbf16, #nki.mem<sbuf>> to memref<128x420xbf16, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.dma_copy %rows to %out : memref<128x420xbf16, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x420xbf16>
  return
}

// -----

// Left alone: a read at a loop-dependent column (not static), a read of the
// whole tile, a use by an op outside the dialect, and a 3-D tile.
// Every fill still copies whole tiles.
// CHECK-LABEL: func.func @not_narrowed
// CHECK: nki.dma_copy %arg0 to %{{.*}} : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy %arg0 to %{{.*}} : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy %arg0 to %{{.*}} : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.dma_copy %arg3 to %{{.*}} : memref<128x2x512xf32> to memref<128x2x512xf32, #nki.mem<sbuf>>
func.func private @opaque(memref<128x512xf32, #nki.mem<sbuf>>)
func.func @not_narrowed(%src: memref<128x512xf32>, %out: memref<128x256xf32>, %out2: memref<128x512xf32>,
                        %src3: memref<128x2x512xf32>, %out3: memref<128x2x100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %dynamic = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %src to %dynamic : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c2 step %c1 {
    %at = arith.muli %i, %c1 : index
    %v = memref.subview %dynamic[0, %at] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
    nki.dma_copy %v to %out : memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x256xf32>
  }
  %whole = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %src to %whole : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  %part = memref.subview %whole[0, 0] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.dma_copy %part to %out : memref<128x256xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x256xf32>
  nki.dma_copy %whole to %out2 : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32>
  %escapes = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %src to %escapes : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  func.call @opaque(%escapes) : (memref<128x512xf32, #nki.mem<sbuf>>) -> ()
  %cube = memref.alloc() : memref<128x2x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %src3 to %cube : memref<128x2x512xf32> to memref<128x2x512xf32, #nki.mem<sbuf>>
  %c100 = memref.subview %cube[0, 0, 0] [128, 2, 100] [1, 1, 1] : memref<128x2x512xf32, #nki.mem<sbuf>> to memref<128x2x100xf32, strided<[1024, 512, 1]>, #nki.mem<sbuf>>
  nki.dma_copy %c100 to %out3 : memref<128x2x100xf32, strided<[1024, 512, 1]>, #nki.mem<sbuf>> to memref<128x2x100xf32>
  return
}
