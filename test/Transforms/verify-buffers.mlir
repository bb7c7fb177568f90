// Allocations and views are upstream ops; nki-verify-buffers checks every
// SBUF/PSUM value they produce, and block arguments.
// RUN: nki-opt %s -nki-verify-buffers -split-input-file -verify-diagnostics
// RUN: nki-opt %s -nki-verify-buffers -split-input-file -verify-diagnostics | FileCheck %s

// Valid buffers pass unchanged.
// CHECK-LABEL: func.func @valid
// CHECK-COUNT-3: memref.alloc()
// CHECK: memref.subview
// CHECK: memref.alloc(%{{.*}}) : memref<?x512xbf16, #nki.mem<sbuf>>
func.func @valid(%x: memref<4x256x226x226xf32>, %n: index) {
  %sbuf = memref.alloc() : memref<128x6x226xf32, #nki.mem<sbuf>>
  %psum = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  %banks = memref.alloc() : memref<128x8x512xf32, #nki.mem<psum>>
  %bank = memref.subview %banks[0, 2, 0] [128, 1, 512] [1, 1, 1] : memref<128x8x512xf32, #nki.mem<psum>> to memref<128x512xf32, strided<[4096, 1], offset: 1024>, #nki.mem<psum>>
  %ragged = memref.alloc(%n) : memref<?x512xbf16, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_too_many_partitions() {
  // expected-error @+1 {{'memref.alloc' op result #0: SBUF buffer 'memref<256x512xf32, #nki.mem<sbuf>>' spans 256 partitions (dim 0); trn2 has 128}}
  %t = memref.alloc() : memref<256x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_psum_over_a_bank() {
  // expected-error @+1 {{'memref.alloc' op result #0: PSUM tile 'memref<128x1024xf32, #nki.mem<psum>>' needs 4096 bytes per partition, more than one 2048-byte bank}}
  %t = memref.alloc() : memref<128x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @alloc_integer_sbuf() {
  // expected-error @+1 {{'memref.alloc' op result #0: SBUF buffer 'memref<128x4xi32, #nki.mem<sbuf>>' has element type 'i32'; supported are f32, bf16 and f16}}
  %t = memref.alloc() : memref<128x4xi32, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_scalar_sbuf() {
  // expected-error @+1 {{'memref.alloc' op result #0: SBUF buffer 'memref<f32, #nki.mem<sbuf>>' needs a partition dimension (dim 0)}}
  %t = memref.alloc() : memref<f32, #nki.mem<sbuf>>
  return
}

// -----

func.func @view_of_sbuf_beyond_capacity(%t: memref<128x110000xf16, #nki.mem<sbuf>>) {
  // expected-error@-1 {{block argument #0: SBUF buffer 'memref<128x110000xf16, #nki.mem<sbuf>>' needs 220000 bytes per partition}}
  return
}

// -----

func.func @reshaped_view(%t: memref<128x512xf32, #nki.mem<sbuf>>) {
  // A view that moves free elements onto the partition dim is caught too.
  // expected-error @+1 {{'memref.reinterpret_cast' op result #0: SBUF buffer 'memref<256x256xf32, #nki.mem<sbuf>>' spans 256 partitions}}
  %v = memref.reinterpret_cast %t to offset: [0], sizes: [256, 256], strides: [256, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<256x256xf32, #nki.mem<sbuf>>
  return
}

// -----

// Bytes per partition that overflow int64 (regression: accepted before).
func.func @alloc_size_overflow() {
  // expected-error @+1 {{'memref.alloc' op result #0: SBUF buffer 'memref<128x4611686018427387904x4xf32, #nki.mem<sbuf>>' needs 2^63 or more bytes per partition}}
  %t = memref.alloc() : memref<128x4611686018427387904x4xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @psum_size_overflow() {
  // expected-error @+1 {{'memref.alloc' op result #0: PSUM tile 'memref<128x9223372036854775807xf32, #nki.mem<psum>>' needs 2^63 or more bytes per partition}}
  %t = memref.alloc() : memref<128x9223372036854775807xf32, #nki.mem<psum>>
  return
}
