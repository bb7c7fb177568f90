func.func @k(%x: memref<128x512xf32>, %y: memref<128x512xf32>) {
  %t = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %x to %t : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %t to %t : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, #nki.mem<sbuf>>
  nki.dma_copy %t to %y : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x512xf32>
  return
}
