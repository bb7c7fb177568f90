// RUN: nki-opt %s -nki-load-slices --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

// The naive kernel after copy-loop folding: positions [start, start + n) of
// a 30x14 plane are read, so only rows [start / 14, ceil((start + n) / 14))
// are loaded. The range is computed before the DMA (n is recomputed there).
// CHECK-LABEL: func.func @partition_of_plane
// CHECK-SAME: (%[[X:.*]]: memref<128x32x16xf32>, %[[START:.*]]: index, %[[SIZE:.*]]: index)
// CHECK: %[[PLANE:.*]] = memref.alloc() : memref<128x30x14xf32, #nki.mem<sbuf>>
// CHECK: %[[WINDOW:.*]] = memref.subview %[[X]][0, 1, 2] [128, 30, 14]
// CHECK: %[[N:.*]] = arith.minsi %{{.*}}, %[[SIZE]] : index
// CHECK: %[[C14:.*]] = arith.constant 14 : index
// CHECK: %[[LO:.*]] = arith.divui %[[START]], %[[C14]] : index
// CHECK: %[[LAST:.*]] = arith.addi %[[START]], %[[N]] : index
// CHECK: %[[HI:.*]] = arith.ceildivui %[[LAST]], %[[C14]] : index
// CHECK: %[[R0:.*]] = arith.minui %[[LO]], %{{.*}} : index
// CHECK: %[[R1:.*]] = arith.minui %[[HI]], %{{.*}} : index
// CHECK: %[[MAX:.*]] = arith.maxui %[[R1]], %[[R0]] : index
// CHECK: %[[COUNT:.*]] = arith.subi %[[MAX]], %[[R0]] : index
// CHECK: %[[ROWS:.*]] = arith.minui %[[COUNT]], %{{.*}} : index
// CHECK: %[[SRC:.*]] = memref.subview %[[WINDOW]][0, %[[R0]], 0] [128, %[[ROWS]], 14] [1, 1, 1]
// CHECK: %[[DST:.*]] = memref.subview %[[PLANE]][0, %[[R0]], 0] [128, %[[ROWS]], 14] [1, 1, 1]
// CHECK: nki.dma_copy %[[SRC]] to %[[DST]] : memref<128x?x14xf32, strided<[512, 16, 1], offset: ?>> to memref<128x?x14xf32, strided<[420, 14, 1], offset: ?>, #nki.mem<sbuf>>
// CHECK-NOT: nki.dma_copy
func.func @partition_of_plane(%x: memref<128x32x16xf32>, %start: index, %size: index) -> memref<128x512xf32, #nki.mem<sbuf>> {
  %c512 = arith.constant 512 : index
  %plane = memref.alloc() : memref<128x30x14xf32, #nki.mem<sbuf>>
  %window = memref.subview %x[0, 1, 2] [128, 30, 14] [1, 1, 1] : memref<128x32x16xf32> to memref<128x30x14xf32, strided<[512, 16, 1], offset: 18>>
  nki.dma_copy %window to %plane : memref<128x30x14xf32, strided<[512, 16, 1], offset: 18>> to memref<128x30x14xf32, #nki.mem<sbuf>>
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x30x14xf32, #nki.mem<sbuf>> into memref<128x420xf32, #nki.mem<sbuf>>
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  %n = arith.minsi %c512, %size : index
  %cols = memref.subview %flat[0, %start] [128, %n] [1, 1] : memref<128x420xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>>
  %dst = memref.subview %tile[0, 0] [128, %n] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: an op other than an NKI read uses the buffer}}
  nki.tensor_copy %cols to %dst : memref<128x?xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  return %tile : memref<128x512xf32, #nki.mem<sbuf>>
}

// -----

// Static reads: rows 4-7 and 6-9 are used, rows 4-9 loaded; the union of
// two reads, one through an expand_shape that leaves the rows alone.
// CHECK-LABEL: func.func @static_rows
// CHECK: %[[SRC:.*]] = memref.subview %arg0[0, 4, 0] [64, 6, 8] [1, 1, 1] : memref<64x16x8xbf16> to memref<64x6x8xbf16, strided<[128, 8, 1], offset: 32>>
// CHECK: %[[DST:.*]] = memref.subview %{{.*}}[0, 4, 0] [64, 6, 8] [1, 1, 1]
// CHECK: nki.dma_copy %[[SRC]] to %[[DST]]
func.func @static_rows(%x: memref<64x16x8xbf16>, %out: memref<64x4x8xf32, #nki.mem<sbuf>>, %out2: memref<64x4x4x2xf32, #nki.mem<sbuf>>) {
  %t = memref.alloc() : memref<64x16x8xbf16, #nki.mem<sbuf>>
  nki.dma_copy %x to %t : memref<64x16x8xbf16> to memref<64x16x8xbf16, #nki.mem<sbuf>>
  %a = memref.subview %t[0, 4, 0] [64, 4, 8] [1, 1, 1] : memref<64x16x8xbf16, #nki.mem<sbuf>> to memref<64x4x8xbf16, strided<[128, 8, 1], offset: 32>, #nki.mem<sbuf>>
  nki.tensor_copy %a to %out : memref<64x4x8xbf16, strided<[128, 8, 1], offset: 32>, #nki.mem<sbuf>> to memref<64x4x8xf32, #nki.mem<sbuf>>
  %e = memref.expand_shape %t [[0], [1], [2, 3]] output_shape [64, 16, 4, 2] : memref<64x16x8xbf16, #nki.mem<sbuf>> into memref<64x16x4x2xbf16, #nki.mem<sbuf>>
  %b = memref.subview %e[0, 6, 0, 0] [64, 4, 4, 2] [1, 1, 1, 1] : memref<64x16x4x2xbf16, #nki.mem<sbuf>> to memref<64x4x4x2xbf16, strided<[128, 8, 2, 1], offset: 48>, #nki.mem<sbuf>>
  nki.tensor_copy %b to %out2 : memref<64x4x4x2xbf16, strided<[128, 8, 2, 1], offset: 48>, #nki.mem<sbuf>> to memref<64x4x4x2xf32, #nki.mem<sbuf>>
  return
}

// -----

// Left alone without a remark: every row is read (the weight tile fed to a
// transpose).
// CHECK-LABEL: func.func @whole_buffer
// CHECK: nki.dma_copy %arg0 to %[[T:.*]] : memref<128x128xf32> to memref<128x128xf32, #nki.mem<sbuf>>
func.func @whole_buffer(%w: memref<128x128xf32>, %wt: memref<128x128xf32, #nki.mem<psum>>) {
  %t = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.dma_copy %w to %t : memref<128x128xf32> to memref<128x128xf32, #nki.mem<sbuf>>
  nki.transpose %t into %wt : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  return
}

// -----

// Must not fire: the buffer is written again after the load (an intervening
// write), or read before it.
func.func @written_again(%x: memref<64x16x8xf32>, %y: memref<64x16x8xf32, #nki.mem<sbuf>>, %out: memref<64x4x8xf32, #nki.mem<sbuf>>) {
  %t = memref.alloc() : memref<64x16x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: the buffer is written again after the load}}
  nki.dma_copy %x to %t : memref<64x16x8xf32> to memref<64x16x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: the buffer is used before the load}}
  nki.tensor_copy %y to %t : memref<64x16x8xf32, #nki.mem<sbuf>> to memref<64x16x8xf32, #nki.mem<sbuf>>
  %a = memref.subview %t[0, 4, 0] [64, 4, 8] [1, 1, 1] : memref<64x16x8xf32, #nki.mem<sbuf>> to memref<64x4x8xf32, strided<[128, 8, 1], offset: 32>, #nki.mem<sbuf>>
  nki.tensor_copy %a to %out : memref<64x4x8xf32, strided<[128, 8, 1], offset: 32>, #nki.mem<sbuf>> to memref<64x4x8xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @read_before(%x: memref<64x16x8xf32>, %out: memref<64x4x8xf32, #nki.mem<sbuf>>) {
  %t = memref.alloc() : memref<64x16x8xf32, #nki.mem<sbuf>>
  %a = memref.subview %t[0, 4, 0] [64, 4, 8] [1, 1, 1] : memref<64x16x8xf32, #nki.mem<sbuf>> to memref<64x4x8xf32, strided<[128, 8, 1], offset: 32>, #nki.mem<sbuf>>
  nki.tensor_copy %a to %out : memref<64x4x8xf32, strided<[128, 8, 1], offset: 32>, #nki.mem<sbuf>> to memref<64x4x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: the buffer is used before the load}}
  nki.dma_copy %x to %t : memref<64x16x8xf32> to memref<64x16x8xf32, #nki.mem<sbuf>>
  return
}

// -----

// Must not fire: an opaque call gets the buffer; a read whose range the
// analysis cannot derive; a read inside a loop whose range moves with it
// (fold the copy loop first).
func.func private @opaque(memref<64x16x8xf32, #nki.mem<sbuf>>)
func.func @blocked(%x: memref<64x16x8xf32>, %out: memref<64x1x8xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.alloc() : memref<64x16x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: an op other than an NKI read uses the buffer}}
  nki.dma_copy %x to %t : memref<64x16x8xf32> to memref<64x16x8xf32, #nki.mem<sbuf>>
  func.call @opaque(%t) : (memref<64x16x8xf32, #nki.mem<sbuf>>) -> ()
  %u = memref.alloc() : memref<64x16x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: a read's range is not known}}
  nki.dma_copy %x to %u : memref<64x16x8xf32> to memref<64x16x8xf32, #nki.mem<sbuf>>
  %r = memref.reinterpret_cast %u to offset: [8], sizes: [64, 1, 8], strides: [128, 8, 1] : memref<64x16x8xf32, #nki.mem<sbuf>> to memref<64x1x8xf32, strided<[128, 8, 1], offset: 8>, #nki.mem<sbuf>>
  nki.tensor_copy %r to %out : memref<64x1x8xf32, strided<[128, 8, 1], offset: 8>, #nki.mem<sbuf>> to memref<64x1x8xf32, #nki.mem<sbuf>>
  %v = memref.alloc() : memref<64x16x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-load-slices | Remark="not narrowed: a read's range is computed after the load}}
  nki.dma_copy %x to %v : memref<64x16x8xf32> to memref<64x16x8xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c4 step %c1 {
    %row = memref.subview %v[0, %i, 0] [64, 1, 8] [1, 1, 1] : memref<64x16x8xf32, #nki.mem<sbuf>> to memref<64x1x8xf32, strided<[128, 8, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %row to %out : memref<64x1x8xf32, strided<[128, 8, 1], offset: ?>, #nki.mem<sbuf>> to memref<64x1x8xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// A read of at most 494 positions (min with 494) starting at sp * 494, a
// multiple of the 38-wide rows, spans at most 13 rows: the load is a fixed
// 13-row window starting at the read's first row, moved back to row 45 at
// the end of the 58-row buffer, so the DMA shapes are static; and the buffer
// shrinks to those 13 rows, the read shifted by the window's first row.
// CHECK-LABEL: func.func @static_window
// CHECK: %[[START:.*]] = arith.muli %arg2, %{{.*}} : index
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<128x13x38xf32, #nki.mem<sbuf>>
// CHECK: %[[C38:.*]] = arith.constant 38 : index
// CHECK: %[[FIRST:.*]] = arith.divui %[[START]], %[[C38]] : index
// CHECK: %[[C45:.*]] = arith.constant 45 : index
// CHECK: %[[R0:.*]] = arith.minui %[[FIRST]], %[[C45]] : index
// CHECK: %[[SRC:.*]] = memref.subview %arg0[0, %[[R0]], 0] [128, 13, 38] [1, 1, 1]
// CHECK: nki.dma_copy %[[SRC]] to %[[BUF]] : memref<128x13x38xf32, strided<[2204, 38, 1], offset: ?>> to memref<128x13x38xf32, #nki.mem<sbuf>>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[BUF]] {{\[\[}}0], [1, 2]] : memref<128x13x38xf32, #nki.mem<sbuf>> into memref<128x494xf32, #nki.mem<sbuf>>
// CHECK: %[[SHIFT:.*]] = arith.muli %[[R0]], %{{.*}} : index
// CHECK: %[[OFFSET:.*]] = arith.subi %[[START]], %[[SHIFT]] : index
// CHECK: memref.subview %[[FLAT]][0, %[[OFFSET]]]
func.func @static_window(%x: memref<128x58x38xf32>, %tile: memref<128x512xf32, #nki.mem<sbuf>>, %sp: index, %size: index) {
  %c494 = arith.constant 494 : index
  %start = arith.muli %sp, %c494 : index
  %plane = memref.alloc() : memref<128x58x38xf32, #nki.mem<sbuf>>
  nki.dma_copy %x to %plane : memref<128x58x38xf32> to memref<128x58x38xf32, #nki.mem<sbuf>>
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  %n = arith.minsi %c494, %size : index
  %cols = memref.subview %flat[0, %start] [128, %n] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
  %dst = memref.subview %tile[0, 0] [128, %n] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.tensor_copy %cols to %dst : memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  return
}

// -----

// On-chip copies narrow like DMAs: a tap's window of a zero-padded image
// (padded on chip) is copied into a plane of which a spatial partition
// reads rows [start / 14, ...); only those rows are copied. PSUM evictions
// are left whole.
// CHECK-LABEL: func.func @padded_image_window
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<128x32x16xf32, #nki.mem<sbuf>>
// CHECK: %[[WINDOW:.*]] = memref.subview %[[IMAGE]][0, %{{.*}}, %{{.*}}] [128, 30, 14] [1, 1, 1]
// CHECK: %[[LO:.*]] = arith.divui
// CHECK: %[[SRC:.*]] = memref.subview %[[WINDOW]][0, %{{.*}}, 0] [128, %{{.*}}, 14] [1, 1, 1]
// CHECK: nki.tensor_copy %[[SRC]] to %{{.*}} : memref<128x?x14xf32, strided<[512, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?x14xf32, strided<[420, 14, 1], offset: ?>, #nki.mem<sbuf>>
func.func @padded_image_window(%x: memref<128x30x14xf32>, %fh: index, %fw: index, %start: index, %size: index, %out: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c512 = arith.constant 512 : index
  %image = memref.alloc() : memref<128x32x16xf32, #nki.mem<sbuf>>
  nki.memset %image, 0.0 : memref<128x32x16xf32, #nki.mem<sbuf>>
  %interior = memref.subview %image[0, 1, 1] [128, 30, 14] [1, 1, 1] : memref<128x32x16xf32, #nki.mem<sbuf>> to memref<128x30x14xf32, strided<[512, 16, 1], offset: 17>, #nki.mem<sbuf>>
  nki.dma_copy %x to %interior : memref<128x30x14xf32> to memref<128x30x14xf32, strided<[512, 16, 1], offset: 17>, #nki.mem<sbuf>>
  %plane = memref.alloc() : memref<128x30x14xf32, #nki.mem<sbuf>>
  %window = memref.subview %image[0, %fh, %fw] [128, 30, 14] [1, 1, 1] : memref<128x32x16xf32, #nki.mem<sbuf>> to memref<128x30x14xf32, strided<[512, 16, 1], offset: ?>, #nki.mem<sbuf>>
  nki.tensor_copy %window to %plane : memref<128x30x14xf32, strided<[512, 16, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x30x14xf32, #nki.mem<sbuf>>
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x30x14xf32, #nki.mem<sbuf>> into memref<128x420xf32, #nki.mem<sbuf>>
  %n = arith.minsi %c512, %size : index
  %cols = memref.subview %flat[0, %start] [128, %n] [1, 1] : memref<128x420xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>>
  %dst = memref.subview %out[0, 0] [128, %n] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  nki.tensor_copy %cols to %dst : memref<128x?xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  return
}
