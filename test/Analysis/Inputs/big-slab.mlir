// A kernel with a 200,000-byte SBUF slab per partition: it fits trn2's
// 212,992 usable bytes, not trn1's 180,224.
func.func @big_slab(%x: memref<128x50000xf32>, %y: memref<128x50000xf32>) {
  %t = memref.alloc() : memref<128x50000xf32, #nki.mem<sbuf>>
  nki.dma_copy %x to %t : memref<128x50000xf32> to memref<128x50000xf32, #nki.mem<sbuf>>
  nki.dma_copy %t to %y : memref<128x50000xf32, #nki.mem<sbuf>> to memref<128x50000xf32>
  return
}
