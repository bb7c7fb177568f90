//===- LinalgToNKI.cpp - Import linalg convs as naive NKI kernels -*- C++ -*-=//

#include "nki/Conversion/LinalgToNKI/LinalgToNKI.h"
#include "nki/Conversion/Passes.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Matchers.h"

namespace mlir::nki {
#define GEN_PASS_DEF_CONVERTLINALGTONKI
#include "nki/Conversion/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// What the importer found in a conv function.
struct ConvFunction {
  BlockArgument x, w, bias, out;
  int64_t poolSize = 1;
};

bool allOnes(DenseIntElementsAttr attr) {
  return llvm::all_of(attr.getValues<int64_t>(),
                      [](int64_t v) { return v == 1; });
}

BlockArgument asArgument(Value value) { return dyn_cast<BlockArgument>(value); }

bool isFloatConstant(Value value, bool (*predicate)(const APFloat &)) {
  APFloat constant(0.0);
  return matchPattern(value, m_ConstantFloat(&constant)) && predicate(constant);
}

/// The single-input linalg.generic `out[n, c, h, w] = in[c]` (with casts).
bool isBiasBroadcast(linalg::GenericOp op, Value &bias) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != 4 || op.getNumLoops() != 4)
    return false;
  MLIRContext *ctx = op.getContext();
  if (op.getIndexingMapsArray()[0] !=
          AffineMap::get(4, 0, getAffineDimExpr(1, ctx)) ||
      !op.getIndexingMapsArray()[1].isIdentity())
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  Value yielded = yield.getValues()[0];
  if (Operation *cast = yielded.getDefiningOp();
      cast && isa<arith::ExtFOp, arith::TruncFOp>(cast))
    yielded = cast->getOperand(0);
  if (yielded != op.getBody()->getArgument(0))
    return false;
  bias = op.getDpsInputs()[0];
  return true;
}

/// The two-input linalg.generic `out = conv[n, c, h, w] + bias[c]`.
bool isBiasAdd(linalg::GenericOp op, Value conv, Value &bias) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != 4 || op.getNumLoops() != 4)
    return false;
  MLIRContext *ctx = op.getContext();
  AffineMap channel = AffineMap::get(4, 0, getAffineDimExpr(1, ctx));
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned convIndex = op.getDpsInputs()[0] == conv ? 0 : 1;
  if (op.getDpsInputs()[convIndex] != conv || !maps[convIndex].isIdentity() ||
      maps[1 - convIndex] != channel || !maps[2].isIdentity())
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  Block *body = op.getBody();
  if (!add || !((add.getLhs() == body->getArgument(0) &&
                 add.getRhs() == body->getArgument(1)) ||
                (add.getLhs() == body->getArgument(1) &&
                 add.getRhs() == body->getArgument(0))))
    return false;
  bias = op.getDpsInputs()[1 - convIndex];
  return true;
}

/// Recognizes conv2d + bias + max-pool in `func` (memref form). Returns
/// nullopt when the function has no conv; failure after reporting why it
/// cannot be imported.
FailureOr<std::optional<ConvFunction>> matchConvFunction(func::FuncOp func) {
  SmallVector<linalg::Conv2DNchwFchwOp> convs;
  func.walk([&](linalg::Conv2DNchwFchwOp op) { convs.push_back(op); });
  if (convs.empty())
    return std::optional<ConvFunction>();
  if (convs.size() > 1)
    return convs[1].emitError("convert-linalg-to-nki imports one conv per "
                              "function, found ")
           << convs.size();
  linalg::Conv2DNchwFchwOp conv = convs.front();
  if (!func.getBody().hasOneBlock() || conv->getBlock() != &func.front())
    return conv.emitError("convert-linalg-to-nki needs the conv at the top "
                          "level of a single-block function");
  if (!conv.hasPureBufferSemantics())
    return conv.emitError("convert-linalg-to-nki imports convs on memrefs; "
                          "bufferize tensors first (the nki-import pipeline "
                          "does)");
  if (!allOnes(conv.getStrides()))
    return conv.emitError("convert-linalg-to-nki supports stride 1 only");
  if (!allOnes(conv.getDilations()))
    return conv.emitError("convert-linalg-to-nki supports unit dilation only");

  ConvFunction match;
  match.x = asArgument(conv.getDpsInputs()[0]);
  match.w = asArgument(conv.getDpsInputs()[1]);
  if (!match.x || !match.w)
    return conv.emitError("convert-linalg-to-nki: the conv's input and "
                          "filter must be function arguments (padding and "
                          "other producers are not supported)");

  // The ops that make up the kernel; anything else is unsupported.
  llvm::SmallPtrSet<Operation *, 8> accounted = {conv};
  Value convInit = conv.getDpsInits()[0];
  Value result;
  Value bias;
  for (Operation &op : func.front()) {
    if (&op == conv.getOperation())
      break;
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (generic && generic.getDpsInits()[0] == convInit &&
        isBiasBroadcast(generic, bias)) {
      accounted.insert(generic);
      result = convInit;
    }
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (fill && fill.getDpsInits()[0] == convInit &&
        isFloatConstant(fill.getDpsInputs()[0],
                        [](const APFloat &v) { return v.isZero(); }))
      accounted.insert(fill);
  }
  if (!result) {
    // Zero init, then the bias added by the first use of the conv result.
    for (Operation *user : convInit.getUsers()) {
      auto generic = dyn_cast<linalg::GenericOp>(user);
      if (generic && generic->isBeforeInBlock(conv) == false &&
          generic != conv && isBiasAdd(generic, convInit, bias)) {
        accounted.insert(generic);
        result = generic.getDpsInits()[0];
        break;
      }
    }
  }
  if (!result)
    return conv.emitError("convert-linalg-to-nki: expected the bias "
                          "broadcast into the conv's init, or added to the "
                          "conv's result by an elementwise linalg.generic");
  match.bias = asArgument(bias);
  if (!match.bias)
    return conv.emitError("convert-linalg-to-nki: the bias must be a "
                          "function argument");

  // Optional max-pool with window = stride on a -inf init.
  for (Operation *user : result.getUsers()) {
    auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(user);
    if (!pool || pool.getDpsInputs()[0] != result)
      continue;
    auto window = cast<ShapedType>(pool.getDpsInputs()[1].getType());
    SmallVector<int64_t> strides(pool.getStrides().getValues<int64_t>());
    int64_t size = window.getDimSize(0);
    if (window.getDimSize(1) != size || strides[0] != size ||
        strides[1] != size || !allOnes(pool.getDilations()))
      return pool.emitError("convert-linalg-to-nki supports square max-pool "
                            "windows equal to their stride only");
    Value pooled = pool.getDpsInits()[0];
    bool filled = false;
    for (Operation *filler : pooled.getUsers())
      if (auto fill = dyn_cast<linalg::FillOp>(filler);
          fill && fill->isBeforeInBlock(pool) &&
          isFloatConstant(fill.getDpsInputs()[0], [](const APFloat &v) {
            return v.isInfinity() && v.isNegative();
          })) {
        accounted.insert(fill);
        filled = true;
      }
    if (!filled)
      return pool.emitError("convert-linalg-to-nki: the max-pool's init must "
                            "be filled with -inf");
    accounted.insert(pool);
    if (Operation *windowDef = pool.getDpsInputs()[1].getDefiningOp())
      accounted.insert(windowDef);
    match.poolSize = size;
    result = pooled;
    break;
  }

  // The result is the out argument, or copied into it.
  match.out = asArgument(result);
  for (Operation *user : result.getUsers()) {
    if (match.out)
      break;
    if (auto copy = dyn_cast<memref::CopyOp>(user);
        copy && copy.getSource() == result) {
      match.out = asArgument(copy.getTarget());
      accounted.insert(copy);
    }
  }
  if (!match.out)
    return func.emitError("convert-linalg-to-nki: the result must be "
                          "written to a function argument");

  for (Operation &op : func.front()) {
    if (accounted.contains(&op) || isa<memref::AllocOp, memref::DeallocOp,
                                       arith::ConstantOp, func::ReturnOp>(op))
      continue;
    return op.emitError("convert-linalg-to-nki: unsupported op '")
           << op.getName() << "' in a conv2d + bias + max-pool function";
  }
  llvm::SmallDenseSet<BlockArgument> distinct = {match.x, match.w, match.bias,
                                                 match.out};
  if (func.getNumArguments() != 4 || distinct.size() != 4)
    return func.emitError("convert-linalg-to-nki: expected exactly the "
                          "arguments X, W, bias and out");
  return std::optional<ConvFunction>(match);
}

struct ConvertLinalgToNKIPass
    : public nki::impl::ConvertLinalgToNKIBase<ConvertLinalgToNKIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, ConvFunction>> imports;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      FailureOr<std::optional<ConvFunction>> match = matchConvFunction(func);
      if (failed(match))
        return signalPassFailure();
      if (*match)
        imports.emplace_back(func, **match);
    }
    for (auto &[func, match] : imports)
      if (failed(importConv(func, match)))
        return signalPassFailure();
  }

  LogicalResult importConv(func::FuncOp func, const ConvFunction &match) {
    SmallVector<Type> args = {match.x.getType(), match.w.getType(),
                              match.bias.getType(), match.out.getType()};
    Type element = cast<MemRefType>(args[0]).getElementType();
    if (!isSupportedElementType(element) || llvm::any_of(args, [&](Type type) {
          return cast<MemRefType>(type).getElementType() != element;
        }))
      return func.emitError("convert-linalg-to-nki: X, W, bias and out must "
                            "share one element type of f32, bf16 or f16");
    FailureOr<Conv2dShape> shape = Conv2dShape::fromSignature(
        args, match.poolSize, [&] { return func.emitError(); });
    if (failed(shape))
      return failure();
    OpBuilder builder(func);
    func::FuncOp kernel =
        buildNaiveConv2dKernel(builder, func.getLoc(), func.getName(), *shape);
    kernel.setVisibility(func.getVisibility());
    func.erase();
    return success();
  }
};

} // namespace
