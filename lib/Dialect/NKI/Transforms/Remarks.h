//===- Remarks.h - Why a rewrite left an op alone ---------------*- C++ -*-===//
//
// Declines are optimization remarks (MLIR's remark engine), not diagnostics:
// nothing is printed unless the user asks, e.g.
// `nki-opt --remarks-filter-missed='nki-.*' --remark-format=emitRemark`, or a
// compiler enables remarks on its context.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_REMARKS_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_REMARKS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/Twine.h"

namespace mlir::nki {

/// Reports that pass `pass` (its command-line name, the remark's category)
/// did not rewrite `op`, and why.
void reportMissed(Operation *op, StringRef pass, const Twine &reason);

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_REMARKS_H
