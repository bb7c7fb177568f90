// RUN: nki-opt %s -canonicalize -split-input-file | FileCheck %s

!t = memref<128x512xf32, #nki.mem<sbuf>>

// A copy of a buffer onto itself does nothing and goes away; a copy between
// two buffers stays.
// CHECK-LABEL: func.func @self_copies
// CHECK-SAME: (%[[A:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[B:.*]]: memref<128x512xf32, #nki.mem<sbuf>>)
// CHECK-NEXT: nki.dma_copy %[[A]] to %[[B]]
// CHECK-NEXT: nki.tensor_copy %[[B]] to %[[A]]
// CHECK-NEXT: return
func.func @self_copies(%a: !t, %b: !t) {
  nki.dma_copy %a to %a : !t to !t
  nki.dma_copy %a to %b : !t to !t
  nki.tensor_copy %b to %b : !t to !t
  nki.tensor_copy %b to %a : !t to !t
  return
}

// -----

// A tensor_copy onto itself with a different view is not a self copy.
// CHECK-LABEL: func.func @overlapping_views_stay
// CHECK: nki.tensor_copy
func.func @overlapping_views_stay(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  %lo = memref.subview %a[0, 0] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  %hi = memref.subview %a[0, 256] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1], offset: 256>, #nki.mem<sbuf>>
  nki.tensor_copy %lo to %hi : memref<128x256xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1], offset: 256>, #nki.mem<sbuf>>
  return
}

// -----

// memref.cast to a less static type folds into every NKI op that uses it.
// CHECK-LABEL: func.func @fold_casts
// CHECK-NOT: memref.cast
// CHECK: nki.dma_copy %{{.*}} to %{{.*}} : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.memset %{{.*}}, 0.000000e+00 : memref<128x512xf32, #nki.mem<psum>>
// CHECK: nki.matmul accumulate %{{.*}}, %{{.*}} into %{{.*}} : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
// CHECK: nki.tensor_copy %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_scalar add %{{.*}}, %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_tensor max %{{.*}}, %{{.*}} to %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_reduce max %{{.*}} to %{{.*}} axes = [1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128xf32, #nki.mem<sbuf>>
// CHECK: nki.transpose %{{.*}} into %{{.*}} : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
func.func @fold_casts(%x: memref<128x512xf32>, %w: memref<128x128xf32, #nki.mem<sbuf>>,
                      %bias: memref<128x1xf32, #nki.mem<sbuf>>) {
  %tile = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  %wt = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  %row = memref.alloc() : memref<128xf32, #nki.mem<sbuf>>
  %xd = memref.cast %x : memref<128x512xf32> to memref<?x?xf32>
  %td = memref.cast %tile : memref<128x512xf32, #nki.mem<sbuf>> to memref<?x512xf32, #nki.mem<sbuf>>
  %ad = memref.cast %acc : memref<128x512xf32, #nki.mem<psum>> to memref<128x?xf32, #nki.mem<psum>>
  %wd = memref.cast %w : memref<128x128xf32, #nki.mem<sbuf>> to memref<?x128xf32, #nki.mem<sbuf>>
  %bd = memref.cast %bias : memref<128x1xf32, #nki.mem<sbuf>> to memref<?x1xf32, #nki.mem<sbuf>>
  %rd = memref.cast %row : memref<128xf32, #nki.mem<sbuf>> to memref<?xf32, #nki.mem<sbuf>>
  %wtd = memref.cast %wt : memref<128x128xf32, #nki.mem<psum>> to memref<?x?xf32, #nki.mem<psum>>
  nki.dma_copy %xd to %td : memref<?x?xf32> to memref<?x512xf32, #nki.mem<sbuf>>
  nki.memset %ad, 0.0 : memref<128x?xf32, #nki.mem<psum>>
  nki.matmul accumulate %wd, %td into %ad : memref<?x128xf32, #nki.mem<sbuf>>, memref<?x512xf32, #nki.mem<sbuf>> into memref<128x?xf32, #nki.mem<psum>>
  nki.tensor_copy %ad to %td : memref<128x?xf32, #nki.mem<psum>> to memref<?x512xf32, #nki.mem<sbuf>>
  nki.tensor_scalar add %td, %bd to %td : memref<?x512xf32, #nki.mem<sbuf>>, memref<?x1xf32, #nki.mem<sbuf>> to memref<?x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor max %td, %td to %td : memref<?x512xf32, #nki.mem<sbuf>>, memref<?x512xf32, #nki.mem<sbuf>> to memref<?x512xf32, #nki.mem<sbuf>>
  nki.tensor_reduce max %td to %rd axes = [1] : memref<?x512xf32, #nki.mem<sbuf>> to memref<?xf32, #nki.mem<sbuf>>
  nki.transpose %wd into %wtd : memref<?x128xf32, #nki.mem<sbuf>> into memref<?x?xf32, #nki.mem<psum>>
  return
}
