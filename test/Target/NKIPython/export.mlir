// RUN: nki-translate --nki-to-python %s | FileCheck %s

// Every op nki-to-python writes, one statement each: the output argument
// (the HBM argument the kernel writes) becomes an HBM tensor the kernel
// allocates and returns; views become slicing (an integer where the view
// drops a dim) and .reshape; loops keep their kind.

// CHECK-LABEL: @nki.jit
// CHECK-NEXT: def kernel(arg0, arg1):
// CHECK-NEXT:     out = nl.ndarray((2, 128, 8), dtype=nl.float32, buffer=nl.shared_hbm)
// CHECK-NEXT:     t0 = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
// CHECK-NEXT:     nisa.dma_copy(dst=t0, src=arg1)
// CHECK-NEXT:     t1 = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.psum)
// CHECK-NEXT:     nisa.nc_transpose(t0, dst=t1)
// CHECK-NEXT:     t2 = nl.ndarray((128, 128), dtype=nl.bfloat16, buffer=nl.sbuf)
// CHECK-NEXT:     nisa.tensor_copy(dst=t2, src=t1)
// CHECK-NEXT:     for i3 in nl.affine_range(2):
// CHECK-NEXT:         v4 = i3 * 64
// CHECK-NEXT:         v5 = arg0[i3, 0:128, 0:8]
// CHECK-NEXT:         t6 = nl.ndarray((128, 8), dtype=nl.bfloat16, buffer=nl.sbuf)
// CHECK-NEXT:         nisa.dma_copy(dst=t6, src=v5)
// CHECK-NEXT:         t7 = nl.ndarray((128, 8), dtype=nl.float32, buffer=nl.psum)
// CHECK-NEXT:         nisa.nc_matmul(dst=t7, stationary=t2, moving=t6, accumulate=False)
// CHECK-NEXT:         t8 = nl.ndarray((128, 8), dtype=nl.float32, buffer=nl.sbuf)
// CHECK-NEXT:         nisa.tensor_scalar(dst=t8, data=t7, op0=nl.multiply, operand0=0.5)
// CHECK-NEXT:         nisa.tensor_tensor(dst=t8, data1=t8, data2=t8, op=nl.maximum)
// CHECK-NEXT:         v9 = t8[0:128, 0:7:2]
// CHECK-NEXT:         v10 = t8.reshape((128, 4, 2))
// CHECK-NEXT:         t11 = nl.ndarray((128, 4), dtype=nl.float32, buffer=nl.sbuf)
// CHECK-NEXT:         nisa.tensor_reduce(dst=t11, op=nl.add, data=v10, axis=(2,))
// CHECK-NEXT:         nisa.memset(dst=t8, value=-1.5)
// CHECK-NEXT:         for i12 in nl.sequential_range(1, 8, 2):
// CHECK-NEXT:             pass
// CHECK-NEXT:         v13 = out[i3, 0:128, 0:8]
// CHECK-NEXT:         nisa.dma_copy(dst=v13, src=t8)
// CHECK-NEXT:     return out
func.func @kernel(%x: memref<2x128x8xbf16>, %w: memref<128x128xf32>, %out: memref<2x128x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %half = arith.constant 0.5 : f32
  %w_sb = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
  nki.dma_copy %w to %w_sb : memref<128x128xf32> to memref<128x128xf32, #nki.mem<sbuf>>
  %w_t = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
  nki.transpose %w_sb into %w_t : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
  %w_bf = memref.alloc() : memref<128x128xbf16, #nki.mem<sbuf>>
  nki.tensor_copy %w_t to %w_bf : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xbf16, #nki.mem<sbuf>>
  scf.for %b = %c0 to %c2 step %c1 {
    %unused = arith.muli %b, %c64 : index
    %xb = memref.subview %x[%b, 0, 0] [1, 128, 8] [1, 1, 1] : memref<2x128x8xbf16> to memref<128x8xbf16, strided<[8, 1], offset: ?>>
    %x_sb = memref.alloc() : memref<128x8xbf16, #nki.mem<sbuf>>
    nki.dma_copy %xb to %x_sb : memref<128x8xbf16, strided<[8, 1], offset: ?>> to memref<128x8xbf16, #nki.mem<sbuf>>
    %acc = memref.alloc() : memref<128x8xf32, #nki.mem<psum>>
    nki.matmul overwrite %w_bf, %x_sb into %acc : memref<128x128xbf16, #nki.mem<sbuf>>, memref<128x8xbf16, #nki.mem<sbuf>> into memref<128x8xf32, #nki.mem<psum>>
    %res = memref.alloc() : memref<128x8xf32, #nki.mem<sbuf>>
    nki.tensor_scalar multiply %acc, %half to %res : memref<128x8xf32, #nki.mem<psum>>, f32 to memref<128x8xf32, #nki.mem<sbuf>>
    nki.tensor_tensor max %res, %res to %res : memref<128x8xf32, #nki.mem<sbuf>>, memref<128x8xf32, #nki.mem<sbuf>> to memref<128x8xf32, #nki.mem<sbuf>>
    %even = memref.subview %res[0, 0] [128, 4] [1, 2] : memref<128x8xf32, #nki.mem<sbuf>> to memref<128x4xf32, strided<[8, 2]>, #nki.mem<sbuf>>
    %pairs = memref.expand_shape %res [[0], [1, 2]] output_shape [128, 4, 2] : memref<128x8xf32, #nki.mem<sbuf>> into memref<128x4x2xf32, #nki.mem<sbuf>>
    %sums = memref.alloc() : memref<128x4xf32, #nki.mem<sbuf>>
    nki.tensor_reduce add %pairs to %sums axes = [2] : memref<128x4x2xf32, #nki.mem<sbuf>> to memref<128x4xf32, #nki.mem<sbuf>>
    nki.memset %res, -1.5 : memref<128x8xf32, #nki.mem<sbuf>>
    scf.for %k = %c1 to %c8 step %c2 {
    }
    %ob = memref.subview %out[%b, 0, 0] [1, 128, 8] [1, 1, 1] : memref<2x128x8xf32> to memref<128x8xf32, strided<[8, 1], offset: ?>>
    nki.dma_copy %res to %ob : memref<128x8xf32, #nki.mem<sbuf>> to memref<128x8xf32, strided<[8, 1], offset: ?>>
  } {nki.affine_range}
  return
}
