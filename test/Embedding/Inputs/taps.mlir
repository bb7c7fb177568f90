// Inputs of the transform API test (install-and-link.test): taps that share
// one slab load, and a sequential loop that must not be reordered.
func.func @taps(%x: memref<2x128x34x18xf32>, %b: index, %r0: index, %out: memref<128x4x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %fh = %c0 to %c3 step %c1 {
    scf.for %fw = %c0 to %c3 step %c1 {
      %row = arith.addi %fh, %r0 : index
      %t = memref.alloc() : memref<128x4x16xf32, #nki.mem<sbuf>>
      %plane = memref.subview %x[%b, 0, %fh, %fw] [1, 128, 32, 16] [1, 1, 1, 1] : memref<2x128x34x18xf32> to memref<128x32x16xf32, strided<[612, 18, 1], offset: ?>>
      %rows = memref.subview %plane[0, %r0, 0] [128, 4, 16] [1, 1, 1] : memref<128x32x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>>
      nki.dma_copy %rows to %t : memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, #nki.mem<sbuf>>
      nki.tensor_tensor add %t, %out to %out : memref<128x4x16xf32, #nki.mem<sbuf>>, memref<128x4x16xf32, #nki.mem<sbuf>> to memref<128x4x16xf32, #nki.mem<sbuf>>
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// A sequential tap loop: the transform gives its reason and leaves it.
func.func @sequential(%x: memref<128x34x18xf32>, %y: memref<128x4x16xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %fh = %c0 to %c3 step %c1 {
    %t = memref.alloc() : memref<128x4x16xf32, #nki.mem<sbuf>>
    %rows = memref.subview %x[0, %fh, 0] [128, 4, 16] [1, 1, 1] : memref<128x34x18xf32> to memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>>
    nki.dma_copy %rows to %t : memref<128x4x16xf32, strided<[612, 18, 1], offset: ?>> to memref<128x4x16xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add %t, %y to %y : memref<128x4x16xf32, #nki.mem<sbuf>>, memref<128x4x16xf32, #nki.mem<sbuf>> to memref<128x4x16xf32, #nki.mem<sbuf>>
  }
  return
}
