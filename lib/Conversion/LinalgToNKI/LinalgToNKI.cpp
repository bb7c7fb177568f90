//===- LinalgToNKI.cpp - Import linalg convs as naive NKI kernels -*- C++ -*-=//
//
// Reads a function that computes one conv2d layer (in the forms torch-mlir,
// IREE and TOSA paths emit, on tensors or on memrefs) into a ConvLayer, and
// replaces it by the naive NKI kernel for that layer. A function it cannot
// read is left exactly as it was, with a warning at the conv saying why.
//
//===----------------------------------------------------------------------===//

#include "nki/Conversion/LinalgToNKI/LinalgToNKI.h"
#include "nki/Conversion/Passes.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>

namespace mlir::nki {
#define GEN_PASS_DEF_CONVERTLINALGTONKI
#include "nki/Conversion/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

bool isFloatConstant(Value value, bool (*predicate)(const APFloat &)) {
  APFloat constant(0.0);
  return matchPattern(value, m_ConstantFloat(&constant)) && predicate(constant);
}
std::optional<double> floatConstant(Value value) {
  APFloat constant(0.0);
  if (!matchPattern(value, m_ConstantFloat(&constant)))
    return std::nullopt;
  return constant.convertToDouble();
}
bool isZero(Value value) {
  return isFloatConstant(value, [](const APFloat &v) { return v.isZero(); });
}
bool isMinusInfinity(Value value) {
  return isFloatConstant(
      value, [](const APFloat &v) { return v.isInfinity() && v.isNegative(); });
}

/// The yielded value of a linalg op's body, looking through float casts.
Value yieldedValue(linalg::LinalgOp op) {
  Value yielded = op.getBlock()->getTerminator()->getOperand(0);
  if (Operation *cast = yielded.getDefiningOp();
      cast && isa<arith::ExtFOp, arith::TruncFOp>(cast))
    return cast->getOperand(0);
  return yielded;
}

/// An all-parallel rank-4 linalg.generic with one init.
bool isElementwise4d(linalg::GenericOp op, unsigned numInputs) {
  return op.getNumDpsInputs() == numInputs && op.getNumDpsInits() == 1 &&
         op.getNumLoops() == 4 && op.getNumParallelLoops() == 4;
}

/// Why a function is not imported, and where to say so.
struct Decline {
  Operation *at;
  std::string reason;
};

/// Reads a standalone pooling layer on tensors, as torch-mlir emits
/// max_pool2d / avg_pool2d / adaptive_avg_pool2d(1): X (an argument, maybe
/// padded by tensor.pad with a constant) -> linalg.pooling_nchw_max or
/// pooling_nchw_sum into a linalg.fill of a constant -> for a sum,
/// optionally a linalg.generic dividing by (or multiplying with) a constant
/// -> returned.
class PoolReader {
public:
  PoolReader(func::FuncOp func, linalg::LinalgOp pool)
      : func(func), pool(pool), block(&func.front()) {}

  /// A standalone layer: the function's one argument pooled and returned.
  FailureOr<PoolLayer> read() { return read(nullptr); }
  /// A pooling of `source` (a conv's result) inside a function that the
  /// caller reads: `result` is the pooled (maybe scaled) value, `accounted`
  /// the ops read.
  FailureOr<PoolLayer> read(Value source);
  Decline decline;
  Value result;
  llvm::SmallPtrSet<Operation *, 8> accounted;

private:
  LogicalResult fail(Operation *at, const Twine &reason) {
    decline = {at, reason.str()};
    return failure();
  }
  /// `value` is the floating-point constant `constant`.
  static bool readConstant(Value value, double &constant) {
    APFloat v(0.0);
    if (!matchPattern(value, m_ConstantFloat(&v)))
      return false;
    constant = v.convertToDouble();
    return true;
  }
  LogicalResult readScale(Value &result);
  /// The function returns `result` alone, computes nothing else and is not
  /// called in the module.
  LogicalResult readFunction();

  func::FuncOp func;
  linalg::LinalgOp pool;
  Block *block;
  PoolLayer layer;
};

/// Reads one conv2d layer out of a single-block function. On tensors the
/// chain follows SSA values; on memrefs it follows a buffer through the ops
/// that write it, in block order. Inside a network (`earlier`: the results
/// of the layers before it, on tensors) X and a residual may also be earlier
/// results, the chain ends at the first op it cannot fuse, and the network's
/// reader checks the function.
class LayerReader {
public:
  LayerReader(func::FuncOp func, linalg::LinalgOp conv,
              const llvm::DenseSet<Value> *earlier = nullptr)
      : func(func), conv(conv), block(&func.front()),
        onTensors(conv.hasPureTensorSemantics()), earlier(earlier) {}

  FailureOr<ConvLayer> read();
  /// The values the layer reads, in its `arguments` order without the
  /// Output.
  SmallVector<Value> operands() const;
  Decline decline;
  llvm::SmallPtrSet<Operation *, 16> accounted;
  Value result; // what the layer computes, at the end of the chain

private:
  LogicalResult fail(Operation *at, const Twine &reason) {
    decline = {at, reason.str()};
    return failure();
  }
  LogicalResult readConvOp();
  LogicalResult readInput();
  Value readPaddedBuffer(Value input, std::string &reason);
  LogicalResult readInit();
  LogicalResult readEpilogue();
  linalg::LinalgOp poolingOf(Operation *next, Value value);
  LogicalResult readPoolNest(linalg::LinalgOp pooling, Value &value,
                             Operation *&writer);
  LogicalResult readResult();
  LogicalResult readArguments();
  LogicalResult checkTypes();

  /// The op that last wrote `value` before `user`: its defining op on
  /// tensors; on memrefs the last op before `user` with `value` as a DPS
  /// init or copy target.
  Operation *producer(Value value, Operation *user);
  /// The op that reads what `writer` produced in `value`: on tensors the one
  /// user of its result (null when several); on memrefs the next op that
  /// uses the buffer.
  Operation *consumer(Value value, Operation *writer);
  /// What `op` produced: its result on tensors, its init buffer on memrefs.
  Value produced(linalg::LinalgOp op) {
    return onTensors ? op->getResult(0) : op.getDpsInits()[0];
  }
  BlockArgument argument(Value value) {
    auto arg = dyn_cast<BlockArgument>(value);
    return arg && arg.getOwner() == block ? arg : nullptr;
  }
  /// `value` when the layer may read it: an argument, or an earlier layer's
  /// result in a network.
  Value source(Value value) {
    if (argument(value) || (earlier && earlier->contains(value)))
      return value;
    return nullptr;
  }
  /// The channel dim of an [N, C, H, W] or [N, H, W, C] value.
  unsigned channelDim() const { return layer.channelsLast ? 3 : 1; }
  bool isChannelMap(AffineMap map) const {
    return map == AffineMap::get(4, 0, getAffineDimExpr(channelDim(), ctx()));
  }
  MLIRContext *ctx() const { return block->getParentOp()->getContext(); }
  LogicalResult readBiasAdd(linalg::GenericOp op, Value &value);
  bool isResidualAdd(linalg::GenericOp op, Value value);
  bool readRelu(linalg::GenericOp op, Value value);
  template <typename PoolOp> LogicalResult readPool(PoolOp pool, Value &value);

  func::FuncOp func;
  linalg::LinalgOp conv;
  Block *block;
  bool onTensors;
  const llvm::DenseSet<Value> *earlier;
  ConvLayer layer;
  Value x, initArg; // arguments, or earlier results in a network
  BlockArgument w, bias, out;
};

Operation *LayerReader::producer(Value value, Operation *user) {
  if (onTensors)
    return value.getDefiningOp();
  for (Operation *op = user->getPrevNode(); op; op = op->getPrevNode()) {
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(op);
        dps && llvm::is_contained(dps.getDpsInits(), value))
      return op;
    if (auto copy = dyn_cast<memref::CopyOp>(op);
        copy && copy.getTarget() == value)
      return op;
  }
  return nullptr;
}

Operation *LayerReader::consumer(Value value, Operation *writer) {
  if (onTensors) {
    // One op, which may use the value more than once (as input and init).
    Operation *found = nullptr;
    for (Operation *user : value.getUsers()) {
      if (found && found != user)
        return nullptr;
      found = user;
    }
    return found;
  }
  // The first op after `writer` that uses the buffer; the ops after it are
  // read on from there (and any op not in the chain stops the import).
  for (Operation *op = writer->getNextNode(); op; op = op->getNextNode())
    if (llvm::is_contained(op->getOperands(), value))
      return isa<memref::DeallocOp>(op) ? nullptr : op;
  return nullptr;
}

LogicalResult LayerReader::readConvOp() {
  auto stridesAndDilations = [&](auto op) {
    for (auto [i, v] :
         llvm::enumerate(op.getStrides().template getValues<int64_t>()))
      layer.strides[i] = v;
    for (auto [i, v] :
         llvm::enumerate(op.getDilations().template getValues<int64_t>()))
      layer.dilations[i] = v;
  };
  if (auto op = dyn_cast<linalg::Conv2DNchwFchwOp>(*conv)) {
    stridesAndDilations(op);
  } else if (auto op = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*conv)) {
    stridesAndDilations(op);
    layer.channelsLast = true;
    layer.filter = ConvLayer::Filter::HWCF;
  } else if (auto op = dyn_cast<linalg::Conv2DNhwcFhwcOp>(*conv)) {
    stridesAndDilations(op);
    layer.channelsLast = true;
    layer.filter = ConvLayer::Filter::FHWC;
  } else if (auto op = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(*conv)) {
    stridesAndDilations(op);
    layer.filter = ConvLayer::Filter::CHW;
  } else if (auto op = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*conv)) {
    stridesAndDilations(op);
    layer.channelsLast = true;
    layer.filter = ConvLayer::Filter::HWC;
  } else {
    return fail(conv, "'" + conv->getName().getStringRef() +
                          "' is not one of the supported convs "
                          "(conv_2d_nchw_fchw, conv_2d_nhwc_hwcf, "
                          "conv_2d_nhwc_fhwc, depthwise_conv_2d_nchw_chw, "
                          "depthwise_conv_2d_nhwc_hwc)");
  }
  accounted.insert(conv);
  if (llvm::any_of(conv->getOperandTypes(), [](Type type) {
        return !cast<ShapedType>(type).hasStaticShape();
      }))
    return fail(conv, "dynamic shapes (NKI kernels are static: specialize "
                      "the function's shapes first)");
  auto elementType = [&](Value v) {
    return cast<ShapedType>(v.getType()).getElementType();
  };
  layer.inputType = elementType(conv.getDpsInputs()[0]);
  layer.outputType = elementType(conv.getDpsInits()[0]);
  auto isSupported = [](Type type) {
    return type.isF32() || type.isBF16() || type.isF16();
  };
  if (!isSupported(layer.inputType) || !isSupported(layer.outputType) ||
      elementType(conv.getDpsInputs()[1]) != layer.inputType)
    return fail(conv, "element types other than f32, bf16 or f16 (integer "
                      "and quantized convs are not imported), or X and W of "
                      "different types");
  if (layer.outputType.getIntOrFloatBitWidth() <
      layer.inputType.getIntOrFloatBitWidth())
    return fail(conv, "the result is narrower than the operands");
  return success();
}

/// Whether `op` fills its whole init with zero: linalg.fill, or the
/// linalg.map one-shot bufferization makes of tensor.pad's padding.
static bool isZeroFill(Operation *op, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getDpsInits()[0] == buffer && isZero(fill.getDpsInputs()[0]);
  auto map = dyn_cast<linalg::MapOp>(op);
  if (!map || map.getInit() != buffer || !map.getInputs().empty())
    return false;
  auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
  return yield.getNumOperands() == 1 && isZero(yield.getOperand(0));
}

/// On memrefs, X zero-padded into a buffer as one-shot bufferization writes
/// tensor.pad: a memref.alloc zero-filled (linalg.fill or linalg.map), then
/// an argument copied into its interior (memref.copy or linalg.copy into a
/// subview), before the conv, which is the buffer's only reader. Returns the
/// argument, with the padding in `layer`; null when `input` is not such a
/// buffer, or `reason` says why it cannot be read as one.
Value LayerReader::readPaddedBuffer(Value input, std::string &reason) {
  auto alloc = input.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != block)
    return nullptr;
  Operation *zeroFill = nullptr, *copy = nullptr;
  memref::SubViewOp interior;
  for (Operation *user : alloc->getUsers()) {
    if (user == conv.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    if (isZeroFill(user, alloc) && !zeroFill) {
      zeroFill = user;
      continue;
    }
    auto subview = dyn_cast<memref::SubViewOp>(user);
    if (!subview || interior || !subview->hasOneUse()) {
      reason = "the padded input buffer has other uses than its zero fill, "
               "the copy of X into it and the conv";
      return nullptr;
    }
    interior = subview;
    copy = *subview->user_begin();
  }
  Value source;
  if (auto memrefCopy = dyn_cast_or_null<memref::CopyOp>(copy);
      memrefCopy && memrefCopy.getTarget() == interior.getResult())
    source = memrefCopy.getSource();
  if (auto linalgCopy = dyn_cast_or_null<linalg::CopyOp>(copy);
      linalgCopy && linalgCopy.getDpsInits()[0] == interior.getResult())
    source = linalgCopy.getDpsInputs()[0];
  if (!zeroFill || !source || !argument(source) ||
      !zeroFill->isBeforeInBlock(copy) ||
      !copy->isBeforeInBlock(conv.getOperation())) {
    reason = "the padded input buffer is not zero-filled, then X copied "
             "into its interior, then read by the conv";
    return nullptr;
  }
  ArrayRef<int64_t> offsets = interior.getStaticOffsets();
  ArrayRef<int64_t> sizes = interior.getStaticSizes();
  ArrayRef<int64_t> full = alloc.getType().getShape();
  if (ShapedType::isDynamicShape(offsets) ||
      ShapedType::isDynamicShape(sizes) || !interior.hasUnitStride() ||
      sizes != cast<MemRefType>(source.getType()).getShape()) {
    reason = "X is copied into a strided or dynamic part of the padded "
             "buffer";
    return nullptr;
  }
  unsigned rowDim = layer.channelsLast ? 1 : 2, colDim = rowDim + 1;
  for (unsigned d = 0; d < 4; ++d)
    if (d != rowDim && d != colDim && sizes[d] != full[d]) {
      reason = "the input is padded along its batch or channel dim";
      return nullptr;
    }
  auto high = [&](unsigned d) { return full[d] - offsets[d] - sizes[d]; };
  layer.padding = {offsets[rowDim], high(rowDim), offsets[colDim],
                   high(colDim)};
  accounted.insert({zeroFill, interior, copy});
  return source;
}

/// X, or X zero-padded by a tensor.pad of its spatial dims (on memrefs:
/// into a zero-filled buffer, see readPaddedBuffer).
LogicalResult LayerReader::readInput() {
  Value input = conv.getDpsInputs()[0];
  if (!onTensors) {
    std::string reason;
    if (Value padded = readPaddedBuffer(input, reason))
      input = padded;
    else if (!reason.empty())
      return fail(conv, reason);
  }
  if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !isZero(padValue))
      return fail(pad, "the input is padded with another value than zero");
    SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
    if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high))
      return fail(pad, "the padding amounts are not constants");
    unsigned rowDim = layer.channelsLast ? 1 : 2, colDim = rowDim + 1;
    for (unsigned d = 0; d < 4; ++d)
      if (d != rowDim && d != colDim && (low[d] != 0 || high[d] != 0))
        return fail(pad, "the input is padded along its batch or channel dim");
    layer.padding = {low[rowDim], high[rowDim], low[colDim], high[colDim]};
    if (!pad->hasOneUse())
      return fail(pad, "the padded input has other uses than the conv");
    accounted.insert(pad);
    input = pad.getSource();
  }
  x = source(input);
  Value filter = conv.getDpsInputs()[1];
  // torch-mlir's depthwise filter: PyTorch's [C, 1, H, W] weight with its
  // group dim collapsed.
  if (auto collapse = filter.getDefiningOp<tensor::CollapseShapeOp>();
      collapse && layer.filter == ConvLayer::Filter::CHW &&
      collapse.getSrcType().getRank() == 4 &&
      collapse.getSrcType().getDimSize(1) == 1 &&
      collapse.getReassociationIndices() ==
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}} &&
      collapse->hasOneUse()) {
    layer.filterGroupDim = true;
    accounted.insert(collapse);
    filter = collapse.getSrc();
  }
  w = argument(filter);
  if (!x)
    return fail(conv, earlier ? "the input is not a function argument or an "
                                "earlier layer's result (or one zero-padded "
                                "by tensor.pad)"
                              : "the input is not a function argument (or "
                                "one zero-padded by tensor.pad or into a "
                                "buffer)");
  if (!w)
    return fail(conv, "the filter is not a function argument");
  return success();
}

/// The init: a caller-provided one (an argument nothing writes first),
/// zero-filled (no bias), or the bias broadcast into it by
/// linalg.broadcast or linalg.generic.
LogicalResult LayerReader::readInit() {
  Value init = conv.getDpsInits()[0];
  Operation *def = producer(init, conv);
  // A caller-provided init, accumulated into (an input of the kernel).
  if (!def && argument(init)) {
    initArg = argument(init);
    layer.init = true;
    return success();
  }
  if (!def)
    return fail(conv, "nothing initializes the conv's init");
  auto emptyInit = [&](Value v) {
    return !onTensors || v.getDefiningOp<tensor::EmptyOp>();
  };
  if (auto fill = dyn_cast<linalg::FillOp>(def);
      fill && isZero(fill.getDpsInputs()[0]) &&
      emptyInit(fill.getDpsInits()[0])) {
    accounted.insert(fill);
    return success();
  }
  if (auto broadcast = dyn_cast<linalg::BroadcastOp>(def);
      broadcast && emptyInit(broadcast.getInit()) &&
      cast<ShapedType>(broadcast.getInput().getType()).getRank() == 1) {
    ArrayRef<int64_t> added = broadcast.getDimensions();
    if (llvm::is_contained(added, static_cast<int64_t>(channelDim())))
      return fail(broadcast, "the broadcast into the init is not along the "
                             "output channels");
    bias = argument(broadcast.getInput());
    accounted.insert(broadcast);
  } else if (auto generic = dyn_cast<linalg::GenericOp>(def);
             generic && isElementwise4d(generic, 1) &&
             emptyInit(generic.getDpsInits()[0]) &&
             isChannelMap(generic.getIndexingMapsArray()[0]) &&
             generic.getIndexingMapsArray()[1].isIdentity() &&
             yieldedValue(generic) == generic.getBody()->getArgument(0)) {
    bias = argument(generic.getDpsInputs()[0]);
    accounted.insert(generic);
  } else {
    return fail(def, "the conv's init is not zero-filled or a broadcast "
                     "bias");
  }
  if (!bias)
    return fail(def, "the bias is not a function argument");
  layer.bias = true;
  return success();
}

/// `value + bias[channel]` by a linalg.generic.
LogicalResult LayerReader::readBiasAdd(linalg::GenericOp op, Value &value) {
  if (layer.bias)
    return fail(op, "a second bias is added");
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned self = op.getDpsInputs()[0] == value ? 0 : 1;
  Block *body = op.getBody();
  auto add = yieldedValue(op).getDefiningOp<arith::AddFOp>();
  if (op.getDpsInputs()[self] != value || !maps[self].isIdentity() ||
      !isChannelMap(maps[1 - self]) || !maps[2].isIdentity() || !add ||
      !llvm::is_contained(add->getOperands(), body->getArgument(0)) ||
      !llvm::is_contained(add->getOperands(), body->getArgument(1)))
    return fail(op, "the op after the conv is not a per-channel bias add");
  bias = argument(op.getDpsInputs()[1 - self]);
  if (!bias)
    return fail(op, "the bias is not a function argument");
  layer.bias = true;
  value = produced(op);
  return success();
}

/// `value + residual` by an elementwise linalg.generic, where the layer
/// may read `residual` (a skip connection): added at eviction like a
/// caller's init.
bool LayerReader::isResidualAdd(linalg::GenericOp op, Value value) {
  if (!onTensors || !isElementwise4d(op, 2) ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return false;
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  Value residual = lhs == value ? rhs : lhs;
  auto add = yieldedValue(op).getDefiningOp<arith::AddFOp>();
  Block *body = op.getBody();
  if ((lhs != value && rhs != value) || residual == value || !add ||
      !source(residual) ||
      !llvm::is_contained(add->getOperands(), body->getArgument(0)) ||
      !llvm::is_contained(add->getOperands(), body->getArgument(1)))
    return false;
  initArg = residual;
  layer.init = true;
  return true;
}

/// A ReLU of `value` by a linalg.generic that reads it as its input, or
/// updates it in place as its init: `max(value, 0)`, or torch-mlir's
/// `select(value > 0, value, 0)`; or a ReLU6-like clamp to [0, c]:
/// `min(max(value, 0), c)` (TOSA's clamp) or torch-mlir's clamp,
/// `select(r > c, c, r)` of `r = select(value < 0, 0, value)`.
bool LayerReader::readRelu(linalg::GenericOp op, Value value) {
  if (op.getNumDpsInits() != 1 || op.getNumDpsInputs() > 1 ||
      op.getNumLoops() != 4 || op.getNumParallelLoops() != 4 ||
      !llvm::is_contained(op->getOperands(), value) ||
      (op.getNumDpsInputs() == 1 && op.getDpsInputs()[0] != value) ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return false;
  Value in = op.getBody()->getArgument(0);
  auto isReluOf = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (isa_and_nonnull<arith::MaximumFOp, arith::MaxNumFOp>(def))
      return (def->getOperand(0) == in && isZero(def->getOperand(1))) ||
             (def->getOperand(1) == in && isZero(def->getOperand(0)));
    auto select = dyn_cast_or_null<arith::SelectOp>(def);
    auto cmp =
        select ? select.getCondition().getDefiningOp<arith::CmpFOp>() : nullptr;
    if (!cmp || cmp.getLhs() != in || !isZero(cmp.getRhs()))
      return false;
    arith::CmpFPredicate p = cmp.getPredicate();
    // `in > 0 ? in : 0`, or `in < 0 ? 0 : in`.
    if (p == arith::CmpFPredicate::UGT || p == arith::CmpFPredicate::OGT)
      return select.getTrueValue() == in && isZero(select.getFalseValue());
    if (p == arith::CmpFPredicate::ULT || p == arith::CmpFPredicate::OLT)
      return select.getFalseValue() == in && isZero(select.getTrueValue());
    return false;
  };
  Value yielded = yieldedValue(op);
  if (isReluOf(yielded)) {
    layer.relu = true;
    return true;
  }
  // The clamp's upper bound c >= 0 (so the order of max and min does not
  // matter), applied to a ReLU.
  double upper = 0;
  auto isUpper = [&](Value v) {
    APFloat c(0.0);
    if (!matchPattern(v, m_ConstantFloat(&c)) || !c.isFinite() ||
        c.isNegative())
      return false;
    upper = c.convertToDouble();
    return true;
  };
  Operation *def = yielded.getDefiningOp();
  bool clamped = false;
  if (isa_and_nonnull<arith::MinimumFOp, arith::MinNumFOp>(def)) {
    clamped = (isReluOf(def->getOperand(0)) && isUpper(def->getOperand(1))) ||
              (isReluOf(def->getOperand(1)) && isUpper(def->getOperand(0)));
  } else if (auto select = dyn_cast_or_null<arith::SelectOp>(def)) {
    auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
    Value relu = select.getFalseValue();
    clamped =
        cmp && isReluOf(relu) && cmp.getLhs() == relu &&
        (cmp.getPredicate() == arith::CmpFPredicate::UGT ||
         cmp.getPredicate() == arith::CmpFPredicate::OGT) &&
        isUpper(cmp.getRhs()) && isUpper(select.getTrueValue()) &&
        floatConstant(cmp.getRhs()) == floatConstant(select.getTrueValue());
  }
  if (!clamped)
    return false;
  layer.relu = true;
  layer.reluMax = upper;
  return true;
}

/// A max-pool with window = stride on a -inf init, in the conv's layout
/// (pooling_nchw_max after an NCHW conv, pooling_nhwc_max after an NHWC
/// one).
template <typename PoolOp>
LogicalResult LayerReader::readPool(PoolOp pool, Value &value) {
  bool channelsLast = std::is_same_v<PoolOp, linalg::PoolingNhwcMaxOp>;
  if (layer.channelsLast != channelsLast || pool.getDpsInputs()[0] != value)
    return fail(pool, "the max-pool does not read the conv's result in the "
                      "conv's layout");
  auto window = cast<ShapedType>(pool.getDpsInputs()[1].getType());
  SmallVector<int64_t> strides(pool.getStrides().template getValues<int64_t>());
  int64_t size = window.getDimSize(0);
  if (window.getDimSize(1) != size || strides[0] != size ||
      strides[1] != size ||
      !llvm::all_of(pool.getDilations().template getValues<int64_t>(),
                    [](int64_t d) { return d == 1; }))
    return fail(pool, "only square max-pool windows equal to their stride "
                      "are fused");
  auto fill =
      dyn_cast_or_null<linalg::FillOp>(producer(pool.getDpsInits()[0], pool));
  if (!fill || !isMinusInfinity(fill.getDpsInputs()[0]))
    return fail(pool, "the max-pool's init is not filled with -inf");
  accounted.insert(fill);
  if (Operation *windowDef = pool.getDpsInputs()[1].getDefiningOp())
    accounted.insert(windowDef);
  layer.poolSize = size;
  value = produced(pool);
  return success();
}

/// Ops after the conv: a bias add and a residual add (either order), a ReLU
/// (or ReLU6), a pooling, in that order. A max-pool whose window is its
/// stride is fused where PSUM is evicted; any other pooling (on tensors)
/// becomes a nest of its own after the conv (in a network: a step of its
/// own).
LogicalResult LayerReader::readEpilogue() {
  Value value = produced(conv);
  Operation *writer = conv;
  while (Operation *next = consumer(value, writer)) {
    if (isa<func::ReturnOp, memref::CopyOp>(next))
      break;
    auto generic = dyn_cast<linalg::GenericOp>(next);
    bool pooled = layer.poolSize > 1 || layer.pool;
    bool unfused = generic && !layer.relu && !pooled;
    if (unfused && !layer.init && isResidualAdd(generic, value)) {
      value = produced(generic);
    } else if (unfused && isElementwise4d(generic, 2)) {
      // In a network, an add of a value not computed yet: the layer that
      // computes it takes this one's result as its residual.
      if (earlier &&
          llvm::all_of(generic.getIndexingMapsArray(),
                       [](AffineMap map) { return map.isIdentity(); }))
        break;
      if (failed(readBiasAdd(generic, value)))
        return failure();
    } else if (unfused && readRelu(generic, value)) {
      value = produced(generic);
    } else if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(next);
               pool && !pooled && succeeded(readPool(pool, value))) {
    } else if (auto pool = dyn_cast<linalg::PoolingNhwcMaxOp>(next);
               pool && !pooled && succeeded(readPool(pool, value))) {
    } else if (linalg::LinalgOp pooling = poolingOf(next, value);
               pooling && !pooled) {
      if (earlier)
        break;
      if (failed(readPoolNest(pooling, value, writer)))
        return failure();
      continue;
    } else if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNhwcMaxOp>(next) &&
               !pooled) {
      return failure(); // on memrefs, only fused: readPool said why
    } else if (earlier) {
      break; // the next layer's
    } else {
      return fail(next, "'" + next->getName().getStringRef() +
                            "' after the conv is not a bias add, a residual "
                            "add, a ReLU or a pooling, in that order");
    }
    accounted.insert(next);
    writer = next;
  }
  result = value;
  return success();
}

SmallVector<Value> LayerReader::operands() const {
  SmallVector<Value> values;
  for (ConvOperand operand : layer.arguments)
    if (operand != ConvOperand::Output)
      values.push_back(operand == ConvOperand::Input    ? x
                       : operand == ConvOperand::Filter ? Value(w)
                       : operand == ConvOperand::Bias   ? Value(bias)
                                                        : initArg);
  return values;
}

/// The pooling that `next` is or pads the conv's result for (on tensors).
linalg::LinalgOp LayerReader::poolingOf(Operation *next, Value value) {
  if (!onTensors)
    return nullptr;
  if (auto pad = dyn_cast<tensor::PadOp>(next);
      pad && pad.getSource() == value && pad->hasOneUse())
    next = *pad->getUsers().begin();
  auto op = dyn_cast<linalg::LinalgOp>(next);
  return op && op->getName().getStringRef().starts_with("linalg.pooling")
             ? op
             : nullptr;
}

LogicalResult LayerReader::readPoolNest(linalg::LinalgOp pooling, Value &value,
                                        Operation *&writer) {
  if (layer.init)
    return fail(pooling, "a pooling after a conv that accumulates into the "
                         "caller's init");
  PoolReader reader(func, pooling);
  FailureOr<PoolLayer> pool = reader.read(value);
  if (failed(pool))
    return fail(reader.decline.at, reader.decline.reason);
  if (pool->channelsLast != layer.channelsLast)
    return fail(pooling, "the pooling's layout is not the conv's");
  layer.pool = *pool;
  accounted.insert(reader.accounted.begin(), reader.accounted.end());
  value = reader.result;
  writer = value.getDefiningOp();
  return success();
}

/// The result: returned (tensors), or in an argument, directly or copied.
LogicalResult LayerReader::readResult() {
  if (earlier)
    return success(); // the network's reader places it
  if (onTensors) {
    auto ret = cast<func::ReturnOp>(block->getTerminator());
    if (ret.getNumOperands() != 1 || ret.getOperand(0) != result)
      return fail(ret, "the function does not return the layer's result "
                       "alone");
    return success();
  }
  out = argument(result);
  for (Operation *user : result.getUsers()) {
    if (out)
      break;
    if (auto copy = dyn_cast<memref::CopyOp>(user);
        copy && copy.getSource() == result) {
      out = argument(copy.getTarget());
      accounted.insert(copy);
    }
  }
  if (!out)
    return fail(func, "the layer's result is not written to a function "
                      "argument");
  return success();
}

/// The kernel keeps the function's argument order; a tensor result becomes
/// the last argument.
LogicalResult LayerReader::readArguments() {
  if (earlier) {
    // In a network the kernel's arguments are the function's; the layer's
    // operands come in a fixed order.
    for (auto [operand, value] : {std::pair{ConvOperand::Input, x},
                                  {ConvOperand::Filter, Value(w)},
                                  {ConvOperand::Bias, Value(bias)},
                                  {ConvOperand::Init, initArg}})
      if (value)
        layer.arguments.push_back(operand);
    layer.arguments.push_back(ConvOperand::Output);
    return success();
  }
  if (initArg && initArg == out)
    return fail(conv, "the conv accumulates into its output buffer in place "
                      "(the kernel reads its inputs and writes its output)");
  for (BlockArgument arg : block->getArguments()) {
    if (arg == x)
      layer.arguments.push_back(ConvOperand::Input);
    else if (arg == w)
      layer.arguments.push_back(ConvOperand::Filter);
    else if (arg == bias)
      layer.arguments.push_back(ConvOperand::Bias);
    else if (arg == initArg)
      layer.arguments.push_back(ConvOperand::Init);
    else if (arg == out)
      layer.arguments.push_back(ConvOperand::Output);
    else
      return fail(func, "argument #" + Twine(arg.getArgNumber()) +
                            " is not an input of the layer");
  }
  if (onTensors)
    layer.arguments.push_back(ConvOperand::Output);
  SmallVector<ConvOperand> sorted(layer.arguments);
  llvm::sort(sorted);
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    return fail(func, "one argument plays two parts in the layer");
  return success();
}

/// Sizes and element types from the conv's operands; the result's type must
/// be what the layer computes.
LogicalResult LayerReader::checkTypes() {
  auto xType = cast<ShapedType>(x.getType());
  // The filter as the conv reads it (collapsed, for a grouped weight).
  auto wType = cast<ShapedType>(conv.getDpsInputs()[1].getType());
  ArrayRef<int64_t> xs = xType.getShape(), ws = wType.getShape();
  layer.batch = xs[0];
  if (layer.channelsLast) {
    layer.height = xs[1];
    layer.width = xs[2];
    layer.inChannels = xs[3];
  } else {
    layer.inChannels = xs[1];
    layer.height = xs[2];
    layer.width = xs[3];
  }
  switch (layer.filter) {
  case ConvLayer::Filter::FCHW:
    layer.outChannels = ws[0];
    layer.filterHeight = ws[2];
    layer.filterWidth = ws[3];
    break;
  case ConvLayer::Filter::HWCF:
    layer.outChannels = ws[3];
    layer.filterHeight = ws[0];
    layer.filterWidth = ws[1];
    break;
  case ConvLayer::Filter::FHWC:
  case ConvLayer::Filter::CHW:
    layer.outChannels = ws[0];
    layer.filterHeight = ws[1];
    layer.filterWidth = ws[2];
    break;
  case ConvLayer::Filter::HWC:
    layer.outChannels = ws[2];
    layer.filterHeight = ws[0];
    layer.filterWidth = ws[1];
    break;
  }
  if (layer.convHeight() < 1 || layer.convWidth() < 1 ||
      layer.outHeight() < 1 || layer.outWidth() < 1)
    return fail(conv, "the output is empty");
  for (auto [operand, arg] : {std::pair{ConvOperand::Input, x},
                              {ConvOperand::Filter, w},
                              {ConvOperand::Bias, bias},
                              {ConvOperand::Init, initArg},
                              {ConvOperand::Output, result}}) {
    if (!arg)
      continue;
    auto type = cast<ShapedType>(arg.getType());
    MemRefType expected = layer.typeOf(operand);
    if (type.getShape() != expected.getShape() ||
        type.getElementType() != expected.getElementType())
      return fail(conv, "an operand's type differs from the layer's " +
                            std::string(operand == ConvOperand::Bias
                                            ? "bias"
                                            : "input, filter or output") +
                            " type");
    if (auto memref = dyn_cast<MemRefType>(type);
        memref && !memref.getLayout().isIdentity())
      return fail(conv, "an argument has a non-identity layout");
  }
  return success();
}

FailureOr<ConvLayer> LayerReader::read() {
  if (failed(readConvOp()) || failed(readInput()) || failed(readInit()) ||
      failed(readEpilogue()) || failed(readResult()) ||
      failed(readArguments()) || failed(checkTypes()))
    return failure();
  if (earlier)
    return layer;
  // Everything else in the function must be structure, not computation.
  for (Operation &op : *block) {
    if (accounted.contains(&op) ||
        isa<arith::ConstantOp, tensor::EmptyOp, memref::AllocOp,
            memref::DeallocOp, func::ReturnOp>(op))
      continue;
    return fail(&op, "the function also computes '" +
                         op.getName().getStringRef() + "'");
  }
  if (onTensors &&
      SymbolTable::symbolKnownUseEmpty(func, func->getParentOp()) == false)
    return fail(func, "the function is called in the module (importing "
                      "changes its signature to out-parameters)");
  return layer;
}

/// `result = pooled / c` or `pooled * c` by an elementwise linalg.generic
/// (average pooling's divide), folded into the layer's scale.
LogicalResult PoolReader::readScale(Value &result) {
  if (!result.hasOneUse())
    return success();
  auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!generic)
    return success();
  const char *notScaled = "the pooled result is not divided or multiplied "
                          "by a constant (average pooling by a per-position "
                          "count is not imported)";
  if (!isElementwise4d(generic, 1) ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return fail(generic, notScaled);
  Block &body = generic.getRegion().front();
  Value yielded = body.getTerminator()->getOperand(0);
  Operation *op = yielded.getDefiningOp();
  BlockArgument in = body.getArgument(0);
  double constant = 0;
  if (isa_and_nonnull<arith::DivFOp>(op) && op->getOperand(0) == in &&
      readConstant(op->getOperand(1), constant) && constant != 0) {
    layer.scale = 1.0 / constant;
  } else if (isa_and_nonnull<arith::MulFOp>(op) &&
             ((op->getOperand(0) == in &&
               readConstant(op->getOperand(1), constant)) ||
              (op->getOperand(1) == in &&
               readConstant(op->getOperand(0), constant)))) {
    layer.scale = constant;
  } else {
    return fail(generic, notScaled);
  }
  if (layer.kind != PoolLayer::Kind::Sum)
    return fail(generic, "a max-pool's result is scaled");
  if (body.getOperations().size() != 2)
    return fail(generic, "the scaling generic computes more than one op");
  accounted.insert(generic);
  result = generic->getResult(0);
  return success();
}

LogicalResult PoolReader::readFunction() {
  auto ret = cast<func::ReturnOp>(block->getTerminator());
  if (ret.getNumOperands() != 1 || ret.getOperand(0) != result)
    return fail(ret, "the function does not return the pooled result alone");
  for (Operation &op : *block) {
    if (accounted.contains(&op) ||
        isa<arith::ConstantOp, tensor::EmptyOp, func::ReturnOp>(op))
      continue;
    return fail(&op, "the function also computes '" +
                         op.getName().getStringRef() + "'");
  }
  if (SymbolTable::symbolKnownUseEmpty(func, func->getParentOp()) == false)
    return fail(func, "the function is called in the module (importing "
                      "changes its signature to out-parameters)");
  return success();
}

FailureOr<PoolLayer> PoolReader::read(Value source) {
  if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNhwcMaxOp>(
          pool.getOperation()))
    layer.kind = PoolLayer::Kind::Max;
  else if (isa<linalg::PoolingNchwSumOp, linalg::PoolingNhwcSumOp>(
               pool.getOperation()))
    layer.kind = PoolLayer::Kind::Sum;
  else
    return fail(pool, "standalone pooling is imported as pooling_nchw_max, "
                      "pooling_nchw_sum or their NHWC forms");
  layer.channelsLast = isa<linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(
      pool.getOperation());
  unsigned rowDim = layer.channelsLast ? 1 : 2, colDim = rowDim + 1;
  unsigned channelDim = layer.channelsLast ? 3 : 1;
  if (!pool.hasPureTensorSemantics())
    return fail(pool, "standalone pooling is imported on tensors");
  accounted.insert(pool);
  auto attrs = [&](StringRef name, std::array<int64_t, 2> &into) {
    if (auto values = pool->getAttrOfType<DenseIntElementsAttr>(name))
      for (auto [i, v] : llvm::enumerate(values.getValues<int64_t>()))
        if (i < 2)
          into[i] = v;
  };
  attrs("strides", layer.strides);
  attrs("dilations", layer.dilations);

  // The input, maybe padded.
  Value input = pool.getDpsInputs()[0];
  layer.padValue = layer.kind == PoolLayer::Kind::Max
                       ? -std::numeric_limits<double>::infinity()
                       : 0.0;
  if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !readConstant(padValue, layer.padValue))
      return fail(pad, "the input is not padded with a constant");
    SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
    if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high))
      return fail(pad, "the padding amounts are not constants");
    if (low[0] || high[0] || low[channelDim] || high[channelDim])
      return fail(pad, "the input is padded along its batch or channel dim");
    layer.padding = {low[rowDim], high[rowDim], low[colDim], high[colDim]};
    if (!pad->hasOneUse())
      return fail(pad, "the padded input has other uses than the pooling");
    accounted.insert(pad);
    input = pad.getSource();
  }
  if (source && input != source)
    return fail(pool, "the pooling does not read the conv's result (or it "
                      "padded by tensor.pad)");
  auto x = dyn_cast<BlockArgument>(input);
  if (!source && (!x || x.getOwner() != block || func.getNumArguments() != 1))
    return fail(pool, "the pooled input is not the function's one argument "
                      "(or that argument padded by tensor.pad)");
  auto xType = cast<RankedTensorType>(input.getType());
  auto windowType = dyn_cast<ShapedType>(pool.getDpsInputs()[1].getType());
  if (!xType.hasStaticShape() || !windowType || !windowType.hasStaticShape())
    return fail(pool, "dynamic shapes (NKI kernels are static: specialize "
                      "the function's shapes first)");
  Type element = xType.getElementType();
  if (!element.isF32() && !element.isBF16() && !element.isF16())
    return fail(pool, "element types other than f32, bf16 or f16 (integer "
                      "or quantized pooling)");
  layer.elementType = element;
  layer.batch = xType.getDimSize(0);
  layer.channels = xType.getDimSize(channelDim);
  layer.height = xType.getDimSize(rowDim);
  layer.width = xType.getDimSize(colDim);
  layer.windowHeight = windowType.getDimSize(0);
  layer.windowWidth = windowType.getDimSize(1);

  // The init: a fill of a constant.
  auto fill = pool.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !fill->hasOneUse() ||
      !readConstant(fill.getDpsInputs()[0], layer.initValue) ||
      !fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
    return fail(pool, "the pooling's init is not a linalg.fill of a "
                      "constant into a tensor.empty");
  accounted.insert(fill);
  if (cast<ShapedType>(pool->getResult(0).getType()).getElementType() !=
      element)
    return fail(pool, "the pooled result's element type differs from the "
                      "input's");

  result = pool->getResult(0);
  if (failed(readScale(result)))
    return failure();
  // A standalone layer is the whole function; after a conv, the conv's
  // reader checks the function.
  if (!source && failed(readFunction()))
    return failure();

  // What one partition holds: the padded image and the f32 accumulator.
  constexpr int64_t kBytesPerPartition = 192 * 1024;
  int64_t taps = layer.windowHeight * layer.windowWidth;
  int64_t bytes = layer.paddedHeight() * layer.paddedWidth() *
                      (element.getIntOrFloatBitWidth() / 8) +
                  layer.outHeight() * layer.outWidth() *
                      (4 + element.getIntOrFloatBitWidth() / 8);
  if (layer.outHeight() < 1 || layer.outWidth() < 1)
    return fail(pool, "the window is larger than the padded image");
  if (bytes > kBytesPerPartition)
    return fail(pool, "the padded image and its pooled tile take " +
                          Twine(bytes) + " bytes per partition, more than " +
                          Twine(kBytesPerPartition));
  if (!layer.isGlobal() && taps > 64)
    return fail(pool, "a window of " + Twine(taps) +
                          " taps that is not the whole image (at most 64)");
  return layer;
}

bool isPooling(Operation *op) {
  return op->getName().getStringRef().starts_with("linalg.pooling");
}

/// Reads a function of several layers on tensors into a Network: each conv
/// (with its fused epilogue) and each pooling not fused into one, in block
/// order, reading the function's arguments and earlier layers' results.
class NetworkReader {
public:
  explicit NetworkReader(func::FuncOp func)
      : func(func), block(&func.front()) {}

  FailureOr<Network> read();
  Decline decline;

private:
  LogicalResult fail(Operation *at, const Twine &reason) {
    decline = {at, reason.str()};
    return failure();
  }
  /// Records a step and what it produces.
  void addStep(Network &network, Network::Step step, Value result) {
    index[result] = block->getNumArguments() + network.steps.size();
    results.insert(result);
    network.steps.push_back(std::move(step));
  }

  func::FuncOp func;
  Block *block;
  /// Arguments and steps' results, as Network::Step operand indices.
  llvm::DenseMap<Value, unsigned> index;
  llvm::DenseSet<Value> results;
  llvm::SmallPtrSet<Operation *, 32> accounted;
};

FailureOr<Network> NetworkReader::read() {
  Network network;
  for (BlockArgument arg : block->getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape())
      return fail(func, "argument #" + Twine(arg.getArgNumber()) +
                            " is not a statically shaped tensor");
    network.argumentTypes.push_back(
        MemRefType::get(type.getShape(), type.getElementType()));
    index[arg] = arg.getArgNumber();
  }
  for (Operation &op : *block) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || accounted.contains(&op))
      continue;
    if (isPooling(&op)) {
      Value input = linalgOp.getDpsInputs()[0];
      if (auto pad = input.getDefiningOp<tensor::PadOp>())
        input = pad.getSource();
      if (!index.count(input))
        return fail(&op, "the pooled input is not a function argument or an "
                         "earlier layer's result (or one padded by "
                         "tensor.pad)");
      PoolReader reader(func, linalgOp);
      FailureOr<PoolLayer> layer = reader.read(input);
      if (failed(layer))
        return fail(reader.decline.at, reader.decline.reason);
      accounted.insert(reader.accounted.begin(), reader.accounted.end());
      addStep(network, {*layer, {index[input]}}, reader.result);
    } else if (isa<linalg::ConvolutionOpInterface>(op)) {
      LayerReader reader(func, linalgOp, &results);
      FailureOr<ConvLayer> layer = reader.read();
      if (failed(layer))
        return fail(reader.decline.at, reader.decline.reason);
      accounted.insert(reader.accounted.begin(), reader.accounted.end());
      Network::Step step{*layer, {}};
      for (Value operand : reader.operands())
        step.operands.push_back(index.lookup(operand));
      addStep(network, std::move(step), reader.result);
    }
  }
  auto ret = cast<func::ReturnOp>(block->getTerminator());
  if (ret.getNumOperands() != 1 || !results.contains(ret.getOperand(0)))
    return fail(ret, "the function does not return one layer's result alone");
  network.returned = index[ret.getOperand(0)] - block->getNumArguments();
  for (Operation &op : *block) {
    if (accounted.contains(&op) ||
        isa<arith::ConstantOp, tensor::EmptyOp, func::ReturnOp>(op))
      continue;
    return fail(&op, "'" + op.getName().getStringRef() +
                         "' is not part of a layer (a conv with its bias, "
                         "residual add, ReLU and pooling, or a pooling)");
  }
  for (BlockArgument arg : block->getArguments())
    if (arg.use_empty())
      return fail(func, "argument #" + Twine(arg.getArgNumber()) +
                            " is not an input of any layer");
  if (SymbolTable::symbolKnownUseEmpty(func, func->getParentOp()) == false)
    return fail(func, "the function is called in the module (importing "
                      "changes its signature to out-parameters)");
  return network;
}

using Report = llvm::function_ref<void(Operation *, const Twine &)>;

/// Reads the one layer of `func` whose op is `ops` (its convs, or its
/// poolings), or reports why not.
template <typename Reader, typename Layer>
void readLayer(func::FuncOp func, ArrayRef<linalg::LinalgOp> ops,
               StringRef what,
               std::vector<std::pair<func::FuncOp, Layer>> &into,
               Report report) {
  if (ops.size() > 1)
    return report(ops[1], "one " + what + " per function is imported; found " +
                              Twine(ops.size()));
  if (!func.getBody().hasOneBlock() || ops.front()->getBlock() != &func.front())
    return report(ops.front(), "the " + what +
                                   " is not at the top level of a "
                                   "single-block function");
  Reader reader(func, ops.front());
  FailureOr<Layer> layer = reader.read();
  if (failed(layer))
    return report(reader.decline.at, reader.decline.reason);
  into.emplace_back(func, *layer);
}

void readNetwork(func::FuncOp func,
                 std::vector<std::pair<func::FuncOp, Network>> &into,
                 Report report) {
  NetworkReader reader(func);
  FailureOr<Network> network = reader.read();
  if (failed(network))
    return report(reader.decline.at, reader.decline.reason);
  into.emplace_back(func, std::move(*network));
}

/// Replaces each function by the kernel `build` makes of its layer, under
/// the same name and visibility.
template <typename Layer, typename Build>
void replaceByKernels(ArrayRef<std::pair<func::FuncOp, Layer>> imports,
                      Build build) {
  for (auto [func, layer] : imports) {
    OpBuilder builder(func);
    func::FuncOp kernel = build(builder, func.getLoc(), func.getName(), layer);
    kernel.setVisibility(func.getVisibility());
    func.erase();
  }
}

struct ConvertLinalgToNKIPass
    : public nki::impl::ConvertLinalgToNKIBase<ConvertLinalgToNKIPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::pair<func::FuncOp, ConvLayer>> convImports;
    std::vector<std::pair<func::FuncOp, PoolLayer>> poolImports;
    std::vector<std::pair<func::FuncOp, Network>> networkImports;
    bool declined = false;
    auto report = [&](Operation *at, const Twine &reason) {
      declined = true;
      InFlightDiagnostic diag = strict ? at->emitError() : at->emitWarning();
      diag << "convert-linalg-to-nki: not imported: " << reason;
    };
    for (auto func : module.getOps<func::FuncOp>()) {
      SmallVector<linalg::LinalgOp> convs, pools;
      func.walk([&](linalg::LinalgOp op) {
        if (isPooling(op))
          pools.push_back(op);
        else if (isa<linalg::ConvolutionOpInterface>(op.getOperation()))
          convs.push_back(op);
      });
      // A conv layer (with any pooling after it), a standalone pooling
      // layer, or on tensors a network of several layers.
      bool onTensors = llvm::all_of(convs, [](linalg::LinalgOp op) {
        return op.hasPureTensorSemantics();
      });
      if (convs.size() + pools.size() > 1 && onTensors &&
          (convs.size() > 1 || pools.size() > 1) &&
          func.getBody().hasOneBlock())
        readNetwork(func, networkImports, report);
      else if (!convs.empty())
        readLayer<LayerReader>(func, convs, "conv", convImports, report);
      else if (!pools.empty())
        readLayer<PoolReader>(func, pools, "pooling", poolImports, report);
    }
    if (strict && declined)
      return signalPassFailure();
    replaceByKernels<ConvLayer>(convImports, buildNaiveConvKernel);
    replaceByKernels<PoolLayer>(poolImports, buildPoolKernel);
    replaceByKernels<Network>(networkImports, buildNetworkKernel);
  }
};

} // namespace
