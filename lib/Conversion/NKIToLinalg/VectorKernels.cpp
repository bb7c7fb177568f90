//===- VectorKernels.cpp - Pieces of the host vector kernels ----*- C++ -*-===//

#include "VectorKernels.h"

#include "nki/Conversion/NKIToLinalg/NKIToLinalg.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr int64_t kBlock = 16; // 32-bit words per block row (one zmm)

/// Transposes the 16 x 16 block whose rows are `rows` in place: four rounds
/// of two-source shuffles, round d swapping the off-diagonal d x d blocks of
/// every 2d x 2d block. (Shuffles of rows rather than a vector.transpose of a
/// 2-D vector, which canonicalization scalarizes.)
void transposeBlock(OpBuilder &b, Location loc, MutableArrayRef<Value> rows) {
  int64_t n = rows.size();
  for (int64_t d = n / 2; d >= 1; d /= 2) {
    SmallVector<int64_t> low, high;
    for (int64_t c = 0; c < n; ++c) {
      bool upper = c & d;
      low.push_back(upper ? n + c - d : c);
      high.push_back(upper ? n + c : c + d);
    }
    for (int64_t i = 0; i < n; ++i) {
      if (i & d)
        continue;
      Value top = rows[i], bottom = rows[i + d];
      rows[i] = vector::ShuffleOp::create(b, loc, top, bottom, low);
      rows[i + d] = vector::ShuffleOp::create(b, loc, top, bottom, high);
    }
  }
}

struct TransposeToVector : OpRewritePattern<TransposeOp> {
  TransposeToVector(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!isVectorTransposable(cast<MemRefType>(op.getSource().getType()),
                              cast<MemRefType>(op.getTarget().getType())))
      return rewriter.notifyMatchFailure(op, "not a regular tile");
    emitVectorTranspose(rewriter, op.getLoc(), op.getSource(), op.getTarget());
    rewriter.eraseOp(op);
    return success();
  }
};

/// A DMA or engine copy whose rows are contiguous on both sides: per row,
/// 64-byte vectors (masked at the row end), converted to the target type
/// where the types differ. LLVM does not vectorize the generic form's rows
/// when they are short and a partition stride apart.
template <typename CopyOp> struct CopyToVector : OpRewritePattern<CopyOp> {
  CopyToVector(MLIRContext *context)
      : OpRewritePattern<CopyOp>(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(CopyOp op,
                                PatternRewriter &rewriter) const override {
    auto sourceType = cast<MemRefType>(op.getSource().getType());
    auto targetType = cast<MemRefType>(op.getTarget().getType());
    if (!sourceType.hasStaticShape() || !hasContiguousRows(sourceType) ||
        !hasContiguousRows(targetType))
      return rewriter.notifyMatchFailure(op, "not a copy of contiguous rows");
    Location loc = op.getLoc();
    Type from = sourceType.getElementType(), to = targetType.getElementType();
    int64_t lanes = kCacheLineBytes * 8 /
                    std::max(sourceType.getElementTypeBitWidth(),
                             targetType.getElementTypeBitWidth());
    int64_t width = sourceType.getShape().back(), rank = sourceType.getRank();
    auto fromType = VectorType::get({lanes}, from);
    auto toType = VectorType::get({lanes}, to);
    Value c0 = constantIndex(rewriter, loc, 0),
          c1 = constantIndex(rewriter, loc, 1);
    OpBuilder::InsertionGuard guard(rewriter);
    SmallVector<Value> indices;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      auto loop = scf::ForOp::create(
          rewriter, loc, c0,
          constantIndex(rewriter, loc, sourceType.getDimSize(d)), c1);
      indices.push_back(loop.getInductionVar());
      rewriter.setInsertionPointToStart(loop.getBody());
    }
    auto laneLoop = scf::ForOp::create(rewriter, loc, c0,
                                       constantIndex(rewriter, loc, width),
                                       constantIndex(rewriter, loc, lanes));
    rewriter.setInsertionPointToStart(laneLoop.getBody());
    indices.push_back(laneLoop.getInductionVar());
    Value mask;
    if (width % lanes != 0) {
      Value left = arith::SubIOp::create(
          rewriter, loc, constantIndex(rewriter, loc, width), indices.back());
      Value count = arith::MinSIOp::create(rewriter, loc, left,
                                           constantIndex(rewriter, loc, lanes));
      mask = vector::CreateMaskOp::create(
          rewriter, loc, VectorType::get({lanes}, rewriter.getI1Type()),
          ValueRange{count});
    }
    Value values =
        mask ? vector::MaskedLoadOp::create(
                   rewriter, loc, fromType, op.getSource(), indices, mask,
                   arith::ConstantOp::create(rewriter, loc, fromType,
                                             rewriter.getZeroAttr(fromType)))
                   .getResult()
             : vector::LoadOp::create(rewriter, loc, fromType, op.getSource(),
                                      indices)
                   .getResult();
    values = castFloat(rewriter, loc, values, toType);
    if (mask)
      vector::MaskedStoreOp::create(rewriter, loc, op.getTarget(), indices,
                                    mask, values);
    else
      vector::StoreOp::create(rewriter, loc, values, op.getTarget(), indices);
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

Value mlir::nki::allocLineAligned(OpBuilder &b, Location loc, MemRefType type) {
  return memref::AllocOp::create(b, loc, type,
                                 b.getI64IntegerAttr(kCacheLineBytes));
}

Value mlir::nki::constantIndex(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::nki::castFloat(OpBuilder &b, Location loc, Value value, Type type) {
  Type from = getElementTypeOrSelf(value.getType());
  Type to = getElementTypeOrSelf(type);
  if (from == to)
    return value;
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth) {
    // f16 <-> bf16: neither extends the other; go through f32.
    Type f32 = b.getF32Type();
    Type wide = isa<ShapedType>(type) ? cast<ShapedType>(type).clone(f32) : f32;
    value = arith::ExtFOp::create(b, loc, wide, value);
    return arith::TruncFOp::create(b, loc, type, value);
  }
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(b, loc, type, value);
  return arith::TruncFOp::create(b, loc, type, value);
}

std::optional<int64_t> mlir::nki::getSpan(MemRefType type,
                                          SmallVectorImpl<int64_t> &strides) {
  int64_t offset;
  strides.clear();
  if (!type.hasStaticShape() ||
      failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides,
                   [](int64_t s) { return ShapedType::isDynamic(s) || s < 0; }))
    return std::nullopt;
  int64_t span = 1;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides))
    span += (size - 1) * stride;
  // Gather offsets are 32-bit.
  if (span > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return span;
}

Value mlir::nki::viewAsSpan(OpBuilder &b, Location loc, Value view) {
  auto type = cast<MemRefType>(view.getType());
  SmallVector<int64_t> strides;
  std::optional<int64_t> span = getSpan(type, strides);
  assert(span && "checked by getSpan");
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, view);
  auto spanType = MemRefType::get(
      {*span}, type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, {1}),
      type.getMemorySpace());
  return memref::ReinterpretCastOp::create(
      b, loc, spanType, metadata.getBaseBuffer(),
      OpFoldResult(metadata.getOffset()),
      ArrayRef<OpFoldResult>{b.getIndexAttr(*span)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
}

bool mlir::nki::hasContiguousRows(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

bool mlir::nki::isVectorTransposable(MemRefType source, MemRefType target) {
  if (source.getRank() != 2 || !source.hasStaticShape() ||
      !target.hasStaticShape() ||
      source.getElementType() != target.getElementType() ||
      !hasContiguousRows(source) || !hasContiguousRows(target))
    return false;
  unsigned bits = source.getElementTypeBitWidth();
  int64_t rowsPerBlock = bits == 32 ? kBlock : bits == 16 ? 2 * kBlock : 0;
  return rowsPerBlock && source.getDimSize(0) % rowsPerBlock == 0 &&
         source.getDimSize(1) % kBlock == 0;
}

Value mlir::nki::loadRowPairs(OpBuilder &b, Location loc, Value source,
                              ValueRange columnIndices, Value r, int64_t width,
                              Value mask) {
  Type element = cast<MemRefType>(source.getType()).getElementType();
  auto type = VectorType::get({width}, element);
  Value even = arith::MulIOp::create(b, loc, r, constantIndex(b, loc, 2));
  Value odd = arith::AddIOp::create(b, loc, even, constantIndex(b, loc, 1));
  auto load = [&](Value row) -> Value {
    SmallVector<Value> indices = {row};
    llvm::append_range(indices, columnIndices);
    if (!mask)
      return vector::LoadOp::create(b, loc, type, source, indices);
    Value zero = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
    return vector::MaskedLoadOp::create(b, loc, type, source, indices, mask,
                                        zero);
  };
  return vector::InterleaveOp::create(b, loc, load(even), load(odd));
}

void mlir::nki::emitVectorTranspose(OpBuilder &b, Location loc, Value source,
                                    Value target) {
  auto type = cast<MemRefType>(source.getType());
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  bool paired = type.getElementTypeBitWidth() == 16;
  Type element = type.getElementType();
  auto words = VectorType::get({kBlock}, b.getI32Type());
  // Per block row: 16 words (16 elements, or 32 when paired).
  auto targetRow = VectorType::get({paired ? 2 * kBlock : kBlock}, element);
  int64_t wordRows = paired ? rows / 2 : rows;
  // Blocks of 16 target rows (outer) by 16 words; one block's code is
  // emitted once, in the loop body.
  Value c0 = constantIndex(b, loc, 0), block16 = constantIndex(b, loc, kBlock);
  scf::ForOp::create(
      b, loc, c0, constantIndex(b, loc, columns), block16, ValueRange{},
      [&](OpBuilder &b, Location loc, Value j0, ValueRange) {
        scf::ForOp::create(
            b, loc, c0, constantIndex(b, loc, wordRows), block16, ValueRange{},
            [&](OpBuilder &b, Location loc, Value r0, ValueRange) {
              SmallVector<Value> block;
              for (int64_t r = 0; r < kBlock; ++r) {
                Value row =
                    arith::AddIOp::create(b, loc, r0, constantIndex(b, loc, r));
                Value values =
                    paired
                        ? loadRowPairs(b, loc, source, j0, row, kBlock, Value())
                        : vector::LoadOp::create(
                              b, loc, VectorType::get({kBlock}, element),
                              source, ValueRange{row, j0})
                              .getResult();
                block.push_back(
                    vector::BitCastOp::create(b, loc, words, values));
              }
              transposeBlock(b, loc, block);
              Value column = paired ? arith::MulIOp::create(
                                          b, loc, r0, constantIndex(b, loc, 2))
                                          .getResult()
                                    : r0;
              for (int64_t j = 0; j < kBlock; ++j) {
                Value at =
                    arith::AddIOp::create(b, loc, j0, constantIndex(b, loc, j));
                vector::StoreOp::create(
                    b, loc,
                    vector::BitCastOp::create(b, loc, targetRow, block[j]),
                    target, ValueRange{at, column});
              }
              scf::YieldOp::create(b, loc);
            });
        scf::YieldOp::create(b, loc);
      });
}

void mlir::nki::populateNKITransposeToVectorPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TransposeToVector>(patterns.getContext());
}

void mlir::nki::populateNKICopyToVectorPatterns(RewritePatternSet &patterns) {
  patterns.add<CopyToVector<DmaCopyOp>, CopyToVector<TensorCopyOp>>(
      patterns.getContext());
}
