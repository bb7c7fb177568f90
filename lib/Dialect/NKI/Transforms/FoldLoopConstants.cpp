//===- FoldLoopConstants.cpp - Index values the same in every iteration ---===//

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIFOLDLOOPCONSTANTS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Adds the loops whose induction variables `value` is computed from; fails
/// on any other block argument or non-arith producer.
LogicalResult collectLoops(Value value, llvm::SetVector<scf::ForOp> &loops,
                           int depth = 0) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    if (!loop || arg != loop.getInductionVar())
      return failure();
    if (loops.insert(loop))
      for (Value bound :
           {loop.getLowerBound(), loop.getUpperBound(), loop.getStep()})
        if (failed(collectLoops(bound, loops, depth + 1)))
          return failure();
    return success();
  }
  Operation *def = value.getDefiningOp();
  if (!def || depth > 32 || !isa<arith::ArithDialect>(def->getDialect()))
    return failure();
  for (Value operand : def->getOperands())
    if (failed(collectLoops(operand, loops, depth + 1)))
      return failure();
  return success();
}

/// The one value `value` takes in every iteration of `loops`, if any: a
/// symbolic fact (equal lower and upper bound, from upstream's
/// ValueBoundsConstraintSet) where one exists, else every iteration
/// evaluated (within the shared budget of forEachIteration).
std::optional<int64_t> uniqueValue(Value value, ArrayRef<scf::ForOp> loops) {
  FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::EQ, ValueBoundsConstraintSet::Variable(value));
  if (succeeded(bound))
    return *bound;
  IndexEnv env;
  std::optional<int64_t> seen;
  LogicalResult same = forEachIteration(loops, env, [&]() -> LogicalResult {
    FailureOr<int64_t> v = evaluateIndex(value, env);
    if (failed(v) || (seen && *seen != *v))
      return failure();
    seen = *v;
    return success();
  });
  return succeeded(same) ? seen : std::nullopt;
}

struct FoldLoopConstantsPass
    : public nki::impl::NKIFoldLoopConstantsBase<FoldLoopConstantsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<arith::ArithDialect>(op->getDialect()) &&
          !isa<arith::ConstantOp>(op) && op->getNumResults() == 1 &&
          op->getResult(0).getType().isIndex() &&
          op->getParentOfType<scf::ForOp>())
        candidates.push_back(op);
    });
    for (Operation *op : candidates) {
      Value value = op->getResult(0);
      llvm::SetVector<scf::ForOp> loops;
      if (failed(collectLoops(value, loops)) || loops.empty())
        continue;
      // Outermost first, so that bounds see the indices they use.
      SmallVector<scf::ForOp> nest = loops.takeVector();
      llvm::sort(nest, [](scf::ForOp a, scf::ForOp b) {
        return a->isProperAncestor(b);
      });
      std::optional<int64_t> constant = uniqueValue(value, nest);
      if (!constant)
        continue;
      OpBuilder b(op);
      value.replaceAllUsesWith(
          arith::ConstantIndexOp::create(b, op->getLoc(), *constant));
    }
  }
};

} // namespace
