// A kernel whose loops cannot be evaluated gets an error at the op that
// needs the unknown value.
// RUN: nki-opt %s --nki-report -split-input-file -verify-diagnostics -o /dev/null 2>&1 | FileCheck %s

func.func @dynamic_bound(%x: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 4.0 : f32
  %k = arith.fptosi %f : f32 to i32
  // expected-error @+1 {{nki traffic analysis: cannot evaluate an operand of this op}}
  %n = arith.index_cast %k : i32 to index
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %t : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// The size of a dim of a view is known, through a transposed view too: the
// loop runs 64 times (64 DMAs).
// CHECK-LABEL: nki-report @dim_of_a_view
// CHECK: count: dma HBM->SBUF 64 (2097152 bytes)
func.func @dim_of_a_view(%x: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %t = memref.transpose %x (d0, d1) -> (d1, d0) : memref<128x64xf32> to memref<64x128xf32, strided<[1, 64]>>
  %n = memref.dim %t, %c0 : memref<64x128xf32, strided<[1, 64]>>
  scf.for %i = %c0 to %n step %c1 {
    %s = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %s : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// expected-error @+1 {{nki traffic analysis: argument #1 is not a static memref}}
func.func @not_a_kernel(%x: memref<128x64xf32>, %n: index) {
  return
}

// -----

// Regressions (mutation fuzzing): buffers only nki-verify-buffers rejected
// crashed the report; it now checks them first.
func.func @psum_over_a_bank(%x: memref<1x1024xf32>) {
  // expected-error @+1 {{'memref.alloc' op result #0: PSUM tile 'memref<1x1024xf32, #nki.mem<psum>>' needs 4096 bytes per partition, more than one 2048-byte bank}}
  %t = memref.alloc() : memref<1x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @huge_free_dims(%x: memref<128x4xf32>) {
  // expected-error @+1 {{'memref.alloc' op result #0: SBUF buffer 'memref<128x9223372036854775807xi32, #nki.mem<sbuf>>' has element type 'i32'; supported are f32, bf16 and f16}}
  %t = memref.alloc() : memref<128x9223372036854775807xi32, #nki.mem<sbuf>>
  return
}

// -----

// Loops of 2^31 iterations: refused after a bounded number of evaluation
// steps, not enumerated for minutes.
func.func @too_many_iterations(%x: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %big = arith.constant 2147483648 : index
  // expected-error @+1 {{nki traffic analysis: the kernel takes more than 2^29 evaluation steps (ops run plus on-chip elements touched); the report evaluates every iteration}}
  scf.for %i = %c0 to %big step %c1 {
    %t = memref.alloc() : memref<128x64xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %t : memref<128x64xf32> to memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}

// -----

// A loop that cannot fit the budget is refused before its first iteration,
// here inside another loop (the evaluator used to walk 2^29 steps first,
// about 100 s; found by utils/mutate-inputs.py on fold-loop-constants.mlir).
func.func @too_many_inner_iterations(%x: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %big = arith.constant 34359738368 : index
  scf.for %i = %c0 to %c3 step %c1 {
    // expected-error @+1 {{nki traffic analysis: the kernel takes more than 2^29 evaluation steps}}
    scf.for %j = %c0 to %big step %c1 {
      %v = memref.load %x[%c0] : memref<16xf32>
    }
  }
  return
}

// -----

// Index arithmetic that overflows is not evaluated (arith would wrap).
func.func @overflowing_index(%x: memref<128x64xf32>) {
  %c1 = arith.constant 1 : index
  %max = arith.constant 9223372036854775807 : index
  // expected-error @+1 {{nki traffic analysis: cannot evaluate this op (unsupported, overflowing or dividing by zero)}}
  %wrapped = arith.addi %max, %c1 : index
  scf.for %i = %wrapped to %max step %c1 {
  } {nki.affine_range}
  return
}

// -----

// A view outside its buffer in some iteration (n = 516 with step 129) is an
// error at the view, with the numbers.
func.func @outside(%x: memref<128x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c129 = arith.constant 129 : index
  %c1024 = arith.constant 1024 : index
  scf.for %n = %c0 to %c1024 step %c129 {
    // expected-error @+1 {{nki traffic analysis: the subview is outside its source: dim 1 takes 512 elements from offset 516 with stride 1 of a dimension of size 1024}}
    %v = memref.subview %x[0, %n] [128, 512] [1, 1] : memref<128x1024xf32> to memref<128x512xf32, strided<[1024, 1], offset: ?>>
    %t = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.dma_copy %v to %t : memref<128x512xf32, strided<[1024, 1], offset: ?>> to memref<128x512xf32, #nki.mem<sbuf>>
  } {nki.affine_range}
  return
}
