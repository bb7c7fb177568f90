// A misspelled op.
func.func @k(%x: memref<128x512xf32>, %t: memref<128x512xf32, #nki.mem<sbuf>>) {
  nki.dma_kopy %x to %t : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  return
}
