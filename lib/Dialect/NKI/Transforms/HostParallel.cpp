//===- HostParallel.cpp - Run independent tile loops on all cores -===//
//
// `nki.affine_range` says iterations may run in any order, not that they may
// run at once: they may still accumulate into one PSUM tile. A loop runs in
// parallel on the host only when its iterations provably write disjoint
// memory: buffers allocated inside an iteration are private to it, and every
// NKI op writing a shared buffer (a kernel argument, or a buffer allocated
// outside the loop) covers addresses no other iteration writes (checked by
// evaluating the store windows of every iteration).
//
//===----------------------------------------------------------------------===//

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIHOSTPARALLEL
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// The element offset of `view` from its root buffer, whose layout must be
/// the identity; views are subviews and reshapes with static strides.
FailureOr<int64_t> elementOffset(Value view, const IndexEnv &env) {
  Operation *def = view.getDefiningOp();
  if (!def || isa<memref::AllocOp>(def)) {
    auto type = cast<MemRefType>(view.getType());
    return type.getLayout().isIdentity() ? FailureOr<int64_t>(0)
                                         : FailureOr<int64_t>(failure());
  }
  if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(def))
    return elementOffset(def->getOperand(0), env);
  auto subview = dyn_cast<memref::SubViewOp>(def);
  if (!subview)
    return failure();
  FailureOr<int64_t> base = elementOffset(subview.getSource(), env);
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(base) ||
      failed(subview.getSourceType().getStridesAndOffset(strides, offset)))
    return failure();
  int64_t result = *base;
  for (auto [ofr, stride] : llvm::zip(subview.getMixedOffsets(), strides)) {
    FailureOr<int64_t> index = evaluateIndex(ofr, env);
    if (failed(index) || ShapedType::isDynamic(stride))
      return failure();
    result += *index * stride;
  }
  return result;
}

/// The runs of consecutive elements `view` touches under `env`, as
/// [first, last] pairs: one per index of the dims before the last.
LogicalResult elementRuns(Value view, const IndexEnv &env,
                          SmallVectorImpl<std::pair<int64_t, int64_t>> &runs,
                          int64_t limit) {
  FailureOr<int64_t> first = elementOffset(view, env);
  auto type = cast<MemRefType>(view.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(first) || failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return failure();
  // Sizes: static ones from the type, dynamic ones from the subview that
  // made them (skipping the dims it dropped).
  auto subview = view.getDefiningOp<memref::SubViewOp>();
  SmallVector<OpFoldResult> keptSizes;
  if (subview) {
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    for (auto [d, size] : llvm::enumerate(subview.getMixedSizes()))
      if (!dropped.test(d))
        keptSizes.push_back(size);
  }
  SmallVector<int64_t> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d)) {
      sizes.push_back(type.getDimSize(d));
      continue;
    }
    FailureOr<int64_t> size = subview ? evaluateIndex(keptSizes[d], env)
                                      : FailureOr<int64_t>(failure());
    if (failed(size))
      return failure();
    sizes.push_back(*size);
  }
  if (llvm::any_of(sizes, [](int64_t n) { return n <= 0; }))
    return success(); // touches nothing
  // A run along the last dim when it is contiguous, else single elements.
  int64_t rank = type.getRank();
  bool contiguous = strides.back() == 1;
  int64_t runLength = contiguous ? sizes.back() : 1;
  int64_t outerDims = contiguous ? rank - 1 : rank;
  SmallVector<int64_t> index(outerDims, 0);
  while (true) {
    if (static_cast<int64_t>(runs.size()) >= limit)
      return failure();
    int64_t start = *first;
    for (int64_t d = 0; d < outerDims; ++d)
      start += index[d] * strides[d];
    runs.push_back({start, start + runLength - 1});
    int64_t d = outerDims - 1;
    for (; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return success();
  }
}

struct Window {
  int64_t iteration, first, last;
};

/// Appends the element runs `store` writes through `view` in every iteration
/// of `loop`, tagged with the iteration.
LogicalResult collectWindows(scf::ForOp loop, Operation *store, Value view,
                             SmallVectorImpl<Window> &windows,
                             std::string &reason) {
  FailureOr<SmallVector<scf::ForOp>> nest = getLoopNest(store, loop);
  if (failed(nest)) {
    reason = "a write to a kernel argument is under a region that is not "
             "a loop";
    return failure();
  }
  IndexEnv env;
  int64_t evaluations = 0;
  LogicalResult walked = forEachIteration(*nest, env, [&]() -> LogicalResult {
    if (++evaluations > kMaxEvaluatedIterations) {
      reason = "too many iterations to check";
      return failure();
    }
    SmallVector<std::pair<int64_t, int64_t>> runs;
    if (failed(elementRuns(view, env, runs,
                           kMaxEvaluatedIterations - windows.size()))) {
      reason = "a write window of a kernel argument is not evaluable";
      return failure();
    }
    int64_t iteration = env.lookup(loop.getInductionVar());
    for (auto [first, last] : runs)
      windows.push_back({iteration, first, last});
    return success();
  });
  if (failed(walked) && reason.empty())
    reason = "a loop bound is not evaluable";
  return walked;
}

/// Whether `loop`'s iterations write disjoint memory; `reason` says why not.
bool isParallel(scf::ForOp loop, std::string &reason) {
  if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()) ||
      loop.getNumRegionIterArgs() != 0 ||
      !getConstantIntValue(loop.getLowerBound()) ||
      !getConstantIntValue(loop.getUpperBound()) ||
      !getConstantIntValue(loop.getStep())) {
    reason = "not an nki.affine_range with constant bounds";
    return false;
  }
  // Writes: to buffers of the iteration, or DMAs into kernel arguments.
  SmallVector<std::pair<Operation *, Value>> stores;
  llvm::SmallPtrSet<Value, 4> writtenArguments;
  WalkResult walk = loop.getBody()->walk([&](Operation *op) {
    if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects) {
      reason = "'" + op->getName().getStringRef().str() +
               "' has unknown memory effects";
      return WalkResult::interrupt();
    }
    SmallVector<MemoryEffects::EffectInstance> all;
    effects.getEffects(all);
    for (MemoryEffects::EffectInstance &effect : all) {
      if (!isa<MemoryEffects::Write>(effect.getEffect()))
        continue;
      Value value = effect.getValue();
      if (!value) {
        reason = "an op writes unknown memory";
        return WalkResult::interrupt();
      }
      Value root = getRootBuffer(value);
      if (Operation *def = root.getDefiningOp();
          def && isa<memref::AllocOp>(def) && loop->isProperAncestor(def))
        continue; // private to the iteration
      // Shared buffers: kernel arguments and buffers allocated outside the
      // loop (HBM scratch, hoisted SBUF tiles), written by NKI ops, each of
      // which writes its whole target view: the windows checked below.
      auto arg = dyn_cast<BlockArgument>(root);
      bool kernelArgument =
          arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
      bool outerBuffer = root.getDefiningOp<memref::AllocOp>() != nullptr;
      if (!(kernelArgument || outerBuffer) ||
          !isa<NKIDialect>(op->getDialect())) {
        reason = "an iteration writes a buffer shared with the others";
        return WalkResult::interrupt();
      }
      stores.push_back({op, value});
      writtenArguments.insert(root);
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return false;
  // No iteration reads what another may write.
  WalkResult reads = loop.getBody()->walk([&](Operation *op) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects)
      return WalkResult::advance();
    SmallVector<MemoryEffects::EffectInstance> all;
    effects.getEffects(all);
    for (MemoryEffects::EffectInstance &effect : all)
      if (isa<MemoryEffects::Read>(effect.getEffect()) && effect.getValue() &&
          writtenArguments.contains(getRootBuffer(effect.getValue()))) {
        reason = "an iteration reads a shared buffer the loop writes";
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  if (reads.wasInterrupted())
    return false;
  // Per written argument, the windows of different iterations are disjoint.
  for (Value argument : writtenArguments) {
    SmallVector<Window> windows;
    for (auto [store, view] : stores)
      if (getRootBuffer(view) == argument &&
          failed(collectWindows(loop, store, view, windows, reason)))
        return false;
    llvm::sort(windows, [](const Window &a, const Window &b) {
      return a.first < b.first;
    });
    // Sweep: the furthest-reaching window so far, and the furthest one of
    // any other iteration than its.
    int64_t bestLast = INT64_MIN, bestIteration = -1, otherLast = INT64_MIN;
    for (const Window &w : windows) {
      int64_t reach = w.iteration == bestIteration ? otherLast : bestLast;
      if (w.first <= reach) {
        reason = "two iterations may write the same elements";
        return false;
      }
      if (w.iteration == bestIteration) {
        bestLast = std::max(bestLast, w.last);
      } else if (w.last > bestLast) {
        otherLast = std::max(otherLast, bestLast);
        bestLast = w.last;
        bestIteration = w.iteration;
      } else {
        otherLast = std::max(otherLast, w.last);
      }
    }
  }
  return true;
}

/// `loop` as an `scf.parallel` with the same body.
void convertToParallel(scf::ForOp loop) {
  OpBuilder b(loop);
  auto parallel = scf::ParallelOp::create(
      b, loop.getLoc(), ValueRange{loop.getLowerBound()},
      ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
  Block *body = parallel.getBody();
  loop.getInductionVar().replaceAllUsesWith(body->getArgument(0));
  body->getOperations().splice(
      Block::iterator(body->getTerminator()), loop.getBody()->getOperations(),
      loop.getBody()->begin(), std::prev(loop.getBody()->end()));
  loop.erase();
}

struct HostParallelPass
    : public nki::impl::NKIHostParallelBase<HostParallelPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> chosen;
    // Outermost first; nothing inside a chosen loop is considered.
    std::function<void(Region &)> visit = [&](Region &region) {
      for (Block &block : region)
        for (Operation &op : block) {
          auto loop = dyn_cast<scf::ForOp>(op);
          std::string reason;
          if (loop && isParallel(loop, reason)) {
            chosen.push_back(loop);
            continue;
          }

          for (Region &nested : op.getRegions())
            visit(nested);
        }
    };
    getOperation()->walk(
        [&](FunctionOpInterface func) { visit(func.getFunctionBody()); });
    for (scf::ForOp loop : chosen)
      convertToParallel(loop);
  }
};

} // namespace
