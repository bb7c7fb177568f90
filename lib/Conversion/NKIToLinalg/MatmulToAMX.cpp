//===- MatmulToAMX.cpp - bf16 nki.matmul on the AMX tile units --*- C++ -*-===//
//
// The host lowering of a bf16 Tensor-Engine matmul on x86 CPUs with AMX-BF16:
// `tdpbf16ps` multiplies a 16 x 32 bf16 tile by a 32 x 16 one (in VNNI
// layout) into a 16 x 16 f32 tile, the same bf16 x bf16 -> f32 contraction
// the Tensor Engine does. Both operands are first packed into the layouts
// the instruction reads; the f32 target tiles are loaded, accumulated over
// the whole contraction and stored back once.
//
//===----------------------------------------------------------------------===//

#include "VectorKernels.h"

#include "nki/Conversion/NKIToLinalg/NKIToLinalg.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#if defined(__linux__) && defined(__x86_64__)
#endif

using namespace mlir;
using namespace mlir::nki;

namespace {

// One tile: 16 rows of 64 bytes (32 bf16 or 16 f32).
constexpr int64_t kTileRows = 16, kTileDepth = 32;

/// `target[m, f...]` as `[m, n]` with `n` the free dims flattened, when the
/// free dims are laid out contiguously.
std::optional<SmallVector<ReassociationIndices>>
flattenFreeDims(MemRefType target) {
  SmallVector<ReassociationIndices> groups = {{0}, {}};
  for (int64_t d = 1; d < target.getRank(); ++d)
    groups[1].push_back(d);
  if (!hasContiguousRows(target) ||
      !memref::CollapseShapeOp::isGuaranteedCollapsible(target, groups))
    return std::nullopt;
  return groups;
}

struct MatmulToAMX : OpRewritePattern<MatmulOp> {
  MatmulToAMX(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto stationaryType = cast<MemRefType>(op.getStationary().getType());
    auto movingType = cast<MemRefType>(op.getMoving().getType());
    auto targetType = cast<MemRefType>(op.getTarget().getType());
    if (!stationaryType.hasStaticShape() || !movingType.hasStaticShape() ||
        !targetType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic tile shape");
    if (!stationaryType.getElementType().isBF16() ||
        !movingType.getElementType().isBF16() ||
        !targetType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not bf16 x bf16 -> f32");
    int64_t depth = stationaryType.getDimSize(0),
            rows = stationaryType.getDimSize(1);
    if (depth % kTileDepth != 0 || rows % kTileRows != 0)
      return rewriter.notifyMatchFailure(
          op, "contraction not a multiple of 32 or rows not of 16");
    std::optional<SmallVector<ReassociationIndices>> flat =
        flattenFreeDims(targetType);
    if (!flat || !hasContiguousRows(stationaryType) ||
        !hasContiguousRows(movingType))
      return rewriter.notifyMatchFailure(op, "rows not contiguous");

    Location loc = op.getLoc();
    int64_t columns = targetType.getNumElements() / rows;
    Value packedStationary = packTransposed(rewriter, loc, op.getStationary());
    Value packedMoving = packPairs(rewriter, loc, op.getMoving(), columns);
    Value target =
        memref::CollapseShapeOp::create(rewriter, loc, op.getTarget(), *flat);
    emitTiles(rewriter, loc, packedStationary, packedMoving, target, depth,
              rows, columns, op.isAccumulate());
    rewriter.eraseOp(op);
    return success();
  }

private:
  /// The stationary tile `[K, M]` as `[M, K]` bf16, rows of K contiguous:
  /// tdpbf16ps's left operand. A pair of k is one 32-bit element, so the
  /// transposition is of 16 x 16 blocks of 32-bit elements.
  static Value packTransposed(OpBuilder &b, Location loc, Value stationary) {
    auto type = cast<MemRefType>(stationary.getType());
    Value packed = allocLineAligned(
        b, loc,
        MemRefType::get({type.getDimSize(1), type.getDimSize(0)},
                        b.getBF16Type()));
    emitVectorTranspose(b, loc, stationary, packed);
    return packed;
  }

  /// The moving tile `[K, f...]` in VNNI layout `[K / 2, 2 * N]`: row r
  /// holds k = 2r and 2r+1 interleaved for each of the N flattened free
  /// positions (tdpbf16ps's right operand). Columns past N, up to a multiple
  /// of 16, stay undefined: they only reach target columns that are dropped.
  static Value packPairs(OpBuilder &b, Location loc, Value moving,
                         int64_t columns) {
    auto type = cast<MemRefType>(moving.getType());
    int64_t depth = type.getDimSize(0), width = type.getShape().back();
    int64_t padded = llvm::alignTo(columns, kTileRows);
    Value packed = allocLineAligned(
        b, loc, MemRefType::get({depth / 2, 2 * padded}, b.getBF16Type()));
    // Lanes per step: 32 bf16 from each row of a pair, 64 stored.
    const int64_t lanes = 32;
    Value c0 = constantIndex(b, loc, 0), c1 = constantIndex(b, loc, 1);
    auto loop =
        scf::ForOp::create(b, loc, c0, constantIndex(b, loc, depth / 2), c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value r = loop.getInductionVar();
    // The free dims before the last one, flattened into `outer`.
    SmallVector<Value> outerIndices;
    Value outer = c0;
    for (int64_t d = 1; d + 1 < type.getRank(); ++d) {
      auto inner = scf::ForOp::create(
          b, loc, c0, constantIndex(b, loc, type.getDimSize(d)), c1);
      b.setInsertionPointToStart(inner.getBody());
      outerIndices.push_back(inner.getInductionVar());
      outer = arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(b, loc, outer,
                                constantIndex(b, loc, type.getDimSize(d))),
          inner.getInductionVar());
    }
    auto laneLoop = scf::ForOp::create(b, loc, c0, constantIndex(b, loc, width),
                                       constantIndex(b, loc, lanes));
    b.setInsertionPointToStart(laneLoop.getBody());
    Value lane0 = laneLoop.getInductionVar();
    Value left =
        arith::SubIOp::create(b, loc, constantIndex(b, loc, width), lane0);
    Value count =
        arith::MinSIOp::create(b, loc, left, constantIndex(b, loc, lanes));
    Value mask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({lanes}, b.getI1Type()), ValueRange{count});
    SmallVector<Value> rowIndices(outerIndices);
    rowIndices.push_back(lane0);
    Value pairs = loadRowPairs(b, loc, moving, rowIndices, r, lanes, mask);
    Value two = constantIndex(b, loc, 2);
    Value column = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, outer, constantIndex(b, loc, width)),
        lane0);
    Value pairMask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({2 * lanes}, b.getI1Type()),
        ValueRange{arith::MulIOp::create(b, loc, count, two)});
    vector::MaskedStoreOp::create(
        b, loc, packed,
        ValueRange{r, arith::MulIOp::create(b, loc, column, two)}, pairMask,
        pairs);
    return packed;
  }

  /// A block of numA x numB target tiles: rows m0.., columns n0.. of
  /// a[m, k] * b[k, n], accumulated (or not) into `acc` at (accM0, accN0).
  static void emitBlock(OpBuilder &b, Location loc, Value a, Value bPacked,
                        Value acc, Value accM0, Value accN0, Value m0, Value n0,
                        int64_t numA, int64_t numB, int64_t depth,
                        bool accumulate) {
    auto operandType =
        amx::TileType::get({kTileRows, kTileDepth}, b.getBF16Type());
    auto accType = amx::TileType::get({kTileRows, kTileRows}, b.getF32Type());
    auto at = [&](Value base, int64_t offset) -> Value {
      if (offset == 0)
        return base;
      return arith::AddIOp::create(b, loc, base, constantIndex(b, loc, offset));
    };
    auto accIndices = [&](int64_t i, int64_t j) {
      return SmallVector<Value>{at(accM0, i * kTileRows),
                                at(accN0, j * kTileRows)};
    };
    SmallVector<Value> accs;
    for (int64_t i = 0; i < numA; ++i)
      for (int64_t j = 0; j < numB; ++j)
        accs.push_back(
            accumulate ? amx::TileLoadOp::create(b, loc, accType, acc,
                                                 accIndices(i, j))
                             .getResult()
                       : amx::TileZeroOp::create(b, loc, accType).getResult());
    Value twoN0 = arith::MulIOp::create(b, loc, n0, constantIndex(b, loc, 2));
    for (int64_t k = 0; k < depth; k += kTileDepth) {
      SmallVector<Value> lhs, rhs;
      for (int64_t i = 0; i < numA; ++i)
        lhs.push_back(amx::TileLoadOp::create(
            b, loc, operandType, a,
            ValueRange{at(m0, i * kTileRows), constantIndex(b, loc, k)}));
      for (int64_t j = 0; j < numB; ++j)
        rhs.push_back(
            amx::TileLoadOp::create(b, loc, operandType, bPacked,
                                    ValueRange{constantIndex(b, loc, k / 2),
                                               at(twoN0, j * 2 * kTileRows)}));
      for (int64_t i = 0; i < numA; ++i)
        for (int64_t j = 0; j < numB; ++j)
          accs[i * numB + j] = amx::TileMulFOp::create(
              b, loc, accType, lhs[i], rhs[j], accs[i * numB + j]);
    }
    for (int64_t i = 0; i < numA; ++i)
      for (int64_t j = 0; j < numB; ++j)
        amx::TileStoreOp::create(b, loc, acc, accIndices(i, j),
                                 accs[i * numB + j]);
  }

  /// target[m, n] (=|+=) sum_k a[m, k] * b[k, n] over 16 x 16 target tiles,
  /// 2 x 2 of them at a time where the shape allows (4 accumulators and
  /// 2 + 2 operand tiles: the 8 tile registers). A last partial column of
  /// tiles goes through a 16 x 16 scratch tile, as tiles load and store 16
  /// whole columns.
  static void emitTiles(OpBuilder &b, Location loc, Value a, Value bPacked,
                        Value target, int64_t depth, int64_t rows,
                        int64_t columns, bool accumulate) {
    Value c0 = constantIndex(b, loc, 0);
    int64_t numA = rows % (2 * kTileRows) == 0 ? 2 : 1;
    int64_t fullColumns = columns / kTileRows * kTileRows;
    int64_t pairedColumns = columns / (2 * kTileRows) * (2 * kTileRows);
    auto forEach = [&](OpBuilder &b, Location loc, int64_t from, int64_t to,
                       int64_t step,
                       function_ref<void(OpBuilder &, Location, Value)> body) {
      scf::ForOp::create(b, loc, constantIndex(b, loc, from),
                         constantIndex(b, loc, to), constantIndex(b, loc, step),
                         ValueRange{},
                         [&](OpBuilder &b, Location loc, Value iv, ValueRange) {
                           body(b, loc, iv);
                           scf::YieldOp::create(b, loc);
                         });
    };
    // Columns outside rows: a column block of the packed moving tile stays
    // in the L1 cache while every row block of the stationary one passes.
    int64_t rowStep = numA * kTileRows;
    if (pairedColumns > 0)
      forEach(b, loc, 0, pairedColumns, 2 * kTileRows,
              [&](OpBuilder &b, Location loc, Value n0) {
                forEach(b, loc, 0, rows, rowStep,
                        [&](OpBuilder &b, Location loc, Value m0) {
                          emitBlock(b, loc, a, bPacked, target, m0, n0, m0, n0,
                                    numA, 2, depth, accumulate);
                        });
              });
    if (fullColumns > pairedColumns) {
      Value n0 = constantIndex(b, loc, pairedColumns);
      forEach(b, loc, 0, rows, rowStep,
              [&](OpBuilder &b, Location loc, Value m0) {
                emitBlock(b, loc, a, bPacked, target, m0, n0, m0, n0, numA, 1,
                          depth, accumulate);
              });
    }
    if (columns == fullColumns)
      return;
    Type f32 = b.getF32Type();
    Value scratch =
        allocLineAligned(b, loc, MemRefType::get({kTileRows, kTileRows}, f32));
    Value n0 = constantIndex(b, loc, fullColumns);
    auto rowType = VectorType::get({kTileRows}, f32);
    Value zero = arith::ConstantOp::create(
        b, loc, rowType, DenseElementsAttr::get(rowType, 0.0f));
    Value mask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({kTileRows}, b.getI1Type()),
        ValueRange{constantIndex(b, loc, columns - fullColumns)});
    forEach(
        b, loc, 0, rows, kTileRows, [&](OpBuilder &b, Location loc, Value m0) {
          auto targetRow = [&](int64_t i) {
            return arith::AddIOp::create(b, loc, m0, constantIndex(b, loc, i))
                .getResult();
          };
          if (accumulate)
            for (int64_t i = 0; i < kTileRows; ++i) {
              Value values = vector::MaskedLoadOp::create(
                  b, loc, rowType, target, ValueRange{targetRow(i), n0}, mask,
                  zero);
              vector::StoreOp::create(b, loc, values, scratch,
                                      ValueRange{constantIndex(b, loc, i), c0});
            }
          emitBlock(b, loc, a, bPacked, scratch, c0, c0, m0, n0, 1, 1, depth,
                    accumulate);
          for (int64_t i = 0; i < kTileRows; ++i) {
            Value values = vector::LoadOp::create(
                b, loc, rowType, scratch,
                ValueRange{constantIndex(b, loc, i), c0});
            vector::MaskedStoreOp::create(
                b, loc, target, ValueRange{targetRow(i), n0}, mask, values);
          }
        });
  }
};

} // namespace

void mlir::nki::populateNKIMatmulToAMXPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulToAMX>(patterns.getContext());
}
