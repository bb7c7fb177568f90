//===- BufferAliasing.h - Which buffers may overlap -------------*- C++ -*-===//
//
// Conservative facts about memrefs that the NKI passes use to prove a rewrite
// legal. Unknown producers are treated as possibly aliasing anything.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_ANALYSIS_BUFFERALIASING_H
#define NKI_ANALYSIS_BUFFERALIASING_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

namespace mlir::nki {

/// The buffer `memref` is a view of: follows view-like ops (subview,
/// collapse/expand_shape, cast, ...) back to their source.
Value getRootBuffer(Value memref);

/// True when `a` and `b` provably never share memory: they are in different
/// memory spaces, or their roots differ and one of them is a local
/// allocation, or they are different arguments of one kernel (NKI's calling
/// convention: a kernel's tensors are distinct; an output is never an input).
/// Anything else (values from unknown ops, block arguments of loops or
/// regions) may alias.
bool areDisjointBuffers(Value a, Value b);

/// True when some op nested in `region` (other than `except`) may write, or
/// with `includeReads` read, memory that `buffer` may alias; ops without known
/// memory effects count as accessing anything.
bool mayBeAccessedIn(Operation *region, Value buffer, Operation *except,
                     bool includeReads);

/// True when some op nested in `region` (other than `except`) may write
/// memory that `buffer` may alias; ops without known memory effects count as
/// writing anything.
bool mayBeWrittenIn(Operation *region, Value buffer, Operation *except);

} // namespace mlir::nki

#endif // NKI_ANALYSIS_BUFFERALIASING_H
