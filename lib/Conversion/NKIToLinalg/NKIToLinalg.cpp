//===- NKIToLinalg.cpp - Lower NKI ops to linalg ----------------*- C++ -*-===//

#include "VectorKernels.h"

#include "nki/Conversion/NKIToLinalg/NKIToLinalg.h"
#include "nki/Conversion/Passes.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::nki {
#define GEN_PASS_DEF_CONVERTNKITOLINALG
#include "nki/Conversion/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

Type elementTypeOf(Value memref) {
  return cast<MemRefType>(memref.getType()).getElementType();
}

/// `lhs <op> rhs` on floats of one type.
Value applyAlu(OpBuilder &b, Location loc, AluOp op, Value lhs, Value rhs) {
  switch (op) {
  case AluOp::add:
    return arith::AddFOp::create(b, loc, lhs, rhs);
  case AluOp::subtract:
    return arith::SubFOp::create(b, loc, lhs, rhs);
  case AluOp::multiply:
    return arith::MulFOp::create(b, loc, lhs, rhs);
  case AluOp::max:
    return arith::MaximumFOp::create(b, loc, lhs, rhs);
  case AluOp::min:
    return arith::MinimumFOp::create(b, loc, lhs, rhs);
  }
  llvm_unreachable("unknown ALU op");
}

/// The value `x` with `x <op> y == y`, for the reduction operators.
TypedAttr identityOf(AluOp op, FloatType type) {
  const llvm::fltSemantics &sem = type.getFloatSemantics();
  switch (op) {
  case AluOp::add:
    return FloatAttr::get(type, APFloat::getZero(sem));
  case AluOp::multiply:
    return FloatAttr::get(type, APFloat::getOne(sem));
  case AluOp::max:
    return FloatAttr::get(type, APFloat::getInf(sem, /*Negative=*/true));
  case AluOp::min:
    return FloatAttr::get(type, APFloat::getInf(sem));
  case AluOp::subtract:
    break;
  }
  llvm_unreachable("subtract is not a reduction operator");
}

void fill(OpBuilder &b, Location loc, Value memref, TypedAttr value) {
  Value constant = arith::ConstantOp::create(b, loc, value);
  linalg::FillOp::create(b, loc, ValueRange{constant}, ValueRange{memref});
}

/// An elementwise linalg.generic over `target` reading `inputs` of the same
/// shape; `body` maps the input elements to the new target element.
void elementwise(OpBuilder &b, Location loc, ValueRange inputs, Value target,
                 ArrayRef<AffineMap> inputMaps,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = cast<MemRefType>(target.getType()).getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  linalg::GenericOp::create(
      b, loc, inputs, ValueRange{target}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
}

/// Copies `source` into `target`, casting elements.
void copyWithCast(OpBuilder &b, Location loc, Value source, Value target) {
  int64_t rank = cast<MemRefType>(target.getType()).getRank();
  Type type = elementTypeOf(target);
  elementwise(b, loc, source, target, b.getMultiDimIdentityMap(rank),
              [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                return castFloat(nested, nestedLoc, args[0], type);
              });
}

/// DMAs and engine copies both become an elementwise copy with cast.
template <typename CopyOp> struct CopyLowering : OpRewritePattern<CopyOp> {
  using OpRewritePattern<CopyOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(CopyOp op,
                                PatternRewriter &rewriter) const override {
    copyWithCast(rewriter, op.getLoc(), op.getSource(), op.getTarget());
    rewriter.eraseOp(op);
    return success();
  }
};

/// target[m, f...] (=|+=) sum_k stationary[k, m] * moving[k, f...], in f32.
struct MatmulLowering : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value target = op.getTarget();
    auto accType = cast<FloatType>(elementTypeOf(target));
    if (!op.isAccumulate())
      fill(rewriter, loc, target, FloatAttr::get(accType, 0.0));
    // Dims: d0 = m, d1..dn = free dims of moving, d(n+1) = k.
    int64_t numFree = cast<MemRefType>(op.getMoving().getType()).getRank() - 1;
    int64_t numDims = numFree + 2;
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx);
    AffineExpr k = getAffineDimExpr(numDims - 1, ctx);
    SmallVector<AffineExpr> free;
    for (int64_t i = 0; i < numFree; ++i)
      free.push_back(getAffineDimExpr(i + 1, ctx));
    SmallVector<AffineExpr> movingExprs = {k};
    llvm::append_range(movingExprs, free);
    SmallVector<AffineExpr> targetExprs = {m};
    llvm::append_range(targetExprs, free);
    SmallVector<AffineMap> maps = {
        AffineMap::get(numDims, 0, {k, m}, ctx),
        AffineMap::get(numDims, 0, movingExprs, ctx),
        AffineMap::get(numDims, 0, targetExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(numDims - 1,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    linalg::GenericOp::create(
        rewriter, loc, ValueRange{op.getStationary(), op.getMoving()},
        ValueRange{target}, maps, iterators,
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value lhs = castFloat(b, nestedLoc, args[0], accType);
          Value rhs = castFloat(b, nestedLoc, args[1], accType);
          Value product = arith::MulFOp::create(b, nestedLoc, lhs, rhs);
          Value sum = arith::AddFOp::create(b, nestedLoc, args[2], product);
          linalg::YieldOp::create(b, nestedLoc, sum);
        });
    rewriter.eraseOp(op);
    return success();
  }
};

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    AffineMap swapped = AffineMap::get(
        2, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(0, ctx)}, ctx);
    Type type = elementTypeOf(op.getTarget());
    elementwise(rewriter, op.getLoc(), op.getSource(), op.getTarget(), swapped,
                [&](OpBuilder &b, Location loc, ValueRange args) {
                  return castFloat(b, loc, args[0], type);
                });
    rewriter.eraseOp(op);
    return success();
  }
};

struct TensorTensorLowering : OpRewritePattern<TensorTensorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TensorTensorOp op,
                                PatternRewriter &rewriter) const override {
    int64_t rank = cast<MemRefType>(op.getTarget().getType()).getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Type f32 = rewriter.getF32Type();
    Type type = elementTypeOf(op.getTarget());
    elementwise(rewriter, op.getLoc(), {op.getLhs(), op.getRhs()},
                op.getTarget(), {identity, identity},
                [&](OpBuilder &b, Location loc, ValueRange args) {
                  Value result = applyAlu(b, loc, op.getOp(),
                                          castFloat(b, loc, args[0], f32),
                                          castFloat(b, loc, args[1], f32));
                  return castFloat(b, loc, result, type);
                });
    rewriter.eraseOp(op);
    return success();
  }
};

struct TensorScalarLowering : OpRewritePattern<TensorScalarOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TensorScalarOp op,
                                PatternRewriter &rewriter) const override {
    int64_t rank = cast<MemRefType>(op.getTarget().getType()).getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<Value> inputs = {op.getSource()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    Value scalar = op.getScalar();
    bool perPartition = isa<MemRefType>(scalar.getType());
    if (perPartition) {
      // The [P, 1] vector: element (p, 0) for every free position.
      inputs.push_back(scalar);
      maps.push_back(AffineMap::get(
          rank, 0, {getAffineDimExpr(0, ctx), getAffineConstantExpr(0, ctx)},
          ctx));
    }
    Type f32 = rewriter.getF32Type();
    Type type = elementTypeOf(op.getTarget());
    elementwise(rewriter, op.getLoc(), inputs, op.getTarget(), maps,
                [&](OpBuilder &b, Location loc, ValueRange args) {
                  Value rhs = perPartition ? args[1] : scalar;
                  Value result = applyAlu(b, loc, op.getOp(),
                                          castFloat(b, loc, args[0], f32),
                                          castFloat(b, loc, rhs, f32));
                  return castFloat(b, loc, result, type);
                });
    rewriter.eraseOp(op);
    return success();
  }
};

struct TensorReduceLowering : OpRewritePattern<TensorReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TensorReduceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value target = op.getTarget();
    auto type = cast<FloatType>(elementTypeOf(target));
    fill(rewriter, loc, target, identityOf(op.getOp(), type));
    int64_t rank = cast<MemRefType>(op.getSource().getType()).getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> kept;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t dim = 0; dim < rank; ++dim) {
      bool reduced = llvm::is_contained(op.getAxes(), dim);
      iterators.push_back(reduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
      if (!reduced)
        kept.push_back(getAffineDimExpr(dim, ctx));
    }
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, kept, ctx)};
    linalg::GenericOp::create(
        rewriter, loc, ValueRange{op.getSource()}, ValueRange{target}, maps,
        iterators, [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value element = castFloat(b, nestedLoc, args[0], type);
          linalg::YieldOp::create(
              b, nestedLoc,
              applyAlu(b, nestedLoc, op.getOp(), args[1], element));
        });
    rewriter.eraseOp(op);
    return success();
  }
};

struct MemsetLowering : OpRewritePattern<MemsetOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MemsetOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<FloatType>(elementTypeOf(op.getTarget()));
    bool losesInfo = false;
    APFloat value = op.getValueAttr().getValue();
    value.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    fill(rewriter, op.getLoc(), op.getTarget(), FloatAttr::get(type, value));
    rewriter.eraseOp(op);
    return success();
  }
};

/// Number of elements of `memref` (memref.dim for dynamic dims), as i64.
Value numElements(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    Value size = memref::DimOp::create(b, loc, memref, dim);
    count = arith::MulIOp::create(b, loc, count, size);
  }
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
}

Value bytesOf(OpBuilder &b, Location loc, Value memref) {
  int64_t elementBytes =
      cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
  Value bytes = arith::ConstantIntOp::create(b, loc, elementBytes, 64);
  return arith::MulIOp::create(b, loc, numElements(b, loc, memref), bytes);
}

struct ConvertNKIToLinalgPass
    : public nki::impl::ConvertNKIToLinalgBase<ConvertNKIToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    if (countEvents)
      insertEventCounters(getOperation());
    if (foldTransposes)
      foldStationaryTransposes(getOperation(), /*keepBF16=*/amxMatmuls);
    ConversionTarget target(getContext());
    target.addIllegalDialect<NKIDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateNKIToLinalgPatterns(patterns);
    if (vectorize) {
      populateNKIMatmulToVectorPatterns(patterns, dotBF16);
      populateNKITransposeToVectorPatterns(patterns);
      populateNKICopyToVectorPatterns(patterns);
    }
    if (amxMatmuls)
      populateNKIMatmulToAMXPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // On-chip tiles start on cache lines, as the vector and AMX kernels'
    // row loads assume for speed.
    getOperation()->walk([](memref::AllocOp alloc) {
      if (!alloc.getAlignment() &&
          isa_and_nonnull<MemorySpaceAttr>(alloc.getType().getMemorySpace()))
        alloc.setAlignment(kCacheLineBytes);
    });
    eraseNKIMemorySpaces(getOperation());
    // Our discardable attributes mean nothing to upstream dialects.
    getOperation()->walk([](Operation *op) {
      for (NamedAttribute attr : llvm::to_vector(op->getDiscardableAttrs()))
        if (attr.getName().strref().starts_with("nki."))
          op->removeDiscardableAttr(attr.getName());
    });
  }
};

} // namespace

void mlir::nki::populateNKIToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CopyLowering<DmaCopyOp>, CopyLowering<TensorCopyOp>,
               MatmulLowering, MemsetLowering, TensorReduceLowering,
               TensorScalarLowering, TensorTensorLowering, TransposeLowering>(
      patterns.getContext());
}

void mlir::nki::insertEventCounters(ModuleOp module) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToStart(module.getBody());
  if (!module.lookupSymbol(kCountEventFunction)) {
    auto decl = func::FuncOp::create(
        b, module.getLoc(), kCountEventFunction,
        b.getFunctionType({b.getI64Type(), b.getI64Type()}, {}));
    decl.setPrivate();
  }
  module.walk([&](Operation *op) {
    std::optional<CountedEvent> event;
    Value amount;
    Location loc = op->getLoc();
    b.setInsertionPoint(op);
    if (auto dma = dyn_cast<DmaCopyOp>(op)) {
      Space from = getSpace(cast<MemRefType>(dma.getSource().getType()));
      Space to = getSpace(cast<MemRefType>(dma.getTarget().getType()));
      if (from == Space::HBM)
        event = to == Space::HBM ? CountedEvent::DmaHbmToHbm
                                 : CountedEvent::DmaHbmToSbuf;
      else
        event = to == Space::HBM ? CountedEvent::DmaSbufToHbm
                                 : CountedEvent::DmaSbufToSbuf;
      amount = bytesOf(b, loc,
                       *event == CountedEvent::DmaSbufToHbm ? dma.getTarget()
                                                            : dma.getSource());
    } else if (auto matmul = dyn_cast<MatmulOp>(op)) {
      // K x M x N multiply-adds: elements of stationary times moving free size.
      event = CountedEvent::Matmul;
      Value k = memref::DimOp::create(b, loc, matmul.getMoving(), 0);
      Value kIsI64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), k);
      Value free = arith::DivUIOp::create(
          b, loc, numElements(b, loc, matmul.getMoving()), kIsI64);
      amount = arith::MulIOp::create(
          b, loc, numElements(b, loc, matmul.getStationary()), free);
    } else if (auto transpose = dyn_cast<TransposeOp>(op)) {
      event = CountedEvent::Transpose;
      amount = numElements(b, loc, transpose.getSource());
    }
    if (!event)
      return;
    Value kind =
        arith::ConstantIntOp::create(b, loc, static_cast<int64_t>(*event), 64);
    func::CallOp::create(b, loc, kCountEventFunction, TypeRange{},
                         ValueRange{kind, amount});
  });
}

void mlir::nki::eraseNKIMemorySpaces(Operation *root) {
  AttrTypeReplacer replacer;
  replacer.addReplacement([](MemRefType type) -> std::optional<Type> {
    if (!isa_and_nonnull<MemorySpaceAttr>(type.getMemorySpace()))
      return std::nullopt;
    return MemRefType::get(type.getShape(), type.getElementType(),
                           type.getLayout());
  });
  replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false,
                                        /*replaceTypes=*/true);
}
