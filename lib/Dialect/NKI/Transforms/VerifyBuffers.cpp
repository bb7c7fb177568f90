//===- VerifyBuffers.cpp - Check SBUF/PSUM buffers --------------*- C++ -*-===//

#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIVERIFYBUFFERS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {
struct VerifyBuffersPass
    : public nki::impl::NKIVerifyBuffersBase<VerifyBuffersPass> {
  void runOnOperation() override {
    if (failed(verifyOnChipBuffers(getOperation())))
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
