// An imported 128->128, 34x34, pool-2 kernel (two spatial partitions) whose
// spatial loop steps by the partition size: %1 is the first position.
module {
  func.func @conv2d(%arg0: memref<1x128x34x34xf32>, %arg1: memref<128x128x3x3xf32>, %arg2: memref<128xf32>, %arg3: memref<1x128x16x16xf32>) attributes {nki.conv2d = #nki.conv2d<pool = 2>} {
    %alloc = memref.alloc() : memref<1x128x32x32xf32>
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1_0 = arith.constant 1 : index
    scf.for %arg4 = %c0 to %c1 step %c1_0 {
      %c0_4 = arith.constant 0 : index
      %c1_5 = arith.constant 1 : index
      %c1_6 = arith.constant 1 : index
      scf.for %arg5 = %c0_4 to %c1_5 step %c1_6 {
        %c128 = arith.constant 128 : index
        %0 = arith.muli %arg5, %c128 : index
        %c0_7 = arith.constant 0 : index
        %c2 = arith.constant 2 : index
        %c1_8 = arith.constant 1 : index
        %c1024 = arith.constant 1024 : index
        %c512 = arith.constant 512 : index
        scf.for %1 = %c0_7 to %c1024 step %c512 {
          %c512_9 = arith.constant 512 : index
          %alloc_10 = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
          nki.memset %alloc_10, 0.000000e+00 : memref<128x512xf32, #nki.mem<psum>>
          %c0_11 = arith.constant 0 : index
          %c1_12 = arith.constant 1 : index
          %c1_13 = arith.constant 1 : index
          scf.for %arg7 = %c0_11 to %c1_12 step %c1_13 {
            %c128_22 = arith.constant 128 : index
            %2 = arith.muli %arg7, %c128_22 : index
            %c0_23 = arith.constant 0 : index
            %c3 = arith.constant 3 : index
            %c1_24 = arith.constant 1 : index
            scf.for %arg8 = %c0_23 to %c3 step %c1_24 {
              %c0_25 = arith.constant 0 : index
              %c3_26 = arith.constant 3 : index
              %c1_27 = arith.constant 1 : index
              scf.for %arg9 = %c0_25 to %c3_26 step %c1_27 {
                %alloc_28 = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
                %subview_29 = memref.subview %arg1[%0, %2, %arg8, %arg9] [128, 128, 1, 1] [1, 1, 1, 1] : memref<128x128x3x3xf32> to memref<128x128xf32, strided<[1152, 9], offset: ?>>
                %subview_30 = memref.subview %alloc_28[0, 0] [128, 128] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
                nki.dma_copy %subview_29 to %subview_30 : memref<128x128xf32, strided<[1152, 9], offset: ?>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
                %alloc_31 = memref.alloc() : memref<128x32x32xf32, #nki.mem<sbuf>>
                %subview_32 = memref.subview %arg0[%arg4, %2, %arg8, %arg9] [1, 128, 32, 32] [1, 1, 1, 1] : memref<1x128x34x34xf32> to memref<128x32x32xf32, strided<[1156, 34, 1], offset: ?>>
                %subview_33 = memref.subview %alloc_31[0, 0, 0] [128, 32, 32] [1, 1, 1] : memref<128x32x32xf32, #nki.mem<sbuf>> to memref<128x32x32xf32, strided<[1024, 32, 1]>, #nki.mem<sbuf>>
                nki.dma_copy %subview_32 to %subview_33 : memref<128x32x32xf32, strided<[1156, 34, 1], offset: ?>> to memref<128x32x32xf32, strided<[1024, 32, 1]>, #nki.mem<sbuf>>
                %collapse_shape = memref.collapse_shape %alloc_31 [[0], [1, 2]] : memref<128x32x32xf32, #nki.mem<sbuf>> into memref<128x1024xf32, #nki.mem<sbuf>>
                %alloc_34 = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
                %c0_35 = arith.constant 0 : index
                %c512_36 = arith.constant 512 : index
                %c1_37 = arith.constant 1 : index
                scf.for %arg10 = %c0_35 to %c512_36 step %c1_37 {
                  %3 = arith.cmpi ult, %arg10, %c512_9 : index
                  scf.if %3 {
                    %4 = arith.addi %1, %arg10 : index
                    %subview_47 = memref.subview %collapse_shape[0, %4] [128, 1] [1, 1] : memref<128x1024xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>>
                    %subview_48 = memref.subview %alloc_34[0, %arg10] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
                    nki.tensor_copy %subview_47 to %subview_48 : memref<128x1xf32, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
                  }
                } {nki.affine_range}
                %alloc_38 = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
                %subview_39 = memref.subview %alloc_28[0, 0] [128, 128] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
                %subview_40 = memref.subview %alloc_38[0, 0] [128, 128] [1, 1] : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<psum>>
                nki.transpose %subview_39 into %subview_40 : memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>> into memref<128x128xf32, strided<[128, 1]>, #nki.mem<psum>>
                %alloc_41 = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
                %subview_42 = memref.subview %alloc_38[0, 0] [128, 128] [1, 1] : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<psum>>
                %subview_43 = memref.subview %alloc_41[0, 0] [128, 128] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
                nki.tensor_copy %subview_42 to %subview_43 : memref<128x128xf32, strided<[128, 1]>, #nki.mem<psum>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
                %subview_44 = memref.subview %alloc_41[0, 0] [128, 128] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>
                %subview_45 = memref.subview %alloc_34[0, 0] [128, 512] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
                %subview_46 = memref.subview %alloc_10[0, 0] [128, 512] [1, 1] : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, strided<[512, 1]>, #nki.mem<psum>>
                nki.matmul accumulate %subview_44, %subview_45 into %subview_46 : memref<128x128xf32, strided<[128, 1]>, #nki.mem<sbuf>>, memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>> into memref<128x512xf32, strided<[512, 1]>, #nki.mem<psum>>
              } {nki.affine_range}
            } {nki.affine_range}
          } {nki.affine_range}
          %alloc_14 = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
          nki.tensor_copy %alloc_10 to %alloc_14 : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
          %alloc_15 = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
          %expand_shape = memref.expand_shape %arg2 [[0, 1]] output_shape [128, 1] : memref<128xf32> into memref<128x1xf32>
          %subview = memref.subview %expand_shape[%0, 0] [128, 1] [1, 1] : memref<128x1xf32> to memref<128x1xf32, strided<[1, 1], offset: ?>>
          %subview_16 = memref.subview %alloc_15[0, 0] [128, 1] [1, 1] : memref<128x1xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
          nki.dma_copy %subview to %subview_16 : memref<128x1xf32, strided<[1, 1], offset: ?>> to memref<128x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
          %subview_17 = memref.subview %alloc_14[0, 0] [128, 512] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
          %subview_18 = memref.subview %alloc_15[0, 0] [128, 1] [1, 1] : memref<128x1xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1, 1]>, #nki.mem<sbuf>>
          nki.tensor_scalar add %subview_17, %subview_18 to %subview_17 : memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>, memref<128x1xf32, strided<[1, 1]>, #nki.mem<sbuf>> to memref<128x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
          %c0_19 = arith.constant 0 : index
          %c512_20 = arith.constant 512 : index
          %c1_21 = arith.constant 1 : index
          scf.for %arg7 = %c0_19 to %c512_20 step %c1_21 {
            %2 = arith.cmpi ult, %arg7, %c512_9 : index
            scf.if %2 {
              %3 = arith.addi %1, %arg7 : index
              %c32 = arith.constant 32 : index
              %4 = arith.divui %3, %c32 : index
              %5 = arith.remui %3, %c32 : index
              %subview_22 = memref.subview %alloc_14[0, %arg7] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
              %subview_23 = memref.subview %alloc[%arg4, %0, %4, %5] [1, 128, 1, 1] [1, 1, 1, 1] : memref<1x128x32x32xf32> to memref<128x1xf32, strided<[1024, 32], offset: ?>>
              nki.dma_copy %subview_22 to %subview_23 : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1024, 32], offset: ?>>
            }
          } {nki.affine_range}
        } {nki.affine_range}
      } {nki.affine_range}
    } {nki.affine_range}
    %c0_1 = arith.constant 0 : index
    %c1_2 = arith.constant 1 : index
    %c1_3 = arith.constant 1 : index
    scf.for %arg4 = %c0_1 to %c1_2 step %c1_3 {
      %c0_4 = arith.constant 0 : index
      %c1_5 = arith.constant 1 : index
      %c1_6 = arith.constant 1 : index
      scf.for %arg5 = %c0_4 to %c1_5 step %c1_6 {
        %c128 = arith.constant 128 : index
        %0 = arith.muli %arg5, %c128 : index
        %c0_7 = arith.constant 0 : index
        %c16 = arith.constant 16 : index
        %c1_8 = arith.constant 1 : index
        scf.for %arg6 = %c0_7 to %c16 step %c1_8 {
          %alloc_9 = memref.alloc() : memref<128x2x32xf32, #nki.mem<sbuf>>
          %c2 = arith.constant 2 : index
          %1 = arith.muli %arg6, %c2 : index
          %subview = memref.subview %alloc[%arg4, %0, %1, 0] [1, 128, 2, 32] [1, 1, 1, 1] : memref<1x128x32x32xf32> to memref<128x2x32xf32, strided<[1024, 32, 1], offset: ?>>
          %subview_10 = memref.subview %alloc_9[0, 0, 0] [128, 2, 32] [1, 1, 1] : memref<128x2x32xf32, #nki.mem<sbuf>> to memref<128x2x32xf32, strided<[64, 32, 1]>, #nki.mem<sbuf>>
          nki.dma_copy %subview to %subview_10 : memref<128x2x32xf32, strided<[1024, 32, 1], offset: ?>> to memref<128x2x32xf32, strided<[64, 32, 1]>, #nki.mem<sbuf>>
          %expand_shape = memref.expand_shape %alloc_9 [[0], [1], [2, 3]] output_shape [128, 2, 16, 2] : memref<128x2x32xf32, #nki.mem<sbuf>> into memref<128x2x16x2xf32, #nki.mem<sbuf>>
          %alloc_11 = memref.alloc() : memref<128x16xf32, #nki.mem<sbuf>>
          %subview_12 = memref.subview %expand_shape[0, 0, 0, 0] [128, 2, 16, 2] [1, 1, 1, 1] : memref<128x2x16x2xf32, #nki.mem<sbuf>> to memref<128x2x16x2xf32, strided<[64, 32, 2, 1]>, #nki.mem<sbuf>>
          %subview_13 = memref.subview %alloc_11[0, 0] [128, 16] [1, 1] : memref<128x16xf32, #nki.mem<sbuf>> to memref<128x16xf32, strided<[16, 1]>, #nki.mem<sbuf>>
          nki.tensor_reduce max %subview_12 to %subview_13 axes = [1, 3] : memref<128x2x16x2xf32, strided<[64, 32, 2, 1]>, #nki.mem<sbuf>> to memref<128x16xf32, strided<[16, 1]>, #nki.mem<sbuf>>
          %subview_14 = memref.subview %alloc_11[0, 0] [128, 16] [1, 1] : memref<128x16xf32, #nki.mem<sbuf>> to memref<128x16xf32, strided<[16, 1]>, #nki.mem<sbuf>>
          %subview_15 = memref.subview %arg3[%arg4, %0, %arg6, 0] [1, 128, 1, 16] [1, 1, 1, 1] : memref<1x128x16x16xf32> to memref<128x16xf32, strided<[256, 1], offset: ?>>
          nki.dma_copy %subview_14 to %subview_15 : memref<128x16xf32, strided<[16, 1]>, #nki.mem<sbuf>> to memref<128x16xf32, strided<[256, 1], offset: ?>>
        } {nki.affine_range}
      } {nki.affine_range}
    } {nki.affine_range}
    return
  }
}

