// RUN: nki-opt %s --canonicalize --verify-diagnostics -o /dev/null
// RUN: not nki-run %s 2>&1 | FileCheck %s --check-prefix=RUNNER

// Regression (utils/mutate-inputs.py seed 11): upstream's tensor.pad
// verifier takes a static amount equal to the dynamic-size sentinel with
// no operand behind it, and its canonicalization then crashes reading the
// operand. nki-opt checks inputs for this before any pass; nki-run when it
// parses.

func.func @pad(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{padding amounts do not match their operands: a static amount is the dynamic-size sentinel -9223372036854775808}}
  %padded = tensor.pad %x low[0, -9223372036854775808, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x5xf32> to tensor<1x4x7x7xf32>
  return %padded : tensor<1x4x7x7xf32>
}
// RUNNER: error: padding amounts do not match their operands
