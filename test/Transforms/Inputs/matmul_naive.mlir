// A tiled matmul written the naive way: out = lhsT^T x rhs (256x256 and
// 256x1024). Each (m, n, k) step reloads the whole K x 1024 rhs panel though
// it multiplies only 512 of its columns, copies those column by column, and
// the result goes back one column per DMA.
func.func @matmul_tiled(%lhsT: memref<256x256xf32>, %rhs: memref<256x1024xf32>,
                        %out: memref<256x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %c1024 = arith.constant 1024 : index
  scf.for %m = %c0 to %c256 step %c128 {
    scf.for %n = %c0 to %c1024 step %c512 {
      %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
      nki.memset %acc, 0.0 : memref<128x512xf32, #nki.mem<psum>>
      scf.for %k = %c0 to %c256 step %c128 {
        %a_src = memref.subview %lhsT[%k, %m] [128, 128] [1, 1] : memref<256x256xf32> to memref<128x128xf32, strided<[256, 1], offset: ?>>
        %a = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
        nki.dma_copy %a_src to %a : memref<128x128xf32, strided<[256, 1], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
        %panel_src = memref.subview %rhs[%k, 0] [128, 1024] [1, 1] : memref<256x1024xf32> to memref<128x1024xf32, strided<[1024, 1], offset: ?>>
        %panel = memref.alloc() : memref<128x1024xf32, #nki.mem<sbuf>>
        nki.dma_copy %panel_src to %panel : memref<128x1024xf32, strided<[1024, 1], offset: ?>> to memref<128x1024xf32, #nki.mem<sbuf>>
        %b = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
        scf.for %j = %c0 to %c512 step %c1 {
          %col = arith.addi %n, %j : index
          %s = memref.subview %panel[0, %col] [128, 1] [1, 1] : memref<128x1024xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>>
          %d = memref.subview %b[0, %j] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
          nki.tensor_copy %s to %d : memref<128x1xf32, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        } {nki.affine_range}
        nki.matmul accumulate %a, %b into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
      } {nki.affine_range}
      %res = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
      nki.tensor_copy %acc to %res : memref<128x512xf32, #nki.mem<psum>> to memref<128x512xf32, #nki.mem<sbuf>>
      scf.for %j = %c0 to %c512 step %c1 {
        %col = arith.addi %n, %j : index
        %s = memref.subview %res[0, %j] [128, 1] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
        %d = memref.subview %out[%m, %col] [128, 1] [1, 1] : memref<256x1024xf32> to memref<128x1xf32, strided<[1024, 1], offset: ?>>
        nki.dma_copy %s to %d : memref<128x1xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1024, 1], offset: ?>>
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
