//===- Im2col.cpp - Gather moving tiles once, into a matrix -----*- C++ -*-===//

#include "Remarks.h"
#include "TileHoisting.h"
#include "Views.h"

#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

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
    SmallVector<TensorCopyOp> gathers;
    getOperation().walk([&](TensorCopyOp copy) {
      // Only tiles that feed the Tensor Engine as moving operands.
      Value tile = getRootBuffer(copy.getTarget());
      if (llvm::any_of(getAccesses(tile), [](OpOperand *use) {
            auto matmul = dyn_cast<MatmulOp>(use->getOwner());
            return matmul && use == &matmul.getMovingMutable();
          }))
        gathers.push_back(copy);
    });
    Hoister hoister(sbufBudget, getArgument(), /*allowInterchange=*/false);
    for (TensorCopyOp copy : gathers) {
      std::string reason;
      FailureOr<Chain> chain = Hoister::findGatherChain(copy, reason);
      if (failed(chain)) {
        reportMissed(copy, getArgument(), "not gathered: " + reason);
        continue;
      }
      hoister.run(*chain, /*quiet=*/false);
    }
  }
};

} // namespace
