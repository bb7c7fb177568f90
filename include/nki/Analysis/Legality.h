//===- Legality.h - What a rewrite may assume about memory ------*- C++ -*-===//
//
// The one place the NKI passes ask before they move, merge or drop an access:
// which memrefs may overlap, and which ops may read or write a buffer through
// any view or alias. Answers are conservative: values from unknown producers
// may alias anything, and ops without known memory effects read and write
// everything. Facts about index values (equal in every iteration, windows
// disjoint) come from evaluation, in IndexEvaluation.h.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_ANALYSIS_LEGALITY_H
#define NKI_ANALYSIS_LEGALITY_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

namespace mlir::nki {

/// The buffer `memref` is a view of: follows view-like ops (subview,
/// collapse/expand_shape, cast, ...) back to their source.
Value getRootBuffer(Value memref);

/// True when `a` and `b` provably never share memory: one of them is not a
/// memref, they are in different memory spaces, or their roots differ and one
/// of them is a local allocation, or they are different arguments of one
/// kernel (NKI's calling convention: a kernel's tensors are distinct; an
/// output is never an input). Anything else (values from unknown ops, block
/// arguments of loops or regions) may alias.
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

/// True when some op strictly between `first` and `last` (ops of one block,
/// `first` before `last`) may write memory that `buffer` may alias.
bool mayBeWrittenBetween(Operation *first, Operation *last, Value buffer);

/// True when `operand`'s owner may write memory through it: it declares a
/// write of the operand's value, a write with no value, or no effects at all.
bool mayWriteThrough(OpOperand &operand);

/// The memref operands of `op` that may alias `buffer` (through any view).
SmallVector<OpOperand *> getAliasingOperands(Operation *op, Value buffer);

} // namespace mlir::nki

#endif // NKI_ANALYSIS_LEGALITY_H
