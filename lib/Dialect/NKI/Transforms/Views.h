//===- Views.h - Re-apply a chain of memref views ---------------*- C++ -*-===//
//
// Passes that make an op read or write another buffer than before need the
// same view of the new buffer: the subviews and reshapes that led from the
// old buffer to the operand are replayed on the new one.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_VIEWS_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_VIEWS_H

#include "nki/Analysis/ViewedRange.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::nki {

/// The operands through which `buffer` is accessed: uses of it, or of views
/// of it, by ops that are not views of it.
SmallVector<OpOperand *> getAccesses(Value buffer);

/// Erases the views of `alloc` that nothing uses any more, then `alloc`
/// itself when nothing uses it either.
void eraseUnusedViewsAndBuffer(memref::AllocOp alloc);

/// Whether every op of `chain` keeps dim 0 (the partition dim) whole and in
/// place: subviews take all of it with stride 1, reshapes group it alone.
/// With `allowPrefix`, subviews may take partitions [0, n) (the chain then
/// rebuilds only on a base with the same partitions).
bool keepsPartitionDim(ArrayRef<Operation *> chain, bool allowPrefix = false);

/// Builds `chain` again on `base`, whose dim 0 may have another size (then
/// the chain must keep it whole, see keepsPartitionDim); dynamic offsets and
/// sizes are taken through `mapping`. Fails when a reshape cannot be expressed
/// on `base`'s layout.
FailureOr<Value> replayViewChain(OpBuilder &b, Location loc,
                                 ArrayRef<Operation *> chain, Value base,
                                 const IRMapping &mapping = IRMapping());

/// replayViewChain for a chain of subviews only, which always rebuilds.
Value replaySubviews(OpBuilder &b, Location loc, ArrayRef<Operation *> chain,
                     Value base, const IRMapping &mapping = IRMapping());

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_VIEWS_H
