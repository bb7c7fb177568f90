// RUN: nki-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// The target description round-trips, and the buffer verifiers read their
// capacities from it: 65,536 SBUF bytes per partition here, so a 128 x
// 16384 f32 tile (65,536 bytes) fits and nothing larger does.
// CHECK: module attributes {nki.target = #nki.target<name = "small", partitions = 64, sbuf_bytes_per_partition = 65536, psum_bank_bytes = 2048, psum_banks = 4, tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4, dma_bytes_per_us = 100000, dma_fixed_ns = 2000>}
module attributes {nki.target = #nki.target<name = "small", partitions = 64,
    sbuf_bytes_per_partition = 65536, psum_bank_bytes = 2048, psum_banks = 4,
    tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4,
    dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
  func.func @fits(%x: memref<64x16384xf32>) {
    %t = memref.alloc() : memref<64x16384xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %t : memref<64x16384xf32> to memref<64x16384xf32, #nki.mem<sbuf>>
    return
  }
}

// -----

module attributes {nki.target = #nki.target<name = "small", partitions = 64,
    sbuf_bytes_per_partition = 65536, psum_bank_bytes = 2048, psum_banks = 4,
    tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4,
    dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
  func.func @too_many_partitions(%x: memref<128x512xf32>) {
    %t = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{target: SBUF buffer 'memref<128x512xf32, #nki.mem<sbuf>>' spans 128 partitions (dim 0); small has 64}}
    nki.dma_copy %x to %t : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
    return
  }
}

// -----

module attributes {nki.target = #nki.target<name = "small", partitions = 64,
    sbuf_bytes_per_partition = 65536, psum_bank_bytes = 2048, psum_banks = 4,
    tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4,
    dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
  func.func @too_big(%x: memref<64x16385xf32>) {
    %t = memref.alloc() : memref<64x16385xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{target: SBUF buffer 'memref<64x16385xf32, #nki.mem<sbuf>>' needs 65540 bytes per partition, more than the 65536 usable on small}}
    nki.dma_copy %x to %t : memref<64x16385xf32> to memref<64x16385xf32, #nki.mem<sbuf>>
    return
  }
}

// -----

// A function's own target wins over its module's.
module attributes {nki.target = #nki.target<name = "small", partitions = 64,
    sbuf_bytes_per_partition = 65536, psum_bank_bytes = 2048, psum_banks = 4,
    tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4,
    dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
  func.func @own_target(%x: memref<128x512xf32>) attributes {nki.target = #nki.target<name = "wide", partitions = 128, sbuf_bytes_per_partition = 65536, psum_bank_bytes = 2048, psum_banks = 8, tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4, dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
    %t = memref.alloc() : memref<128x512xf32, #nki.mem<sbuf>>
    nki.dma_copy %x to %t : memref<128x512xf32> to memref<128x512xf32, #nki.mem<sbuf>>
    return
  }
}

// -----

// expected-error @+1 {{#nki.target 'bad': capacities and rates must be positive}}
module attributes {nki.target = #nki.target<name = "bad", partitions = 128, sbuf_bytes_per_partition = 0, psum_bank_bytes = 2048, psum_banks = 8, tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4, dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
}

// -----

// expected-error @+1 {{#nki.target 'huge': at most 128 partitions}}
module attributes {nki.target = #nki.target<name = "huge", partitions = 256, sbuf_bytes_per_partition = 1024, psum_bank_bytes = 2048, psum_banks = 8, tensor_engine_mhz = 1000, vector_engine_mhz = 500, dma_queues = 4, dma_bytes_per_us = 100000, dma_fixed_ns = 2000>} {
}

// -----

// expected-error @+1 {{'nki.target' must be a #nki.target}}
module attributes {nki.target = "trn2"} {
}
