// RUN: nki-opt %s -nki-align-partitions --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s

// 58x38 = 2204 positions in partitions of 512: partitions of 13 whole rows
// (494 positions) instead, still ceil(2204 / 494) = 5 of them.
// CHECK-LABEL: func.func @rows_of_38
// CHECK: %[[P:.*]] = arith.constant 494 : index
// CHECK: %[[T:.*]] = arith.constant 5 : index
// CHECK: scf.for %[[SP:.*]] = %{{.*}} to %[[T]] step
// CHECK: %[[START:.*]] = arith.muli %[[SP]], %[[P]] : index
// CHECK: arith.minsi %[[P]], %{{.*}} : index
func.func @rows_of_38(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    %src = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
    %dst = memref.subview %tile[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %src to %dst : memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Rows of 64 already tile 512 exactly: nothing to do, no remark.
// CHECK-LABEL: func.func @already_aligned
// CHECK: arith.muli %{{.*}}, %c512
func.func @already_aligned(%plane: memref<128x20x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c512 = arith.constant 512 : index
  %c1280 = arith.constant 1280 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x20x64xf32, #nki.mem<sbuf>> into memref<128x1280xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c3 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c1280, %start : index
    %size = arith.minsi %c512, %rest : index
    %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    %src = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x1280xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[1280, 1], offset: ?>, #nki.mem<sbuf>>
    %dst = memref.subview %tile[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %src to %dst : memref<128x?xf32, strided<[1280, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Must not fire: a sequential loop; rows that do not tile the positions;
// two views that disagree on the row width.
func.func @blocked(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %odd: memref<128x2204xf32, #nki.mem<sbuf>>,
                   %other: memref<128x76x29xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-align-partitions | Remark="not aligned: the loop is not an nki.affine_range (sequential loops are never reordered)}}
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    %src = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
    %dst = memref.subview %tile[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %src to %dst : memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  }
  %wide = memref.expand_shape %odd [[0], [1, 2]] output_shape [128, 19, 116] : memref<128x2204xf32, #nki.mem<sbuf>> into memref<128x19x116xf32, #nki.mem<sbuf>>
  %flat2 = memref.collapse_shape %wide [[0], [1, 2]] : memref<128x19x116xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  %flat3 = memref.collapse_shape %other [[0], [1, 2]] : memref<128x76x29xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{Category:nki-align-partitions | Remark="not aligned: the views disagree on the row width}}
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    %src = memref.subview %flat2[0, %start] [128, %size] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
    %src2 = memref.subview %flat3[0, %start] [128, %size] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
    %dst = memref.subview %tile[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %src to %dst : memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %src2 to %dst : memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// Regression: 64x24 = 1536 positions are exactly 3 partitions of 512, so a
// write-back loop of 512 iterations needs no guard. Aligned to 504, the last
// of 4 partitions would store 512 positions from 1512, past the plane's end.
// The loop stays, with a remark at the op that assumes 512.
// CHECK-LABEL: func.func @unguarded_loop_of_p
// CHECK: arith.muli %{{.*}}, %c512
func.func @unguarded_loop_of_p(%plane: memref<128x64x24xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c512 = arith.constant 512 : index
  %c1536 = arith.constant 1536 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x64x24xf32> into memref<128x1536xf32>
  scf.for %sp = %c0 to %c3 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c1536, %start : index
    %size = arith.minsi %c512, %rest : index
    %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    %rows = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x1536xf32> to memref<128x?xf32, strided<[1536, 1], offset: ?>>
    // expected-remark @+1 {{Category:nki-align-partitions | Remark="not aligned: this op uses the partition size 512 itself, not the partition's size (it would still assume 512 positions)}}
    scf.for %i = %c0 to %c512 step %c1 {
      %pos = arith.addi %start, %i : index
      %src = memref.subview %tile[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      %dst = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x1536xf32> to memref<128x1xf32, strided<[1536, 1], offset: ?>>
      nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1536, 1], offset: ?>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// Regression: a whole-partition view of static size 512 assumes P too.
// CHECK-LABEL: func.func @static_view_of_p
// CHECK: arith.muli %{{.*}}, %c512
func.func @static_view_of_p(%plane: memref<128x64x24xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c512 = arith.constant 512 : index
  %c1536 = arith.constant 1536 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x64x24xf32> into memref<128x1536xf32>
  scf.for %sp = %c0 to %c3 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c1536, %start : index
    %size = arith.minsi %c512, %rest : index
    %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    %used = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x1536xf32> to memref<128x?xf32, strided<[1536, 1], offset: ?>>
    // expected-remark @+1 {{Category:nki-align-partitions | Remark="not aligned: this op uses the partition size 512 itself}}
    %dst = memref.subview %flat[0, %start] [128, 512] [1, 1] : memref<128x1536xf32> to memref<128x512xf32, strided<[1536, 1], offset: ?>>
    nki.dma_copy %tile to %dst : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[1536, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// The form the naive kernel has before copy-loop folding: positions copied
// column by column, multiplied, evicted, stored through their row and column.
// Each column holds position start + i before and after: aligned.
// CHECK-LABEL: func.func @column_by_column
// CHECK: %[[P:.*]] = arith.constant 494 : index
// CHECK: scf.for %[[SP:.*]] = %{{.*}} to %c5{{.*}} step
// CHECK: arith.muli %[[SP]], %[[P]] : index
func.func @column_by_column(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %out: memref<128x58x38xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c38 = arith.constant 38 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %x = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %src = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %src to %dst : memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    %bias = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
    nki.tensor_scalar add %res, %bias to %res : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %oh = arith.divui %pos, %c38 : index
        %ow = arith.remui %pos, %c38 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x58x38xf32> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
        nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
      }
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// Regression (random-kernels seed 84): the epilogue adds each partition's
// first column to all of them. Which position is first changes with P, so the
// loop stays.
// CHECK-LABEL: func.func @first_column
// CHECK: arith.muli %{{.*}}, %c512
func.func @first_column(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %out: memref<128x58x38xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c38 = arith.constant 38 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %x = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %src = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %src to %dst : memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{Remark="not aligned: this view addresses a partition tile other than whole, as its first `size` columns or at the column of a guarded loop}}
    %first = memref.subview %res[0, 0] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_scalar add %res, %first to %res : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %oh = arith.divui %pos, %c38 : index
        %ow = arith.remui %pos, %c38 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x58x38xf32> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
        nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
      }
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// A reduction over the columns sums different positions once P changes.
// CHECK-LABEL: func.func @reduced_columns
// CHECK: arith.muli %{{.*}}, %c512
func.func @reduced_columns(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %out: memref<128x58x38xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c38 = arith.constant 38 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %x = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %src = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %src to %dst : memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    %sum = memref.alloc() : memref<128xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{Remark="not aligned: this op may combine the columns of a partition tile}}
    nki.tensor_reduce add %res to %sum axes = [1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %oh = arith.divui %pos, %c38 : index
        %ow = arith.remui %pos, %c38 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x58x38xf32> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
        nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
      }
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// Column i of one tile as the scalar of a whole-tile op: every column gets
// position start + i, which moves with P.
// CHECK-LABEL: func.func @column_scalar
// CHECK: arith.muli %{{.*}}, %c512
func.func @column_scalar(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %out: memref<128x58x38xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c38 = arith.constant 38 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %x = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %src = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %src to %dst : memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %col = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        // expected-remark @+1 {{Remark="not aligned: this op reads a partition tile in a role whose columns are not positions}}
        nki.tensor_scalar add %res, %col to %res : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %oh = arith.divui %pos, %c38 : index
        %ow = arith.remui %pos, %c38 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x58x38xf32> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
        nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
      }
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// A tile loaded from the first `size` positions of another plane, not the
// partition's: which positions those are changes with P.
// CHECK-LABEL: func.func @not_at_start
// CHECK: arith.muli %{{.*}}, %c512
func.func @not_at_start(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %out: memref<128x58x38xf32>, %other: memref<128x2204xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c38 = arith.constant 38 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %x = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %src = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %src to %dst : memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{Remark="not aligned: this view offsets or sizes by the partition's start or size in different dims}}
    %lead = memref.subview %other[0, 0] [128, %size] [1, 1] : memref<128x2204xf32> to memref<128x?xf32, strided<[2204, 1]>>
    %used = memref.subview %res[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.dma_copy %lead to %used : memref<128x?xf32, strided<[2204, 1]>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %oh = arith.divui %pos, %c38 : index
        %ow = arith.remui %pos, %c38 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x58x38xf32> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
        nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
      }
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// A whole tile loaded from a buffer of P columns: the partition's positions
// are not where it reads.
// CHECK-LABEL: func.func @whole_buffer
// CHECK: arith.muli %{{.*}}, %c512
func.func @whole_buffer(%table: memref<128x512xf32>, %out: memref<128x2204xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %plane = memref.expand_shape %out [[0], [1, 2]] output_shape [128, 58, 38] : memref<128x2204xf32> into memref<128x58x38xf32>
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32> into memref<128x2204xf32>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{Remark="not aligned: this op pairs partition columns with memory not addressed at the partition's positions}}
    nki.dma_copy %table to %res : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
    %used = memref.subview %res[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    %dst = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x2204xf32> to memref<128x?xf32, strided<[2204, 1], offset: ?>>
    nki.dma_copy %used to %dst : memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>>
  } {nki.affine_range}
  return
}

// -----

// Column i stored at element i of a scratch row: the column index addresses
// memory that is not the tile's.
// CHECK-LABEL: func.func @column_as_address
// CHECK: arith.muli %{{.*}}, %c512
func.func @column_as_address(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %w: memref<128x128xf32, #nki.mem<sbuf>>, %out: memref<128x58x38xf32>, %scratch: memref<128x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c38 = arith.constant 38 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %x = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %src = memref.subview %flat[0, %pos] [128, 1] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %x[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %src to %dst : memref<128x1xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
      }
    } {nki.affine_range}
    %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %col = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        // expected-remark @+1 {{Remark="not aligned: this view offsets or sizes by the partition's start or size in different dims}}
        %slot = memref.subview %scratch[0, %i] [128, 1] [1, 1] : memref<128x512xf32> to memref<128x1xf32, strided<[512, 1], offset: ?>>
        nki.dma_copy %col to %slot : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>>
      }
    } {nki.affine_range}
    scf.for %i = %c0 to %c512 step %c1 {
      %in_range = arith.cmpi ult, %i, %size : index
      scf.if %in_range {
        %pos = arith.addi %start, %i : index
        %oh = arith.divui %pos, %c38 : index
        %ow = arith.remui %pos, %c38 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %dst = memref.subview %out[0, %oh, %ow] [128, 1, 1] [1, 1, 1] : memref<128x58x38xf32> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
        nki.dma_copy %src to %dst : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[2204, 1], offset: ?>>
      }
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// A tile from outside the loop: its columns outlive the partition (whoever
// reads it afterwards sees the last partition's layout).
// CHECK-LABEL: func.func @tile_outside
// CHECK: arith.muli %{{.*}}, %c512
func.func @tile_outside(%plane: memref<128x58x38xf32, #nki.mem<sbuf>>, %tile: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c512 = arith.constant 512 : index
  %c2204 = arith.constant 2204 : index
  %flat = memref.collapse_shape %plane [[0], [1, 2]] : memref<128x58x38xf32, #nki.mem<sbuf>> into memref<128x2204xf32, #nki.mem<sbuf>>
  scf.for %sp = %c0 to %c5 step %c1 {
    %start = arith.muli %sp, %c512 : index
    %rest = arith.subi %c2204, %start : index
    %size = arith.minsi %c512, %rest : index
    %src = memref.subview %flat[0, %start] [128, %size] [1, 1] : memref<128x2204xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>>
    // expected-remark @+1 {{Remark="not aligned: this view addresses a partition tile that is not allocated in the loop (its columns outlive the partition)}}
    %dst = memref.subview %tile[0, 0] [128, %size] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %src to %dst : memref<128x?xf32, strided<[2204, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x?xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}
