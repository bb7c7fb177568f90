//===- HoistLoads.cpp - Load invariant tiles once ---------------*- C++ -*-===//

#include "TileHoisting.h"

#include "Remarks.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

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
    applyToEach<DmaCopyOp>(getOperation(), getArgument(),
                           [&](RewriterBase &rewriter, DmaCopyOp load) {
                             return hoistLoad(rewriter, load, sbufBudget);
                           });
  }
};

} // namespace

LogicalResult nki::hoistLoad(RewriterBase &rewriter, DmaCopyOp load,
                             int64_t sbufBudget) {
  if (!isa<scf::ForOp>(load->getParentOp()))
    return failure();
  // Loads that are not chains, or that depend on every loop, are the common
  // case: no reason is given for them.
  std::string reason;
  FailureOr<Chain> chain = Hoister::findLoadChain(load, reason);
  if (failed(chain))
    return failure();
  return Hoister(rewriter, resolveSbufBudget(load, sbufBudget),
                 /*allowInterchange=*/true)
      .run(*chain, /*quiet=*/true);
}
