//===- TileHoisting.cpp - Compute loop-invariant tiles once -----*- C++ -*-===//

#include "TileHoisting.h"
#include "Remarks.h"
#include "Views.h"

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Whether `use` is an NKI op reading, never writing, through it.
bool onlyReads(OpOperand *use) {
  return isa<NKIDialect>(use->getOwner()->getDialect()) &&
         !mayWriteThrough(*use);
}

/// Checks that every access of `result` other than by `writers` reads it
/// after the last writer, in its block, through `result` itself or
/// subviews.
LogicalResult checkReadsAfter(memref::AllocOp result,
                              ArrayRef<Operation *> writers,
                              std::string &reason) {
  Operation *writer = writers.back();
  for (OpOperand *use : getAccesses(result)) {
    if (llvm::is_contained(writers, use->getOwner()))
      continue; // the writers may write through any chain of views
    // Reads through chains of subviews: each is rebuilt on the cache slot.
    FailureOr<SmallVector<Operation *>> views =
        getViewChain(result.getResult(), use->get());
    if (failed(views) ||
        !llvm::all_of(*views, llvm::IsaPred<memref::SubViewOp>)) {
      reason = "the tile is read through other views than subviews";
      return failure();
    }
    Operation *ancestor =
        writer->getBlock()->findAncestorOpInBlock(*use->getOwner());
    if (!ancestor || !writer->isBeforeInBlock(ancestor) || !onlyReads(use)) {
      reason = "the tile is written, or used before it is computed or "
               "outside its block";
      return failure();
    }
  }
  return success();
}

} // namespace

FailureOr<Chain> Hoister::findTransposeChain(TransposeOp transpose,
                                             std::string &reason) {
  struct {
    DmaCopyOp load;
    TransposeOp transpose;
    TensorCopyOp evict;
    memref::AllocOp tile, psum, result;
  } chain;
  chain.transpose = transpose;
  Block *block = transpose->getBlock();
  auto localAlloc = [&](Value view) -> memref::AllocOp {
    auto alloc = getRootBuffer(view).getDefiningOp<memref::AllocOp>();
    if (!alloc || alloc->getBlock() != block ||
        !alloc.getType().hasStaticShape())
      return nullptr;
    return alloc;
  };
  chain.tile = localAlloc(transpose.getSource());
  chain.psum = localAlloc(transpose.getTarget());
  if (!chain.tile || !chain.psum) {
    reason = "the transposed tiles are not allocated in the loop body";
    return failure();
  }
  // The tile: written by one DMA before the transpose, read only by it.
  for (OpOperand *use : getAccesses(chain.tile)) {
    Operation *user = use->getOwner();
    if (auto dma = dyn_cast<DmaCopyOp>(user);
        dma && use->get() == dma.getTarget() && !chain.load &&
        dma->getBlock() == block && dma->isBeforeInBlock(transpose)) {
      chain.load = dma;
      continue;
    }
    if (user != transpose.getOperation()) {
      reason = "the tile has other uses than its load and the transpose";
      return failure();
    }
  }
  if (!chain.load) {
    reason = "the tile is not loaded by a DMA in the same block";
    return failure();
  }
  // The PSUM result: read only by one eviction to SBUF.
  for (OpOperand *use : getAccesses(chain.psum)) {
    Operation *user = use->getOwner();
    if (auto copy = dyn_cast<TensorCopyOp>(user);
        copy && use->get() == copy.getSource() && !chain.evict &&
        copy->getBlock() == block && transpose->isBeforeInBlock(copy)) {
      chain.evict = copy;
      continue;
    }
    if (user != transpose.getOperation()) {
      reason = "the transposed tile has other uses than its eviction";
      return failure();
    }
  }
  if (!chain.evict) {
    reason = "the transposed tile is not evicted to SBUF in the same block";
    return failure();
  }
  chain.result = localAlloc(chain.evict.getTarget());
  if (!chain.result) {
    reason = "the evicted tile is not allocated in the loop body";
    return failure();
  }
  if (failed(checkReadsAfter(chain.result, {chain.evict}, reason)))
    return failure();
  Chain generic;
  generic.ops = {chain.load, chain.transpose, chain.evict};
  generic.temps = {chain.tile, chain.psum};
  generic.result = chain.result;
  generic.loaded = chain.load.getSource();
  generic.anchor = transpose;
  return generic;
}

FailureOr<Chain> Hoister::findLoadChain(DmaCopyOp load, std::string &reason) {
  Value target = load.getTarget();
  auto result = getRootBuffer(target).getDefiningOp<memref::AllocOp>();
  if (!result || result->getBlock() != load->getBlock() ||
      !result.getType().hasStaticShape() ||
      getSpace(cast<MemRefType>(load.getSource().getType())) != Space::HBM ||
      failed(getViewChain(result, target))) {
    reason = "not a load of a local tile from HBM";
    return failure();
  }
  Chain chain;
  chain.ops = {load};
  // A load into part of the tile: a memset of the whole tile before it
  // writes the rest (a zero-padded image).
  if (target != result.getResult()) {
    MemsetOp fill;
    for (OpOperand *use : getAccesses(result))
      if (auto memset = dyn_cast<MemsetOp>(use->getOwner());
          memset && memset.getTarget() == result.getResult() &&
          memset->getBlock() == load->getBlock() &&
          memset->isBeforeInBlock(load))
        fill = memset;
    if (!fill) {
      reason = "a load into part of a tile that no memset fills first";
      return failure();
    }
    chain.ops = {fill, load};
  }
  if (failed(checkReadsAfter(result, chain.ops, reason)))
    return failure();
  chain.result = result;
  chain.loaded = load.getSource();
  chain.anchor = load;
  return chain;
}

FailureOr<Chain> Hoister::findGatherChain(TensorCopyOp copy,
                                          std::string &reason) {
  Value target = copy.getTarget();
  auto result = getRootBuffer(target).getDefiningOp<memref::AllocOp>();
  if (!result || result->getBlock() != copy->getBlock() ||
      !result.getType().hasStaticShape() ||
      getSpace(cast<MemRefType>(copy.getSource().getType())) != Space::SBUF ||
      failed(getViewChain(result, target))) {
    reason = "not an on-chip copy into a local tile";
    return failure();
  }
  if (failed(checkReadsAfter(result, {copy}, reason)))
    return failure();
  Chain chain;
  chain.ops = {copy};
  chain.result = result;
  chain.loaded = copy.getSource();
  chain.anchor = copy;
  // A local buffer filled whole by an earlier on-chip copy and read only by
  // this one is part of the gather.
  auto staging =
      getRootBuffer(copy.getSource()).getDefiningOp<memref::AllocOp>();
  if (!staging || staging->getBlock() != copy->getBlock() ||
      !staging.getType().hasStaticShape())
    return chain;
  TensorCopyOp fill;
  for (OpOperand *use : getAccesses(staging)) {
    auto user = dyn_cast<TensorCopyOp>(use->getOwner());
    if (user == copy && use->get() == copy.getSource())
      continue;
    if (fill || !user || use->get() != staging.getResult() ||
        use != &user.getTargetMutable() || !user->isBeforeInBlock(copy) ||
        getSpace(cast<MemRefType>(user.getSource().getType())) != Space::SBUF) {
      reason = "the gathered data comes from a local buffer that is not "
               "filled whole by one on-chip copy before the gather";
      return failure();
    }
    fill = user;
  }
  if (!fill) {
    reason = "the gathered data comes from a local buffer nothing fills";
    return failure();
  }
  chain.ops = {fill, copy};
  chain.temps = {staging};
  chain.loaded = fill.getSource();
  return chain;
}

LogicalResult
Hoister::collectDependences(Value value, scf::ForOp outermost,
                            llvm::SmallPtrSetImpl<Operation *> &chainOps,
                            llvm::SetVector<scf::ForOp> &loops,
                            std::string &reason, int depth) {
  if (!outermost->isAncestor(value.getParentBlock()->getParentOp()) &&
      value.getParentBlock()->getParentOp() != outermost.getOperation())
    return success(); // defined outside every loop considered
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    if (!loop || arg != loop.getInductionVar()) {
      reason = "the chain depends on a loop-carried value";
      return failure();
    }
    loops.insert(loop);
    return success();
  }
  Operation *def = value.getDefiningOp();
  if (chainOps.contains(def))
    return success();
  if (isa<memref::AllocOp>(def)) {
    // A buffer made in the nest: the chain stays inside every loop around it.
    for (auto loop = def->getParentOfType<scf::ForOp>();
         loop && outermost->isAncestor(loop);
         loop = loop->getParentOfType<scf::ForOp>())
      loops.insert(loop);
    return success();
  }
  if (depth > 16 || def->getNumRegions() != 0 || !isPure(def)) {
    reason = "the chain depends on a value computed in the loop by '" +
             def->getName().getStringRef().str() + "'";
    return failure();
  }
  for (Value operand : def->getOperands())
    if (failed(collectDependences(operand, outermost, chainOps, loops, reason,
                                  depth + 1)))
      return failure();
  return success();
}

Value Hoister::resolve(Value value, IRMapping &mapping, OpBuilder &b,
                       scf::ForOp hoistPoint) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *def = value.getDefiningOp();
  if (!def || !hoistPoint->isAncestor(def))
    return value; // defined outside the hoisted loops
  for (Value operand : def->getOperands())
    resolve(operand, mapping, b, hoistPoint);
  b.clone(*def, mapping);
  return mapping.lookup(value);
}

bool nki::canInterchange(scf::ForOp outer, scf::ForOp inner) {
  if (inner->getParentOp() != outer.getOperation())
    return false;
  for (scf::ForOp loop : {outer, inner})
    if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()) ||
        !getNormalTripCount(loop) || loop.getNumRegionIterArgs() != 0)
      return false;
  bool seenInner = false;
  for (Operation &op : outer.getBody()->without_terminator()) {
    if (&op == inner.getOperation()) {
      seenInner = true;
      continue;
    }
    if (seenInner || op.getNumRegions() != 0 || !isPure(&op))
      return false;
  }
  return true;
}

// Independent iterations may run in any order.
void nki::interchange(scf::ForOp outer, scf::ForOp inner) {
  OpBuilder b(outer);
  Location loc = outer.getLoc();
  auto constant = [&](Value v) {
    return arith::ConstantIndexOp::create(b, loc, *getConstantIntValue(v));
  };
  Value outerUpper = constant(outer.getUpperBound());
  Value innerUpper = constant(inner.getUpperBound());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  outer.setLowerBound(zero);
  outer.setStep(one);
  outer.setUpperBound(innerUpper);
  inner.setLowerBound(zero);
  inner.setStep(one);
  inner.setUpperBound(outerUpper);
  Operation *first = &inner.getBody()->front();
  for (Operation &op :
       llvm::make_early_inc_range(outer.getBody()->without_terminator()))
    if (&op != inner.getOperation())
      op.moveBefore(first);
  Value a = outer.getInductionVar(), c = inner.getInductionVar();
  SmallVector<OpOperand *> usesOfA, usesOfC;
  for (OpOperand &use : a.getUses())
    usesOfA.push_back(&use);
  for (OpOperand &use : c.getUses())
    usesOfC.push_back(&use);
  for (OpOperand *use : usesOfA)
    use->set(c);
  for (OpOperand *use : usesOfC)
    use->set(a);
}

namespace mlir::nki {
/// The cache of a chain's tiles before `point`, one slot per iteration of
/// the `replicated` loops.
struct Cache {
  scf::ForOp point;
  SmallVector<scf::ForOp> replicated; // outermost first
  MemRefType type;
  Value buffer;

  /// The slot for iteration indices `ivs` of the replicated loops, shaped
  /// like the tile.
  Value slot(OpBuilder &b, Location loc, MemRefType tileType, ValueRange ivs) {
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes(rank, b.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    for (auto [i, iv] : llvm::enumerate(ivs))
      offsets[1 + i] = iv;
    sizes[0] = b.getIndexAttr(type.getDimSize(0));
    for (int64_t d = 1 + ivs.size(); d < rank; ++d)
      sizes[d] = b.getIndexAttr(type.getDimSize(d));
    MemRefType slotType = memref::SubViewOp::inferRankReducedResultType(
        tileType.getShape(), type, offsets, sizes, strides);
    return memref::SubViewOp::create(b, loc, slotType, buffer, offsets, sizes,
                                     strides)
        .getResult();
  }
};

} // namespace mlir::nki

/// Whether `loop` may run more than once (a dynamic trip count may).
static bool mayRepeat(scf::ForOp loop) {
  std::optional<APInt> trips = loop.getStaticTripCount();
  return !trips || trips->ugt(1);
}

LogicalResult Hoister::choosePoint(Chain &chain, ArrayRef<scf::ForOp> nest,
                                   const llvm::SetVector<scf::ForOp> &dependsOn,
                                   Cache &cache, std::string &reason) {
  // Chains' tiles have static shapes.
  int64_t tileBytes = *getBytesPerPartition(chain.result.getType());
  for (scf::ForOp candidate : llvm::reverse(nest)) {
    if (dependsOn.contains(candidate))
      continue;
    // A cache pays only when the chain would run fewer times: some loop it
    // is invariant to, at or inside the point, runs more than once. (An
    // unrolled batch or tile loop of one iteration saves nothing; its cache
    // would only add a round trip through memory.)
    bool reuses = llvm::any_of(nest, [&](scf::ForOp loop) {
      return candidate->isAncestor(loop) && !dependsOn.contains(loop) &&
             mayRepeat(loop);
    });
    if (!reuses) {
      reason = "the loops it does not depend on run once: a cache would not "
               "save work";
      continue;
    }
    // Nothing in the loop may write what the chain reads.
    if (mayBeWrittenIn(candidate, chain.loaded, chain.ops.front())) {
      reason = "an op in the loops may write the loaded tensor";
      continue;
    }
    SmallVector<scf::ForOp> inner;
    int64_t bytes = tileBytes;
    for (scf::ForOp loop : llvm::reverse(nest)) {
      if (!candidate->isProperAncestor(loop) || !dependsOn.contains(loop))
        continue;
      std::optional<int64_t> ub = getNormalTripCount(loop);
      if (!ub) {
        reason = "a loop to replicate does not run from 0 to a constant "
                 "with step 1";
        return failure();
      }
      bytes *= *ub;
      inner.push_back(loop);
    }
    if (cacheFits(bytes, tileBytes)) {
      cache.point = candidate;
      cache.replicated = std::move(inner);
      return success();
    }
    reason = "the cache of tiles needs " + std::to_string(bytes) +
             " bytes per partition, more than the budget of " +
             std::to_string(budget);
  }
  return success(); // no point within budget: `cache.point` stays null
}

bool Hoister::interchangeToFit(Chain &chain, ArrayRef<scf::ForOp> nest,
                               const llvm::SetVector<scf::ForOp> &dependsOn) {
  // Chains' tiles have static shapes.
  int64_t tileBytes = *getBytesPerPartition(chain.result.getType());
  for (auto it = nest.rbegin(); std::next(it) != nest.rend(); ++it) {
    scf::ForOp outer = *it, inner = *std::next(it);
    // Moving a loop of one iteration inward cannot make a cache pay.
    if (dependsOn.contains(outer) || !dependsOn.contains(inner) ||
        !mayRepeat(outer) || !canInterchange(outer, inner))
      continue;
    int64_t bytes = tileBytes;
    for (scf::ForOp loop : nest)
      if (outer->isProperAncestor(loop) && loop != inner &&
          dependsOn.contains(loop))
        bytes *= *getConstantIntValue(loop.getUpperBound());
    if (!cacheFits(bytes, tileBytes))
      continue;
    interchange(outer, inner);
    return true;
  }
  return false;
}

void Hoister::fillCache(Chain &chain, Cache &cache,
                        ArrayRef<Operation *> writerViews) {
  MemRefType tileType = chain.result.getType();
  OpBuilder b(cache.point);
  Location loc = chain.anchor->getLoc();
  SmallVector<int64_t> cacheShape = {tileType.getDimSize(0)};
  for (scf::ForOp loop : cache.replicated)
    cacheShape.push_back(*getConstantIntValue(loop.getUpperBound()));
  llvm::append_range(cacheShape, tileType.getShape().drop_front());
  cache.type = MemRefType::get(cacheShape, tileType.getElementType(), nullptr,
                               tileType.getMemorySpace());
  cache.buffer = memref::AllocOp::create(b, loc, cache.type);
  IRMapping mapping;
  SmallVector<Value> prologueIvs;
  for (scf::ForOp loop : cache.replicated) {
    // Bounds are constants (checked); they may be defined in the nest.
    auto copy = scf::ForOp::create(
        b, loc, arith::ConstantIndexOp::create(b, loc, 0),
        arith::ConstantIndexOp::create(
            b, loc, *getConstantIntValue(loop.getUpperBound())),
        arith::ConstantIndexOp::create(b, loc, 1));
    copy->setDiscardableAttrs(loop->getDiscardableAttrDictionary());
    mapping.map(loop.getInductionVar(), copy.getInductionVar());
    prologueIvs.push_back(copy.getInductionVar());
    b.setInsertionPointToStart(copy.getBody());
  }
  // Clone the chain into the prologue; its last op writes the cache slot.
  Value prologueSlot = cache.slot(b, loc, tileType, prologueIvs);
  // Ops before the writer that fill the tile whole (a memset) fill the slot.
  mapping.map(chain.result.getResult(), prologueSlot);
  for (memref::AllocOp temp : chain.temps)
    b.clone(*temp, mapping);
  Operation *writer = chain.ops.back();
  for (Operation *op : chain.ops) {
    if (op != writer) {
      for (Value operand : op->getOperands())
        resolve(operand, mapping, b, cache.point);
      b.clone(*op, mapping);
      continue;
    }
    // Only the writer's indices, not the tile it wrote, are needed.
    Value source = op->getOperand(0);
    resolve(source, mapping, b, cache.point);
    for (Operation *view : writerViews)
      for (Value index : llvm::drop_begin(view->getOperands()))
        resolve(index, mapping, b, cache.point);
    FailureOr<Value> slotTarget =
        replayViewChain(b, loc, writerViews, prologueSlot, mapping);
    assert(succeeded(slotTarget) && "views keeping partitions rebuild");
    Value mappedSource = mapping.lookupOrDefault(source);
    if (isa<DmaCopyOp>(op))
      DmaCopyOp::create(b, loc, mappedSource, *slotTarget);
    else
      TensorCopyOp::create(b, loc, mappedSource, *slotTarget);
  }
}

/// The reads of `view` (the tile, or a view of it) read `moved` (the same
/// view of the cache slot) instead; its subviews are built again on `moved`
/// (a rank-reducing one drops the same dims), since the slot's layout is not
/// the tile's (checkReadsAfter allows no other views). Writers and their
/// views stay: they die with the chain.
static void moveReads(Value view, Value moved, Location loc,
                      const llvm::SmallPtrSetImpl<Operation *> &writing) {
  for (OpOperand &use : llvm::make_early_inc_range(view.getUses())) {
    Operation *user = use.getOwner();
    if (writing.contains(user))
      continue;
    if (auto subview = dyn_cast<memref::SubViewOp>(user)) {
      OpBuilder at(subview);
      moveReads(subview.getResult(),
                replaySubviews(at, loc, {subview.getOperation()}, moved), loc,
                writing);
      continue;
    }
    use.set(moved);
  }
}

void Hoister::readFromCache(Chain &chain, Cache &cache,
                            ArrayRef<Operation *> writerViews) {
  OpBuilder site(chain.result);
  Location loc = chain.anchor->getLoc();
  SmallVector<Value> siteIvs;
  for (scf::ForOp loop : cache.replicated)
    siteIvs.push_back(loop.getInductionVar());
  Value siteSlot = cache.slot(site, loc, chain.result.getType(), siteIvs);
  // Every read of the tile moves to the slot.
  llvm::SmallPtrSet<Operation *, 8> writing(chain.ops.begin(), chain.ops.end());
  writing.insert(writerViews.begin(), writerViews.end());
  moveReads(chain.result.getResult(), siteSlot, loc, writing);
  for (Operation *op : llvm::reverse(chain.ops))
    op->erase();
  SmallVector<memref::AllocOp> allocs = {chain.result};
  llvm::append_range(allocs, chain.temps);
  for (memref::AllocOp alloc : allocs)
    eraseUnusedViewsAndBuffer(alloc);
}

LogicalResult Hoister::run(Chain chain, bool quiet) {
  Operation *anchor = chain.anchor;
  if (!isa<scf::ForOp>(anchor->getParentOp()))
    return failure(); // not in a loop: nothing to hoist
  auto decline = [&](const Twine &reason) {
    return rewriter.notifyMatchFailure(anchor, "not hoisted: " + reason);
  };
  std::string reason;

  // The enclosing loop nest, innermost first.
  SmallVector<scf::ForOp> nest;
  for (Operation *op = anchor->getParentOp();
       auto loop = dyn_cast<scf::ForOp>(op); op = op->getParentOp())
    nest.push_back(loop);

  // The loops the chain depends on.
  llvm::SmallPtrSet<Operation *, 8> chainOps(chain.ops.begin(),
                                             chain.ops.end());
  chainOps.insert(chain.result);
  for (memref::AllocOp temp : chain.temps)
    chainOps.insert(temp);
  llvm::SetVector<scf::ForOp> dependsOn;
  for (Operation *op : chain.ops)
    for (Value operand : op->getOperands())
      if (failed(collectDependences(operand, nest.back(), chainOps, dependsOn,
                                    reason)))
        return decline(reason);
  if (dependsOn.size() == nest.size()) {
    if (!quiet)
      return decline("the tile depends on every enclosing loop");
    return failure();
  }

  // The hoisting point: the outermost loop the chain does not depend on
  // whose cache fits the budget. Over budget, an invariant loop directly
  // around a dependent one can move inside it when that brings the cache
  // within budget (the loops are independent, so the order is free).
  Cache cache;
  if (failed(choosePoint(chain, nest, dependsOn, cache, reason)))
    return decline(reason);
  if (!cache.point && allowInterchange &&
      interchangeToFit(chain, nest, dependsOn))
    return run(chain, quiet);
  if (!cache.point)
    return decline(reason);
  FailureOr<SmallVector<Operation *>> writerViews =
      getViewChain(chain.result.getResult(), chain.ops.back()->getOperand(1));
  // A slot of the cache has the tile's partitions and free dims with the
  // tile's free strides, so views that keep the partitions in place rebuild
  // on it as they are.
  if (failed(writerViews) ||
      !keepsPartitionDim(*writerViews, /*allowPrefix=*/true))
    return decline("the tile is written through views that split its "
                   "partitions");
  fillCache(chain, cache, *writerViews);
  readFromCache(chain, cache, *writerViews);
  return success();
}
