//===- CopyLoopFolding.h - Fold per-element copy loops ----------*- C++ -*-===//
//
// The engine behind nki-fold-copy-loops and nki-batch-writeback: a loop whose
// iteration i copies one element (or column, row) at a position that moves
// by one with i becomes one copy of the whole range.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_COPYLOOPFOLDING_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_COPYLOOPFOLDING_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::nki {

enum class CopyLoopKind {
  /// Both sides index position i as `i + c` in one dim.
  UnitStride,
  /// The target indexes linear position p = i + c as (p / W, p % W) in two
  /// adjacent dims of width W: a store of one position of a plane.
  Delinearized,
};

enum class FoldResult { Folded, NotACandidate, Declined };

/// Folds `loop` if it is a copy loop of `kind`. When it is one but cannot be
/// proven safe to fold, emits a remark naming `passName` and the reason and
/// returns Declined; loops of another shape are NotACandidate.
FoldResult foldCopyLoop(scf::ForOp loop, CopyLoopKind kind, StringRef passName,
                        RewriterBase &rewriter);

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_COPYLOOPFOLDING_H
