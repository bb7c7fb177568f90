//===- GroupRowBlocks.cpp - One slab for several row blocks -----*- C++ -*-===//

#include "Loops.h"
#include "Remarks.h"
#include "Views.h"

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIGROUPROWBLOCKS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Whether `value` is computed from `iv`.
bool dependsOn(Value value, Value iv, int depth = 0) {
  if (value == iv)
    return true;
  Operation *def = value.getDefiningOp();
  return def && depth < 32 &&
         llvm::any_of(
             def->getOperands(),
             [&](Value v) { return dependsOn(v, iv, depth + 1); });
}

/// `value` with `iv` replaced by `replacement`, its producers in `scope`
/// cloned at `b`.
Value cloneWith(Value value, Value iv, Value replacement, Operation *scope,
                OpBuilder &b, IRMapping &mapping) {
  if (value == iv)
    return replacement;
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *def = value.getDefiningOp();
  if (!def || !scope->isAncestor(def))
    return value; // defined before the loop: dominates
  for (Value operand : def->getOperands())
    mapping.map(operand,
                cloneWith(operand, iv, replacement, scope, b, mapping));
  return b.clone(*def, mapping)->getResult(0);
}

/// A slab: a local SBUF buffer in the body of the spatial loop, filled by one
/// DMA (directly or in a loop of its own) whose source window moves along one
/// dim with the spatial index.
struct Slab {
  memref::AllocOp alloc;
  Operation *fill; // the DMA, or the loop around it
  DmaCopyOp dma;
  memref::SubViewOp source; // of the loaded tensor, in `fill`
  memref::SubViewOp target; // of `alloc`, or null when the DMA fills it whole
  int64_t sourceDim;        // the moving dim of the loaded tensor
  int64_t slabDim;          // the same dim in the slab
  int64_t rows;             // the window's constant size along it
};

/// How a slab's loop is grouped.
struct GroupPlan {
  Value offset;      // the window's start, in the loop
  int64_t tripCount; // blocks in the loop
  int64_t extent;    // the loaded tensor's size along the moving dim
  int64_t blocks;    // blocks per group
  int64_t groupRows; // rows of the group's slab
  llvm::SetVector<Operation *> startOps; // compute only the fill's start
};

/// Strip-mines a spatial loop into groups of blocks that share one slab:
/// find the slab, plan the grouping (window starts, group size within the
/// budget, a fill that can move out of the loop), then rewrite.
class Grouper {
public:
  Grouper(RewriterBase &rewriter, scf::ForOp loop, int64_t maxBlocks,
          int64_t budget)
      : rewriter(rewriter), loop(loop), maxBlocks(maxBlocks), budget(budget) {}
  LogicalResult run();

private:
  FailureOr<Slab> findSlab(memref::AllocOp alloc, std::string &reason);
  LogicalResult findFill(Slab &slab, std::string &reason);
  LogicalResult findSlabDim(Slab &slab, std::string &reason);
  FailureOr<GroupPlan> plan(Slab &slab);
  LogicalResult chooseGroupSize(Slab &slab, GroupPlan &plan, std::string &why);
  bool isFillSelfContained(Slab &slab, GroupPlan &plan);
  void rewrite(Slab &slab, GroupPlan &plan);
  void retargetFill(Slab &slab, GroupPlan &plan, Value groupStart,
                    Value groupSlab);

  RewriterBase &rewriter;
  scf::ForOp loop;
  int64_t maxBlocks, budget;
};

/// One DMA writes the slab, directly in the loop or in a loop of its own,
/// before every other access; the other accesses only read it, through
/// subviews.
LogicalResult Grouper::findFill(Slab &slab, std::string &reason) {
  for (OpOperand *use : getAccesses(slab.alloc)) {
    auto dma = dyn_cast<DmaCopyOp>(use->getOwner());
    if (!dma || use != &dma.getTargetMutable())
      continue;
    if (slab.dma) {
      reason = "the slab is written by more than one DMA";
      return failure();
    }
    slab.dma = dma;
  }
  if (!slab.dma)
    return failure();
  Block *body = loop.getBody();
  slab.fill = body->findAncestorOpInBlock(*slab.dma);
  if (slab.fill != slab.dma.getOperation()) {
    auto fillLoop = dyn_cast<scf::ForOp>(slab.fill);
    if (!fillLoop || slab.dma->getParentOp() != fillLoop.getOperation() ||
        fillLoop.getNumRegionIterArgs() != 0) {
      reason = "the slab's DMA is not directly in the spatial loop or in a "
               "loop of its own";
      return failure();
    }
  }
  for (OpOperand *use : getAccesses(slab.alloc)) {
    Operation *user = body->findAncestorOpInBlock(*use->getOwner());
    if (use->getOwner() == slab.dma)
      continue;
    if (!user || !slab.fill->isBeforeInBlock(user)) {
      reason = "the slab is accessed before it is loaded";
      return failure();
    }
    // Grouped blocks share the slab: a block must not change what the next
    // one reads (an in-place update, a memset of its halo rows).
    if (mayWriteThrough(*use)) {
      reason = "the slab is written after it is loaded";
      return failure();
    }
    FailureOr<SmallVector<Operation *>> chain =
        getViewChain(slab.alloc.getResult(), use->get());
    if (failed(chain) ||
        !llvm::all_of(*chain, llvm::IsaPred<memref::SubViewOp>)) {
      reason = "the slab is accessed through other views than subviews";
      return failure();
    }
  }
  return success();
}

/// The moving dim's position in the slab: the DMA fills the slab whole, or
/// through one subview that covers the whole moving dim.
LogicalResult Grouper::findSlabDim(Slab &slab, std::string &reason) {
  llvm::SmallBitVector dropped = slab.source.getDroppedDims();
  int64_t shapeDim = 0; // the moving dim in the DMA's shape
  for (int64_t d = 0; d < slab.sourceDim; ++d)
    shapeDim += dropped.test(d) ? 0 : 1;
  Value target = slab.dma.getTarget();
  if (target == slab.alloc.getResult()) {
    slab.slabDim = shapeDim;
    return success();
  }
  slab.target = target.getDefiningOp<memref::SubViewOp>();
  if (!slab.target || slab.target.getSource() != slab.alloc.getResult()) {
    reason = "the DMA fills the slab through other views than one subview";
    return failure();
  }
  llvm::SmallBitVector droppedInSlab = slab.target.getDroppedDims();
  int64_t kept = -1;
  slab.slabDim = -1;
  for (int64_t d = 0, e = droppedInSlab.size(); d < e; ++d) {
    if (droppedInSlab.test(d))
      continue;
    if (++kept == shapeDim)
      slab.slabDim = d;
  }
  if (slab.slabDim < 0 ||
      !isZeroInteger(slab.target.getMixedOffsets()[slab.slabDim]) ||
      getConstantIntValue(slab.target.getMixedSizes()[slab.slabDim]) !=
          slab.alloc.getType().getDimSize(slab.slabDim)) {
    reason = "the DMA fills only part of the slab along the moving dim";
    return failure();
  }
  return success();
}

FailureOr<Slab> Grouper::findSlab(memref::AllocOp alloc, std::string &reason) {
  Slab slab;
  slab.alloc = alloc;
  if (failed(findFill(slab, reason)))
    return failure();
  // The source: one subview of a tensor defined outside the loop.
  slab.source = slab.dma.getSource().getDefiningOp<memref::SubViewOp>();
  if (!slab.source ||
      !slab.source.getSource().getParentRegion()->isProperAncestor(
          &loop.getRegion())) {
    reason = "the DMA source is not one subview of a tensor from outside";
    return failure();
  }
  slab.sourceDim = -1;
  for (auto [d, offset] : llvm::enumerate(slab.source.getMixedOffsets())) {
    auto value = dyn_cast<Value>(offset);
    if (!value || !dependsOn(value, loop.getInductionVar()))
      continue;
    if (slab.sourceDim >= 0) {
      reason = "the window moves along more than one dim";
      return failure();
    }
    slab.sourceDim = d;
  }
  if (slab.sourceDim < 0)
    return failure(); // not a slab of this loop
  std::optional<int64_t> rows =
      getConstantIntValue(slab.source.getMixedSizes()[slab.sourceDim]);
  if (slab.source.getDroppedDims().test(slab.sourceDim))
    return failure(); // one element per iteration: not a window of rows
  if (!rows) {
    reason = "the window's size along the moving dim is not a constant";
    return failure();
  }
  slab.rows = *rows;
  if (failed(findSlabDim(slab, reason)))
    return failure();
  if (slab.slabDim == 0)
    return failure(); // the window moves across partitions, not rows
  if (alloc.getType().getDimSize(slab.slabDim) != slab.rows) {
    reason = "the slab is larger than the window";
    return failure();
  }
  return slab;
}

LogicalResult Grouper::run() {
  std::optional<int64_t> ub = getNormalTripCount(loop);
  if (!ub || *ub < 2 || loop.getNumRegionIterArgs() != 0)
    return failure();
  SmallVector<memref::AllocOp> allocs;
  for (auto alloc : loop.getBody()->getOps<memref::AllocOp>())
    if (getSpace(alloc.getType()) == Space::SBUF &&
        alloc.getType().hasStaticShape())
      allocs.push_back(alloc);
  for (memref::AllocOp alloc : allocs) {
    std::string reason;
    FailureOr<Slab> slab = findSlab(alloc, reason);
    if (failed(slab)) {
      if (!reason.empty())
        (void)rewriter.notifyMatchFailure(alloc, "not grouped: " + reason);
      continue;
    }
    FailureOr<GroupPlan> planned = plan(*slab);
    if (failed(planned))
      return failure();
    rewrite(*slab, *planned);
    return success(); // one slab per loop
  }
  return failure();
}

/// The largest group of at most `maxBlocks` blocks whose slab fits the
/// budget, from the window's start in every block.
LogicalResult Grouper::chooseGroupSize(Slab &slab, GroupPlan &plan,
                                       std::string &why) {
  // The window must never move back, so that a group's first block starts
  // its window.
  SmallVector<int64_t> starts;
  IndexEnv env;
  why = "the loop has too many iterations to evaluate";
  LogicalResult walked = forEachIteration({loop}, env, [&] {
    FailureOr<int64_t> start = evaluateIndex(plan.offset, env);
    if (failed(start)) {
      why = "the window's start is not evaluable index arithmetic of the "
            "spatial index";
      return failure();
    }
    if (!starts.empty() && *start < starts.back()) {
      why = "the window moves back";
      return failure();
    }
    starts.push_back(*start);
    return success();
  });
  if (failed(walked))
    return failure();
  if (starts.front() < 0 || starts.back() + slab.rows > plan.extent) {
    why = "the window leaves the loaded tensor";
    return failure();
  }
  MemRefType slabType = slab.alloc.getType();
  int64_t bytesPerRow = *getBytesPerPartition(slabType) / slab.rows;
  for (plan.blocks = std::min(maxBlocks, plan.tripCount); plan.blocks > 1;
       --plan.blocks) {
    plan.groupRows = 0;
    for (int64_t first = 0; first < plan.tripCount; first += plan.blocks) {
      int64_t last = std::min(first + plan.blocks, plan.tripCount) - 1;
      plan.groupRows =
          std::max(plan.groupRows, starts[last] - starts[first] + slab.rows);
    }
    if (plan.groupRows * bytesPerRow <= budget && plan.groupRows <= plan.extent)
      return success();
  }
  why = "no group of two or more blocks has a slab within the budget";
  return failure();
}

/// The fill moves out of the loop; the DMA's source and target views are
/// rebuilt before it. Whatever else they use must be available there.
bool Grouper::isFillSelfContained(Slab &slab, GroupPlan &plan) {
  bool selfContained = true;
  auto checkOperands = [&](Operation *op) {
    if (plan.startOps.contains(op))
      return;
    for (Value operand : op->getOperands()) {
      Operation *scope = operand.getParentBlock()->getParentOp();
      if (operand == slab.alloc.getResult() || operand == plan.offset ||
          slab.fill->isAncestor(scope) || !loop->isAncestor(scope))
        continue;
      if (operand.getDefiningOp() == slab.source.getOperation() ||
          (slab.target &&
           operand.getDefiningOp() == slab.target.getOperation()))
        continue;
      if (operand.getParentBlock() == loop.getBody() &&
          operand.getDefiningOp<arith::ConstantOp>())
        continue;
      selfContained = false;
    }
  };
  slab.fill->walk(checkOperands);
  checkOperands(slab.source);
  if (slab.target)
    checkOperands(slab.target);
  return selfContained;
}

FailureOr<GroupPlan> Grouper::plan(Slab &slab) {
  auto decline = [&](const Twine &why) {
    return rewriter.notifyMatchFailure(slab.dma, "not grouped: " + why);
  };
  if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()))
    return decline("the loop is not an nki.affine_range (sequential loops "
                   "are never reordered)");
  GroupPlan plan;
  plan.offset = cast<Value>(slab.source.getMixedOffsets()[slab.sourceDim]);
  plan.tripCount = *getConstantIntValue(loop.getUpperBound());
  plan.extent = slab.source.getSourceType().getDimSize(slab.sourceDim);
  std::string why;
  if (failed(chooseGroupSize(slab, plan, why)))
    return decline(why);
  if (mayBeWrittenIn(loop, slab.source.getSource(), slab.dma))
    return decline("an op in the loop may write the loaded tensor");
  // The ops in the fill that compute the window's start only for the source
  // view: replaced by the group's start.
  std::function<void(Value)> collectStart = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || !slab.fill->isProperAncestor(def) ||
        plan.startOps.contains(def))
      return;
    plan.startOps.insert(def);
    for (Value operand : def->getOperands())
      collectStart(operand);
  };
  collectStart(plan.offset);
  for (Operation *op : plan.startOps)
    for (Operation *user : op->getUsers())
      if (!plan.startOps.contains(user) && user != slab.source.getOperation())
        return decline("the window's start is used by other ops of the load");
  if (!isFillSelfContained(slab, plan))
    return decline("the slab's load uses other values computed in the loop");
  return plan;
}

/// The fill loads the group's window into the group's slab; the views and
/// index ops it used for one block's window are erased.
void Grouper::retargetFill(Slab &slab, GroupPlan &plan, Value groupStart,
                           Value groupSlab) {
  Location loc = loop.getLoc();
  OpBuilder at(slab.dma);
  SmallVector<OpFoldResult> offsets = slab.source.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = slab.source.getMixedSizes();
  offsets[slab.sourceDim] = groupStart;
  sizes[slab.sourceDim] = at.getIndexAttr(plan.groupRows);
  SmallVector<int64_t> shape(
      cast<MemRefType>(slab.source.getType()).getShape());
  int64_t shapeDim = 0;
  for (int64_t d = 0; d < slab.sourceDim; ++d)
    shapeDim += slab.source.getDroppedDims().test(d) ? 0 : 1;
  shape[shapeDim] = plan.groupRows;
  auto type = memref::SubViewOp::inferRankReducedResultType(
      shape, slab.source.getSourceType(), offsets, sizes,
      slab.source.getMixedStrides());
  Value source =
      memref::SubViewOp::create(at, loc, type, slab.source.getSource(), offsets,
                                sizes, slab.source.getMixedStrides());
  Value target = groupSlab;
  if (slab.target) {
    auto groupType = cast<MemRefType>(groupSlab.getType());
    SmallVector<OpFoldResult> targetSizes = slab.target.getMixedSizes();
    targetSizes[slab.slabDim] = at.getIndexAttr(plan.groupRows);
    SmallVector<int64_t> targetShape(slab.target.getType().getShape());
    targetShape[shapeDim] = plan.groupRows;
    auto targetType = memref::SubViewOp::inferRankReducedResultType(
        targetShape, groupType, slab.target.getMixedOffsets(), targetSizes,
        slab.target.getMixedStrides());
    target = memref::SubViewOp::create(
        at, loc, targetType, groupSlab, slab.target.getMixedOffsets(),
        targetSizes, slab.target.getMixedStrides());
  }
  slab.dma.getSourceMutable().assign(source);
  slab.dma.getTargetMutable().assign(target);
  if (slab.source->use_empty())
    slab.source.erase();
  // Dead now (checked by `plan`); erase users before their producers.
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation *&op : plan.startOps.takeVector())
      if (op->use_empty()) {
        op->erase();
        erased = true;
      } else {
        plan.startOps.insert(op);
      }
  }
  if (slab.target && slab.target->use_empty())
    slab.target.erase();
}

/// Strip-mine: for group in [0, ceil(n / G)) { for block in [0, min(G,
/// n - group * G)) { ... index group * G + block ... } }.
void Grouper::rewrite(Slab &slab, GroupPlan &plan) {
  Location loc = loop.getLoc();
  // The loop's index is group * G + block now, computed at its top.
  auto [firstBlock, block] = stripMine(loop, plan.tripCount, plan.blocks);
  OpBuilder b(loop);
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  // The group's window: from its first block's start, moved back where it
  // would pass the tensor's end.
  IRMapping mapping;
  Value firstStart =
      cloneWith(plan.offset, block, firstBlock, loop, b, mapping);
  Value groupStart = arith::MinSIOp::create(
      b, loc, firstStart, constant(plan.extent - plan.groupRows));
  MemRefType slabType = slab.alloc.getType();
  SmallVector<int64_t> groupShape(slabType.getShape());
  groupShape[slab.slabDim] = plan.groupRows;
  auto groupType = MemRefType::get(groupShape, slabType.getElementType(),
                                   nullptr, slabType.getMemorySpace());
  Value groupSlab = memref::AllocOp::create(b, loc, groupType);
  // In the block loop: the block's rows of the slab, from its window start
  // recomputed where the block begins.
  OpBuilder inner(loop.getBody(), std::next(loop.getBody()->begin()));
  IRMapping blockMapping;
  Value blockStart =
      cloneWith(plan.offset, block, block, loop, inner, blockMapping);
  Value within = arith::SubIOp::create(inner, loc, blockStart, groupStart);
  SmallVector<OpFoldResult> offsets(groupShape.size(), inner.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes,
      strides(groupShape.size(), inner.getIndexAttr(1));
  for (int64_t size : slabType.getShape())
    sizes.push_back(inner.getIndexAttr(size));
  offsets[slab.slabDim] = within;
  Value blockRows =
      memref::SubViewOp::create(inner, loc, groupSlab, offsets, sizes, strides);
  auto outer = cast<scf::ForOp>(loop->getParentOp());
  slab.fill->moveBefore(loop);
  retargetFill(slab, plan, groupStart, groupSlab);
  // Constants the fill took from the loop body come along.
  auto adoptConstants = [&](Operation *op) {
    for (OpOperand &operand : op->getOpOperands())
      if (auto c = operand.get().getDefiningOp<arith::ConstantOp>();
          c && c->getBlock() == loop.getBody()) {
        OpBuilder at(outer.getBody(), outer.getBody()->begin());
        operand.set(at.clone(*c)->getResult(0));
      }
  };
  slab.fill->walk(adoptConstants);
  for (Value view : {slab.dma.getSource(), slab.dma.getTarget()})
    if (Operation *def = view.getDefiningOp();
        def && !slab.fill->isAncestor(def))
      adoptConstants(def);
  for (OpOperand *use : getAccesses(slab.alloc)) {
    FailureOr<SmallVector<Operation *>> chain =
        getViewChain(slab.alloc.getResult(), use->get());
    assert(succeeded(chain) && "findSlab checked every access's views");
    OpBuilder at(use->getOwner());
    use->set(replaySubviews(at, loc, *chain, blockRows));
  }
  eraseUnusedViewsAndBuffer(slab.alloc);
}

struct GroupRowBlocksPass
    : public nki::impl::NKIGroupRowBlocksBase<GroupRowBlocksPass> {
  using Base::Base;
  void runOnOperation() override {
    applyToEach<scf::ForOp>(getOperation(), getArgument(),
                            [&](RewriterBase &rewriter, scf::ForOp loop) {
                              return groupRowBlocks(rewriter, loop, maxBlocks,
                                                    sbufBudget);
                            });
  }
};

} // namespace

LogicalResult nki::groupRowBlocks(RewriterBase &rewriter, scf::ForOp loop,
                                  int64_t maxBlocks, int64_t sbufBudget) {
  return Grouper(rewriter, loop, maxBlocks, resolveSbufBudget(loop, sbufBudget))
      .run();
}
