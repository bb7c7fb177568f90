//===- NormalizeLoops.cpp - Loops from 0 with step 1 ------------*- C++ -*-===//

#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKINORMALIZELOOPS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

LogicalResult nki::normalizeLoop(RewriterBase &rewriter, scf::ForOp loop) {
  if (!loop.getInductionVar().getType().isIndex())
    return rewriter.notifyMatchFailure(loop, "the induction variable is not "
                                             "an index");
  if (isZeroInteger(loop.getLowerBound()) && isOneInteger(loop.getStep()))
    return rewriter.notifyMatchFailure(loop, "already normalized");
  OpFoldResult lb = getAsOpFoldResult(loop.getLowerBound());
  OpFoldResult step = getAsOpFoldResult(loop.getStep());
  // A negative or zero step has no normalized trip count.
  if (std::optional<int64_t> constant = getConstantIntValue(step);
      !constant || *constant <= 0)
    return rewriter.notifyMatchFailure(loop, "the step is not a positive "
                                             "constant");
  rewriter.setInsertionPoint(loop);
  Range bounds = mlir::emitNormalizedLoopBounds(
      rewriter, loop.getLoc(), lb, getAsOpFoldResult(loop.getUpperBound()),
      step);
  rewriter.modifyOpInPlace(loop, [&] {
    loop.setLowerBound(getValueOrCreateConstantIndexOp(rewriter, loop.getLoc(),
                                                       bounds.offset));
    loop.setUpperBound(
        getValueOrCreateConstantIndexOp(rewriter, loop.getLoc(), bounds.size));
    loop.setStep(getValueOrCreateConstantIndexOp(rewriter, loop.getLoc(),
                                                 bounds.stride));
  });
  rewriter.setInsertionPointToStart(loop.getBody());
  mlir::denormalizeInductionVariable(rewriter, loop.getLoc(),
                                     loop.getInductionVar(), lb, step);
  return success();
}

namespace {

struct NormalizeLoopsPass
    : public nki::impl::NKINormalizeLoopsBase<NormalizeLoopsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk(
        [&](scf::ForOp loop) { (void)normalizeLoop(rewriter, loop); });
  }
};

} // namespace
