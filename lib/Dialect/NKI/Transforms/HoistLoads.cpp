//===- HoistLoads.cpp - Load invariant tiles once ----------------*- C++
//-*-===//

#include "TileHoisting.h"

#include "nki/Dialect/NKI/Transforms/Passes.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIHOISTLOADS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

struct HoistLoadsPass : public nki::impl::NKIHoistLoadsBase<HoistLoadsPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<DmaCopyOp> loads;
    getOperation().walk([&](DmaCopyOp op) { loads.push_back(op); });
    Hoister hoister(sbufBudget, getArgument(), /*allowInterchange=*/true);
    for (DmaCopyOp load : loads) {
      if (!isa<scf::ForOp>(load->getParentOp()))
        continue;
      std::string reason;
      FailureOr<Chain> chain = Hoister::findLoadChain(load, reason);
      if (succeeded(chain))
        hoister.run(*chain, /*quiet=*/true);
    }
  }
};
} // namespace
