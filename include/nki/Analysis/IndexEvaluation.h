//===- IndexEvaluation.h - Index arithmetic at given indices ----*- C++ -*-===//
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

/// Most loop iterations (summed over every level of a nest) that one
/// evaluation walks before it gives up: evaluation proves facts about
/// kernels of realistic size, not about loops of 2^31 trips.
constexpr int64_t kMaxEvaluatedIterations = int64_t(1) << 22;

/// The integer arith op `op` (add, sub, mul, div, ceildiv, floordiv, rem,
/// min, max, signed and unsigned; cmpi; index_cast) applied to `operands`,
/// with MLIR's semantics. Fails on any other op, on a result that overflows
/// its type (arith wraps; index code that wraps is not evaluated), on
/// division by zero, and on unsigned ops of negative values. The one
/// arithmetic both the passes and the traffic report use.
FailureOr<int64_t> foldIndexOp(Operation *op, ArrayRef<int64_t> operands);

/// `value` under `env`: constants, values in `env`, and the ops of
/// foldIndexOp applied to those. Fails on anything else.
FailureOr<int64_t> evaluateIndex(Value value, const IndexEnv &env);
/// The same for a static or dynamic index (view offsets and sizes).
FailureOr<int64_t> evaluateIndex(OpFoldResult index, const IndexEnv &env);

/// The constant upper bound of `loop` when it runs from 0 with step 1 (the
/// normal form of nki-normalize-loops), which is then its trip count when
/// positive; std::nullopt for any other loop.
std::optional<int64_t> getNormalTripCount(scf::ForOp loop);

/// The `scf.for` loops around `op`, from `outermost` (itself a loop
/// around `op`, or `op`) inward; fails when another op lies between them,
/// since its region may not run every iteration.
FailureOr<SmallVector<scf::ForOp>> getLoopNest(Operation *op,
                                               Operation *outermost);

/// Runs `body` for every iteration of `nest` (loops outermost first, each
/// nested in the one before) with their induction variables set in `env`;
/// each loop's bounds are evaluated under the indices around it. Fails when
/// a bound is not evaluable, `body` fails, or the nest has more than
/// `maxIterations` iterations at all its levels together.
LogicalResult forEachIteration(ArrayRef<scf::ForOp> nest, IndexEnv &env,
                               function_ref<LogicalResult()> body,
                               int64_t maxIterations = kMaxEvaluatedIterations);

} // namespace mlir::nki

#endif // NKI_ANALYSIS_INDEXEVALUATION_H
