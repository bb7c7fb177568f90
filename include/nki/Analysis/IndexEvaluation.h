//===- IndexEvaluation.h - Index arithmetic for given loop indices -*- C++ -*-===//
//
// Kernels have constant trip counts, so facts about index arithmetic can be
// checked by evaluating it for every iteration instead of reasoning about it
// symbolically (the passes use this to prove rewrites exact).
//
//===----------------------------------------------------------------------===//

#ifndef NKI_ANALYSIS_INDEXEVALUATION_H
#define NKI_ANALYSIS_INDEXEVALUATION_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::nki {

/// Values (typically loop induction variables) fixed for an evaluation.
using IndexEnv = llvm::DenseMap<Value, int64_t>;

/// `value` under `env`: constants, values in `env`, and the integer arith
/// ops index code uses (add, sub, mul, div, ceildiv, floordiv, rem, min,
/// max). Fails on anything else, on division by a non-positive value, and
/// on unsigned or truncating division of a negative one.
FailureOr<int64_t> evaluateIndex(Value value, const IndexEnv &env);
/// The same for a static or dynamic index (view offsets and sizes).
FailureOr<int64_t> evaluateIndex(OpFoldResult index, const IndexEnv &env);

/// The `scf.for` loops around `op`, from `outermost` (itself a loop
/// around `op`, or `op`) inward; fails when another op lies between them,
/// since its region may not run every iteration.
FailureOr<SmallVector<scf::ForOp>> getLoopNest(Operation *op,
                                               Operation *outermost);

/// Runs `body` for every iteration of `nest` (loops outermost first, each
/// nested in the one before) with their induction variables set in `env`;
/// each loop's bounds are evaluated under the indices around it. Fails when
/// a bound is not evaluable or `body` fails.
LogicalResult forEachIteration(ArrayRef<scf::ForOp> nest, IndexEnv &env,
                               function_ref<LogicalResult()> body);

} // namespace mlir::nki

#endif // NKI_ANALYSIS_INDEXEVALUATION_H
