//===- FoldCopyLoops.cpp - Fold element-by-element copy loops ---*- C++ -*-===//

#include "Remarks.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "nki/Dialect/NKI/Transforms/Passes.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIFOLDCOPYLOOPS
#define GEN_PASS_DEF_NKIBATCHWRITEBACK
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Folds every copy loop of `kind` under `root`, innermost first.
void foldAll(Operation *root, CopyLoopKind kind, StringRef passName) {
  applyToEach<scf::ForOp>(root, passName,
                          [&](RewriterBase &rewriter, scf::ForOp loop) {
                            return foldCopyLoop(rewriter, loop, kind);
                          });
}

struct FoldCopyLoopsPass
    : public nki::impl::NKIFoldCopyLoopsBase<FoldCopyLoopsPass> {
  void runOnOperation() override {
    foldAll(getOperation(), CopyLoopKind::UnitStride, getArgument());
  }
};

struct BatchWritebackPass
    : public nki::impl::NKIBatchWritebackBase<BatchWritebackPass> {
  void runOnOperation() override {
    foldAll(getOperation(), CopyLoopKind::Delinearized, getArgument());
  }
};

} // namespace
