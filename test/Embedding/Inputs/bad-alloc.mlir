func.func @k() {
  %t = memref.alloc() : memref<256x512xf32, #nki.mem<sbuf>>
  return
}
