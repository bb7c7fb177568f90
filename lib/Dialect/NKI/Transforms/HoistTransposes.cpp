//===- HoistTransposes.cpp - Transpose invariant tiles once -----*- C++ -*-===//

#include "Remarks.h"
#include "TileHoisting.h"

#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIHOISTTRANSPOSES
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

struct HoistTransposesPass
    : public nki::impl::NKIHoistTransposesBase<HoistTransposesPass> {
  using Base::Base;
  void runOnOperation() override {
    applyToEach<TransposeOp>(
        getOperation(), getArgument(),
        [&](RewriterBase &rewriter, TransposeOp transpose) {
          return hoistTranspose(rewriter, transpose, sbufBudget);
        });
  }
};

} // namespace

LogicalResult nki::hoistTranspose(RewriterBase &rewriter, TransposeOp transpose,
                                  int64_t sbufBudget) {
  if (!isa<scf::ForOp>(transpose->getParentOp()))
    return failure();
  std::string reason;
  FailureOr<Chain> chain = Hoister::findTransposeChain(transpose, reason);
  if (failed(chain))
    return rewriter.notifyMatchFailure(transpose, "not hoisted: " + reason);
  return Hoister(rewriter, resolveSbufBudget(transpose, sbufBudget),
                 /*allowInterchange=*/false)
      .run(*chain, /*quiet=*/false);
}
