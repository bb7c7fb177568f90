//===- FuseScratchConsumers.cpp - Consume tiles where made ------*- C++ -*-===//

#include "Remarks.h"
#include "Views.h"

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIFUSESCRATCHCONSUMERS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Per dim of the scratch buffer, the first index and the count a DMA's
/// window covers.
using Box = SmallVector<std::pair<int64_t, int64_t>>;

bool contains(const Box &outer, const Box &inner) {
  for (auto [o, i] : llvm::zip(outer, inner))
    if (i.first < o.first || i.first + i.second > o.first + o.second)
      return false;
  return true;
}

bool intersects(const Box &a, const Box &b) {
  for (auto [x, y] : llvm::zip(a, b))
    if (x.first + x.second <= y.first || y.first + y.second <= x.first)
      return false;
  return true;
}

/// Elements of the dims after the first of a collapsed `group`: one index
/// of the collapsed dim is one step of its first dim when it takes whole
/// rows of the others.
int64_t innerExtent(ArrayRef<int64_t> group, ArrayRef<int64_t> shape) {
  int64_t inner = 1;
  for (int64_t d : group.drop_front())
    inner *= shape[d];
  return inner;
}

/// The producer's window: `subview(collapse_shape(scratch))` or
/// `subview(scratch)`; a collapsed group's window must cover whole rows of
/// its inner dims (checked per iteration by `box`).
struct StoreWindow {
  memref::CollapseShapeOp collapse; // may be null
  memref::SubViewOp subview;
  SmallVector<ReassociationIndices> groups; // scratch dims per subview dim

  static FailureOr<StoreWindow> match(Value scratch, Value target) {
    StoreWindow w;
    w.subview = target.getDefiningOp<memref::SubViewOp>();
    if (!w.subview)
      return failure();
    Value base = w.subview.getSource();
    int64_t rank = cast<MemRefType>(scratch.getType()).getRank();
    if (base == scratch) {
      for (int64_t d = 0; d < rank; ++d)
        w.groups.push_back({d});
      return w;
    }
    w.collapse = base.getDefiningOp<memref::CollapseShapeOp>();
    if (!w.collapse || w.collapse.getSrc() != scratch)
      return failure();
    w.groups = w.collapse.getReassociationIndices();
    return w;
  }

  /// The window under `env`, in scratch dims.
  FailureOr<Box> box(ArrayRef<int64_t> shape, const IndexEnv &env) {
    Box result(shape.size());
    for (auto [g, group] : llvm::enumerate(groups)) {
      FailureOr<int64_t> offset =
          evaluateIndex(subview.getMixedOffsets()[g], env);
      FailureOr<int64_t> size = evaluateIndex(subview.getMixedSizes()[g], env);
      if (failed(offset) || failed(size))
        return failure();
      int64_t inner = innerExtent(group, shape);
      if (*offset % inner || *size % inner)
        return failure();
      result[group.front()] = {*offset / inner, *size / inner};
      for (int64_t d : ArrayRef(group).drop_front())
        result[d] = {0, shape[d]};
    }
    return result;
  }
};

/// `a * iv + b` of consumer loop `loop` (-1: constant `b`).
struct AffineOffset {
  int64_t loop = -1, a = 0, b = 0;
};

/// Fuses the one consumer nest of an HBM scratch buffer into the producer
/// nest: match the two nests, check the consumer body is independent of the
/// producer, read the load's window as affine offsets, check per store
/// iteration that the stores serve every consumer iteration exactly once,
/// then rewrite.
class Fuser {
public:
  Fuser(RewriterBase &rewriter, DominanceInfo &dominance,
        memref::AllocOp scratch)
      : rewriter(rewriter), dominance(dominance), scratch(scratch),
        shape(scratch.getType().getShape()), rank(shape.size()) {}
  LogicalResult run();

private:
  LogicalResult decline(const Twine &reason) {
    return rewriter.notifyMatchFailure(load, "not fused: " + reason);
  }
  LogicalResult matchAccesses();
  LogicalResult matchConsumerNest();
  LogicalResult checkBodyIndependent();
  LogicalResult matchLoadWindow();
  FailureOr<Box> loadBox(const IndexEnv &env);
  LogicalResult checkCoverage();
  LogicalResult matchStoredView();
  void rewrite();
  Value createTileView(OpBuilder &b, IRMapping &mapping,
                       ArrayRef<Value> windowStart);

  RewriterBase &rewriter;
  DominanceInfo &dominance;
  memref::AllocOp scratch;
  ArrayRef<int64_t> shape;
  int64_t rank;
  DmaCopyOp store, load;
  Operation *producer = nullptr, *consumer = nullptr;
  SmallVector<scf::ForOp> cLoops; // the consumer nest, outermost first
  Block *body = nullptr;          // the innermost consumer loop's body
  memref::SubViewOp loadView;
  SmallVector<AffineOffset> offsets; // per scratch dim
  SmallVector<int64_t> sizes;        // per scratch dim
  SmallVector<int64_t> dimOfLoop;    // per consumer loop
  StoreWindow window;
  SmallVector<int64_t> keptGroups; // store window groups not dropped
  SmallVector<int64_t> viewShape;  // the stored tile viewed like the load
};

int64_t tripCount(scf::ForOp loop) {
  return *getConstantIntValue(loop.getUpperBound());
}

/// One DMA stores into the scratch buffer and one loads from it, the load in
/// a loop nest after the store's with only pure ops between the nests.
LogicalResult Fuser::matchAccesses() {
  MemRefType scratchType = scratch.getType();
  if (getSpace(scratchType) != Space::HBM || !scratchType.hasStaticShape() ||
      !scratchType.getLayout().isIdentity())
    return failure();
  for (OpOperand *use : getAccesses(scratch)) {
    auto dma = dyn_cast<DmaCopyOp>(use->getOwner());
    if (!dma)
      return failure();
    DmaCopyOp &slot = use == &dma.getTargetMutable() ? store : load;
    if (slot)
      return failure(); // more than one producer or consumer
    slot = dma;
  }
  if (!store || !load)
    return failure();
  Block *block = scratch->getBlock();
  producer = block->findAncestorOpInBlock(*store);
  consumer = block->findAncestorOpInBlock(*load);
  if (!producer || !isa_and_nonnull<scf::ForOp>(consumer) ||
      producer == consumer || !producer->isBeforeInBlock(consumer))
    return decline("the load is not in a loop nest after the store's");
  for (Operation *op = producer->getNextNode(); op != consumer;
       op = op->getNextNode())
    if (!isMemoryEffectFree(op) && !isa<memref::AllocOp>(op))
      return decline("an op with memory effects sits between the nests");
  return success();
}

/// The consumer: a perfect nest of independent loops around one body.
LogicalResult Fuser::matchConsumerNest() {
  FailureOr<SmallVector<scf::ForOp>> loops = getLoopNest(load, consumer);
  body = load->getBlock();
  if (failed(loops) || body != loops->back().getBody())
    return decline("the load is not directly in the consumer's innermost loop");
  cLoops = std::move(*loops);
  for (scf::ForOp loop : cLoops) {
    if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()) ||
        !getNormalTripCount(loop) || loop.getNumRegionIterArgs() != 0)
      return decline("a consumer loop is not an nki.affine_range from 0 to a "
                     "constant with step 1");
    if (loop != cLoops.back() &&
        llvm::any_of(loop.getBody()->without_terminator(), [&](Operation &op) {
          return !isa<scf::ForOp>(op) &&
                 (op.getNumRegions() != 0 || !isPure(&op));
        }))
      return decline("the consumer loops hold more than index arithmetic "
                     "around the next loop");
  }
  return success();
}

/// The body reads only its own buffers, the loaded window and what the
/// producer nest does not write; its writes are not accessed by the producer
/// nest; the values it uses from outside the consumer nest are available at
/// the store.
LogicalResult Fuser::checkBodyIndependent() {
  auto tile = load.getTarget().getDefiningOp<memref::AllocOp>();
  if (!tile || tile->getBlock() != body)
    return decline("the load does not fill a tile of the consumer body");
  bool independent = true;
  body->walk([&](Operation *op) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects) {
      if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        independent = false;
      return;
    }
    SmallVector<MemoryEffects::EffectInstance> all;
    effects.getEffects(all);
    for (MemoryEffects::EffectInstance &effect : all) {
      Value value = effect.getValue();
      if (op == load.getOperation())
        continue;
      if (!value) {
        independent = false;
        continue;
      }
      Operation *def = getRootBuffer(value).getDefiningOp();
      if (def && body->getParentOp()->isAncestor(def))
        continue; // a buffer of the body
      bool writes = isa<MemoryEffects::Write>(effect.getEffect());
      if (mayBeAccessedIn(producer, value, nullptr, /*includeReads=*/writes))
        independent = false;
    }
  });
  if (!independent)
    return decline("the consumer body touches memory the producer nest uses");
  bool available = true;
  body->walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (!consumer->isAncestor(operand.getParentBlock()->getParentOp()) &&
          !dominance.properlyDominates(operand, store))
        available = false;
  });
  if (!available)
    return decline("the consumer body uses values not available at the store");
  return success();
}

/// The consumer's window: one subview of the scratch, each dim's offset
/// `a * index + b` of at most one consumer index, each index moving one dim.
LogicalResult Fuser::matchLoadWindow() {
  loadView = load.getSource().getDefiningOp<memref::SubViewOp>();
  if (!loadView || loadView.getSource() != scratch.getResult())
    return decline("the load is not one subview of the scratch buffer");
  offsets.assign(rank, AffineOffset());
  sizes.assign(rank, 0);
  IndexEnv zeros;
  for (scf::ForOp loop : cLoops)
    zeros[loop.getInductionVar()] = 0;
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult offset = loadView.getMixedOffsets()[d];
    std::optional<int64_t> size =
        getConstantIntValue(loadView.getMixedSizes()[d]);
    FailureOr<int64_t> b = evaluateIndex(offset, zeros);
    if (!size || failed(b))
      return decline("the load's window is not evaluable");
    sizes[d] = *size;
    offsets[d].b = *b;
    for (auto [j, loop] : llvm::enumerate(cLoops)) {
      IndexEnv one = zeros;
      one[loop.getInductionVar()] = 1;
      FailureOr<int64_t> v = evaluateIndex(offset, one);
      if (failed(v))
        return decline("the load's window is not evaluable");
      if (*v == *b)
        continue;
      if (offsets[d].loop >= 0 || *v < *b)
        return decline("the load's window is not one increasing index per "
                       "dim");
      offsets[d].loop = j;
      offsets[d].a = *v - *b;
    }
  }
  dimOfLoop.assign(cLoops.size(), -1);
  for (int64_t d = 0; d < rank; ++d)
    if (offsets[d].loop >= 0)
      dimOfLoop[offsets[d].loop] = d;
  if (llvm::is_contained(dimOfLoop, -1))
    return decline("a consumer index does not move the load's window");
  return success();
}

FailureOr<Box> Fuser::loadBox(const IndexEnv &env) {
  Box box(rank);
  for (int64_t d = 0; d < rank; ++d) {
    FailureOr<int64_t> o = evaluateIndex(loadView.getMixedOffsets()[d], env);
    if (failed(o))
      return failure();
    box[d] = {*o, sizes[d]};
  }
  return box;
}

/// For every store iteration: its window is evaluable and disjoint from the
/// other store windows; the consumer iterations it would run lie inside it;
/// together they run every consumer iteration exactly once. A store under a
/// condition may not run every iteration: not modelled.
LogicalResult Fuser::checkCoverage() {
  FailureOr<StoreWindow> matched =
      StoreWindow::match(scratch.getResult(), store.getTarget());
  if (failed(matched))
    return decline("the store's window is not a subview of the scratch "
                   "buffer or of one collapse of it");
  window = std::move(*matched);
  FailureOr<SmallVector<scf::ForOp>> pLoops = getLoopNest(store, producer);
  if (failed(pLoops))
    return decline("the store is under a region that is not a loop");
  // The consumer iterations run after a store of window [lo, lo + n): per
  // index, [ceil((lo - b) / a), floor((lo + n - size - b) / a) + 1), within
  // the loop's bounds.
  auto range = [&](int64_t j, std::pair<int64_t, int64_t> w) {
    const AffineOffset &o = offsets[dimOfLoop[j]];
    int64_t size = sizes[dimOfLoop[j]];
    int64_t lo = llvm::divideCeilSigned(w.first - o.b, o.a);
    int64_t hi =
        llvm::divideFloorSigned(w.first + w.second - size - o.b, o.a) + 1;
    return std::make_pair(std::max<int64_t>(lo, 0),
                          std::min(hi, tripCount(cLoops[j])));
  };
  SmallVector<Box> storeBoxes;
  int64_t consumerCount = 1;
  for (scf::ForOp loop : cLoops)
    consumerCount *= tripCount(loop);
  SmallVector<int64_t> covered(consumerCount, 0);
  int64_t pairs = 0;
  IndexEnv env;
  std::string why;
  auto checkStore = [&]() -> LogicalResult {
    FailureOr<Box> box = window.box(shape, env);
    if (failed(box)) {
      why = "a store window is not evaluable or not whole rows";
      return failure();
    }
    for (const Box &other : storeBoxes)
      if (intersects(other, *box)) {
        why = "two store windows overlap";
        return failure();
      }
    storeBoxes.push_back(*box);
    // The consumer iterations this store serves, in nest order.
    SmallVector<std::pair<int64_t, int64_t>> ranges;
    for (int64_t j = 0, e = cLoops.size(); j < e; ++j)
      ranges.push_back(range(j, (*box)[dimOfLoop[j]]));
    IndexEnv cEnv;
    std::function<LogicalResult(size_t, int64_t)> visit =
        [&](size_t j, int64_t linear) -> LogicalResult {
      if (j == cLoops.size()) {
        FailureOr<Box> lb = loadBox(cEnv);
        if (++pairs > kMaxEvaluatedIterations || failed(lb) ||
            !contains(*box, *lb)) {
          why = "a consumer window is not inside the store window serving it";
          return failure();
        }
        ++covered[linear];
        return success();
      }
      for (int64_t i = ranges[j].first; i < ranges[j].second; ++i) {
        cEnv[cLoops[j].getInductionVar()] = i;
        if (failed(visit(j + 1, linear * tripCount(cLoops[j]) + i)))
          return failure();
      }
      return success();
    };
    return visit(0, 0);
  };
  if (failed(forEachIteration(*pLoops, env, checkStore)))
    return decline(why.empty() ? "a store loop bound is not evaluable" : why);
  if (llvm::any_of(covered, [](int64_t n) { return n != 1; }))
    return decline("the stores do not serve every consumer iteration exactly "
                   "once");
  return success();
}

/// The tile the load fills must come out of the stored data as a view: the
/// store's source regrouped like the scratch, then the load's window.
LogicalResult Fuser::matchStoredView() {
  auto storedType = cast<MemRefType>(store.getSource().getType());
  llvm::SmallBitVector storeDropped = window.subview.getDroppedDims();
  for (int64_t g = 0, e = window.groups.size(); g < e; ++g)
    if (!storeDropped.test(g))
      keptGroups.push_back(g);
  if (storedType.getRank() != static_cast<int64_t>(keptGroups.size()))
    return decline("the store's source does not match its window");
  for (const ReassociationIndices &group : window.groups)
    for (int64_t d : ArrayRef(group).drop_front())
      if (sizes[d] != shape[d])
        return decline("the load does not take whole rows of a collapsed "
                       "group");
  for (int64_t g : keptGroups)
    for (int64_t d : window.groups[g])
      viewShape.push_back(sizes[d]);
  SmallVector<int64_t> loadShape(
      cast<MemRefType>(load.getSource().getType()).getShape());
  if (viewShape != loadShape)
    return decline("the stored tile cannot be viewed with the load's shape");
  return success();
}

LogicalResult Fuser::run() {
  if (failed(matchAccesses()) || failed(matchConsumerNest()) ||
      failed(checkBodyIndependent()) || failed(matchLoadWindow()) ||
      failed(checkCoverage()) || failed(matchStoredView()))
    return failure();
  rewrite();
  return success();
}

/// The load's window in the stored tile: per kept store group, the offset
/// relative to the store window (in whole rows for a collapsed group).
Value Fuser::createTileView(OpBuilder &b, IRMapping &mapping,
                            ArrayRef<Value> windowStart) {
  Location loc = load.getLoc();
  SmallVector<OpFoldResult> viewOffsets, viewSizes, viewStrides;
  SmallVector<ReassociationIndices> regroup;
  int64_t next = 0;
  for (int64_t g : keptGroups) {
    const ReassociationIndices &group = window.groups[g];
    int64_t d = group.front();
    int64_t inner = innerExtent(group, shape);
    Value start =
        getValueOrCreateConstantIndexOp(b, loc, loadView.getMixedOffsets()[d]);
    start = mapping.lookupOrDefault(start);
    Value relative = arith::SubIOp::create(b, loc, start, windowStart[d]);
    if (inner != 1)
      relative = arith::MulIOp::create(
          b, loc, relative, arith::ConstantIndexOp::create(b, loc, inner));
    viewOffsets.push_back(relative);
    viewSizes.push_back(b.getIndexAttr(sizes[d] * inner));
    viewStrides.push_back(b.getIndexAttr(1));
    ReassociationIndices dims;
    for (size_t k = 0; k < group.size(); ++k)
      dims.push_back(next++);
    regroup.push_back(dims);
  }
  Value view = memref::SubViewOp::create(b, loc, store.getSource(), viewOffsets,
                                         viewSizes, viewStrides);
  if (static_cast<int64_t>(regroup.size()) == next)
    return view;
  auto viewType = cast<MemRefType>(view.getType());
  if (failed(memref::ExpandShapeOp::computeExpandedType(viewType, viewShape,
                                                        regroup)))
    llvm_unreachable("a subview of rows always expands");
  return memref::ExpandShapeOp::create(b, loc, viewShape, view, regroup);
}

/// After the store, the consumer loops over the iterations it serves, the
/// body reading the stored tile instead of the scratch.
void Fuser::rewrite() {
  OpBuilder b(store->getContext());
  b.setInsertionPointAfter(store);
  Location loc = load.getLoc();
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  // The store window's first index and extent per scratch dim, at the store
  // (a collapsed group in whole rows of its inner dims).
  SmallVector<Value> windowStart(rank), windowSize(rank);
  for (auto [g, group] : llvm::enumerate(window.groups)) {
    int64_t inner = innerExtent(group, shape);
    auto rows = [&](OpFoldResult v) {
      Value value = getValueOrCreateConstantIndexOp(b, loc, v);
      return inner == 1 ? value
                        : arith::DivUIOp::create(b, loc, value, index(inner))
                              .getResult();
    };
    windowStart[group.front()] = rows(window.subview.getMixedOffsets()[g]);
    windowSize[group.front()] = rows(window.subview.getMixedSizes()[g]);
    for (int64_t d : ArrayRef(group).drop_front()) {
      windowStart[d] = index(0);
      windowSize[d] = index(shape[d]); // whole rows
    }
  }
  IRMapping mapping;
  for (auto [j, loop] : llvm::enumerate(cLoops)) {
    int64_t d = dimOfLoop[j];
    const AffineOffset &o = offsets[d];
    // lo = max(ceil((start - b) / a), 0); hi = min(floor((start + n - size -
    // b) / a) + 1, trips).
    Value shifted = arith::SubIOp::create(b, loc, windowStart[d], index(o.b));
    Value lo = arith::MaxSIOp::create(
        b, loc, arith::CeilDivSIOp::create(b, loc, shifted, index(o.a)),
        index(0));
    Value end = arith::AddIOp::create(b, loc, shifted, windowSize[d]);
    Value last = arith::FloorDivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, end, index(sizes[d])),
        index(o.a));
    Value hi = arith::MinSIOp::create(
        b, loc, arith::AddIOp::create(b, loc, last, index(1)),
        index(tripCount(loop)));
    auto fused = scf::ForOp::create(b, loc, lo, hi, index(1));
    fused->setDiscardableAttrs(loop->getDiscardableAttrDictionary());
    mapping.map(loop.getInductionVar(), fused.getInductionVar());
    b.setInsertionPointToStart(fused.getBody());
    if (loop != cLoops.back())
      for (Operation &op : loop.getBody()->without_terminator())
        if (!isa<scf::ForOp>(op))
          b.clone(op, mapping); // index arithmetic between the loops
  }
  for (Operation &op : body->without_terminator()) {
    if (&op != load.getOperation()) {
      b.clone(op, mapping);
      continue;
    }
    Value view = createTileView(b, mapping, windowStart);
    TensorCopyOp::create(b, loc, view, mapping.lookup(load.getTarget()));
  }
  rewriter.eraseOp(consumer);
  rewriter.eraseOp(store);
  eraseUnusedViewsAndBuffer(scratch);
}

struct FuseScratchConsumersPass
    : public nki::impl::NKIFuseScratchConsumersBase<FuseScratchConsumersPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> scratches;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (alloc->getParentOp() == getOperation().getOperation())
        scratches.push_back(alloc);
    });
    MissedRemarkListener remarks(getArgument());
    IRRewriter rewriter(&getContext(), &remarks);
    for (memref::AllocOp scratch : scratches)
      (void)fuseScratchConsumers(rewriter, scratch);
  }
};

} // namespace

LogicalResult nki::fuseScratchConsumers(RewriterBase &rewriter,
                                        memref::AllocOp scratch) {
  DominanceInfo dominance;
  return Fuser(rewriter, dominance, scratch).run();
}
