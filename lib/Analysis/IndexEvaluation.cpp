//===- IndexEvaluation.cpp - Index arithmetic for given loop indices
//-------===//

#include "nki/Analysis/IndexEvaluation.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

/// `expr` at the given dim and symbol values, in affine semantics (floordiv
/// rounds down, mod is non-negative), failing on overflow or a divisor <= 0.
static std::optional<int64_t> evaluateAffine(AffineExpr expr,
                                             ArrayRef<int64_t> dims,
                                             ArrayRef<int64_t> symbols) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return dims[dim.getPosition()];
  if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
    return symbols[symbol.getPosition()];
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return constant.getValue();
  auto binary = cast<AffineBinaryOpExpr>(expr);
  std::optional<int64_t> a = evaluateAffine(binary.getLHS(), dims, symbols);
  std::optional<int64_t> b = evaluateAffine(binary.getRHS(), dims, symbols);
  if (!a || !b)
    return std::nullopt;
  int64_t r;
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return llvm::AddOverflow(*a, *b, r) ? std::nullopt : std::optional(r);
  case AffineExprKind::Mul:
    return llvm::MulOverflow(*a, *b, r) ? std::nullopt : std::optional(r);
  case AffineExprKind::FloorDiv:
    return *b > 0 ? std::optional(llvm::divideFloorSigned(*a, *b))
                  : std::nullopt;
  case AffineExprKind::CeilDiv:
    return *b > 0 ? std::optional(llvm::divideCeilSigned(*a, *b))
                  : std::nullopt;
  case AffineExprKind::Mod:
    return *b > 0 ? std::optional(llvm::mod(*a, *b)) : std::nullopt;
  default:
    return std::nullopt;
  }
}

/// affine.apply, affine.min and affine.max at constant operands.
static FailureOr<int64_t> foldAffineOp(Operation *op,
                                       ArrayRef<int64_t> operands) {
  AffineMap map;
  if (auto apply = dyn_cast<affine::AffineApplyOp>(op))
    map = apply.getAffineMap();
  else if (auto min = dyn_cast<affine::AffineMinOp>(op))
    map = min.getAffineMap();
  else if (auto max = dyn_cast<affine::AffineMaxOp>(op))
    map = max.getAffineMap();
  else
    return failure();
  ArrayRef<int64_t> dims = operands.take_front(map.getNumDims());
  ArrayRef<int64_t> symbols = operands.drop_front(map.getNumDims());
  std::optional<int64_t> result;
  for (AffineExpr expr : map.getResults()) {
    std::optional<int64_t> value = evaluateAffine(expr, dims, symbols);
    if (!value)
      return failure();
    if (!result || (isa<affine::AffineMinOp>(op) && *value < *result) ||
        (isa<affine::AffineMaxOp>(op) && *value > *result))
      result = value;
  }
  if (!result)
    return failure();
  return *result;
}

FailureOr<int64_t> nki::foldIndexOp(Operation *op, ArrayRef<int64_t> operands) {
  if (op->getNumResults() != 1 || operands.size() != op->getNumOperands())
    return failure();
  Type type = op->getResult(0).getType();
  if (!type.isIntOrIndex())
    return failure();
  if (isa<affine::AffineApplyOp, affine::AffineMinOp, affine::AffineMaxOp>(op))
    return foldAffineOp(op, operands);
  if (isa<arith::IndexCastOp>(op))
    return operands[0];
  if (isa<arith::IndexCastUIOp>(op)) {
    if (operands[0] < 0)
      return failure();
    return operands[0];
  }
  if (operands.size() != 2)
    return failure();
  int64_t a = operands[0], b = operands[1];
  bool isUnsigned = isa<arith::DivUIOp, arith::RemUIOp, arith::CeilDivUIOp,
                        arith::MinUIOp, arith::MaxUIOp>(op);
  if (isUnsigned && (a < 0 || b < 0))
    return failure();
  bool isDivision =
      isa<arith::DivUIOp, arith::DivSIOp, arith::RemUIOp, arith::RemSIOp,
          arith::CeilDivUIOp, arith::CeilDivSIOp, arith::FloorDivSIOp>(op);
  if (isDivision && (b == 0 || (a == INT64_MIN && b == -1)))
    return failure();
  std::optional<int64_t> result =
      llvm::TypeSwitch<Operation *, std::optional<int64_t>>(op)
          .Case([&](arith::AddIOp) -> std::optional<int64_t> {
            int64_t r;
            return llvm::AddOverflow(a, b, r) ? std::nullopt : std::optional(r);
          })
          .Case([&](arith::SubIOp) -> std::optional<int64_t> {
            int64_t r;
            return llvm::SubOverflow(a, b, r) ? std::nullopt : std::optional(r);
          })
          .Case([&](arith::MulIOp) -> std::optional<int64_t> {
            int64_t r;
            return llvm::MulOverflow(a, b, r) ? std::nullopt : std::optional(r);
          })
          // C++ division and remainder truncate, as divsi/remsi do.
          .Case<arith::DivUIOp, arith::DivSIOp>([&](auto) { return a / b; })
          .Case<arith::RemUIOp, arith::RemSIOp>([&](auto) { return a % b; })
          .Case<arith::CeilDivUIOp, arith::CeilDivSIOp>(
              [&](auto) { return llvm::divideCeilSigned(a, b); })
          .Case([&](arith::FloorDivSIOp) {
            return llvm::divideFloorSigned(a, b);
          })
          .Case<arith::MinSIOp, arith::MinUIOp>(
              [&](auto) { return std::min(a, b); })
          .Case<arith::MaxSIOp, arith::MaxUIOp>(
              [&](auto) { return std::max(a, b); })
          .Case([&](arith::CmpIOp cmp) -> std::optional<int64_t> {
            using P = arith::CmpIPredicate;
            auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
            switch (cmp.getPredicate()) {
            case P::eq:
              return a == b;
            case P::ne:
              return a != b;
            case P::slt:
              return a < b;
            case P::sle:
              return a <= b;
            case P::sgt:
              return a > b;
            case P::sge:
              return a >= b;
            case P::ult:
              return ua < ub;
            case P::ule:
              return ua <= ub;
            case P::ugt:
              return ua > ub;
            case P::uge:
              return ua >= ub;
            }
            return std::nullopt;
          })
          .Default([](Operation *) { return std::nullopt; });
  if (!result)
    return failure();
  // Narrow integers wrap where index code does not: refuse what does not fit.
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && integer.getWidth() < 64 && integer.getWidth() > 1 &&
      !llvm::isIntN(integer.getWidth(), *result))
    return failure();
  return *result;
}

static FailureOr<int64_t> evaluate(Value value, const nki::IndexEnv &env,
                                   int depth) {
  if (auto it = env.find(value); it != env.end())
    return it->second;
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return *constant;
  Operation *def = value.getDefiningOp();
  if (!def || depth > 32 || def->getNumOperands() > 8)
    return failure();
  SmallVector<int64_t, 4> operands;
  for (Value operand : def->getOperands()) {
    FailureOr<int64_t> v = evaluate(operand, env, depth + 1);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  return nki::foldIndexOp(def, operands);
}

FailureOr<int64_t> nki::evaluateIndex(Value value, const IndexEnv &env) {
  return evaluate(value, env, 0);
}

FailureOr<int64_t> nki::evaluateIndex(OpFoldResult index, const IndexEnv &env) {
  if (std::optional<int64_t> constant = getConstantIntValue(index))
    return *constant;
  return evaluate(cast<Value>(index), env, 0);
}

std::optional<int64_t> nki::getNormalTripCount(scf::ForOp loop) {
  if (getConstantIntValue(loop.getLowerBound()) != 0 ||
      getConstantIntValue(loop.getStep()) != 1)
    return std::nullopt;
  return getConstantIntValue(loop.getUpperBound());
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

static LogicalResult walkIterations(ArrayRef<scf::ForOp> nest,
                                    nki::IndexEnv &env,
                                    function_ref<LogicalResult()> body,
                                    int64_t &budget) {
  if (nest.empty())
    return body();
  scf::ForOp loop = nest.front();
  FailureOr<int64_t> lb = nki::evaluateIndex(loop.getLowerBound(), env);
  FailureOr<int64_t> ub = nki::evaluateIndex(loop.getUpperBound(), env);
  FailureOr<int64_t> step = nki::evaluateIndex(loop.getStep(), env);
  if (failed(lb) || failed(ub) || failed(step) || *step <= 0)
    return failure();
  // i < ub <= INT64_MAX, so i + step overflows only past the last iteration.
  for (int64_t i = *lb; i < *ub;) {
    if (--budget < 0)
      return failure();
    env[loop.getInductionVar()] = i;
    if (failed(walkIterations(nest.drop_front(), env, body, budget)))
      return failure();
    if (llvm::AddOverflow(i, *step, i))
      break;
  }
  env.erase(loop.getInductionVar());
  return success();
}

LogicalResult nki::forEachIteration(ArrayRef<scf::ForOp> nest, IndexEnv &env,
                                    function_ref<LogicalResult()> body,
                                    int64_t maxIterations) {
  return walkIterations(nest, env, body, maxIterations);
}
