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
    bool failed = false;
    auto check = [&](Value value,
                     function_ref<InFlightDiagnostic()> emitError) {
      auto type = dyn_cast<MemRefType>(value.getType());
      if (!type || getSpace(type) == Space::HBM ||
          getSpace(type) == Space::Other)
        return;
      failed |= mlir::failed(verifyOnChipBuffer(type, emitError));
    };
    getOperation()->walk([&](Operation *op) {
      for (OpResult result : op->getResults())
        check(result, [&] {
          return op->emitOpError()
                 << "result #" << result.getResultNumber() << ": ";
        });
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            check(arg, [&] {
              return mlir::emitError(arg.getLoc())
                     << "block argument #" << arg.getArgNumber() << ": ";
            });
    });
    if (failed)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
