// The moving operand was never loaded into SBUF.
func.func @k(%w: memref<128x128xf32, #nki.mem<sbuf>>, %x: memref<128x512xf32>,
             %acc: memref<128x512xf32, #nki.mem<psum>>) {
  nki.matmul overwrite %w, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32> into memref<128x512xf32, #nki.mem<psum>>
  return
}
