// RUN: nki-opt %s --convert-nki-to-linalg=vectorize=true | FileCheck %s
// RUN: nki-opt %s --convert-nki-to-linalg | FileCheck %s --check-prefix=GENERIC
// RUN: nki-opt %s --convert-nki-to-linalg="vectorize=true avx512-bf16=true" | FileCheck %s --check-prefix=DOT

// An accumulating matmul with a 3-D moving view (2 rows of 222, row stride
// 224): per point of the outer free dim and 32-lane column block (the last
// one masked to the 222 lanes), 8-row target tiles; eight accumulators carried through the
// contraction loop, one masked moving load and eight broadcast FMAs a step.
// The K x 32 moving block is first packed contiguously (its rows sit a
// partition stride apart), then read by every row tile; so is the
// stationary tile, a slot of a hoisted cache whose rows are far apart.
// CHECK-LABEL: func.func @accumulate
// CHECK-NOT: linalg.generic
// CHECK: %[[PACK:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x32xf32>
// CHECK: %[[WEIGHTS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x128xf32>
// CHECK: scf.for
// CHECK-COUNT-16: vector.store %{{.*}}, %[[WEIGHTS]]
// CHECK: scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[N0:.*]] = %{{.*}} to %{{.*}} step %[[C32:.*]] {
// CHECK: %[[LEFT:.*]] = arith.subi %{{.*}}, %[[N0]]
// CHECK: %[[W:.*]] = arith.minsi %[[LEFT]], %[[C32]]
// CHECK: %[[MASK:.*]] = vector.create_mask %[[W]] : vector<32xi1>
// CHECK: scf.for %[[KP:.*]] =
// CHECK: %[[ROW:.*]] = vector.maskedload %arg1[%[[KP]], %[[R]], %[[N0]]], %[[MASK]]
// CHECK: vector.store %[[ROW]], %[[PACK]][%[[KP]], %{{.*}}]
// CHECK: scf.for %[[M0:.*]] = %{{.*}} to %{{.*}} step %[[C8:.*]] {
// CHECK-COUNT-8: vector.maskedload %arg2[{{.*}}, %[[R]], %[[N0]]], %[[MASK]]
// CHECK: scf.for %[[K:.*]] = {{.*}} iter_args(
// CHECK: vector.load %[[PACK]][%[[K]], %{{.*}}] : memref<128x32xf32>, vector<32xf32>
// CHECK-COUNT-8: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-8: vector.maskedstore %arg2[{{.*}}, %[[R]], %[[N0]]], %[[MASK]]
// GENERIC-LABEL: func.func @accumulate
// GENERIC: linalg.generic
func.func @accumulate(%w: memref<128x128xf32, strided<[18432, 1], offset: ?>, #nki.mem<sbuf>>,
                      %x: memref<128x2x222xf32, strided<[896, 224, 1]>, #nki.mem<sbuf>>,
                      %acc: memref<128x2x222xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xf32, strided<[18432, 1], offset: ?>, #nki.mem<sbuf>>, memref<128x2x222xf32, strided<[896, 224, 1]>, #nki.mem<sbuf>> into memref<128x2x222xf32, #nki.mem<psum>>
  return
}

// An overwriting bf16 matmul: the accumulators start at zero (no load of
// the target, no fill); both operands are widened to f32 as they are packed:
// the stationary tile once, 8 columns at a time, the moving block per lane
// block; the FMAs read the packed copies.
// CHECK-LABEL: func.func @overwrite_bf16
// CHECK-NOT: linalg.fill
// CHECK: %[[WEIGHTS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x16xf32>
// CHECK: scf.for
// CHECK: vector.load %arg0{{.*}} : memref<64x16xbf16>, vector<8xbf16>
// CHECK: arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK: vector.store %{{.*}}, %[[WEIGHTS]]
// CHECK-NOT: vector.maskedload %arg2
// CHECK: vector.maskedload %arg1{{.*}} : memref<64x512xbf16>, vector<32xi1>, vector<32xbf16> into vector<32xbf16>
// CHECK: arith.extf %{{.*}} : vector<32xbf16> to vector<32xf32>
// CHECK: vector.store
// CHECK: memref.load %[[WEIGHTS]]
// CHECK-NEXT: vector.broadcast
// CHECK-NEXT: vector.fma
// With avx512-bf16, the same matmul works on pairs of contraction rows:
// ceil(K / 2) rows of stationary column pairs and of interleaved moving
// pairs (the odd row masked off past K), then per pair and row one 32-bit
// weight pair broadcast and one vdpbf16ps per 16 lanes.
// DOT-LABEL: func.func @overwrite_bf16
// DOT-NOT: arith.extf
// DOT: %[[MOVING:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x64xbf16>
// DOT: %[[PAIRS:.*]] = arith.ceildivui
// DOT: %[[WEIGHTS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x32xbf16>
// DOT: scf.for %[[P:.*]] = %{{.*}} to %[[PAIRS]]
// DOT: %[[ODD:.*]] = arith.cmpi ult
// DOT: %[[ODDMASK:.*]] = vector.broadcast %[[ODD]] : i1 to vector<8xi1>
// DOT: %[[E:.*]] = vector.load %arg0{{.*}} : memref<64x16xbf16>, vector<8xbf16>
// DOT: %[[O:.*]] = vector.maskedload %arg0[{{.*}}], %[[ODDMASK]]
// DOT: %[[W:.*]] = vector.interleave %[[E]], %[[O]] : vector<8xbf16> -> vector<16xbf16>
// DOT: vector.store %[[W]], %[[WEIGHTS]][%[[P]], %{{.*}}]
// DOT: vector.interleave {{.*}} : vector<32xbf16> -> vector<64xbf16>
// DOT: vector.store {{.*}}, %[[MOVING]]
// DOT: scf.for {{.*}} to %[[PAIRS]] {{.*}} iter_args(
// DOT-COUNT-2: vector.load %[[MOVING]]{{.*}} : memref<64x64xbf16>, vector<32xbf16>
// DOT: vector.load %[[WEIGHTS]]{{.*}} : memref<64x32xbf16>, vector<2xbf16>
// DOT: vector.bitcast {{.*}} : vector<2xbf16> to vector<1xi32>
// DOT: vector.broadcast {{.*}} : i32 to vector<16xi32>
// DOT: vector.bitcast {{.*}} : vector<16xi32> to vector<32xbf16>
// DOT-COUNT-2: x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// DOT-NOT: vector.fma
// DOT: return
func.func @overwrite_bf16(%w: memref<64x16xbf16, #nki.mem<sbuf>>,
                          %x: memref<64x512xbf16, #nki.mem<sbuf>>,
                          %acc: memref<16x512xf32, #nki.mem<psum>>) {
  nki.matmul overwrite %w, %x into %acc
      : memref<64x16xbf16, #nki.mem<sbuf>>, memref<64x512xbf16, #nki.mem<sbuf>> into memref<16x512xf32, #nki.mem<psum>>
  return
}

// Kept as linalg: a ragged channel tile (dynamic M) and M not a multiple
// of 8.
// CHECK-LABEL: func.func @irregular
// CHECK-NOT: vector.fma
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: vector.fma
func.func @irregular(%w: memref<128x?xf32, #nki.mem<sbuf>>, %w12: memref<128x12xf32, #nki.mem<sbuf>>,
                     %x: memref<128x512xf32, #nki.mem<sbuf>>,
                     %acc: memref<?x512xf32, #nki.mem<psum>>, %acc12: memref<12x512xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x?xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<?x512xf32, #nki.mem<psum>>
  nki.matmul accumulate %w12, %x into %acc12
      : memref<128x12xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>> into memref<12x512xf32, #nki.mem<psum>>
  return
}

// Moving rows with a stride (a strided conv's window of the image) are
// packed element by element, then take the same FMA kernel.
// CHECK-LABEL: func.func @strided_moving
// CHECK: scf.for
// CHECK: vector.store %{{.*}}, %[[PACKED:.*]][%{{.*}}, %{{.*}}] : memref<128x32xf32>, vector<32xf32>
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<128x256xf32, strided<[512, 2]>>
// CHECK: memref.store %{{.*}}, %[[PACKED]]
// CHECK: vector.fma
// CHECK-NOT: linalg.generic
func.func @strided_moving(%w2: memref<128x128xf32, #nki.mem<sbuf>>,
                          %xs: memref<128x256xf32, strided<[512, 2]>, #nki.mem<sbuf>>,
                          %acc2: memref<128x256xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w2, %xs into %acc2
      : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x256xf32, strided<[512, 2]>, #nki.mem<sbuf>> into memref<128x256xf32, #nki.mem<psum>>
  return
}

// Rows of 14 (a 30x14 conv plane) whose target rows are not one contiguous
// run (16 apart): 16-lane vectors, not 32 mostly masked, and 16-row tiles, so
// that 16 accumulators are in flight as with 8 x 32.
// CHECK-LABEL: func.func @short_rows
// CHECK-NOT: vector.gather
// CHECK: vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16:.*]] {
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: scf.yield
func.func @short_rows(%w: memref<128x128xf32, #nki.mem<sbuf>>,
                      %x: memref<128x30x14xf32, strided<[512, 16, 1]>, #nki.mem<sbuf>>,
                      %acc: memref<128x30x14xf32, strided<[512, 16, 1]>, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x30x14xf32, strided<[512, 16, 1]>, #nki.mem<sbuf>> into memref<128x30x14xf32, strided<[512, 16, 1]>, #nki.mem<psum>>
  return
}

// A stride-2 3x3 tap's window (rows of 7 columns 2 apart, rows 18 apart)
// into a contiguous 7x7 target: the free dims become one axis of 49 lanes,
// two 32-lane blocks (the second masked to 17), each K row gathered from
// the window's span at offsets (l / 7) * 18 + (l % 7) * 2; the FMAs write
// the collapsed target. The dense f32 stationary tile is read in place.
// CHECK-LABEL: func.func @flat_lanes
// CHECK-NOT: memref.alloc() {{.*}} : memref<128x128xf32>
// CHECK: %[[TARGET:.*]] = memref.collapse_shape %arg2 {{\[\[}}0], [1, 2]] : memref<128x7x7xf32, strided<[512, 7, 1]>> into memref<128x49xf32, strided<[512, 1]>>
// CHECK: %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:3, %{{.*}}:3 = memref.extract_strided_metadata %arg1
// CHECK: %[[SPAN:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFFSET]]], sizes: [41269], strides: [1]
// CHECK: scf.for %[[L0:.*]] = %{{.*}} to %[[C49:.*]] step %[[C32:.*]] {
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<32xi1>
// CHECK: arith.remui %{{.*}} : vector<32xi32>
// CHECK: arith.divui %{{.*}} : vector<32xi32>
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[START:.*]] = arith.muli %[[K]], %[[C324:.*]] : index
// CHECK: vector.gather %[[SPAN]][%[[START]]] [%{{.*}}], %[[MASK]], %{{.*}} : memref<41269xf32, strided<[1], offset: ?>>, vector<32xi32>, vector<32xi1>, vector<32xf32> into vector<32xf32>
// CHECK: memref.load %arg0[%{{.*}}, %{{.*}}] : memref<128x128xf32>
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: vector.maskedstore %[[TARGET]][%{{.*}}, %[[L0]]], %[[MASK]]
func.func @flat_lanes(%w: memref<128x128xf32, #nki.mem<sbuf>>,
                      %x: memref<128x7x7xf32, strided<[324, 18, 2], offset: ?>, #nki.mem<sbuf>>,
                      %acc: memref<128x7x7xf32, strided<[512, 7, 1]>, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x7x7xf32, strided<[324, 18, 2], offset: ?>, #nki.mem<sbuf>> into memref<128x7x7xf32, strided<[512, 7, 1]>, #nki.mem<psum>>
  return
}

// The stride-1 tap's window (rows of 7, 9 apart: contiguous rows of at
// most 16): every K row is packed once per matmul, its 7 window rows end to
// end (masked loads of 7, masked stores at row * 7, the tail to 64 lanes
// zero), no gathers; 32-lane blocks then read the packed rows at their
// first lane.
// CHECK-LABEL: func.func @packed_rows
// CHECK: %[[TARGET:.*]] = memref.collapse_shape %arg2
// CHECK: %[[PACKED:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x64xf32>
// CHECK: %[[ROWMASK:.*]] = vector.constant_mask [7] : vector<16xi1>
// CHECK: scf.for %[[K:.*]] =
// CHECK: scf.for %[[R:.*]] = %{{.*}} to %c7
// CHECK: %[[ROW:.*]] = vector.maskedload %arg1[%[[K]], %{{.*}}, %{{.*}}], %[[ROWMASK]]
// CHECK: %[[COL:.*]] = arith.muli %[[R]], %c7
// CHECK: vector.maskedstore %[[PACKED]][%[[K]], %[[COL]]], %[[ROWMASK]], %[[ROW]]
// CHECK: vector.maskedstore %[[PACKED]][%[[K]], %c49{{.*}}]
// CHECK-NOT: vector.gather
// CHECK: scf.for %[[L0:.*]] = %{{.*}} to %c49{{.*}} step %c32
// CHECK: vector.load %[[PACKED]][%{{.*}}, %[[L0]]] : memref<128x64xf32>, vector<32xf32>
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: vector.maskedstore %[[TARGET]][%{{.*}}, %[[L0]]]
func.func @packed_rows(%w: memref<128x128xf32, #nki.mem<sbuf>>,
                       %x: memref<128x7x7xf32, strided<[324, 9, 1], offset: ?>, #nki.mem<sbuf>>,
                       %acc: memref<128x7x7xf32, strided<[512, 7, 1]>, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x7x7xf32, strided<[324, 9, 1], offset: ?>, #nki.mem<sbuf>> into memref<128x7x7xf32, strided<[512, 7, 1]>, #nki.mem<psum>>
  return
}

// A stationary tile with strided rows (a filter tap read where it is, as
// fold-transposes leaves it): a matmul of 7 lane blocks gathers it into
// packed f32 rows once, 8 columns at a time with the column chunks outside;
// the FMAs read the packed copy.
// CHECK-LABEL: func.func @strided_stationary_gathered
// CHECK: %[[WEIGHTS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x128xf32>
// CHECK: %[[SPAN:.*]] = memref.reinterpret_cast
// CHECK: %[[COLS:.*]] = arith.constant dense<[0, 1152, 2304, 3456, 4608, 5760, 6912, 8064]> : vector<8xi32>
// CHECK: scf.for %[[M:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[CHUNK:.*]] = vector.gather %[[SPAN]][%{{.*}}] [%[[COLS]]]
// CHECK: vector.store %[[CHUNK]], %[[WEIGHTS]][%[[K]], %[[M]]]
// CHECK: memref.load %[[WEIGHTS]]
func.func @strided_stationary_gathered(%w: memref<128x128xf32, strided<[9, 1152]>, #nki.mem<sbuf>>,
                                       %x: memref<128x196xf32, #nki.mem<sbuf>>,
                                       %acc: memref<128x196xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xf32, strided<[9, 1152]>, #nki.mem<sbuf>>, memref<128x196xf32, #nki.mem<sbuf>> into memref<128x196xf32, #nki.mem<psum>>
  return
}

// The same stationary tile read by a matmul of 2 lane blocks: each element
// is read twice where it is, which costs less than gathering it.
// CHECK-LABEL: func.func @strided_stationary_direct
// CHECK-NOT: vector.gather
// CHECK: memref.load %arg0
// CHECK-NEXT: vector.broadcast
// CHECK-NEXT: vector.fma
func.func @strided_stationary_direct(%w: memref<128x128xf32, strided<[9, 1152]>, #nki.mem<sbuf>>,
                                     %x: memref<128x49xf32, #nki.mem<sbuf>>,
                                     %acc: memref<128x49xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<128x128xf32, strided<[9, 1152]>, #nki.mem<sbuf>>, memref<128x49xf32, #nki.mem<sbuf>> into memref<128x49xf32, #nki.mem<psum>>
  return
}

// bf16 window rows of 14 (8 to 16 elements): with avx512-bf16, every row
// pair is packed once, end to end in the flattened lane order (two masked
// row loads interleaved, a masked store of 28 elements at row * 28; the tail
// to a whole 32-lane block zero), and lane blocks of 32 then run across rows
// with two dots per weight-pair broadcast: no gathers, no masked-off lanes
// in every row.
// DOT-LABEL: func.func @row_pairs_bf16
// DOT: %[[FLAT:.*]] = memref.collapse_shape %arg2 {{\[\[}}0], [1, 2]] : memref<16x5x14xf32> into memref<16x70xf32>
// DOT: %[[MOVING:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x192xbf16>
// DOT: %[[ROWMASK:.*]] = vector.constant_mask [14] : vector<16xi1>
// DOT: %[[PAIRMASK:.*]] = vector.constant_mask [28] : vector<32xi1>
// DOT: scf.for %[[P:.*]] =
// DOT: scf.for %[[R:.*]] = %{{.*}} to %c5
// DOT: vector.maskedload %arg1[%{{.*}}, %{{.*}}, %{{.*}}], %[[ROWMASK]]
// DOT: vector.maskedload %arg1
// DOT: %[[PAIR:.*]] = vector.interleave {{.*}} : vector<16xbf16> -> vector<32xbf16>
// DOT: %[[COL:.*]] = arith.muli %[[R]], %c28
// DOT: vector.maskedstore %[[MOVING]][%[[P]], %[[COL]]], %[[PAIRMASK]], %[[PAIR]]
// DOT: vector.maskedstore %[[MOVING]][%[[P]], %c140]
// DOT-NOT: vector.gather
// DOT: scf.for %[[L:.*]] = %{{.*}} to %c64 step %c32
// DOT: %[[BASE:.*]] = arith.muli %[[L]], %c2
// DOT: vector.maskedload %[[FLAT]]
// DOT: %[[AT:.*]] = arith.addi %[[BASE]], %c0
// DOT: vector.load %[[MOVING]][%{{.*}}, %[[AT]]] : memref<64x192xbf16>, vector<32xbf16>
// DOT: vector.broadcast {{.*}} : i32 to vector<16xi32>
// DOT-COUNT-2: x86vector.avx512.dot
// DOT: vector.maskedstore %[[FLAT]]
// The last 6 lanes: a 16-lane block of its own, 16 rows of one dot each.
// DOT: %[[TAILMASK:.*]] = vector.constant_mask [6] : vector<16xi1>
// DOT: %[[TAILCOL:.*]] = arith.muli %c64{{.*}}, %c2
// DOT: scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c16
// DOT: vector.maskedload %[[FLAT]][%{{.*}}, %{{.*}}], %[[TAILMASK]]
// DOT: %[[TAILAT:.*]] = arith.addi %[[TAILCOL]], %c0
// DOT: vector.load %[[MOVING]][%{{.*}}, %[[TAILAT]]] : memref<64x192xbf16>, vector<32xbf16>
// DOT-COUNT-16: x86vector.avx512.dot
// DOT: vector.maskedstore %[[FLAT]][%{{.*}}, %{{.*}}], %[[TAILMASK]]
func.func @row_pairs_bf16(%w: memref<64x16xbf16, #nki.mem<sbuf>>,
                          %x: memref<64x5x14xbf16, strided<[80, 16, 1]>, #nki.mem<sbuf>>,
                          %acc: memref<16x5x14xf32, #nki.mem<psum>>) {
  nki.matmul accumulate %w, %x into %acc
      : memref<64x16xbf16, #nki.mem<sbuf>>, memref<64x5x14xbf16, strided<[80, 16, 1]>, #nki.mem<sbuf>> into memref<16x5x14xf32, #nki.mem<psum>>
  return
}
