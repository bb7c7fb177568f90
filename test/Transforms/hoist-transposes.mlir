// RUN: nki-opt %s -nki-hoist-transposes --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics | FileCheck %s
// RUN: nki-opt %s -nki-hoist-transposes=sbuf-budget=4096 --remarks-filter-missed='nki-.*' --remark-format=emitRemark -split-input-file -verify-diagnostics=only-expected | FileCheck %s --check-prefix=BUDGET

// The naive conv pattern: b -> oc -> sp -> ic -> tap; the weight chain
// depends on (oc, ic, tap), not on b or sp. It is computed once per kernel
// into a [128, 2, 2, 9, 128] cache (18 KiB per partition) and the matmul
// reads its tile from there.
// CHECK-LABEL: func.func @conv_like
// CHECK: %[[CACHE:.*]] = memref.alloc() : memref<128x2x2x9x128xf32, #nki.mem<sbuf>>
// CHECK: scf.for %[[OC:.*]] =
// CHECK: scf.for %[[IC:.*]] =
// CHECK: scf.for %[[TAP:.*]] =
// CHECK: %[[SLOT:.*]] = memref.subview %[[CACHE]][0, %[[OC]], %[[IC]], %[[TAP]], 0] [128, 1, 1, 1, 128]
// CHECK: nki.dma_copy
// CHECK: nki.transpose
// CHECK: nki.tensor_copy %{{.*}} to %[[SLOT]]
// CHECK: } {nki.affine_range}
// CHECK: } {nki.affine_range}
// CHECK: } {nki.affine_range}
// CHECK: scf.for %[[B:.*]] =
// CHECK: scf.for %[[OC2:.*]] =
// CHECK: scf.for %[[SP:.*]] =
// CHECK: scf.for %[[IC2:.*]] =
// CHECK: scf.for %[[TAP2:.*]] =
// CHECK-NOT: nki.transpose
// CHECK-NOT: nki.dma_copy
// CHECK: %[[READ:.*]] = memref.subview %[[CACHE]][0, %[[OC2]], %[[IC2]], %[[TAP2]], 0]
// CHECK: nki.matmul accumulate %[[READ]]
// With an 4 KiB budget the per-kernel cache (18 KiB) does not fit; the
// next invariant loop inward is sp: one [128, 2, 9, 128] cache (9 KiB)...
// does not fit either, so the chain stays.
// BUDGET-LABEL: func.func @conv_like
// BUDGET-NOT: memref<128x2x2x9x128xf32
// BUDGET: scf.for
// BUDGET: nki.transpose
!w = memref<128x128xf32, #nki.mem<sbuf>>
!wp = memref<128x128xf32, #nki.mem<psum>>
func.func @conv_like(%W: memref<256x256x9xf32>, %x: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c9 = arith.constant 9 : index
  %c128 = arith.constant 128 : index
  scf.for %b = %c0 to %c4 step %c1 {
    scf.for %oc = %c0 to %c2 step %c1 {
      %oc0 = arith.muli %oc, %c128 : index
      scf.for %sp = %c0 to %c4 step %c1 {
        %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
        scf.for %ic = %c0 to %c2 step %c1 {
          %ic0 = arith.muli %ic, %c128 : index
          scf.for %tap = %c0 to %c9 step %c1 {
            %w = memref.alloc() : !w
            %src = memref.subview %W[%oc0, %ic0, %tap] [128, 128, 1] [1, 1, 1] : memref<256x256x9xf32> to memref<128x128xf32, strided<[2304, 9], offset: ?>>
            nki.dma_copy %src to %w : memref<128x128xf32, strided<[2304, 9], offset: ?>> to !w
            %p = memref.alloc() : !wp
            nki.transpose %w into %p : !w into !wp
            %wt = memref.alloc() : !w
            nki.tensor_copy %p to %wt : !wp to !w
            nki.matmul accumulate %wt, %x into %acc : !w, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
          } {nki.affine_range}
        } {nki.affine_range}
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// With a budget that fits one output-channel tile's cache but not the
// kernel's, the chain is hoisted out of sp only (once per oc tile).
// BUDGET-LABEL: func.func @per_oc_tile
// BUDGET: scf.for %[[OC:.*]] =
// BUDGET: %[[CACHE:.*]] = memref.alloc() : memref<128x2x128xf32, #nki.mem<sbuf>>
// BUDGET: scf.for %[[IC:.*]] =
// BUDGET: nki.transpose
// BUDGET: scf.for %[[SP:.*]] =
// BUDGET: scf.for
// BUDGET-NOT: nki.transpose
// BUDGET: nki.matmul
func.func @per_oc_tile(%W: memref<512x256xf32>, %x: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  scf.for %oc = %c0 to %c4 step %c1 {
    %oc0 = arith.muli %oc, %c128 : index
    scf.for %sp = %c0 to %c4 step %c1 {
      %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
      scf.for %ic = %c0 to %c2 step %c1 {
        %ic0 = arith.muli %ic, %c128 : index
        %w = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
        %src = memref.subview %W[%oc0, %ic0] [128, 128] [1, 1] : memref<512x256xf32> to memref<128x128xf32, strided<[256, 1], offset: ?>>
        nki.dma_copy %src to %w : memref<128x128xf32, strided<[256, 1], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
        %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
        nki.transpose %w into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
        %wt = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
        nki.tensor_copy %p to %wt : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
        nki.matmul accumulate %wt, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

// -----

// Must not fire: the tile depends on every enclosing loop; an opaque call in
// the loops may write the weights; the loaded weights are written in the
// loop (an intervening write); the transposed tile is used otherwise.
func.func private @opaque()
func.func @blocked(%W: memref<256x128xf32>, %x: memref<128x512xf32, #nki.mem<sbuf>>, %y: memref<128x128xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c128 = arith.constant 128 : index
  %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
  scf.for %i = %c0 to %c2 step %c1 {
    %i0 = arith.muli %i, %c128 : index
    %w = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    %src = memref.subview %W[%i0, 0] [128, 128] [1, 1] : memref<256x128xf32> to memref<128x128xf32, strided<[128, 1], offset: ?>>
    nki.dma_copy %src to %w : memref<128x128xf32, strided<[128, 1], offset: ?>> to memref<128x128xf32, #nki.mem<sbuf>>
    %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
    // expected-remark @+1 {{Category:nki-hoist-transposes | Remark="not hoisted: the tile depends on every enclosing loop}}
    nki.transpose %w into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
    %wt = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    nki.tensor_copy %p to %wt : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
    nki.matmul accumulate %wt, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c2 step %c1 {
    func.call @opaque() : () -> ()
    %w = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    %src = memref.subview %W[0, 0] [128, 128] [1, 1] : memref<256x128xf32> to memref<128x128xf32, strided<[128, 1]>>
    nki.dma_copy %src to %w : memref<128x128xf32, strided<[128, 1]>> to memref<128x128xf32, #nki.mem<sbuf>>
    %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
    // expected-remark @+1 {{Category:nki-hoist-transposes | Remark="not hoisted: an op in the loops may write the loaded tensor}}
    nki.transpose %w into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
    %wt = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    nki.tensor_copy %p to %wt : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
    nki.matmul accumulate %wt, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c2 step %c1 {
    %w = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    %src = memref.subview %W[0, 0] [128, 128] [1, 1] : memref<256x128xf32> to memref<128x128xf32, strided<[128, 1]>>
    nki.dma_copy %src to %w : memref<128x128xf32, strided<[128, 1]>> to memref<128x128xf32, #nki.mem<sbuf>>
    %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
    // expected-remark @+1 {{Category:nki-hoist-transposes | Remark="not hoisted: an op in the loops may write the loaded tensor}}
    nki.transpose %w into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
    %wt = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    nki.tensor_copy %p to %wt : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
    nki.matmul accumulate %wt, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
    %dst = memref.subview %W[128, 0] [128, 128] [1, 1] : memref<256x128xf32> to memref<128x128xf32, strided<[128, 1], offset: 16384>>
    nki.dma_copy %y to %dst : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, strided<[128, 1], offset: 16384>>
  } {nki.affine_range}
  scf.for %i = %c0 to %c2 step %c1 {
    %w = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    %src = memref.subview %W[0, 0] [128, 128] [1, 1] : memref<256x128xf32> to memref<128x128xf32, strided<[128, 1]>>
    nki.dma_copy %src to %w : memref<128x128xf32, strided<[128, 1]>> to memref<128x128xf32, #nki.mem<sbuf>>
    %p = memref.alloc() : memref<128x128xf32, #nki.mem<psum>>
    // expected-remark @+1 {{Category:nki-hoist-transposes | Remark="not hoisted: the tile has other uses than its load and the transpose}}
    nki.transpose %w into %p : memref<128x128xf32, #nki.mem<sbuf>> into memref<128x128xf32, #nki.mem<psum>>
    nki.tensor_copy %w to %y : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x128xf32, #nki.mem<sbuf>>
    %wt = memref.alloc() : memref<128x128xf32, #nki.mem<sbuf>>
    nki.tensor_copy %p to %wt : memref<128x128xf32, #nki.mem<psum>> to memref<128x128xf32, #nki.mem<sbuf>>
    nki.matmul accumulate %wt, %x into %acc : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
  } {nki.affine_range}
  return
}

// -----

// One image, one spatial tile (ResNet's 512-channel 7x7 layers): the loops
// the weight chain does not depend on run once, so a cache would transpose
// every tile exactly as often as now and only add its round trip through
// memory. The chain stays; with a second spatial tile it is hoisted.
// CHECK-LABEL: func.func @no_reuse
// CHECK-NOT: memref<128x2x9x128xf32
// CHECK: scf.for
// CHECK: nki.transpose
// CHECK-LABEL: func.func @reuse_inside
// CHECK: memref.alloc() : memref<128x2x9x128xf32, #nki.mem<sbuf>>
// BUDGET-LABEL: func.func @no_reuse
// BUDGET-LABEL: func.func @reuse_inside
!w = memref<128x128xf32, #nki.mem<sbuf>>
!wp = memref<128x128xf32, #nki.mem<psum>>
func.func @no_reuse(%W: memref<128x256x9xf32>, %x: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c9 = arith.constant 9 : index
  %c128 = arith.constant 128 : index
  scf.for %b = %c0 to %c1 step %c1 {
    scf.for %sp = %c0 to %c1 step %c1 {
      %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
      scf.for %ic = %c0 to %c2 step %c1 {
        %ic0 = arith.muli %ic, %c128 : index
        scf.for %tap = %c0 to %c9 step %c1 {
          %w = memref.alloc() : !w
          %src = memref.subview %W[0, %ic0, %tap] [128, 128, 1] [1, 1, 1] : memref<128x256x9xf32> to memref<128x128xf32, strided<[2304, 9], offset: ?>>
          nki.dma_copy %src to %w : memref<128x128xf32, strided<[2304, 9], offset: ?>> to !w
          %p = memref.alloc() : !wp
          // expected-remark @+1 {{Category:nki-hoist-transposes | Remark="not hoisted: the loops it does not depend on run once: a cache would not save work}}
          nki.transpose %w into %p : !w into !wp
          %wt = memref.alloc() : !w
          nki.tensor_copy %p to %wt : !wp to !w
          nki.matmul accumulate %wt, %x into %acc : !w, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
        } {nki.affine_range}
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}

func.func @reuse_inside(%W: memref<128x256x9xf32>, %x: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c9 = arith.constant 9 : index
  %c128 = arith.constant 128 : index
  scf.for %b = %c0 to %c1 step %c1 {
    scf.for %sp = %c0 to %c2 step %c1 {
      %acc = memref.alloc() : memref<128x512xf32, #nki.mem<psum>>
      scf.for %ic = %c0 to %c2 step %c1 {
        %ic0 = arith.muli %ic, %c128 : index
        scf.for %tap = %c0 to %c9 step %c1 {
          %w = memref.alloc() : !w
          %src = memref.subview %W[0, %ic0, %tap] [128, 128, 1] [1, 1, 1] : memref<128x256x9xf32> to memref<128x128xf32, strided<[2304, 9], offset: ?>>
          nki.dma_copy %src to %w : memref<128x128xf32, strided<[2304, 9], offset: ?>> to !w
          %p = memref.alloc() : !wp
          nki.transpose %w into %p : !w into !wp
          %wt = memref.alloc() : !w
          nki.tensor_copy %p to %wt : !wp to !w
          nki.matmul accumulate %wt, %x into %acc : !w, memref<128x512xf32, #nki.mem<sbuf>> into memref<128x512xf32, #nki.mem<psum>>
        } {nki.affine_range}
      } {nki.affine_range}
    } {nki.affine_range}
  } {nki.affine_range}
  return
}
