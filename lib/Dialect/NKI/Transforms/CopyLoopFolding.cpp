//===- CopyLoopFolding.cpp - Fold per-element copy loops --------*- C++ -*-===//

#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

/// How one side of the copy depends on the induction variable.
struct ViewAccess {
  memref::SubViewOp subview;
  /// The dim whose offset is the position (for Delinearized, the first of
  /// the two dims (p / W, p % W)).
  int64_t dim = -1;
  bool delinearized = false;
  /// Offset at i = 0: the invariant c of `i + c`.
  OpFoldResult start;
};

bool isInvariant(Value value, scf::ForOp loop) {
  return loop.isDefinedOutsideOfLoop(value);
}

/// Matches `iv + c` (either order) or `iv`; returns c.
std::optional<OpFoldResult> matchShiftedIv(Value value, scf::ForOp loop,
                                           Builder &b) {
  Value iv = loop.getInductionVar();
  if (value == iv)
    return OpFoldResult(b.getIndexAttr(0));
  auto add = value.getDefiningOp<arith::AddIOp>();
  if (!add)
    return std::nullopt;
  if (add.getLhs() == iv && isInvariant(add.getRhs(), loop))
    return OpFoldResult(add.getRhs());
  if (add.getRhs() == iv && isInvariant(add.getLhs(), loop))
    return OpFoldResult(add.getLhs());
  return std::nullopt;
}

/// Analyzes one side of the copy; sets `reason` and fails when the
/// view does not move with the loop the way folding needs.
FailureOr<ViewAccess> analyzeView(Value view, scf::ForOp loop,
                                  std::string &reason,
                                  bool &looksDelinearized) {
  Builder b(loop.getContext());
  auto subview = view.getDefiningOp<memref::SubViewOp>();
  if (isInvariant(view, loop) || !subview) {
    reason = "every iteration copies the same region";
    return failure();
  }
  if (!isInvariant(subview.getSource(), loop)) {
    reason = "the copied buffer changes inside the loop";
    return failure();
  }
  if (!llvm::all_of(subview.getMixedStrides(),
                    [](OpFoldResult s) { return isConstantIntValue(s, 1); })) {
    reason = "a view is not unit-stride";
    return failure();
  }
  ViewAccess access;
  access.subview = subview;
  SmallVector<OpFoldResult> offsets = subview.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
  for (int64_t dim = 0; dim < static_cast<int64_t>(offsets.size()); ++dim) {
    auto value = dyn_cast<Value>(offsets[dim]);
    if (!value || isInvariant(value, loop))
      continue;
    if (access.dim >= 0) {
      reason = "more than one index moves with the loop";
      return failure();
    }
    if (auto start = matchShiftedIv(value, loop, b)) {
      access.dim = dim;
      access.start = *start;
      continue;
    }
    // (p / W, p % W) over dims (dim, dim + 1).
    auto div = value.getDefiningOp<arith::DivUIOp>();
    looksDelinearized |= div || value.getDefiningOp<arith::RemUIOp>();
    auto rem = dim + 1 < static_cast<int64_t>(offsets.size())
                   ? dyn_cast_if_present<Value>(offsets[dim + 1])
                   : Value();
    auto remOp = rem ? rem.getDefiningOp<arith::RemUIOp>() : nullptr;
    std::optional<int64_t> width =
        div ? getConstantIntValue(div.getRhs()) : std::nullopt;
    std::optional<OpFoldResult> start =
        div ? matchShiftedIv(div.getLhs(), loop, b) : std::nullopt;
    if (!div || !remOp || remOp.getLhs() != div.getLhs() ||
        getConstantIntValue(remOp.getRhs()) != width || !width || !start ||
        subview.getSourceType().getDimSize(dim + 1) != *width) {
      reason = "an index is neither `i + c` nor (p / W, p % W) of p = i + c "
               "with W the row width";
      return failure();
    }
    access.dim = dim;
    access.delinearized = true;
    access.start = *start;
    ++dim; // the remainder dim is part of this access
  }
  if (access.dim < 0) {
    reason = "every iteration copies the same region";
    return failure();
  }
  int64_t last = access.dim + (access.delinearized ? 1 : 0);
  for (int64_t dim = access.dim; dim <= last; ++dim)
    if (!isConstantIntValue(sizes[dim], 1)) {
      reason = "the moving index does not copy one position per iteration";
      return failure();
    }
  return access;
}

/// The guard `i < bound` (or `bound > i`) around the copy, if any.
FailureOr<Value> matchGuard(scf::IfOp ifOp, scf::ForOp loop) {
  auto cmp = ifOp.getCondition().getDefiningOp<arith::CmpIOp>();
  if (!cmp || ifOp.elseBlock() || ifOp.getNumResults() != 0)
    return failure();
  Value iv = loop.getInductionVar();
  using P = arith::CmpIPredicate;
  if (cmp.getLhs() == iv &&
      (cmp.getPredicate() == P::ult || cmp.getPredicate() == P::slt))
    return isInvariant(cmp.getRhs(), loop) ? cmp.getRhs() : FailureOr<Value>();
  if (cmp.getRhs() == iv &&
      (cmp.getPredicate() == P::ugt || cmp.getPredicate() == P::sgt))
    return isInvariant(cmp.getLhs(), loop) ? cmp.getLhs() : FailureOr<Value>();
  return failure();
}

/// The view of the whole range: the position dim(s) sized `count` from
/// `start`, other dims as before, the same dims dropped. Planned first, so
/// that a loop that cannot be folded is left untouched.
struct RangeView {
  const ViewAccess *access = nullptr;
  SmallVector<ReassociationIndices> collapse; // empty: no collapse
  SmallVector<OpFoldResult> offsets, sizes;
  SmallVector<int64_t> resultShape;
};

FailureOr<RangeView> planRangeView(const ViewAccess &access,
                                   std::optional<int64_t> count) {
  memref::SubViewOp subview = access.subview;
  RangeView plan;
  plan.access = &access;
  plan.offsets = subview.getMixedOffsets();
  plan.sizes = subview.getMixedSizes();
  llvm::SmallBitVector dropped = subview.getDroppedDims();
  int64_t dim = access.dim;
  if (access.delinearized) {
    // Collapse (dim, dim + 1) into one linear position dim.
    for (int64_t d = 0; d < subview.getSourceType().getRank(); ++d) {
      if (d == dim + 1)
        continue;
      plan.collapse.push_back(d == dim ? ReassociationIndices{d, d + 1}
                                       : ReassociationIndices{d});
    }
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(
            subview.getSourceType(), plan.collapse))
      return failure();
    bool kept = !dropped.test(dim) || !dropped.test(dim + 1);
    plan.offsets.erase(plan.offsets.begin() + dim + 1);
    plan.sizes.erase(plan.sizes.begin() + dim + 1);
    llvm::SmallBitVector collapsed(dropped.size() - 1);
    for (int64_t d = 0, e = collapsed.size(); d < e; ++d)
      collapsed[d] = d < dim ? dropped[d] : d == dim ? !kept : dropped[d + 1];
    dropped = collapsed;
  }
  if (dropped.test(dim))
    return failure(); // the position dim is not part of the copy's shape
  for (auto [d, size] : llvm::enumerate(plan.sizes)) {
    if (dropped.test(d))
      continue;
    if (static_cast<int64_t>(d) == dim)
      plan.resultShape.push_back(count.value_or(ShapedType::kDynamic));
    else
      plan.resultShape.push_back(
          getConstantIntValue(size).value_or(ShapedType::kDynamic));
  }
  return plan;
}

Value buildRangeView(RewriterBase &rewriter, Location loc, RangeView plan,
                     OpFoldResult start, OpFoldResult count) {
  memref::SubViewOp subview = plan.access->subview;
  Value source = subview.getSource();
  if (!plan.collapse.empty())
    source =
        memref::CollapseShapeOp::create(rewriter, loc, source, plan.collapse);
  plan.offsets[plan.access->dim] = start;
  plan.sizes[plan.access->dim] = count;
  // Constant indices become static, so that types stay as static as they can.
  for (OpFoldResult &offset : plan.offsets)
    if (std::optional<int64_t> constant = getConstantIntValue(offset))
      offset = rewriter.getIndexAttr(*constant);
  SmallVector<OpFoldResult> strides(plan.offsets.size(),
                                    rewriter.getIndexAttr(1));
  MemRefType type = memref::SubViewOp::inferRankReducedResultType(
      plan.resultShape, cast<MemRefType>(source.getType()), plan.offsets,
      plan.sizes, strides);
  return memref::SubViewOp::create(rewriter, loc, type, source, plan.offsets,
                                   plan.sizes, strides);
}

/// The one copy in a candidate loop, directly in its body or under one
/// `if`, and whether anything else in the body has memory effects.
struct LoopCopy {
  Operation *copy;
  scf::IfOp guard;
  bool otherEffects = false;
};

FailureOr<LoopCopy> findLoopCopy(scf::ForOp loop) {
  LoopCopy found{nullptr, nullptr};
  int64_t numNKIOps = 0;
  loop.getBody()->walk([&](Operation *op) {
    if (!isa<NKIDialect>(op->getDialect()))
      return;
    ++numNKIOps;
    if (isa<DmaCopyOp, TensorCopyOp>(op))
      found.copy = op;
  });
  if (numNKIOps != 1 || !found.copy)
    return failure();
  found.guard = dyn_cast<scf::IfOp>(found.copy->getParentOp());
  if (found.guard && found.guard->getParentOp() != loop)
    return failure();
  loop.getBody()->walk([&](Operation *op) {
    if (op != found.copy && op != found.guard.getOperation() &&
        !isa<scf::YieldOp>(op) && !isMemoryEffectFree(op))
      found.otherEffects = true;
  });
  return found;
}

/// Replaces `loop` by one copy of `count` positions from where its first
/// iteration copies.
void emitRangeCopy(RewriterBase &rewriter, scf::ForOp loop, Operation *copy,
                   const ViewAccess &from, const ViewAccess &to,
                   const RangeView &sourcePlan, const RangeView &targetPlan,
                   Value bound, std::optional<int64_t> staticCount) {
  OpBuilder::InsertionGuard insertion(rewriter);
  rewriter.setInsertionPoint(loop);
  Location loc = copy->getLoc();
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  OpFoldResult count;
  if (staticCount) {
    count = rewriter.getIndexAttr(*staticCount);
  } else {
    Value upper = loop.getUpperBound();
    if (bound)
      upper = arith::MinSIOp::create(rewriter, loc, upper, bound);
    Value diff = upper;
    if (lb != 0)
      diff = arith::SubIOp::create(rewriter, loc, upper, loop.getLowerBound());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    count = arith::MaxSIOp::create(rewriter, loc, diff, zero).getResult();
  }
  // Positions start where iteration lb copies.
  auto startOf = [&](const ViewAccess &access) -> OpFoldResult {
    std::optional<int64_t> start = getConstantIntValue(access.start);
    if (lb == 0)
      return access.start;
    if (lb && start)
      return rewriter.getIndexAttr(*lb + *start);
    return arith::AddIOp::create(
               rewriter, loc,
               getValueOrCreateConstantIndexOp(rewriter, loc, access.start),
               loop.getLowerBound())
        .getResult();
  };
  Value newSource =
      buildRangeView(rewriter, loc, sourcePlan, startOf(from), count);
  Value newTarget =
      buildRangeView(rewriter, loc, targetPlan, startOf(to), count);
  if (isa<DmaCopyOp>(copy))
    DmaCopyOp::create(rewriter, loc, newSource, newTarget);
  else
    TensorCopyOp::create(rewriter, loc, newSource, newTarget);
  rewriter.eraseOp(loop);
}

} // namespace

LogicalResult nki::foldCopyLoop(RewriterBase &rewriter, scf::ForOp loop,
                                CopyLoopKind kind) {
  // The candidate: a loop whose only NKI op is one copy, directly in its
  // body or under one `if`; anything else with memory effects blocks it.
  FailureOr<LoopCopy> candidate = findLoopCopy(loop);
  if (failed(candidate))
    return failure();
  Operation *copy = candidate->copy;
  scf::IfOp guard = candidate->guard;
  Value source = copy->getOperand(0), target = copy->getOperand(1);
  std::string sourceReason, targetReason;
  bool sourceDelinearized = false, targetDelinearized = false;
  FailureOr<ViewAccess> from =
      analyzeView(source, loop, sourceReason, sourceDelinearized);
  FailureOr<ViewAccess> to =
      analyzeView(target, loop, targetReason, targetDelinearized);
  // Which pass owns this loop: batched writeback stores positions of a
  // plane, indexed (p / W, p % W), to HBM; copy-loop folding the rest.
  bool isWriteback = targetDelinearized && isa<DmaCopyOp>(copy) &&
                     getSpace(cast<MemRefType>(target.getType())) == Space::HBM;
  if ((kind == CopyLoopKind::Delinearized) != isWriteback)
    return failure();
  bool isUnitStride = succeeded(from) && succeeded(to) && !from->delinearized &&
                      !to->delinearized;

  auto decline = [&](const Twine &reason) {
    return rewriter.notifyMatchFailure(loop, "not folded: " + reason);
  };
  if (failed(from))
    return decline("the source: " + sourceReason);
  if (failed(to))
    return decline("the target: " + targetReason);
  if (kind == CopyLoopKind::UnitStride && !isUnitStride)
    return decline("the source index is not unit-stride");
  if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()))
    return decline("the loop is not an nki.affine_range (sequential loops "
                   "are never reordered)");
  std::optional<APInt> step = loop.getConstantStep();
  if (!step || *step != 1)
    return decline("the loop step is not 1");
  if (candidate->otherEffects)
    return decline("the loop body has other memory effects");
  Value bound;
  if (guard) {
    FailureOr<Value> matched = matchGuard(guard, loop);
    if (failed(matched))
      return decline("the guard is not `i < bound` with an invariant bound");
    bound = *matched;
  }
  if (!areDisjointBuffers(source, target))
    return decline("source and target may overlap");

  // count = max(0, min(ub, bound) - lb), static when the bounds are.
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> staticBound = bound ? getConstantIntValue(bound) : ub;
  std::optional<int64_t> staticCount;
  if (lb && ub && staticBound)
    staticCount = std::max<int64_t>(0, std::min(*ub, *staticBound) - *lb);
  FailureOr<RangeView> sourcePlan = planRangeView(*from, staticCount);
  FailureOr<RangeView> targetPlan = planRangeView(*to, staticCount);
  if (failed(sourcePlan) || failed(targetPlan) ||
      sourcePlan->resultShape != targetPlan->resultShape)
    return decline("the folded source and target views would not match");

  emitRangeCopy(rewriter, loop, copy, *from, *to, *sourcePlan, *targetPlan,
                bound, staticCount);
  return success();
}
