// A kernel whose loops cannot be evaluated gets an error at the op.
// RUN: nki-opt %s --nki-report -split-input-file -verify-diagnostics -o /dev/null

func.func @dynamic_bound(%x: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<128x64xf32>
  // expected-error @+1 {{nki traffic analysis: cannot evaluate an operand of this op}}
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %t : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// expected-error @+1 {{nki traffic analysis: argument #1 is not a static memref}}
func.func @not_a_kernel(%x: memref<128x64xf32>, %n: index) {
  return
}
