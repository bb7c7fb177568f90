// RUN: nki-opt %s --convert-nki-to-linalg --split-input-file | FileCheck %s

// Memory spaces and nki.* attributes disappear; other attributes stay. A DMA
// between element types casts.
// CHECK-LABEL: func.func @dma_and_spaces
// CHECK-SAME: (%[[X:.*]]: memref<128x64xf32>, %[[T:.*]]: memref<128x64xbf16>)
// CHECK-NOT: nki
// CHECK: linalg.generic {indexing_maps = [#[[ID:.*]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : memref<128x64xf32>) outs(%[[T]] : memref<128x64xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: } {some.attr}
// CHECK-NOT: nki
func.func @dma_and_spaces(%x: memref<128x64xf32>, %t: memref<128x64xbf16, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    nki.dma_copy %x to %t : memref<128x64xf32> to memref<128x64xbf16, #nki.mem<sbuf>>
  } {nki.affine_range, some.attr}
  return
}

// -----

// overwrite = zero fill, then the contraction over the partition dim k (the
// last loop, a reduction); accumulate skips the fill. bf16 inputs widen to f32.
// CHECK-DAG: #[[STAT:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d0)>
// CHECK-DAG: #[[MOV:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d1, d2)>
// CHECK-DAG: #[[TGT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%[[ACC:.*]] : memref<64x8x32xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[STAT]], #[[MOV]], #[[TGT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[ACC]]
// CHECK: %[[A:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK: %[[B:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK: arith.addf %{{.*}}, %[[P]] : f32
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[STAT]], #[[MOV]], #[[TGT]]]
func.func @matmul(%w: memref<128x64xbf16, #nki.mem<sbuf>>, %x: memref<128x8x32xbf16, #nki.mem<sbuf>>,
                  %acc: memref<64x8x32xf32, #nki.mem<psum>>) {
  nki.matmul overwrite %w, %x into %acc : memref<128x64xbf16, #nki.mem<sbuf>>, memref<128x8x32xbf16, #nki.mem<sbuf>> into memref<64x8x32xf32, #nki.mem<psum>>
  nki.matmul accumulate %w, %x into %acc : memref<128x64xbf16, #nki.mem<sbuf>>, memref<128x8x32xbf16, #nki.mem<sbuf>> into memref<64x8x32xf32, #nki.mem<psum>>
  return
}

// -----

// CHECK-DAG: #[[SWAP:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @transpose
// CHECK: linalg.generic {indexing_maps = [#[[SWAP]], #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}} : memref<32x128xf32>) outs(%{{.*}} : memref<128x32xf32>)
func.func @transpose(%s: memref<32x128xf32, #nki.mem<sbuf>>, %t: memref<128x32xf32, #nki.mem<psum>>) {
  nki.transpose %s into %t : memref<32x128xf32, #nki.mem<sbuf>> into memref<128x32xf32, #nki.mem<psum>>
  return
}

// -----

// A per-partition [P, 1] scalar broadcasts along the free dims; a float
// scalar is used directly.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @vector_engine
// CHECK-SAME: %[[S:[a-z0-9]+]]: f32)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}]
// CHECK: arith.maximumf
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], #{{.*}}]
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}]
// CHECK: arith.mulf %{{.*}}, %[[S]] : f32
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: arith.minimumf
func.func @vector_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>, %bias: memref<128x1xf32, #nki.mem<sbuf>>, %s: f32) {
  nki.tensor_tensor max %a, %a to %a : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_scalar add %a, %bias to %a : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_scalar multiply %a, %s to %a : memref<128x512xf32, #nki.mem<sbuf>>, f32 to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor subtract %a, %a to %a : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor min %a, %a to %a : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

// A reduction starts from the operator's identity: -inf for max, 0 for add.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NINF]] : f32)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[KEPT]]], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]] : f32)
// CHECK: arith.addf
func.func @reduce(%w: memref<128x2x7x2xf32, #nki.mem<sbuf>>, %p: memref<128x7xf32, #nki.mem<sbuf>>) {
  nki.tensor_reduce max %w to %p axes = [1, 3] : memref<128x2x7x2xf32, #nki.mem<sbuf>> to memref<128x7xf32, #nki.mem<sbuf>>
  nki.tensor_reduce add %w to %p axes = [1, 3] : memref<128x2x7x2xf32, #nki.mem<sbuf>> to memref<128x7xf32, #nki.mem<sbuf>>
  return
}

// -----

// CHECK-LABEL: func.func @memset_and_copy
// CHECK: %[[NINF:.*]] = arith.constant 0xFF80 : bf16
// CHECK: linalg.fill ins(%[[NINF]] : bf16) outs(%{{.*}} : memref<128x4xbf16>)
// CHECK: linalg.generic
// CHECK: arith.extf %{{.*}} : bf16 to f32
func.func @memset_and_copy(%a: memref<128x4xbf16, #nki.mem<sbuf>>, %b: memref<128x4xf32, #nki.mem<sbuf>>) {
  nki.memset %a, 0xFFF0000000000000 : memref<128x4xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %a to %b : memref<128x4xbf16, #nki.mem<sbuf>> to memref<128x4xf32, #nki.mem<sbuf>>
  return
}

// -----

// The conv parameters are dropped with the other nki.* attributes.
// CHECK-LABEL: func.func @kernel
// CHECK-NOT: nki.conv2d
func.func @kernel(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %o: memref<1x4x6x6xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 1>} {
  return
}

// -----

// On-chip tiles start on cache lines (the vector and AMX kernels load their
// rows whole); host buffers and explicit alignments are kept.
// CHECK-LABEL: func.func @tile_alignment
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<128x512xf32>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<128x512xf32>
// CHECK: memref.alloc() : memref<16xf32>
// CHECK: memref.alloc() {alignment = 128 : i64} : memref<128x4xbf16>
func.func @tile_alignment() {
  %sbuf = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  %psum = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  %host = memref.alloc() : memref<16xf32>
  %aligned = memref.alloc() {alignment = 128 : i64} : memref<128x4xbf16, #nki.mem<sbuf>>
  return
}
