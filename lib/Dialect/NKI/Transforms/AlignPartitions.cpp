//===- AlignPartitions.cpp - Partitions of whole rows -----------*- C++ -*-===//

#include "Remarks.h"
#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIALIGNPARTITIONS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// `start = iv * P`: the multiplication and P.
struct PartitionStart {
  arith::MulIOp mul;
  int64_t size;
};

std::optional<PartitionStart> matchStart(scf::ForOp loop) {
  Value iv = loop.getInductionVar();
  if (!iv.hasOneUse())
    return std::nullopt;
  auto mul = dyn_cast<arith::MulIOp>(*iv.getUsers().begin());
  if (!mul)
    return std::nullopt;
  Value other = mul.getLhs() == iv ? mul.getRhs() : mul.getLhs();
  std::optional<int64_t> size = getConstantIntValue(other);
  if (!size || *size <= 0)
    return std::nullopt;
  return PartitionStart{mul, *size};
}

/// `size = min(P, N - start)` (either operand order); returns the min op.
Operation *matchSize(Value start, int64_t partition, int64_t &total) {
  for (Operation *user : start.getUsers()) {
    auto sub = dyn_cast<arith::SubIOp>(user);
    if (!sub || sub.getRhs() != start)
      continue;
    std::optional<int64_t> n = getConstantIntValue(sub.getLhs());
    if (!n)
      continue;
    for (Operation *minUser : sub->getUsers()) {
      if (!isa<arith::MinSIOp, arith::MinUIOp>(minUser))
        continue;
      Value other = minUser->getOperand(0) == sub.getResult()
                        ? minUser->getOperand(1)
                        : minUser->getOperand(0);
      if (getConstantIntValue(other) == partition) {
        total = *n;
        return minUser;
      }
    }
  }
  return nullptr;
}

/// Widths of the rows that views offset by `start` linearize.
SmallVector<int64_t> rowWidths(Value start) {
  SmallVector<int64_t> widths;
  for (Operation *user : start.getUsers()) {
    auto subview = dyn_cast<memref::SubViewOp>(user);
    if (!subview)
      continue;
    auto collapse =
        subview.getSource().getDefiningOp<memref::CollapseShapeOp>();
    if (!collapse)
      continue;
    for (auto [dim, offset] : llvm::enumerate(subview.getMixedOffsets())) {
      if (dyn_cast<Value>(offset) != start)
        continue;
      ReassociationIndices group = collapse.getReassociationIndices()[dim];
      int64_t width = 1;
      for (int64_t d : llvm::drop_begin(group))
        width *= collapse.getSrcType().getDimSize(d);
      if (group.size() > 1 && !ShapedType::isDynamic(width))
        widths.push_back(width);
    }
  }
  return widths;
}

/// Whether `loop` runs from 0 with step 1 and does nothing but under a guard
/// `iv < size`: it may count to P, since no iteration past `size` acts.
bool isGuardedBySize(scf::ForOp loop, Value size) {
  if (!isZeroInteger(loop.getLowerBound()) || !isOneInteger(loop.getStep()))
    return false;
  Block *body = loop.getBody();
  auto guard = dyn_cast<scf::IfOp>(body->front());
  if (!guard || guard->getNextNode() != body->getTerminator() ||
      guard.getNumResults() != 0 || guard.elseBlock())
    return false;
  auto cmp = guard.getCondition().getDefiningOp<arith::CmpIOp>();
  return cmp &&
         (cmp.getPredicate() == arith::CmpIPredicate::ult ||
          cmp.getPredicate() == arith::CmpIPredicate::slt) &&
         cmp.getLhs() == loop.getInductionVar() && cmp.getRhs() == size;
}

/// An op in `loop`'s body (other than those computing `start` and `size`)
/// that uses the partition size P itself, as a constant operand or a static
/// view size: it assumes partitions of exactly P positions, which the rewrite
/// changes. A loop to P whose iterations past `size` do nothing is fine.
Operation *findOtherUseOfP(scf::ForOp loop, PartitionStart start,
                           Operation *size) {
  Operation *found = nullptr;
  loop.getBody()->walk([&](Operation *op) {
    if (op == start.mul || op == size)
      return WalkResult::advance();
    for (OpOperand &operand : op->getOpOperands()) {
      if (getConstantIntValue(operand.get()) != start.size)
        continue;
      auto inner = dyn_cast<scf::ForOp>(op);
      if (inner && &operand == &inner.getUpperBoundMutable() &&
          isGuardedBySize(inner, size->getResult(0)))
        continue;
      // min(P, size) is size for any P >= size, before and after.
      if (isa<arith::MinSIOp, arith::MinUIOp>(op) &&
          llvm::is_contained(op->getOperands(), size->getResult(0)))
        continue;
      found = op;
      return WalkResult::interrupt();
    }
    auto view = dyn_cast<memref::SubViewOp>(op);
    if (view && llvm::is_contained(view.getStaticSizes(), start.size)) {
      found = op;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

} // namespace

LogicalResult nki::alignPartitions(RewriterBase &rewriter, scf::ForOp loop) {
  std::optional<PartitionStart> start = matchStart(loop);
  if (!start)
    return failure();
  int64_t total = 0;
  Operation *size = matchSize(start->mul.getResult(), start->size, total);
  if (!size)
    return failure();
  auto decline = [&](const Twine &reason) {
    return rewriter.notifyMatchFailure(loop, "not aligned: " + reason);
  };
  if (getNormalTripCount(loop) != llvm::divideCeil(total, start->size))
    return decline("the loop does not run over ceil(N / P) partitions");
  if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()))
    return decline("the loop is not an nki.affine_range (sequential loops "
                   "are never reordered)");
  SmallVector<int64_t> widths = rowWidths(start->mul.getResult());
  if (widths.empty())
    return decline("no view linearizes rows at the partition's start");
  int64_t width = widths.front();
  if (!llvm::all_equal(widths))
    return decline("the views disagree on the row width");
  if (total % width != 0 || width > start->size)
    return decline("the row width does not divide the positions or exceeds "
                   "a partition");
  int64_t aligned = start->size / width * width;
  if (aligned == start->size)
    return failure(); // already whole rows
  if (Operation *user = findOtherUseOfP(loop, *start, size)) {
    return rewriter.notifyMatchFailure(
        user, "not aligned: this op uses the partition size " +
                  Twine(start->size) +
                  " itself, not the partition's size (it would still "
                  "assume " +
                  Twine(start->size) + " positions)");
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  RewriterBase &b = rewriter;
  Location loc = loop.getLoc();
  Value newSize = arith::ConstantIndexOp::create(b, loc, aligned);
  Value newTrips =
      arith::ConstantIndexOp::create(b, loc, llvm::divideCeil(total, aligned));
  rewriter.modifyOpInPlace(loop, [&] { loop.setUpperBound(newTrips); });
  rewriter.modifyOpInPlace(start->mul, [&] {
    start->mul->replaceUsesOfWith(start->mul.getLhs() == loop.getInductionVar()
                                      ? start->mul.getRhs()
                                      : start->mul.getLhs(),
                                  newSize);
  });
  rewriter.modifyOpInPlace(size, [&] {
    for (OpOperand &operand : size->getOpOperands())
      if (getConstantIntValue(operand.get()) == start->size)
        operand.set(newSize);
  });
  return success();
}

namespace {

struct AlignPartitionsPass
    : public nki::impl::NKIAlignPartitionsBase<AlignPartitionsPass> {
  void runOnOperation() override {
    applyToEach<scf::ForOp>(getOperation(), getArgument(),
                            [&](RewriterBase &rewriter, scf::ForOp loop) {
                              return alignPartitions(rewriter, loop);
                            });
  }
};

} // namespace
