//===- Recompute.h - Use index values earlier -------------------*- C++ -*-===//
//
// Passes that move a DMA earlier need its index arithmetic there too: values
// that do not dominate the new position are recomputed from their pure
// producers.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_RECOMPUTE_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_RECOMPUTE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Dominance.h"

namespace mlir::nki {

/// Whether `value` can be used before `point`: it dominates `point`, or it is
/// computed by side-effect-free ops whose operands (recursively) can.
bool canRecomputeBefore(Value value, Operation *point,
                        DominanceInfo &dominance);

/// `value` at the builder's position (before `point`), recomputing its
/// producers there where needed; canRecomputeBefore must hold.
Value recomputeBefore(Value value, Operation *point, DominanceInfo &dominance,
                      OpBuilder &b);

/// `ofr` as a value before `point`: constants are created, values recomputed.
Value materializeBefore(OpFoldResult ofr, Operation *point,
                        DominanceInfo &dominance, OpBuilder &b);

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_RECOMPUTE_H
