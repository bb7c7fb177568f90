//===- PackContraction.cpp - Small contractions onto partitions -*- C++ -*-===//
//
// A matmul that contracts few partitions (an RGB image's 3 channels) leaves
// most of the Tensor Engine's 128 rows idle, and on the CPU it loads and
// stores its accumulators for a handful of FMAs. When the loops around it
// only sum into the same PSUM tile, their iterations' operands are stacked
// on the partition axis instead, and the sum runs as a few tall matmuls
// after the loops.
//
//===----------------------------------------------------------------------===//

#include "Remarks.h"

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIPACKCONTRACTION
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Whether `value` is the same in every iteration of `loop`: defined outside
/// it, or computed from such values by ops without memory effects (a view of
/// a PSUM tile built in the loop body).
bool isInvariant(Value value, scf::ForOp loop) {
  if (loop.isDefinedOutsideOfLoop(value))
    return true;
  Operation *op = value.getDefiningOp();
  return op && isMemoryEffectFree(op) && op->getNumRegions() == 0 &&
         llvm::all_of(op->getOperands(), [&](Value operand) {
           return isInvariant(operand, loop);
         });
}

/// `value`, invariant in `loop`, available at `b`'s insertion point after
/// the loop: the ops computing it inside the loop are cloned.
Value cloneInvariant(OpBuilder &b, Value value, scf::ForOp loop,
                     IRMapping &mapping) {
  if (loop.isDefinedOutsideOfLoop(value))
    return value;
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *op = value.getDefiningOp();
  for (Value operand : op->getOperands())
    mapping.map(operand, cloneInvariant(b, operand, loop, mapping));
  Operation *clone = b.clone(*op, mapping);
  return clone->getResult(cast<OpResult>(value).getResultNumber());
}

/// `[rows, chunk, 0...]` of `packed`, `rows` partitions of one chunk, with
/// the chunk dim dropped.
Value chunkView(OpBuilder &b, Location loc, Value packed, OpFoldResult row,
                OpFoldResult chunk, int64_t rows) {
  auto type = cast<MemRefType>(packed.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  offsets[0] = row;
  offsets[1] = chunk;
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows), b.getIndexAttr(1)};
  SmallVector<int64_t> shape = {rows};
  for (int64_t size : type.getShape().drop_front(2)) {
    sizes.push_back(b.getIndexAttr(size));
    shape.push_back(size);
  }
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  auto viewType = memref::SubViewOp::inferRankReducedResultType(
      shape, type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, cast<MemRefType>(viewType), packed,
                                   offsets, sizes, strides);
}

} // namespace

LogicalResult nki::packContraction(RewriterBase &rewriter, MatmulOp matmul,
                                   int64_t maxRows, int64_t sbufBudget) {
  auto stationaryType = cast<MemRefType>(matmul.getStationary().getType());
  auto movingType = cast<MemRefType>(matmul.getMoving().getType());
  int64_t rows = stationaryType.getDimSize(0);
  if (!matmul.isAccumulate() || !stationaryType.hasStaticShape() ||
      !movingType.hasStaticShape() || rows < 1 || rows > maxRows ||
      2 * rows > 128 || !isa<scf::ForOp>(matmul->getParentOp()))
    return failure();
  auto fail = [&](const Twine &reason) {
    return rewriter.notifyMatchFailure(matmul, "not packed: " + reason);
  };

  // The loops directly around the matmul whose iterations only sum into the
  // same PSUM tile: it is the same view in every iteration, nothing else in
  // them touches its memory, and the matmul runs once per iteration. Their
  // partial sums may then be taken in any order.
  Value target = matmul.getTarget();
  SmallVector<scf::ForOp> nest; // innermost first
  SmallVector<int64_t> counts;  // their trip counts
  int64_t trips = 1;
  for (auto loop = dyn_cast<scf::ForOp>(matmul->getParentOp()); loop;
       loop = dyn_cast<scf::ForOp>(loop->getParentOp())) {
    std::optional<int64_t> count = getNormalTripCount(loop);
    // (A cap far above any budget keeps the product from overflowing.)
    if (!isInvariant(target, loop) || !count || *count < 1 ||
        *count > (1 << 20) / trips ||
        mayBeAccessedIn(loop, target, matmul, /*includeReads=*/true))
      break;
    nest.push_back(loop);
    counts.push_back(*count);
    trips *= *count;
  }
  if (trips < 2) {
    return fail("no loop around it only accumulates into its PSUM tile (a "
                "normalized loop of constant trip count, in which the tile is "
                "the same view and nothing else accesses it)");
  }

  // `perChunk` iterations per matmul of `perChunk * rows` partitions, the
  // chunks as even as their count allows.
  int64_t chunks = llvm::divideCeil(trips, 128 / rows);
  int64_t perChunk = llvm::divideCeil(trips, chunks);
  int64_t elementBytes = stationaryType.getElementTypeBitWidth() / 8;
  int64_t free = stationaryType.getNumElements() / rows +
                 movingType.getNumElements() / rows;
  if (chunks * free * elementBytes > resolveSbufBudget(matmul, sbufBudget))
    return fail("the packed operands would not fit the SBUF budget");

  // The packed operands, allocated before the nest: [rows x perChunk, chunk,
  // free dims...].
  Location loc = matmul.getLoc();
  scf::ForOp outer = nest.back();
  rewriter.setInsertionPoint(outer);
  auto allocPacked = [&](MemRefType type) {
    SmallVector<int64_t> shape = {rows * perChunk, chunks};
    llvm::append_range(shape, type.getShape().drop_front());
    return memref::AllocOp::create(rewriter, loc,
                                   MemRefType::get(shape, type.getElementType(),
                                                   MemRefLayoutAttrInterface(),
                                                   type.getMemorySpace()));
  };
  Value packedStationary = allocPacked(stationaryType);
  Value packedMoving = allocPacked(movingType);

  // Each iteration copies its operands into its slot, where the matmul was.
  rewriter.setInsertionPoint(matmul);
  Value slot = outer.getInductionVar();
  for (int64_t i = static_cast<int64_t>(nest.size()) - 2; i >= 0; --i) {
    Value count = arith::ConstantIndexOp::create(rewriter, loc, counts[i]);
    slot = arith::AddIOp::create(
        rewriter, loc, arith::MulIOp::create(rewriter, loc, slot, count),
        nest[i].getInductionVar());
  }
  OpFoldResult chunk = rewriter.getIndexAttr(0);
  Value index = slot;
  if (chunks > 1) {
    Value perChunkValue =
        arith::ConstantIndexOp::create(rewriter, loc, perChunk);
    chunk =
        arith::DivUIOp::create(rewriter, loc, slot, perChunkValue).getResult();
    index = arith::RemUIOp::create(rewriter, loc, slot, perChunkValue);
  }
  Value row = arith::MulIOp::create(
      rewriter, loc, index,
      arith::ConstantIndexOp::create(rewriter, loc, rows));
  DmaCopyOp::create(
      rewriter, loc, matmul.getStationary(),
      chunkView(rewriter, loc, packedStationary, row, chunk, rows));
  DmaCopyOp::create(rewriter, loc, matmul.getMoving(),
                    chunkView(rewriter, loc, packedMoving, row, chunk, rows));

  // After the nest, one matmul per chunk sums what the iterations did.
  rewriter.setInsertionPointAfter(outer);
  IRMapping mapping;
  Value targetAfter = cloneInvariant(rewriter, target, outer, mapping);
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t chunkRows = std::min(perChunk, trips - c * perChunk) * rows;
    OpFoldResult zero = rewriter.getIndexAttr(0), at = rewriter.getIndexAttr(c);
    MatmulOp::create(
        rewriter, loc, MatmulMode::accumulate,
        chunkView(rewriter, loc, packedStationary, zero, at, chunkRows),
        chunkView(rewriter, loc, packedMoving, zero, at, chunkRows),
        targetAfter);
  }
  rewriter.eraseOp(matmul);
  return success();
}

namespace {

struct PackContractionPass
    : public nki::impl::NKIPackContractionBase<PackContractionPass> {
  using Base::Base;
  void runOnOperation() override {
    applyToEach<MatmulOp>(getOperation(), getArgument(),
                          [&](RewriterBase &rewriter, MatmulOp matmul) {
                            return packContraction(rewriter, matmul, maxRows,
                                                   sbufBudget);
                          });
  }
};

} // namespace
