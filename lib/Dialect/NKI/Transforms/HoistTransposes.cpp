//===- HoistTransposes.cpp - Transpose invariant tiles once -----*- C++ -*-===//

#include "nki/Analysis/BufferAliasing.h"
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

namespace mlir::nki {
#define GEN_PASS_DEF_NKIHOISTTRANSPOSES
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// load -> transpose -> evict, with the buffers between them.
struct Chain {
  DmaCopyOp load;
  TransposeOp transpose;
  TensorCopyOp evict;
  memref::AllocOp tile, psum, result;
};

/// Uses of `buffer` through view ops: the non-view users' operands.
SmallVector<OpOperand *> accessesOf(Value buffer) {
  SmallVector<OpOperand *> accesses;
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(use.getOwner());
          view && view.getViewSource() == value)
        worklist.push_back(view->getResult(0));
      else
        accesses.push_back(&use);
    }
  }
  return accesses;
}

bool onlyReads(OpOperand *use) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(use->getOwner());
  if (!effects || !isa<NKIDialect>(use->getOwner()->getDialect()))
    return false;
  SmallVector<MemoryEffects::EffectInstance> onValue;
  effects.getEffectsOnValue(use->get(), onValue);
  return llvm::all_of(onValue, [](MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Read>(e.getEffect());
  });
}

class Hoister {
public:
  Hoister(int64_t budget) : budget(budget) {}
  void run(TransposeOp transpose);

private:
  FailureOr<Chain> findChain(TransposeOp transpose, std::string &reason);
  /// Loops whose induction variables `value` depends on, through pure ops
  /// defined inside `outermost`; fails on any other producer inside it.
  LogicalResult collectDependences(Value value, scf::ForOp outermost,
                                   llvm::SmallPtrSetImpl<Operation *> &chainOps,
                                   llvm::SetVector<scf::ForOp> &loops,
                                   std::string &reason, int depth = 0);
  Value resolve(Value value, IRMapping &mapping, OpBuilder &b,
                scf::ForOp hoistPoint);

  int64_t budget;
};

FailureOr<Chain> Hoister::findChain(TransposeOp transpose,
                                    std::string &reason) {
  Chain chain;
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
  for (OpOperand *use : accessesOf(chain.tile)) {
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
  for (OpOperand *use : accessesOf(chain.psum)) {
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
  // Every access of the evicted tile is to it or to one subview of it, so
  // that each can be re-pointed at the cache.
  for (OpOperand *use : accessesOf(chain.result)) {
    Value view = use->get();
    auto subview = view.getDefiningOp<memref::SubViewOp>();
    if (view != chain.result.getResult() &&
        (!subview || subview.getSource() != chain.result.getResult())) {
      reason = "the evicted tile is accessed through other views than one "
               "subview";
      return failure();
    }
    if (use->getOwner() == chain.evict.getOperation())
      continue;
    Operation *ancestor = block->findAncestorOpInBlock(*use->getOwner());
    if (!ancestor || !chain.evict->isBeforeInBlock(ancestor) ||
        !onlyReads(use)) {
      reason = "the evicted tile is written, or used before the eviction or "
               "outside its block";
      return failure();
    }
  }
  return chain;
}

LogicalResult Hoister::collectDependences(
    Value value, scf::ForOp outermost,
    llvm::SmallPtrSetImpl<Operation *> &chainOps,
    llvm::SetVector<scf::ForOp> &loops, std::string &reason, int depth) {
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

void Hoister::run(TransposeOp transpose) {
  auto innermost = dyn_cast<scf::ForOp>(transpose->getParentOp());
  if (!innermost)
    return; // not in a loop: nothing to hoist
  auto decline = [&](const Twine &reason) {
    transpose.emitRemark() << "nki-hoist-transposes: not hoisted: " << reason;
  };
  std::string reason;
  FailureOr<Chain> chain = findChain(transpose, reason);
  if (failed(chain))
    return decline(reason);

  // The enclosing loop nest, innermost first.
  SmallVector<scf::ForOp> nest;
  for (Operation *op = transpose->getParentOp(); auto loop = dyn_cast<scf::ForOp>(op);
       op = op->getParentOp())
    nest.push_back(loop);
  scf::ForOp outermost = nest.back();

  // What the chain depends on.
  llvm::SmallPtrSet<Operation *, 8> chainOps = {
      chain->load, chain->transpose, chain->evict,
      chain->tile, chain->psum,      chain->result};
  llvm::SetVector<scf::ForOp> dependsOn;
  SmallVector<Operation *> toClone = {chain->load, chain->transpose,
                                      chain->evict};
  for (Operation *op : toClone)
    for (Value operand : op->getOperands())
      if (failed(collectDependences(operand, outermost, chainOps, dependsOn,
                                    reason)))
        return decline(reason);

  // Nothing in the nest may write what the chain loads.
  if (mayBeWrittenIn(outermost, chain->load.getSource(), chain->load))
    return decline("an op in the loops may write the loaded tensor");

  // The hoisting point: the outermost loop the chain does not depend on
  // whose cache fits the budget.
  MemRefType tileType = chain->result.getType();
  int64_t tileBytes = tileType.getNumElements() / tileType.getDimSize(0) *
                      (tileType.getElementTypeBitWidth() / 8);
  scf::ForOp hoistPoint;
  SmallVector<scf::ForOp> replicated;
  int64_t cacheBytes = 0;
  bool anyInvariant = false;
  for (scf::ForOp candidate : llvm::reverse(nest)) {
    if (dependsOn.contains(candidate))
      continue;
    anyInvariant = true;
    SmallVector<scf::ForOp> inner;
    int64_t bytes = tileBytes;
    bool ok = true;
    for (scf::ForOp loop : llvm::reverse(nest)) {
      if (!candidate->isProperAncestor(loop) || !dependsOn.contains(loop))
        continue;
      std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
      std::optional<int64_t> step = getConstantIntValue(loop.getStep());
      std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
      if (lb != 0 || step != 1 || !ub) {
        ok = false;
        reason = "a loop to replicate does not run from 0 to a constant "
                 "with step 1";
        break;
      }
      bytes *= *ub;
      inner.push_back(loop);
    }
    if (!ok)
      return decline(reason);
    if (bytes <= budget) {
      hoistPoint = candidate;
      replicated = inner;
      cacheBytes = bytes;
      break;
    }
    reason = "the cache of transposed tiles needs " + std::to_string(bytes) +
             " bytes per partition, more than the budget of " +
             std::to_string(budget);
  }
  if (!anyInvariant)
    return decline("the tile depends on every enclosing loop");
  if (!hoistPoint)
    return decline(reason);
  (void)cacheBytes;

  // The cache and the prologue nest that fills it.
  OpBuilder b(hoistPoint);
  Location loc = transpose.getLoc();
  SmallVector<int64_t> cacheShape = {tileType.getDimSize(0)};
  for (scf::ForOp loop : replicated)
    cacheShape.push_back(*getConstantIntValue(loop.getUpperBound()));
  llvm::append_range(cacheShape, tileType.getShape().drop_front());
  auto cacheType = MemRefType::get(cacheShape, tileType.getElementType(),
                                   nullptr, tileType.getMemorySpace());
  Value cache = memref::AllocOp::create(b, loc, cacheType);
  IRMapping mapping;
  SmallVector<Value> prologueIvs;
  for (scf::ForOp loop : replicated) {
    // Bounds are constants (checked above); they may be defined in the nest.
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
  // The slot of the cache for given iteration indices, shaped like the tile.
  auto slot = [&](OpBuilder &builder, ValueRange ivs) {
    int64_t rank = cacheType.getRank();
    SmallVector<OpFoldResult> offsets(rank, builder.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes(rank, builder.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(rank, builder.getIndexAttr(1));
    for (auto [i, iv] : llvm::enumerate(ivs))
      offsets[1 + i] = iv;
    sizes[0] = builder.getIndexAttr(cacheShape[0]);
    for (int64_t d = 1 + ivs.size(); d < rank; ++d)
      sizes[d] = builder.getIndexAttr(cacheShape[d]);
    MemRefType type = memref::SubViewOp::inferRankReducedResultType(
        tileType.getShape(), cacheType, offsets, sizes, strides);
    return memref::SubViewOp::create(builder, loc, type, cache, offsets,
                                     sizes, strides)
        .getResult();
  };
  // A view of `slotView` like `view` is of the tile.
  auto reView = [&](OpBuilder &builder, Value view, Value slotView,
                    IRMapping &map) -> Value {
    if (view == chain->result.getResult())
      return slotView;
    auto subview = view.getDefiningOp<memref::SubViewOp>();
    auto mapAll = [&](SmallVector<OpFoldResult> values) {
      for (OpFoldResult &v : values)
        if (auto value = dyn_cast<Value>(v))
          v = map.lookupOrDefault(value);
      return values;
    };
    return memref::SubViewOp::create(builder, loc, slotView,
                                     mapAll(subview.getMixedOffsets()),
                                     mapAll(subview.getMixedSizes()),
                                     mapAll(subview.getMixedStrides()));
  };

  // Clone the chain into the prologue; the eviction writes the cache slot.
  Value prologueSlot = slot(b, prologueIvs);
  for (Operation *op : {chain->tile.getOperation(), chain->psum.getOperation()})
    b.clone(*op, mapping);
  for (Operation *op : toClone) {
    if (op == chain->evict.getOperation()) {
      // Only the eviction's indices, not the tile it wrote, are needed.
      resolve(chain->evict.getSource(), mapping, b, hoistPoint);
      if (auto view = chain->evict.getTarget().getDefiningOp<memref::SubViewOp>())
        for (Value index : llvm::drop_begin(view->getOperands()))
          resolve(index, mapping, b, hoistPoint);
      Value target = reView(b, chain->evict.getTarget(), prologueSlot, mapping);
      TensorCopyOp::create(b, loc, mapping.lookup(chain->evict.getSource()),
                           target);
      continue;
    }
    for (Value operand : op->getOperands())
      resolve(operand, mapping, b, hoistPoint);
    b.clone(*op, mapping);
  }

  // The original site reads its tile from the cache.
  OpBuilder site(chain->result);
  SmallVector<Value> siteIvs;
  for (scf::ForOp loop : replicated)
    siteIvs.push_back(loop.getInductionVar());
  Value siteSlot = slot(site, siteIvs);
  IRMapping identity;
  for (OpOperand *use : accessesOf(chain->result)) {
    if (use->getOwner() == chain->evict.getOperation())
      continue;
    if (use->get() == chain->result.getResult()) {
      use->set(siteSlot);
      continue;
    }
    auto subview = use->get().getDefiningOp<memref::SubViewOp>();
    if (!subview || subview.getSource() != chain->result.getResult())
      continue; // deeper views are rebuilt through their source below
    OpBuilder at(subview);
    subview.getResult().replaceAllUsesWith(
        reView(at, subview.getResult(), siteSlot, identity));
  }
  // Views of the tile that are left now have no users but the eviction.
  chain->evict.erase();
  chain->transpose.erase();
  chain->load.erase();
  for (memref::AllocOp alloc : {chain->result, chain->psum, chain->tile}) {
    llvm::SetVector<Operation *> dead;
    SmallVector<Value> worklist = {alloc.getResult()};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (Operation *user : v.getUsers())
        if (dead.insert(user))
          llvm::append_range(worklist, user->getResults());
    }
    for (Operation *op : llvm::reverse(dead))
      if (op->use_empty())
        op->erase();
    if (alloc->use_empty())
      alloc.erase();
  }
}

struct HoistTransposesPass
    : public nki::impl::NKIHoistTransposesBase<HoistTransposesPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<TransposeOp> transposes;
    getOperation().walk([&](TransposeOp op) { transposes.push_back(op); });
    Hoister hoister(sbufBudget);
    for (TransposeOp transpose : transposes)
      hoister.run(transpose);
  }
};

} // namespace
