module {
  func.func @conv2d(%arg0: memref<1x16x4x4xf32>, %arg1: memref<16x16x3x3xf32>, %arg2: memref<16xf32>, %arg3: memref<1x16x1x1xf32>) attributes {nki.conv2d = #nki.conv2d<pool = 2>} {
    %c3 = arith.constant 3 : index
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %alloc = memref.alloc() : memref<1x16x2x2xf32>
    %alloc_0 = memref.alloc() : memref<128x1x1x3x3x128xf32, #nki.mem<sbuf>>
    scf.for %arg4 = %c0 to %c3 step %c1 {
      scf.for %arg5 = %c0 to %c3 step %c1 {
        %subview_17 = memref.subview %alloc_0[0, 0, 0, %arg4, %arg5, 0] [128, 1, 1, 1, 1, 128] [1, 1, 1, 1, 1, 1] : memref<128x1x1x3x3x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>
        %alloc_18 = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
        %alloc_19 = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
        %subview_20 = memref.subview %arg1[0, 0, %arg4, %arg5] [16, 16, 1, 1] [1, 1, 1, 1] : memref<16x16x3x3xf32> to memref<16x16xf32, strided<[144, 9], offset: ?>>
        %subview_21 = memref.subview %alloc_18[0, 0] [16, 16] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<16x16xf32, strided<[128, 1]>, #nki.mem<sbuf>>
        nki.dma_copy %subview_20 to %subview_21 : memref<16x16xf32, strided<[144, 9], offset: ?>> to memref<16x16xf32, strided<[128, 1]>, #nki.mem<sbuf>>
        %subview_22 = memref.subview %alloc_19[0, 0] [16, 16] [1, 1] : memref<128x128xf32, #nki.mem<psum>> to memref<16x16xf32, strided<[128, 1]>, #nki.mem<psum>>
        nki.transpose %subview_21 into %subview_22 : memref<16x16xf32, strided<[128, 1]>, #nki.mem<sbuf>> into memref<16x16xf32, strided<[128, 1]>, #nki.mem<psum>>
        %subview_23 = memref.subview %subview_17[0, 0] [16, 16] [1, 1] : memref<128x128xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>> to memref<16x16xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %subview_22 to %subview_23 : memref<16x16xf32, strided<[128, 1]>, #nki.mem<psum>> to memref<16x16xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>
      } {nki.affine_range}
    } {nki.affine_range}
    %alloc_1 = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
    nki.memset %alloc_1, 0.000000e+00 : memref<128x512xf32, #nki.mem<psum>>
    %alloc_2 = memref.alloc() : memref<16x4x4xf32, #nki.mem<sbuf>>
    %subview = memref.subview %arg0[0, 0, 0, 0] [1, 16, 4, 4] [1, 1, 1, 1] : memref<1x16x4x4xf32> to memref<16x4x4xf32, strided<[16, 4, 1]>>
    nki.dma_copy %subview to %alloc_2 : memref<16x4x4xf32, strided<[16, 4, 1]>> to memref<16x4x4xf32, #nki.mem<sbuf>>
    scf.for %arg4 = %c0 to %c3 step %c1 {
      scf.for %arg5 = %c0 to %c3 step %c1 {
        %alloc_17 = memref.alloc() : memref<128x2x2xf32, #nki.mem<sbuf>>
        %subview_18 = memref.subview %alloc_17[0, 0, 0] [16, 2, 2] [1, 1, 1] : memref<128x2x2xf32, #nki.mem<sbuf>> to memref<16x2x2xf32, strided<[4, 2, 1]>, #nki.mem<sbuf>>
        %subview_19 = memref.subview %alloc_2[0, %arg4, %arg5] [16, 2, 2] [1, 1, 1] : memref<16x4x4xf32, #nki.mem<sbuf>> to memref<16x2x2xf32, strided<[16, 4, 1], offset: ?>, #nki.mem<sbuf>>
        nki.tensor_copy %subview_19 to %subview_18 : memref<16x2x2xf32, strided<[16, 4, 1], offset: ?>, #nki.mem<sbuf>> to memref<16x2x2xf32, strided<[4, 2, 1]>, #nki.mem<sbuf>>
        %collapse_shape_20 = memref.collapse_shape %alloc_17 [[0], [1, 2]] : memref<128x2x2xf32, #nki.mem<sbuf>> into memref<128x4xf32, #nki.mem<sbuf>>
        %alloc_21 = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
        %subview_22 = memref.subview %alloc_21[0, 0] [128, 4] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x4xf32, strided<[512, 1]>, #nki.mem<sbuf>>
        nki.tensor_copy %collapse_shape_20 to %subview_22 : memref<128x4xf32, #nki.mem<sbuf>> to memref<128x4xf32, strided<[512, 1]>, #nki.mem<sbuf>>
        %subview_23 = memref.subview %alloc_0[0, 0, 0, %arg4, %arg5, 0] [128, 1, 1, 1, 1, 128] [1, 1, 1, 1, 1, 1] : memref<128x1x1x3x3x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>
        %subview_24 = memref.subview %subview_23[0, 0] [16, 16] [1, 1] : memref<128x128xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>> to memref<16x16xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>
        %subview_25 = memref.subview %alloc_21[0, 0] [16, 512] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<16x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
        %subview_26 = memref.subview %alloc_1[0, 0] [16, 512] [1, 1] : memref<128x512xf32, #nki.mem<psum>> to memref<16x512xf32, strided<[512, 1]>, #nki.mem<psum>>
        nki.matmul accumulate %subview_24, %subview_25 into %subview_26 : memref<16x16xf32, strided<[1152, 1], offset: ?>, #nki.mem<sbuf>>, memref<16x512xf32, strided<[512, 1]>, #nki.mem<sbuf>> into memref<16x512xf32, strided<[512, 1]>, #nki.mem<psum>>
      } {nki.affine_range}
    } {nki.affine_range}
    %alloc_3 = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_copy %alloc_1 to %alloc_3 : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
    %alloc_4 = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
    %expand_shape = memref.expand_shape %arg2 [[0, 1]] output_shape [16, 1] : memref<16xf32> into memref<16x1xf32>
    %subview_5 = memref.subview %alloc_4[0, 0] [16, 1] [1, 1] : memref<128x1xf32, #nki.mem<sbuf>> to memref<16x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
    nki.dma_copy %expand_shape to %subview_5 : memref<16x1xf32> to memref<16x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
    %subview_6 = memref.subview %alloc_3[0, 0] [16, 512] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<16x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    nki.tensor_scalar add %subview_6, %subview_5 to %subview_6 : memref<16x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>, memref<16x1xf32, strided<[1, 1]>, #nki.mem<sbuf>> to memref<16x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    %subview_7 = memref.subview %alloc_3[0, 0] [16, 4] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<16x4xf32, strided<[512, 1]>, #nki.mem<sbuf>>
    %collapse_shape = memref.collapse_shape %alloc [[0], [1], [2, 3]] : memref<1x16x2x2xf32> into memref<1x16x4xf32>
    %subview_8 = memref.subview %collapse_shape[0, 0, 0] [1, 16, 4] [1, 1, 1] : memref<1x16x4xf32> to memref<16x4xf32, strided<[4, 1]>>
    nki.dma_copy %subview_7 to %subview_8 : memref<16x4xf32, strided<[512, 1]>, #nki.mem<sbuf>> to memref<16x4xf32, strided<[4, 1]>>
    %alloc_9 = memref.alloc() : memref<128x2x2xf32, #nki.mem<sbuf>>
    %subview_10 = memref.subview %alloc[0, 0, 0, 0] [1, 16, 2, 2] [1, 1, 1, 1] : memref<1x16x2x2xf32> to memref<16x2x2xf32, strided<[4, 2, 1]>>
    %subview_11 = memref.subview %alloc_9[0, 0, 0] [16, 2, 2] [1, 1, 1] : memref<128x2x2xf32, #nki.mem<sbuf>> to memref<16x2x2xf32, strided<[4, 2, 1]>, #nki.mem<sbuf>>
    nki.dma_copy %subview_10 to %subview_11 : memref<16x2x2xf32, strided<[4, 2, 1]>> to memref<16x2x2xf32, strided<[4, 2, 1]>, #nki.mem<sbuf>>
    %expand_shape_12 = memref.expand_shape %alloc_9 [[0], [1], [2, 3]] output_shape [128, 2, 1, 2] : memref<128x2x2xf32, #nki.mem<sbuf>> into memref<128x2x1x2xf32, #nki.mem<sbuf>>
    %alloc_13 = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
    %subview_14 = memref.subview %expand_shape_12[0, 0, 0, 0] [16, 2, 1, 2] [1, 1, 1, 1] : memref<128x2x1x2xf32, #nki.mem<sbuf>> to memref<16x2x1x2xf32, strided<[4, 2, 2, 1]>, #nki.mem<sbuf>>
    %subview_15 = memref.subview %alloc_13[0, 0] [16, 1] [1, 1] : memref<128x1xf32, #nki.mem<sbuf>> to memref<16x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
    nki.tensor_reduce max %subview_14 to %subview_15 axes = [1, 3] : memref<16x2x1x2xf32, strided<[4, 2, 2, 1]>, #nki.mem<sbuf>> to memref<16x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
    %subview_16 = memref.subview %arg3[0, 0, 0, 0] [1, 16, 1, 1] [1, 1, 1, 1] : memref<1x16x1x1xf32> to memref<16x1xf32, strided<[1, 1]>>
    nki.dma_copy %subview_15 to %subview_16 : memref<16x1xf32, strided<[1, 1]>, #nki.mem<sbuf>> to memref<16x1xf32, strided<[1, 1]>>
    return
  }
}

