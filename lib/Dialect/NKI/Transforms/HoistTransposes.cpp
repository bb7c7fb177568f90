//===- HoistTransposes.cpp - Transpose invariant tiles once -----*- C++ -*-===//

#include "Remarks.h"
#include "TileHoisting.h"

#include "nki/Dialect/NKI/Transforms/Passes.h"

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
    SmallVector<TransposeOp> transposes;
    getOperation().walk([&](TransposeOp op) { transposes.push_back(op); });
    Hoister hoister(sbufBudget, getArgument(), /*allowInterchange=*/false);
    for (TransposeOp transpose : transposes) {
      if (!isa<scf::ForOp>(transpose->getParentOp()))
        continue;
      std::string reason;
      FailureOr<Chain> chain = Hoister::findTransposeChain(transpose, reason);
      if (failed(chain)) {
        reportMissed(transpose, getArgument(), "not hoisted: " + reason);
        continue;
      }
      hoister.run(*chain, /*quiet=*/false);
    }
  }
};

} // namespace
