//===- Im2col.cpp - Gather moving tiles once, into a matrix -----*- C++ -*-===//

#include "Remarks.h"
#include "TileHoisting.h"
#include "Views.h"

#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIIM2COL
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

struct Im2colPass : public nki::impl::NKIIm2colBase<Im2colPass> {
  using Base::Base;
  void runOnOperation() override {
    applyToEach<TensorCopyOp>(getOperation(), getArgument(),
                              [&](RewriterBase &rewriter, TensorCopyOp copy) {
                                return gatherIm2col(rewriter, copy, sbufBudget);
                              });
  }
};

} // namespace

LogicalResult nki::gatherIm2col(RewriterBase &rewriter, TensorCopyOp copy,
                                int64_t sbufBudget) {
  // Only tiles that feed the Tensor Engine as moving operands.
  Value tile = getRootBuffer(copy.getTarget());
  if (llvm::none_of(getAccesses(tile), [](OpOperand *use) {
        auto matmul = dyn_cast<MatmulOp>(use->getOwner());
        return matmul && use == &matmul.getMovingMutable();
      }))
    return failure();
  std::string reason;
  FailureOr<Chain> chain = Hoister::findGatherChain(copy, reason);
  if (failed(chain))
    return rewriter.notifyMatchFailure(copy, "not gathered: " + reason);
  return Hoister(rewriter, resolveSbufBudget(copy, sbufBudget),
                 /*allowInterchange=*/false)
      .run(*chain, /*quiet=*/false);
}
