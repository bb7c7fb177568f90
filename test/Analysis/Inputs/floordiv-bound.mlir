// A loop from floordivsi(-3, 2) = -2 to 0: two iterations, each one DMA
// (truncating division would give -1 and one iteration).
func.func @floordiv_bound(%x: memref<128x64xf32>, %out: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %cm3 = arith.constant -3 : index
  %lb = arith.floordivsi %cm3, %c2 : index
  scf.for %i = %lb to %c0 step %c1 {
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %t : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %t to %out : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32>
  }
  return
}
