// RUN: nki-translate --nki-to-python %s --verify-diagnostics --split-input-file -o /dev/null

// What NKI Python cannot say stops at the op, with a diagnostic.

func.func @transposed_view(%x: memref<128x64xf32>, %out: memref<64x128xf32>) {
  // expected-error @+1 {{nki-to-python: 'memref.transpose' has no NKI Python form}}
  %t = memref.transpose %x (d0, d1) -> (d1, d0) : memref<128x64xf32> to memref<64x128xf32, strided<[1, 64]>>
  nki.dma_copy %t to %out : memref<64x128xf32, strided<[1, 64]>> to memref<64x128xf32>
  return
}

// -----

func.func @guarded(%x: memref<128x64xf32>, %out: memref<128x64xf32>, %c: i1) {
  // expected-error @+1 {{nki-to-python: 'scf.if' has no NKI Python form}}
  scf.if %c {
    nki.dma_copy %x to %out : memref<128x64xf32> to memref<128x64xf32>
  }
  return
}

// -----

// expected-error @+1 {{nki-to-python: a kernel writes one HBM argument (its output); this one writes 2}}
func.func @two_outputs(%x: memref<128x64xf32>, %a: memref<128x64xf32>, %b: memref<128x64xf32>) {
  nki.dma_copy %x to %a : memref<128x64xf32> to memref<128x64xf32>
  nki.dma_copy %x to %b : memref<128x64xf32> to memref<128x64xf32>
  return
}

// -----

func.func @integer_bound(%x: memref<128x64xf32>, %out: memref<128x64xf32>, %n: i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{nki-to-python: 'arith.index_cast' has no NKI Python form}}
  %bound = arith.index_cast %n : i32 to index
  scf.for %i = %c0 to %bound step %c1 {
    nki.dma_copy %x to %out : memref<128x64xf32> to memref<128x64xf32>
  }
  return
}
