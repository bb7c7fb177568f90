// RUN: nki-opt %s -nki-load-slices=sbuf-budget=4096 --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

// A padded image (set to the pad value, X copied into its interior) read 4
// rows at a time, shifted by the filter row %fh. Its 64 rows (5120 bytes per
// partition) exceed the budget; the union of the reads over the tap loop
// (which does not change the image) is 6 rows from 4 * %sp, and over the
// block loop too it would be every row. So the 15 blocks are strip-mined
// into 3 groups of 5 (the most that fit, 8, would leave a ragged group), and
// each group reads one window of 6 + 4 * 4 = 22 rows from 4 * (5 * %g), into
// which only the interior rows inside it are copied (clipped, a dynamic
// count of at most 22 rows); each read is one subview of the window.
// CHECK-LABEL: func.func @padded_window
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[FIRST:.*]] = arith.muli %[[G]], %[[C5:.*]] : index
// CHECK: %[[LEFT:.*]] = arith.subi %{{.*}}, %[[FIRST]] : index
// CHECK: %[[N:.*]] = arith.minsi %[[LEFT]], %{{.*}} : index
// CHECK: scf.for %[[B:.*]] = %{{.*}} to %[[N]] step
// CHECK: %[[SP:.*]] = arith.addi %[[FIRST]], %[[B]] : index
// CHECK: scf.for %[[FH:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[ROW0:.*]] = arith.muli %[[FIRST]], %{{.*}} : index
// CHECK: %[[CLAMP:.*]] = arith.minsi %{{.*}}, %[[C42:.*]] : index
// CHECK: %[[BEGIN:.*]] = arith.maxsi %[[CLAMP]], %{{.*}} : index
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<4x22x20xf32, #nki.mem<sbuf>>
// CHECK: nki.memset %[[IMAGE]], 0.000000e+00 : memref<4x22x20xf32, #nki.mem<sbuf>>
// CHECK: %[[LO:.*]] = arith.maxsi %[[BEGIN]], %{{.*}} : index
// CHECK: %[[SRC:.*]] = memref.subview %{{.*}}[0, %{{.*}}, 0] [4, %[[COUNT:.*]], 18] [1, 1, 1] : memref<4x62x18xf32> to memref<4x?x18xf32, strided<[1116, 18, 1], offset: ?>>
// CHECK: %[[DST:.*]] = memref.subview %[[IMAGE]][0, %{{.*}}, 1] [4, %[[COUNT]], 18] [1, 1, 1]
// CHECK: nki.dma_copy %[[SRC]] to %[[DST]]
// CHECK: %[[READ:.*]] = memref.subview %[[IMAGE]][0, %{{.*}}, 0] [4, 4, 18] [1, 1, 1] : memref<4x22x20xf32, #nki.mem<sbuf>> to memref<4x4x18xf32, strided<[440, 20, 1], offset: ?>, #nki.mem<sbuf>>
// CHECK: nki.tensor_copy %[[READ]] to
// CHECK-NOT: memref<4x64x20xf32
func.func @padded_window(%x: memref<4x62x18xf32>, %out: memref<4x4x18xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c15 = arith.constant 15 : index
  scf.for %sp = %c0 to %c15 step %c1 {
    %row = arith.muli %sp, %c4 : index
    scf.for %fh = %c0 to %c3 step %c1 {
      %image = memref.alloc() : memref<4x64x20xf32, #nki.mem<sbuf>>
      nki.memset %image, 0.0 : memref<4x64x20xf32, #nki.mem<sbuf>>
      %interior = memref.subview %image[0, 1, 1] [4, 62, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: 21>, #nki.mem<sbuf>>
      nki.dma_copy %x to %interior : memref<4x62x18xf32> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: 21>, #nki.mem<sbuf>>
      %tap = memref.subview %image[0, %fh, 0] [4, 62, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>>
      %rows = memref.subview %tap[0, %row, 0] [4, 4, 18] [1, 1, 1] : memref<4x62x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>> to memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_copy %rows to %out : memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>> to memref<4x4x18xf32, #nki.mem<sbuf>>
    }
  }
  return
}

// -----

// An image within the budget stays whole (nki-hoist-loads loads it once),
// silently.
// CHECK-LABEL: func.func @fits_budget
// CHECK: memref.alloc() : memref<4x20x20xf32, #nki.mem<sbuf>>
func.func @fits_budget(%x: memref<4x18x18xf32>, %out: memref<4x4x18xf32, #nki.mem<sbuf>>, %row: index) {
  %image = memref.alloc() : memref<4x20x20xf32, #nki.mem<sbuf>>
  nki.memset %image, 0.0 : memref<4x20x20xf32, #nki.mem<sbuf>>
  %interior = memref.subview %image[0, 1, 1] [4, 18, 18] [1, 1, 1] : memref<4x20x20xf32, #nki.mem<sbuf>> to memref<4x18x18xf32, strided<[400, 20, 1], offset: 21>, #nki.mem<sbuf>>
  nki.dma_copy %x to %interior : memref<4x18x18xf32> to memref<4x18x18xf32, strided<[400, 20, 1], offset: 21>, #nki.mem<sbuf>>
  %rows = memref.subview %image[0, %row, 0] [4, 4, 18] [1, 1, 1] : memref<4x20x20xf32, #nki.mem<sbuf>> to memref<4x4x18xf32, strided<[400, 20, 1], offset: ?>, #nki.mem<sbuf>>
  nki.tensor_copy %rows to %out : memref<4x4x18xf32, strided<[400, 20, 1], offset: ?>, #nki.mem<sbuf>> to memref<4x4x18xf32, #nki.mem<sbuf>>
  return
}

// -----

// Two reads whose rows move with different values: no window of fixed size.
// CHECK-LABEL: func.func @windows_apart
// CHECK: memref.alloc() : memref<4x64x20xf32, #nki.mem<sbuf>>
func.func @windows_apart(%x: memref<4x62x18xf32>, %out: memref<4x4x18xf32, #nki.mem<sbuf>>, %a: index, %b: index) {
  %image = memref.alloc() : memref<4x64x20xf32, #nki.mem<sbuf>>
  nki.memset %image, 0.0 : memref<4x64x20xf32, #nki.mem<sbuf>>
  %interior = memref.subview %image[0, 1, 1] [4, 62, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: 21>, #nki.mem<sbuf>>
  // expected-remark @+1 {{not narrowed: the reads' windows move apart}}
  nki.dma_copy %x to %interior : memref<4x62x18xf32> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: 21>, #nki.mem<sbuf>>
  %ra = memref.subview %image[0, %a, 0] [4, 4, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>>
  nki.tensor_copy %ra to %out : memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>> to memref<4x4x18xf32, #nki.mem<sbuf>>
  %rb = memref.subview %image[0, %b, 0] [4, 4, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>>
  nki.tensor_copy %rb to %out : memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>> to memref<4x4x18xf32, #nki.mem<sbuf>>
  return
}

// -----

// The image is written again after it is filled (a ReLU in place): the
// window would drop what the write needs to see; left whole.
// CHECK-LABEL: func.func @written_after_fill
// CHECK: memref.alloc() : memref<4x64x20xf32, #nki.mem<sbuf>>
func.func @written_after_fill(%x: memref<4x62x18xf32>, %out: memref<4x4x18xf32, #nki.mem<sbuf>>, %row: index) {
  %zero = arith.constant 0.0 : f32
  %image = memref.alloc() : memref<4x64x20xf32, #nki.mem<sbuf>>
  nki.memset %image, 0.0 : memref<4x64x20xf32, #nki.mem<sbuf>>
  %interior = memref.subview %image[0, 1, 1] [4, 62, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: 21>, #nki.mem<sbuf>>
  // expected-remark @+1 {{not narrowed: the padded image is written again after the load}}
  nki.dma_copy %x to %interior : memref<4x62x18xf32> to memref<4x62x18xf32, strided<[1280, 20, 1], offset: 21>, #nki.mem<sbuf>>
  nki.tensor_scalar max %image, %zero to %image : memref<4x64x20xf32, #nki.mem<sbuf>>, f32 to memref<4x64x20xf32, #nki.mem<sbuf>>
  %rows = memref.subview %image[0, %row, 0] [4, 4, 18] [1, 1, 1] : memref<4x64x20xf32, #nki.mem<sbuf>> to memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>>
  nki.tensor_copy %rows to %out : memref<4x4x18xf32, strided<[1280, 20, 1], offset: ?>, #nki.mem<sbuf>> to memref<4x4x18xf32, #nki.mem<sbuf>>
  return
}
