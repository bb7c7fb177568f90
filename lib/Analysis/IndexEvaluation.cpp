//===- IndexEvaluation.cpp - Index arithmetic for given loop indices -------===//

#include "nki/Analysis/IndexEvaluation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

static FailureOr<int64_t> evaluate(Value value, const nki::IndexEnv &env,
                                   int depth) {
  if (auto it = env.find(value); it != env.end())
    return it->second;
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return *constant;
  Operation *def = value.getDefiningOp();
  if (!def || depth > 32 || def->getNumOperands() != 2 ||
      def->getNumResults() != 1)
    return failure();
  FailureOr<int64_t> a = evaluate(def->getOperand(0), env, depth + 1);
  FailureOr<int64_t> b = evaluate(def->getOperand(1), env, depth + 1);
  if (failed(a) || failed(b))
    return failure();
  if (isa<arith::DivUIOp, arith::DivSIOp, arith::RemUIOp, arith::RemSIOp,
          arith::CeilDivUIOp>(def) &&
      (*b <= 0 || *a < 0))
    return failure();
  if (isa<arith::CeilDivSIOp, arith::FloorDivSIOp>(def) && *b <= 0)
    return failure();
  return llvm::TypeSwitch<Operation *, FailureOr<int64_t>>(def)
      .Case([&](arith::AddIOp) { return *a + *b; })
      .Case([&](arith::SubIOp) { return *a - *b; })
      .Case([&](arith::MulIOp) { return *a * *b; })
      .Case<arith::DivUIOp, arith::DivSIOp>([&](auto) { return *a / *b; })
      .Case<arith::RemUIOp, arith::RemSIOp>([&](auto) { return *a % *b; })
      .Case([&](arith::CeilDivUIOp) { return (*a + *b - 1) / *b; })
      .Case([&](arith::CeilDivSIOp) { return llvm::divideCeilSigned(*a, *b); })
      .Case([&](arith::FloorDivSIOp) {
        return llvm::divideFloorSigned(*a, *b);
      })
      .Case<arith::MinSIOp, arith::MinUIOp>(
          [&](auto) { return std::min(*a, *b); })
      .Case<arith::MaxSIOp, arith::MaxUIOp>(
          [&](auto) { return std::max(*a, *b); })
      .Default([](Operation *) { return failure(); });
}

FailureOr<int64_t> nki::evaluateIndex(Value value, const IndexEnv &env) {
  return evaluate(value, env, 0);
}

FailureOr<int64_t> nki::evaluateIndex(OpFoldResult index,
                                      const IndexEnv &env) {
  if (std::optional<int64_t> constant = getConstantIntValue(index))
    return *constant;
  return evaluate(cast<Value>(index), env, 0);
}

FailureOr<SmallVector<scf::ForOp>> nki::getLoopNest(Operation *op,
                                                    Operation *outermost) {
  SmallVector<scf::ForOp> nest;
  for (Operation *p = op; p != outermost;) {
    p = p->getParentOp();
    auto loop = dyn_cast_or_null<scf::ForOp>(p);
    if (!loop)
      return failure();
    nest.push_back(loop);
  }
  std::reverse(nest.begin(), nest.end());
  return nest;
}

LogicalResult nki::forEachIteration(ArrayRef<scf::ForOp> nest, IndexEnv &env,
                                    function_ref<LogicalResult()> body) {
  if (nest.empty())
    return body();
  scf::ForOp loop = nest.front();
  FailureOr<int64_t> lb = evaluateIndex(loop.getLowerBound(), env);
  FailureOr<int64_t> ub = evaluateIndex(loop.getUpperBound(), env);
  FailureOr<int64_t> step = evaluateIndex(loop.getStep(), env);
  if (failed(lb) || failed(ub) || failed(step) || *step <= 0)
    return failure();
  for (int64_t i = *lb; i < *ub; i += *step) {
    env[loop.getInductionVar()] = i;
    if (failed(forEachIteration(nest.drop_front(), env, body)))
      return failure();
  }
  env.erase(loop.getInductionVar());
  return success();
}
