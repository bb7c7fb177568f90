// The seed kernel with channel loops stepping by 128 (the tile offset is the
// induction variable itself, no iv * 128).
// The naive fused conv2d + bias + max-pool kernel that the seed analysis
// (shared/seed/conv2d-performance-analysis.md) takes apart, written by hand in
// the nki dialect with every inefficiency intact; the numbers (1)-(5) are the
// seed's bottlenecks. Shape: the CS149 correctness test with bias and pool 2,
// X [4, 256, 32, 16], W [256, 256, 3, 3], bias [256] -> out [4, 256, 15, 7].
//
//   nki-run examples/conv2d_naive.mlir --repeat 3
//
// runs it and checks it against conv2d + bias + max-pool in linalg, derived
// from the `nki.conv2d` parameters recorded below.

!x_tile = memref<128x512xf32, #nki.mem<sbuf>>
!w_tile = memref<128x128xf32, #nki.mem<sbuf>>
!w_psum = memref<128x128xf32, #nki.mem<psum>>
!acc    = memref<128x512xf32, #nki.mem<psum>>
!column = memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>

func.func @conv2d_naive(%X: memref<4x256x32x16xf32>, %W: memref<256x256x3x3xf32>,
                        %bias: memref<256xf32>, %out: memref<4x256x15x7xf32>)
    attributes {nki.conv2d = #nki.conv2d<pool = 2>} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c14 = arith.constant 14 : index    // out_w
  %c15 = arith.constant 15 : index    // out_h / pool
  %c128 = arith.constant 128 : index  // partitions per channel tile
  %c420 = arith.constant 420 : index  // out_h * out_w positions
  %c512 = arith.constant 512 : index  // SPATIAL_PARTITION_SIZE
  %c256 = arith.constant 256 : index

  // A linear 512-position partition does not hold whole 2x2 windows, so the
  // conv plane goes to HBM scratch and is pooled afterwards.
  %plane = memref.alloc() : memref<4x256x30x14xf32>

  scf.for %b = %c0 to %c4 step %c1 {
    scf.for %oc0 = %c0 to %c256 step %c128 {
      // ceil(420 / 512) = 1 spatial partition, ragged: 420 positions.
      scf.for %sp = %c0 to %c1 step %c1 {
        %start = arith.muli %sp, %c512 : index
        %rest = arith.subi %c420, %start : index
        %size = arith.minsi %rest, %c512 : index
        %acc = memref.alloc() : !acc
        nki.memset %acc, 0.0 : !acc
        scf.for %ic0 = %c0 to %c256 step %c128 {
          scf.for %fh = %c0 to %c3 step %c1 {
            scf.for %fw = %c0 to %c3 step %c1 {
              // The weight tile [oc, ic] of tap (fh, fw).
              %w_tile = memref.alloc() : !w_tile
              %w_src = memref.subview %W[%oc0, %ic0, %fh, %fw] [128, 128, 1, 1] [1, 1, 1, 1]
                  : memref<256x256x3x3xf32> to memref<128x128xf32, strided<[2304, 9], offset: ?>>
              nki.dma_copy %w_src to %w_tile
                  : memref<128x128xf32, strided<[2304, 9], offset: ?>> to !w_tile

              // (1)+(3) The WHOLE shifted plane X[b, ic, fh:fh+30, fw:fw+14],
              // reloaded for every (sp, ic, fh, fw).
              %x_plane = memref.alloc() : memref<128x30x14xf32, #nki.mem<sbuf>>
              %x_src = memref.subview %X[%b, %ic0, %fh, %fw] [1, 128, 30, 14] [1, 1, 1, 1]
                  : memref<4x256x32x16xf32> to memref<128x30x14xf32, strided<[512, 16, 1], offset: ?>>
              nki.dma_copy %x_src to %x_plane
                  : memref<128x30x14xf32, strided<[512, 16, 1], offset: ?>> to memref<128x30x14xf32, #nki.mem<sbuf>>
              %x_flat = memref.collapse_shape %x_plane [[0], [1, 2]]
                  : memref<128x30x14xf32, #nki.mem<sbuf>> into memref<128x420xf32, #nki.mem<sbuf>>

              // (2) Copy the partition's positions one column at a time.
              %x_tile = memref.alloc() : !x_tile
              scf.for %i = %c0 to %c512 step %c1 {
                %in_range = arith.cmpi ult, %i, %size : index
                scf.if %in_range {
                  %pos = arith.addi %start, %i : index
                  %src = memref.subview %x_flat[0, %pos] [128, 1] [1, 1]
                      : memref<128x420xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>>
                  %dst = memref.subview %x_tile[0, %i] [128, 1] [1, 1] : !x_tile to !column
                  nki.tensor_copy %src to %dst
                      : memref<128x1xf32, strided<[420, 1], offset: ?>, #nki.mem<sbuf>> to !column
                }
              } {nki.affine_range}

              // (5) Transpose the weights to [ic, oc] in the innermost loop.
              %w_psum = memref.alloc() : !w_psum
              nki.transpose %w_tile into %w_psum : !w_tile into !w_psum
              %w_t = memref.alloc() : !w_tile
              nki.tensor_copy %w_psum to %w_t : !w_psum to !w_tile

              nki.matmul accumulate %w_t, %x_tile into %acc : !w_tile, !x_tile into !acc
            } {nki.affine_range}
          } {nki.affine_range}
        } {nki.affine_range}

        // Evict PSUM and add the per-channel bias.
        %res = memref.alloc() : !x_tile
        nki.tensor_copy %acc to %res : !acc to !x_tile
        %bias_tile = memref.alloc() : memref<128x1xf32, #nki.mem<sbuf>>
        %bias2d = memref.expand_shape %bias [[0, 1]] output_shape [256, 1]
            : memref<256xf32> into memref<256x1xf32>
        %bias_src = memref.subview %bias2d[%oc0, 0] [128, 1] [1, 1]
            : memref<256x1xf32> to memref<128x1xf32, strided<[1, 1], offset: ?>>
        nki.dma_copy %bias_src to %bias_tile
            : memref<128x1xf32, strided<[1, 1], offset: ?>> to memref<128x1xf32, #nki.mem<sbuf>>
        nki.tensor_scalar add %res, %bias_tile to %res
            : !x_tile, memref<128x1xf32, #nki.mem<sbuf>> to !x_tile

        // (4) Write back one position per DMA.
        scf.for %i = %c0 to %c512 step %c1 {
          %in_range = arith.cmpi ult, %i, %size : index
          scf.if %in_range {
            %pos = arith.addi %start, %i : index
            %oh = arith.divui %pos, %c14 : index
            %ow = arith.remui %pos, %c14 : index
            %src = memref.subview %res[0, %i] [128, 1] [1, 1] : !x_tile to !column
            %dst = memref.subview %plane[%b, %oc0, %oh, %ow] [1, 128, 1, 1] [1, 1, 1, 1]
                : memref<4x256x30x14xf32> to memref<128x1xf32, strided<[420, 1], offset: ?>>
            nki.dma_copy %src to %dst
                : !column to memref<128x1xf32, strided<[420, 1], offset: ?>>
          }
        } {nki.affine_range}
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}

  // Max-pool 2x2: for each output row, load its two conv rows and take the
  // max of each window.
  scf.for %b = %c0 to %c4 step %c1 {
    scf.for %oc0 = %c0 to %c256 step %c128 {
      scf.for %ph = %c0 to %c15 step %c1 {
        %row0 = arith.muli %ph, %c2 : index
        %rows = memref.alloc() : memref<128x2x14xf32, #nki.mem<sbuf>>
        %rows_src = memref.subview %plane[%b, %oc0, %row0, 0] [1, 128, 2, 14] [1, 1, 1, 1]
            : memref<4x256x30x14xf32> to memref<128x2x14xf32, strided<[420, 14, 1], offset: ?>>
        nki.dma_copy %rows_src to %rows
            : memref<128x2x14xf32, strided<[420, 14, 1], offset: ?>> to memref<128x2x14xf32, #nki.mem<sbuf>>
        %windows = memref.expand_shape %rows [[0], [1], [2, 3]] output_shape [128, 2, 7, 2]
            : memref<128x2x14xf32, #nki.mem<sbuf>> into memref<128x2x7x2xf32, #nki.mem<sbuf>>
        %pooled = memref.alloc() : memref<128x7xf32, #nki.mem<sbuf>>
        nki.tensor_reduce max %windows to %pooled axes = [1, 3]
            : memref<128x2x7x2xf32, #nki.mem<sbuf>> to memref<128x7xf32, #nki.mem<sbuf>>
        %dst = memref.subview %out[%b, %oc0, %ph, 0] [1, 128, 1, 7] [1, 1, 1, 1]
            : memref<4x256x15x7xf32> to memref<128x7xf32, strided<[105, 1], offset: ?>>
        nki.dma_copy %pooled to %dst
            : memref<128x7xf32, #nki.mem<sbuf>> to memref<128x7xf32, strided<[105, 1], offset: ?>>
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
