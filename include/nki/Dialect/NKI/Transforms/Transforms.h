//===- Transforms.h - NKI transformations as functions ----------*- C++ -*-===//
//
// The rewrites behind the nki-* passes, callable on one op of a compiler's
// own IR. Each states its preconditions; when one does not hold it changes
// nothing and returns failure after `rewriter.notifyMatchFailure` with the
// reason (a listener on the rewriter can turn reasons into remarks, as the
// passes do). The passes are thin walkers over these functions.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H
#define NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H

#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::nki {

/// Rewrites `loop` to run from 0 with step 1, recomputing its old induction
/// variable as `lb + iv * step` in the body. Fails when the loop is already
/// normal or its step is not a positive constant.
LogicalResult normalizeLoop(RewriterBase &rewriter, scf::ForOp loop);

} // namespace mlir::nki

#endif // NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H
