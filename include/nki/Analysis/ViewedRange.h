//===- ViewedRange.h - Which part of a buffer a view covers -----*- C++ -*-===//

#ifndef NKI_ANALYSIS_VIEWEDRANGE_H
#define NKI_ANALYSIS_VIEWEDRANGE_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::nki {

/// Along one dim of a buffer, the view covers the elements
/// [offset, offset + size) of that dim, where a step of `divisor` elements is
/// one index of the dim (divisor > 1 when the view linearized the dim with
/// the dims after it). So it touches indices
/// [offset / divisor, ceil((offset + size) / divisor)).
struct ViewedRange {
  OpFoldResult offset, size;
  int64_t divisor = 1;
};

/// The subview / expand_shape / collapse_shape ops leading from `base` to
/// `view`, outermost first (empty when `view == base`); fails when `view` is
/// not such a chain of `base`.
FailureOr<SmallVector<Operation *>> getViewChain(Value base, Value view);

/// The range of `dim` of `buffer` that `view` covers, when `view` is derived
/// from `buffer` by unit-stride `memref.subview`s, `memref.collapse_shape`s
/// that merge `dim` with the dims after it, and `memref.expand_shape`s that
/// leave `dim` whole. Fails for anything else.
FailureOr<ViewedRange> getViewedRange(Value buffer, int64_t dim, Value view);

/// A constant that `value` never exceeds, derived through constants and
/// min/max ops; nullopt when none is known.
std::optional<int64_t> getConstantUpperBound(Value value);

} // namespace mlir::nki

#endif // NKI_ANALYSIS_VIEWEDRANGE_H
