//===- Remarks.h - Why a rewrite left an op alone ---------------*- C++ -*-===//
//
// The transforms of Transforms.h give their reasons to
// `rewriter.notifyMatchFailure`; the passes listen on their rewriter and turn
// each reason into an optimization remark (MLIR's remark engine), not a
// diagnostic: nothing is printed unless the user asks, e.g.
// `nki-opt --remarks-filter-missed='nki-.*' --remark-format=emitRemark`, or a
// compiler enables remarks on its context.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_REMARKS_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_REMARKS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::nki {

/// Reports each match failure as a missed-optimization remark in category
/// `pass` (the pass's command-line name).
class MissedRemarkListener : public RewriterBase::Listener {
public:
  explicit MissedRemarkListener(StringRef pass) : pass(pass) {}
  void
  notifyMatchFailure(Location loc,
                     function_ref<void(Diagnostic &)> reasonCallback) override;

private:
  StringRef pass;
};

/// What the rewrite passes do: collect the ops of type `OpTy` under `root`
/// before changing anything, then apply `transform` to each with a rewriter
/// whose match failures become remarks of category `pass`.
template <typename OpTy, typename Transform>
void applyToEach(Operation *root, StringRef pass, Transform &&transform) {
  SmallVector<OpTy> ops;
  root->walk([&](OpTy op) { ops.push_back(op); });
  MissedRemarkListener remarks(pass);
  IRRewriter rewriter(root->getContext(), &remarks);
  for (OpTy op : ops)
    (void)transform(rewriter, op);
}

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_REMARKS_H
