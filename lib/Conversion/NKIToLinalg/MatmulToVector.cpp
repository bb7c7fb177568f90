//===- MatmulToVector.cpp - nki.matmul as register tiles --------*- C++ -*-===//
//
// The host lowering of the Tensor-Engine matmul when speed matters: an 8 x 32
// (or 8 x 16 for short rows) tile of the PSUM target stays in eight f32
// vectors across the whole contraction, one broadcast-FMA per stationary
// element and vector.
//
//===----------------------------------------------------------------------===//

#include "VectorKernels.h"

#include "nki/Conversion/NKIToLinalg/NKIToLinalg.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr int64_t kChunk = 8; // M must be a multiple; packing granule
// f32 lanes per row vector (N): 32 (two AVX-512 registers), or 16 for rows
// of at most 16 elements, which 32 lanes would mostly mask off.
constexpr int64_t kWideLanes = 32, kNarrowLanes = 16;

/// The stationary tile packed and widened to f32 once: its K rows are a
/// partition stride apart, and every lane block reads all of them. Rows
/// with a stride (a transposed view, a filter tap read where it is) are
/// gathered kChunk columns at a time, column chunks outside: a chunk's
/// elements then lie on kChunk pages for the whole contraction, where a K
/// row would touch one page per column.
Value packStationary(OpBuilder &builder, Location loc, Value stationary,
                     int64_t rows, Value contraction) {
  auto stationaryType = cast<MemRefType>(stationary.getType());
  Type f32 = builder.getF32Type();
  Value weights = allocLineAligned(
      builder, loc, MemRefType::get({kMaxPartitions, rows}, f32));
  auto chunkType = VectorType::get({kChunk}, stationaryType.getElementType());
  auto f32ChunkType = VectorType::get({kChunk}, f32);
  Value c0 = constantIndex(builder, loc, 0),
        c1 = constantIndex(builder, loc, 1);
  if (hasContiguousRows(stationaryType)) {
    scf::ForOp::create(
        builder, loc, c0, contraction, c1, ValueRange{},
        [&](OpBuilder &b, Location nested, Value k, ValueRange) {
          for (int64_t m = 0; m < rows; m += kChunk) {
            Value at = arith::ConstantIndexOp::create(b, nested, m);
            Value chunk = vector::LoadOp::create(b, nested, chunkType,
                                                 stationary, ValueRange{k, at});
            vector::StoreOp::create(b, nested,
                                    castFloat(b, nested, chunk, f32ChunkType),
                                    weights, ValueRange{k, at});
          }
          scf::YieldOp::create(b, nested);
        });
    return weights;
  }
  SmallVector<int64_t> strides;
  getSpan(stationaryType, strides);
  Value span = viewAsSpan(builder, loc, stationary);
  auto offsetType = VectorType::get({kChunk}, builder.getI32Type());
  SmallVector<int32_t> columns;
  for (int64_t i = 0; i < kChunk; ++i)
    columns.push_back(i * strides[1]);
  Value offsets = arith::ConstantOp::create(
      builder, loc, offsetType,
      DenseElementsAttr::get(offsetType, ArrayRef(columns)));
  auto maskType = VectorType::get({kChunk}, builder.getI1Type());
  Value mask = arith::ConstantOp::create(
      builder, loc, maskType,
      DenseElementsAttr::get(maskType, builder.getBoolAttr(true)));
  Value passThrough = arith::ConstantOp::create(
      builder, loc, chunkType,
      DenseElementsAttr::get(
          chunkType,
          builder.getFloatAttr(stationaryType.getElementType(), 0.0)));
  scf::ForOp::create(
      builder, loc, c0, constantIndex(builder, loc, rows),
      constantIndex(builder, loc, kChunk), ValueRange{},
      [&](OpBuilder &b, Location nested, Value m, ValueRange) {
        Value chunkStart = arith::MulIOp::create(
            b, nested, m, constantIndex(b, nested, strides[1]));
        scf::ForOp::create(
            b, nested, c0, contraction, c1, ValueRange{},
            [&](OpBuilder &e, Location at, Value k, ValueRange) {
              Value start = arith::AddIOp::create(
                  e, at, chunkStart,
                  arith::MulIOp::create(e, at, k,
                                        constantIndex(e, at, strides[0])));
              Value chunk = vector::GatherOp::create(e, at, chunkType, span,
                                                     ValueRange{start}, offsets,
                                                     mask, passThrough);
              vector::StoreOp::create(e, at,
                                      castFloat(e, at, chunk, f32ChunkType),
                                      weights, ValueRange{k, m});
              scf::YieldOp::create(e, at);
            });
        scf::YieldOp::create(b, nested);
      });
  return weights;
}

/// The moving tile's free dims as one lane axis: when its rows are shorter
/// than a lane block (a 7- or 14-wide window row, a strided conv's window)
/// and the target's free dims are one contiguous run, lanes run across rows,
/// gathered from the window, instead of masking most of every row's block.
/// Needs a moving view getSpan accepts.
struct FlatLanes {
  Value target;  // the target with its free dims collapsed
  int64_t lanes; // product of the free dims
  SmallVector<int64_t> sizes, strides; // of the moving view's free dims
  int64_t partitionStride;
};

std::optional<FlatLanes> flattenFreeDims(OpBuilder &builder, Location loc,
                                         MemRefType moving, Value target,
                                         int64_t wideLanes) {
  int64_t rank = moving.getRank();
  SmallVector<int64_t> strides;
  if (rank < 3 || !getSpan(moving, strides) ||
      moving.getShape().back() >= wideLanes)
    return std::nullopt;
  auto targetType = cast<MemRefType>(target.getType());
  SmallVector<ReassociationIndices> freeDims = {{0}, {}};
  for (int64_t d = 1; d < rank; ++d)
    freeDims[1].push_back(d);
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(targetType, freeDims))
    return std::nullopt;
  FlatLanes flat;
  flat.target = memref::CollapseShapeOp::create(builder, loc, target, freeDims);
  flat.lanes = 1;
  for (int64_t d = 1; d < rank; ++d) {
    flat.lanes *= moving.getDimSize(d);
    flat.sizes.push_back(moving.getDimSize(d));
    flat.strides.push_back(strides[d]);
  }
  flat.partitionStride = strides[0];
  return flat;
}

/// Element offsets, from the start of a K row of the window, of the lanes
/// [lane0, lane0 + width) of a flattened lane block.
Value laneOffsets(OpBuilder &b, Location loc, const FlatLanes &flat,
                  Value lane0, int64_t width) {
  auto type = VectorType::get({width}, b.getI32Type());
  auto splat = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
  };
  SmallVector<int32_t> iota(width);
  for (int64_t i = 0; i < width; ++i)
    iota[i] = i;
  Value first = arith::IndexCastOp::create(b, loc, b.getI32Type(), lane0);
  Value lane = arith::AddIOp::create(
      b, loc,
      arith::ConstantOp::create(b, loc, type,
                                DenseElementsAttr::get(type, ArrayRef(iota))),
      vector::BroadcastOp::create(b, loc, type, first));
  Value offsets = splat(0);
  for (int64_t d = flat.sizes.size() - 1; d >= 0; --d) {
    Value index = arith::RemUIOp::create(b, loc, lane, splat(flat.sizes[d]));
    lane = arith::DivUIOp::create(b, loc, lane, splat(flat.sizes[d]));
    offsets = arith::AddIOp::create(
        b, loc, offsets,
        arith::MulIOp::create(b, loc, index, splat(flat.strides[d])));
  }
  return offsets;
}

/// One lane block of the moving tile, packed, and what its row tiles share.
struct LaneBlock {
  VectorType accType;
  int64_t tileRows;
  Value target, packed, weights, contraction, mask, zero;
  SmallVector<Value> outerFree;
  Value lane0;
  /// Where the block's lanes start in a packed row (packRows: at lane0).
  Value packedColumn;
};

/// Rows [row0, row0 + tileRows) of the lane block: the accumulators (loaded
/// when the matmul accumulates) take one FMA per K row, then are stored.
void emitRowTile(OpBuilder &builder, Location loc, MatmulOp op,
                 const LaneBlock &block, Value row0) {
  Value target = block.target;
  Value c0 = constantIndex(builder, loc, 0);
  Type f32 = builder.getF32Type();
  auto targetIndices = [&](Value row) {
    SmallVector<Value> indices = {row};
    llvm::append_range(indices, block.outerFree);
    indices.push_back(block.lane0);
    return indices;
  };
  SmallVector<Value> rowIndex, accs;
  for (int64_t i = 0; i < block.tileRows; ++i) {
    rowIndex.push_back(arith::AddIOp::create(builder, loc, row0,
                                             constantIndex(builder, loc, i)));
    accs.push_back(op.isAccumulate() ? vector::MaskedLoadOp::create(
                                           builder, loc, block.accType, target,
                                           targetIndices(rowIndex.back()),
                                           block.mask, block.zero)
                                           .getResult()
                                     : block.zero);
  }
  auto kLoop = scf::ForOp::create(
      builder, loc, c0, block.contraction, constantIndex(builder, loc, 1), accs,
      [&](OpBuilder &b, Location nested, Value k, ValueRange iterAccs) {
        Value row = vector::LoadOp::create(
            b, nested, block.accType, block.packed,
            ValueRange{k, block.packedColumn ? block.packedColumn : c0});
        SmallVector<Value> next;
        for (int64_t i = 0; i < block.tileRows; ++i) {
          Value weight =
              castFloat(b, nested,
                        memref::LoadOp::create(b, nested, block.weights,
                                               ValueRange{k, rowIndex[i]}),
                        f32);
          Value splat =
              vector::BroadcastOp::create(b, nested, block.accType, weight);
          next.push_back(
              vector::FMAOp::create(b, nested, splat, row, iterAccs[i]));
        }
        scf::YieldOp::create(b, nested, next);
      });
  for (int64_t i = 0; i < block.tileRows; ++i)
    vector::MaskedStoreOp::create(builder, loc, target,
                                  targetIndices(rowIndex[i]), block.mask,
                                  kLoop.getResult(i));
}

/// f32 lanes of one vdpbf16ps: a 512-bit accumulator.
constexpr int64_t kDotLanes = 16;

/// Contraction rows 2 pair and 2 pair + 1 of a pair kernel, and the mask of
/// the odd one's lanes: `laneMask` (all lanes when null) where it exists,
/// none past an odd K, so that its masked load reads nothing there.
struct RowPair {
  Value even, odd, oddMask;
};
RowPair getRowPair(OpBuilder &b, Location loc, Value pair, Value contraction,
                   VectorType maskType, Value laneMask = {}) {
  Value even = arith::MulIOp::create(b, loc, pair, constantIndex(b, loc, 2));
  Value odd = arith::AddIOp::create(b, loc, even, constantIndex(b, loc, 1));
  Value oddExists = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          odd, contraction);
  Value oddMask = vector::BroadcastOp::create(b, loc, maskType, oddExists);
  if (laneMask)
    oddMask = arith::AndIOp::create(b, loc, laneMask, oddMask);
  return {even, odd, oddMask};
}

/// The indices after the partition dim of moving row `row` (a point of the
/// outer free dims, flattened in order), then 0: where the row starts.
SmallVector<Value> getRowStart(OpBuilder &b, Location loc, MemRefType moving,
                               Value row) {
  SmallVector<Value> indices;
  Value rest = row;
  for (int64_t d = moving.getRank() - 2; d >= 1; --d) {
    Value size = constantIndex(b, loc, moving.getDimSize(d));
    indices.insert(indices.begin(), arith::RemUIOp::create(b, loc, rest, size));
    rest = arith::DivUIOp::create(b, loc, rest, size);
  }
  indices.push_back(constantIndex(b, loc, 0));
  return indices;
}

/// Masked loads of the first `length` lanes of moving rows into vectors of
/// `type`, zeros in the other lanes: what the packers read.
struct RowLoad {
  VectorType type;
  Value zero, mask;

  RowLoad(OpBuilder &b, Location loc, VectorType type, int64_t length)
      : type(type),
        zero(arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type))),
        mask(vector::ConstantMaskOp::create(
            b, loc, VectorType::get(type.getShape(), b.getI1Type()),
            ArrayRef<int64_t>{length})) {}

  /// Moving row `k` from `rowStart` (getRowStart) on, under `laneMask`
  /// (default: the first `length` lanes).
  Value load(OpBuilder &b, Location loc, Value moving, Value k,
             ArrayRef<Value> rowStart, Value laneMask = {}) const {
    SmallVector<Value> indices = {k};
    llvm::append_range(indices, rowStart);
    return vector::MaskedLoadOp::create(b, loc, type, moving, indices,
                                        laneMask ? laneMask : mask, zero);
  }
};

/// Zeros in row `row` of `packed` from column `from` to its end: the tail
/// the last lane block reads but never stores.
void zeroPackedTail(OpBuilder &b, Location loc, Value packed, Value row,
                    int64_t from) {
  auto type = cast<MemRefType>(packed.getType());
  int64_t columns = type.getDimSize(1);
  auto chunkType = VectorType::get({kWideLanes}, type.getElementType());
  auto maskType = VectorType::get({kWideLanes}, b.getI1Type());
  Value zeros =
      arith::ConstantOp::create(b, loc, chunkType, b.getZeroAttr(chunkType));
  for (int64_t column = from; column < columns; column += kWideLanes) {
    int64_t count = std::min<int64_t>(kWideLanes, columns - column);
    vector::MaskedStoreOp::create(
        b, loc, packed, ValueRange{row, constantIndex(b, loc, column)},
        vector::ConstantMaskOp::create(b, loc, maskType,
                                       ArrayRef<int64_t>{count}),
        zeros);
  }
}

/// The bf16 stationary tile as K/2 rows of pairs: element [k', 2m + j] is
/// stationary[2k' + j, m] (zero past an odd K), so that one 32-bit load
/// broadcasts both weights of column m for contraction rows 2k', 2k' + 1.
Value packStationaryPairs(OpBuilder &builder, Location loc, Value stationary,
                          int64_t rows, Value contraction, Value pairCount) {
  Type bf16 = builder.getBF16Type();
  Value weights = allocLineAligned(
      builder, loc, MemRefType::get({kMaxPartitions / 2, 2 * rows}, bf16));
  auto chunkType = VectorType::get({kChunk}, bf16);
  auto maskType = VectorType::get({kChunk}, builder.getI1Type());
  Value c0 = constantIndex(builder, loc, 0),
        c1 = constantIndex(builder, loc, 1);
  Value zero = arith::ConstantOp::create(builder, loc, chunkType,
                                         builder.getZeroAttr(chunkType));
  scf::ForOp::create(
      builder, loc, c0, pairCount, c1, ValueRange{},
      [&](OpBuilder &b, Location nested, Value pair, ValueRange) {
        RowPair rows2 = getRowPair(b, nested, pair, contraction, maskType);
        for (int64_t m = 0; m < rows; m += kChunk) {
          Value at = constantIndex(b, nested, m);
          Value first = vector::LoadOp::create(b, nested, chunkType, stationary,
                                               ValueRange{rows2.even, at});
          Value second = vector::MaskedLoadOp::create(
              b, nested, chunkType, stationary, ValueRange{rows2.odd, at},
              rows2.oddMask, zero);
          Value paired = vector::InterleaveOp::create(b, nested, first, second);
          vector::StoreOp::create(
              b, nested, paired, weights,
              ValueRange{pair, constantIndex(b, nested, 2 * m)});
        }
        scf::YieldOp::create(b, nested);
      });
  return weights;
}

/// packRows for the f32 kernel: `packed[k, l]` = moving row k at flattened
/// lane l, widened to f32 (zero from the last lane to the end of the
/// buffer): per K row and moving row (a point of the outer free dims), one
/// masked row load stored with a mask at the row's place.
void packFlatRows(OpBuilder &builder, Location loc, Value moving, Value packed,
                  const FlatLanes &flat, Value contraction) {
  auto movingType = cast<MemRefType>(moving.getType());
  int64_t rowLength = flat.sizes.back();
  int64_t rowsTotal = flat.lanes / rowLength;
  auto wideType = VectorType::get({kNarrowLanes}, builder.getF32Type());
  Value c0 = constantIndex(builder, loc, 0),
        c1 = constantIndex(builder, loc, 1);
  RowLoad rows(builder, loc,
               VectorType::get({kNarrowLanes}, movingType.getElementType()),
               rowLength);
  scf::ForOp::create(
      builder, loc, c0, contraction, c1, ValueRange{},
      [&](OpBuilder &b, Location nested, Value k, ValueRange) {
        scf::ForOp::create(
            b, nested, c0, constantIndex(b, nested, rowsTotal), c1,
            ValueRange{},
            [&](OpBuilder &e, Location at, Value row, ValueRange) {
              Value values =
                  castFloat(e, at,
                            rows.load(e, at, moving, k,
                                      getRowStart(e, at, movingType, row)),
                            wideType);
              Value column = arith::MulIOp::create(
                  e, at, row, constantIndex(e, at, rowLength));
              vector::MaskedStoreOp::create(
                  e, at, packed, ValueRange{k, column}, rows.mask, values);
              scf::YieldOp::create(e, at);
            });
        zeroPackedTail(b, nested, packed, k, flat.lanes);
        scf::YieldOp::create(b, nested);
      });
}

/// packRows: `packed[k', 2 l + j]` = moving row 2k' + j at flattened lane l
/// (zero past an odd K, and from the last lane to the end of the buffer):
/// per pair and moving row (a point of the outer free dims), two masked row
/// loads interleaved and stored with a mask at the row's place.
void packPairedRows(OpBuilder &builder, Location loc, Value moving,
                    Value packed, const FlatLanes &flat, Value contraction,
                    Value pairCount) {
  auto movingType = cast<MemRefType>(moving.getType());
  int64_t rowLength = flat.sizes.back();
  int64_t rowsTotal = flat.lanes / rowLength;
  auto rowMaskType = VectorType::get({kDotLanes}, builder.getI1Type());
  auto pairMaskType = VectorType::get({2 * kDotLanes}, builder.getI1Type());
  Value c0 = constantIndex(builder, loc, 0),
        c1 = constantIndex(builder, loc, 1);
  RowLoad rows(builder, loc,
               VectorType::get({kDotLanes}, builder.getBF16Type()), rowLength);
  Value pairMask = vector::ConstantMaskOp::create(
      builder, loc, pairMaskType, ArrayRef<int64_t>{2 * rowLength});
  scf::ForOp::create(
      builder, loc, c0, pairCount, c1, ValueRange{},
      [&](OpBuilder &b, Location nested, Value pair, ValueRange) {
        RowPair rows2 =
            getRowPair(b, nested, pair, contraction, rowMaskType, rows.mask);
        scf::ForOp::create(
            b, nested, c0, constantIndex(b, nested, rowsTotal), c1,
            ValueRange{},
            [&](OpBuilder &e, Location at, Value row, ValueRange) {
              SmallVector<Value> rowStart = getRowStart(e, at, movingType, row);
              Value paired = vector::InterleaveOp::create(
                  e, at, rows.load(e, at, moving, rows2.even, rowStart),
                  rows.load(e, at, moving, rows2.odd, rowStart, rows2.oddMask));
              Value column = arith::MulIOp::create(
                  e, at, row, constantIndex(e, at, 2 * rowLength));
              vector::MaskedStoreOp::create(
                  e, at, packed, ValueRange{pair, column}, pairMask, paired);
              scf::YieldOp::create(e, at);
            });
        zeroPackedTail(b, nested, packed, pair, 2 * flat.lanes);
        scf::YieldOp::create(b, nested);
      });
}

/// Where one 16-lane part of a pair lane block lives in the target: its
/// free-dim indices (the outer ones and the first lane) and lane mask.
struct PartAccess {
  SmallVector<Value> freeIndices;
  Value mask;
};

/// emitRowTile for bf16 pairs: `block.packed` holds K/2 rows of interleaved
/// moving pairs, 32 bf16 per part from `movingColumn` on, and
/// `block.weights` the stationary pairs; every step is one vdpbf16ps
/// (x86vector.avx512.dot) per part and row, two contraction rows at once.
void emitPairRowTile(OpBuilder &builder, Location loc, MatmulOp op,
                     const LaneBlock &block, ArrayRef<PartAccess> parts,
                     Value row0, Value pairCount, Value movingColumn) {
  Value target = block.target;
  int64_t numParts = parts.size();
  Type f32 = builder.getF32Type();
  auto partType = VectorType::get({kDotLanes}, f32);
  auto pairType = VectorType::get({2 * kDotLanes}, builder.getBF16Type());
  auto wordType = VectorType::get({1}, builder.getI32Type());
  auto wordsType = VectorType::get({kDotLanes}, builder.getI32Type());
  auto twoType = VectorType::get({2}, builder.getBF16Type());
  Value c0 = constantIndex(builder, loc, 0);
  Value zero = arith::ConstantOp::create(builder, loc, partType,
                                         builder.getZeroAttr(partType));
  auto targetIndices = [&](Value row, const PartAccess &part) {
    SmallVector<Value> indices = {row};
    llvm::append_range(indices, part.freeIndices);
    return indices;
  };
  SmallVector<Value> rowIndex, accs;
  for (int64_t i = 0; i < block.tileRows; ++i) {
    rowIndex.push_back(arith::AddIOp::create(builder, loc, row0,
                                             constantIndex(builder, loc, i)));
    for (const PartAccess &part : parts)
      accs.push_back(op.isAccumulate()
                         ? vector::MaskedLoadOp::create(
                               builder, loc, partType, target,
                               targetIndices(rowIndex.back(), part), part.mask,
                               zero)
                               .getResult()
                         : zero);
  }
  auto pairLoop = scf::ForOp::create(
      builder, loc, c0, pairCount, constantIndex(builder, loc, 1), accs,
      [&](OpBuilder &b, Location nested, Value pair, ValueRange iterAccs) {
        SmallVector<Value> moving;
        for (int64_t p = 0; p < numParts; ++p)
          moving.push_back(vector::LoadOp::create(
              b, nested, pairType, block.packed,
              ValueRange{pair, arith::AddIOp::create(
                                   b, nested, movingColumn,
                                   constantIndex(b, nested, 2 * p * kDotLanes))
                                   .getResult()}));
        SmallVector<Value> next;
        for (int64_t i = 0; i < block.tileRows; ++i) {
          Value column = arith::MulIOp::create(b, nested, rowIndex[i],
                                               constantIndex(b, nested, 2));
          Value two = vector::LoadOp::create(b, nested, twoType, block.weights,
                                             ValueRange{pair, column});
          Value word = vector::ExtractOp::create(
              b, nested, vector::BitCastOp::create(b, nested, wordType, two),
              ArrayRef<int64_t>{0});
          Value weights = vector::BitCastOp::create(
              b, nested, pairType,
              vector::BroadcastOp::create(b, nested, wordsType, word));
          for (int64_t p = 0; p < numParts; ++p)
            next.push_back(x86vector::DotBF16Op::create(
                b, nested, partType, iterAccs[i * numParts + p], weights,
                moving[p]));
        }
        scf::YieldOp::create(b, nested, next);
      });
  for (int64_t i = 0; i < block.tileRows; ++i)
    for (auto [p, part] : llvm::enumerate(parts))
      vector::MaskedStoreOp::create(builder, loc, target,
                                    targetIndices(rowIndex[i], part), part.mask,
                                    pairLoop.getResult(i * numParts + p));
}

/// The stationary tile as the f32 kernel reads it: packed and widened to
/// f32 once (its K rows are a partition stride apart, and every lane block
/// reads all of them); a dense f32 tile where it is; strided rows where they
/// are for at most two lane blocks, gathered once for more.
Value prepareStationary(OpBuilder &builder, Location loc, Value stationary,
                        int64_t rows, Value contraction, int64_t laneBlocks) {
  auto type = cast<MemRefType>(stationary.getType());
  if (type.getElementType().isF32() &&
      memref::isStaticShapeAndContiguousRowMajor(type))
    return stationary;
  SmallVector<int64_t> strides;
  bool gatherOnce = getSpan(type, strides) &&
                    (ShapedType::isDynamic(laneBlocks) || laneBlocks > 2);
  if (hasContiguousRows(type) || gatherOnce)
    return packStationary(builder, loc, stationary, rows, contraction);
  return stationary;
}

/// The 16-lane parts of a pair lane block from `lane0` (lanes outside
/// `mask` masked off).
SmallVector<PartAccess> getLaneParts(OpBuilder &builder, Location loc,
                                     ArrayRef<Value> outerFree, Value lane0,
                                     Value mask) {
  SmallVector<PartAccess> parts;
  int64_t lanes = cast<VectorType>(mask.getType()).getDimSize(0);
  for (int64_t p = 0; p < lanes / kDotLanes; ++p) {
    PartAccess part;
    llvm::append_range(part.freeIndices, outerFree);
    part.freeIndices.push_back(arith::AddIOp::create(
        builder, loc, lane0, constantIndex(builder, loc, p * kDotLanes)));
    part.mask = vector::ExtractStridedSliceOp::create(
        builder, loc, mask, ArrayRef<int64_t>{p * kDotLanes},
        ArrayRef<int64_t>{kDotLanes}, ArrayRef<int64_t>{1});
    parts.push_back(part);
  }
  return parts;
}

/// The moving tile's rows for one lane block: where they are and how a row
/// is read (gathered from a flattened window, or loaded at the free-dim
/// indices), and the packed block they go to.
struct MovingBlock {
  Value moving, packed, contraction;
  VectorType rowType; // kTileLanes elements of the moving type
  Value zeroRow;
  // Gathered lanes (a flattened window): the window as one run, the lanes'
  // offsets in a K row, the K rows' distance; null otherwise.
  Value window, offsets, partitionStride;
  SmallVector<Value> freeIndices; // outer free dims, then the first lane
  Value mask, width;              // lanes of the block that exist

  /// Row k of the block in the moving element type, lanes outside
  /// `rowMask` zero: gathered, or loaded (rows must be contiguous).
  Value fetchRow(OpBuilder &b, Location loc, Value k, Value rowMask) const {
    if (window) {
      Value rowStart = arith::MulIOp::create(b, loc, k, partitionStride);
      return vector::GatherOp::create(b, loc, rowType, window,
                                      ValueRange{rowStart}, offsets, rowMask,
                                      zeroRow);
    }
    SmallVector<Value> indices = {k};
    llvm::append_range(indices, freeIndices);
    return vector::MaskedLoadOp::create(b, loc, rowType, moving, indices,
                                        rowMask, zeroRow);
  }
};

/// The f32 kernel's K x lanes block: each row fetched and widened to f32,
/// or (strided rows) copied element by element.
void packMovingBlock(OpBuilder &builder, Location loc,
                     const MovingBlock &block) {
  Type f32 = builder.getF32Type();
  auto widened = VectorType::get({block.rowType.getDimSize(0)}, f32);
  Value c0 = constantIndex(builder, loc, 0),
        c1 = constantIndex(builder, loc, 1);
  bool loadsRows = block.window ||
                   hasContiguousRows(cast<MemRefType>(block.moving.getType()));
  scf::ForOp::create(
      builder, loc, c0, block.contraction, c1, ValueRange{},
      [&](OpBuilder &b, Location nested, Value k, ValueRange) {
        if (loadsRows) {
          Value row = castFloat(
              b, nested, block.fetchRow(b, nested, k, block.mask), widened);
          vector::StoreOp::create(b, nested, row, block.packed,
                                  ValueRange{k, c0});
          scf::YieldOp::create(b, nested);
          return;
        }
        vector::StoreOp::create(b, nested,
                                arith::ConstantOp::create(
                                    b, nested, widened, b.getZeroAttr(widened)),
                                block.packed, ValueRange{k, c0});
        scf::ForOp::create(
            b, nested, c0, block.width, c1, ValueRange{},
            [&](OpBuilder &e, Location at, Value lane, ValueRange) {
              SmallVector<Value> indices = {k};
              llvm::append_range(indices, block.freeIndices);
              indices.back() =
                  arith::AddIOp::create(e, at, indices.back(), lane);
              Value element = castFloat(
                  e, at, memref::LoadOp::create(e, at, block.moving, indices),
                  f32);
              memref::StoreOp::create(e, at, element, block.packed,
                                      ValueRange{k, lane});
              scf::YieldOp::create(e, at);
            });
        scf::YieldOp::create(b, nested);
      });
}

/// The pair kernel's block: rows 2k' and 2k' + 1 interleaved (the odd one
/// zero past an odd K), one packed row per pair.
void packMovingPairs(OpBuilder &builder, Location loc, const MovingBlock &block,
                     Value pairCount) {
  auto maskType = cast<VectorType>(block.mask.getType());
  Value c0 = constantIndex(builder, loc, 0),
        c1 = constantIndex(builder, loc, 1);
  scf::ForOp::create(
      builder, loc, c0, pairCount, c1, ValueRange{},
      [&](OpBuilder &b, Location nested, Value pair, ValueRange) {
        RowPair rows2 = getRowPair(b, nested, pair, block.contraction, maskType,
                                   block.mask);
        Value paired = vector::InterleaveOp::create(
            b, nested, block.fetchRow(b, nested, rows2.even, block.mask),
            block.fetchRow(b, nested, rows2.odd, rows2.oddMask));
        vector::StoreOp::create(b, nested, paired, block.packed,
                                ValueRange{pair, c0});
        scf::YieldOp::create(b, nested);
      });
}

/// packRows: the last `tailLanes` (at most 16) lanes of the flattened
/// target, from lane `tail0` on, as a block of one 16-lane part, 16 rows
/// (8 when M is not a multiple of 16) of one dot each.
void emitPairTail(OpBuilder &builder, Location loc, MatmulOp op,
                  LaneBlock block, int64_t rows, Value tail0, int64_t tailLanes,
                  Value pairCount) {
  auto maskType = VectorType::get({kDotLanes}, builder.getI1Type());
  PartAccess part{{tail0},
                  vector::ConstantMaskOp::create(builder, loc, maskType,
                                                 ArrayRef<int64_t>{tailLanes})};
  Value column = arith::MulIOp::create(builder, loc, tail0,
                                       constantIndex(builder, loc, 2));
  block.tileRows = rows % 16 == 0 ? 16 : 8;
  auto rowLoop =
      scf::ForOp::create(builder, loc, constantIndex(builder, loc, 0),
                         constantIndex(builder, loc, rows),
                         constantIndex(builder, loc, block.tileRows));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(rowLoop.getBody());
  emitPairRowTile(builder, loc, op, block, part, rowLoop.getInductionVar(),
                  pairCount, column);
}

struct MatmulToVector : OpRewritePattern<MatmulOp> {
  MatmulToVector(MLIRContext *context, bool dotBF16)
      : OpRewritePattern(context, /*benefit=*/2), dotBF16(dotBF16) {}

  /// bf16 x bf16 matmuls on vdpbf16ps (AVX512_BF16) instead of widening.
  bool dotBF16;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Value stationary = op.getStationary(), moving = op.getMoving(),
          target = op.getTarget();
    auto stationaryType = cast<MemRefType>(stationary.getType());
    auto movingType = cast<MemRefType>(moving.getType());
    auto targetType = cast<MemRefType>(target.getType());
    int64_t rows = stationaryType.getDimSize(1);
    // Ragged channel tiles (dynamic M) and non-contiguous target rows keep
    // the generic lowering. Strided moving rows (a strided conv's window)
    // are packed element by element: O(K N) next to O(K M N) FMAs.
    if (ShapedType::isDynamic(rows) || rows % kChunk != 0 ||
        !targetType.getElementType().isF32() || !hasContiguousRows(targetType))
      return rewriter.notifyMatchFailure(op, "not a regular tile");

    Location loc = op.getLoc();
    // bf16 operands: vdpbf16ps on pairs of contraction rows.
    bool pairOperands = dotBF16 && stationaryType.getElementType().isBF16() &&
                        movingType.getElementType().isBF16() &&
                        hasContiguousRows(stationaryType);
    // Short rows: the free dims as one lane axis, gathered (see FlatLanes).
    // x86 has no 16-bit gather (LLVM loads such lanes one by one), so
    // contiguous 16-bit rows of 8 elements or more are loaded row by row;
    // for pairs of bf16 rows of 8 to 16 elements, all of them are packed end
    // to end once (packRows), and lane blocks then run across rows without
    // the masked-off lanes of a row each.
    bool halfWordRows = movingType.getElementTypeBitWidth() == 16 &&
                        hasContiguousRows(movingType);
    int64_t lastDim = movingType.getShape().back();
    // Contiguous rows of at most 16 elements (8 to 16 for pairs) are packed
    // end to end once per matmul (packRows).
    bool contiguousRows = hasContiguousRows(movingType);
    bool packRows =
        contiguousRows && movingType.hasStaticShape() &&
        movingType.getRank() >= 3 && lastDim <= kNarrowLanes &&
        (!pairOperands || (halfWordRows && lastDim >= kNarrowLanes / 2));
    std::optional<FlatLanes> flat =
        flattenFreeDims(rewriter, loc, movingType, target,
                        packRows       ? std::numeric_limits<int64_t>::max()
                        : halfWordRows ? kNarrowLanes / 2
                                       : kWideLanes);
    packRows &= flat.has_value();
    int64_t rowLength = flat ? flat->lanes : movingType.getShape().back();
    bool narrow =
        !ShapedType::isDynamic(rowLength) && rowLength <= kNarrowLanes;
    const int64_t kTileLanes = narrow ? kNarrowLanes : kWideLanes;
    // 16 one-register rows for short rows, 8 two-register rows otherwise:
    // 16 accumulators either way.
    const int64_t kTileRows = narrow && rows % 16 == 0 ? 16 : 8;
    Type f32 = rewriter.getF32Type();
    auto accType = VectorType::get({kTileLanes}, f32);
    auto maskType = VectorType::get({kTileLanes}, rewriter.getI1Type());
    auto movingVectorType =
        VectorType::get({kTileLanes}, movingType.getElementType());
    Value zero = arith::ConstantOp::create(
        rewriter, loc, accType, DenseElementsAttr::get(accType, 0.0f));
    Value movingZero = arith::ConstantOp::create(
        rewriter, loc, movingVectorType,
        DenseElementsAttr::get(
            movingVectorType,
            rewriter.getFloatAttr(movingType.getElementType(), 0.0)));

    // Pairs need rows that load as vectors (lanes a multiple of 16).
    bool pairs = pairOperands && (flat || hasContiguousRows(movingType));
    int64_t rank = movingType.getRank();

    OpBuilder::InsertionGuard guard(rewriter);
    Value c0 = constantIndex(rewriter, loc, 0),
          c1 = constantIndex(rewriter, loc, 1);
    // The moving tile's K rows sit a partition stride apart; a K x lanes
    // block packed contiguously serves every row tile from a few pages.
    // (Heap, not stack: it is freed with the other buffers of its scope, and
    // an alloca scope would split the enclosing loop's body into blocks
    // before the loops are lowered.)
    Value packed = allocLineAligned(
        rewriter, loc,
        pairs ? MemRefType::get(
                    {kMaxPartitions / 2,
                     packRows ? 2 * static_cast<int64_t>(
                                        llvm::alignTo(flat->lanes, kTileLanes))
                              : 2 * kTileLanes},
                    rewriter.getBF16Type())
              : MemRefType::get({kMaxPartitions,
                                 packRows ? static_cast<int64_t>(llvm::alignTo(
                                                flat->lanes, kTileLanes))
                                          : kTileLanes},
                                f32));
    Value contraction = memref::DimOp::create(rewriter, loc, moving, 0);
    Value pairCount =
        pairs ? arith::CeilDivUIOp::create(rewriter, loc, contraction,
                                           constantIndex(rewriter, loc, 2))
                    .getResult()
              : Value();
    // Moving lane blocks per matmul: how often the stationary tile is read.
    int64_t laneBlocks = ShapedType::isDynamic(rowLength)
                             ? ShapedType::kDynamic
                             : llvm::divideCeil(rowLength, kTileLanes);
    for (int64_t d = 1; !flat && d + 1 < rank; ++d)
      laneBlocks = ShapedType::isDynamic(movingType.getDimSize(d))
                       ? ShapedType::kDynamic
                       : laneBlocks * movingType.getDimSize(d);
    Value weights = pairs ? packStationaryPairs(rewriter, loc, stationary, rows,
                                                contraction, pairCount)
                          : prepareStationary(rewriter, loc, stationary, rows,
                                              contraction, laneBlocks);

    // packRows: every moving row, rows 2k' and 2k' + 1 interleaved (the odd
    // one zero past an odd K), end to end in the lane order of the
    // flattened target; the tail up to a whole lane block is zero.
    if (packRows && pairs)
      packPairedRows(rewriter, loc, moving, packed, *flat, contraction,
                     pairCount);
    else if (packRows)
      packFlatRows(rewriter, loc, moving, packed, *flat, contraction);

    // The free dims before the last one, one point at a time.
    SmallVector<Value> outerFree;
    for (int64_t d = 1; !flat && d + 1 < rank; ++d) {
      Value size = memref::DimOp::create(rewriter, loc, moving, d);
      auto loop = scf::ForOp::create(rewriter, loc, c0, size, c1);
      outerFree.push_back(loop.getInductionVar());
      rewriter.setInsertionPointToStart(loop.getBody());
    }
    Value lanes = flat ? constantIndex(rewriter, loc, flat->lanes)
                       : memref::DimOp::create(rewriter, loc, moving, rank - 1);
    // Gathered lanes read the window as one unit-stride run of its buffer.
    bool gathered = flat && !packRows;
    Value window = gathered ? viewAsSpan(rewriter, loc, moving) : Value();
    // Lanes outside rows: a K x lanes block of the moving tile stays in the
    // L1 cache while every row tile of the stationary one passes by.
    // packRows: a last block of at most 16 lanes gets a tile of its own,
    // one dot per row, instead of a mostly masked 32-lane block.
    int64_t tailLanes = packRows && pairs && kTileLanes == 2 * kDotLanes &&
                                flat->lanes % kTileLanes &&
                                flat->lanes % kTileLanes <= kDotLanes
                            ? flat->lanes % kTileLanes
                            : 0;
    Value blockLanes =
        tailLanes ? constantIndex(rewriter, loc, flat->lanes - tailLanes)
                  : lanes;
    auto laneLoop =
        scf::ForOp::create(rewriter, loc, c0, blockLanes,
                           constantIndex(rewriter, loc, kTileLanes));
    if (tailLanes) {
      OpBuilder::InsertionGuard atTail(rewriter);
      rewriter.setInsertionPointAfter(laneLoop);
      LaneBlock tail{accType, 0,           flat->target, packed,
                     weights, contraction, Value(),      zero,
                     {},      blockLanes,  Value()};
      emitPairTail(rewriter, loc, op, tail, rows, blockLanes, tailLanes,
                   pairCount);
    }
    rewriter.setInsertionPointToStart(laneLoop.getBody());
    Value lane0 = laneLoop.getInductionVar();
    Value left = arith::SubIOp::create(rewriter, loc, lanes, lane0);
    Value width = arith::MinSIOp::create(
        rewriter, loc, left, constantIndex(rewriter, loc, kTileLanes));
    Value mask = vector::CreateMaskOp::create(rewriter, loc, maskType,
                                              ValueRange{width});
    MovingBlock rowsIn;
    rowsIn.moving = moving;
    rowsIn.packed = packed;
    rowsIn.contraction = contraction;
    rowsIn.rowType = movingVectorType;
    rowsIn.zeroRow = movingZero;
    if (gathered) {
      rowsIn.window = window;
      rowsIn.offsets = laneOffsets(rewriter, loc, *flat, lane0, kTileLanes);
      rowsIn.partitionStride =
          constantIndex(rewriter, loc, flat->partitionStride);
    }
    rowsIn.freeIndices = outerFree;
    rowsIn.freeIndices.push_back(lane0);
    rowsIn.mask = mask;
    rowsIn.width = width;
    if (!packRows && !pairs)
      packMovingBlock(rewriter, loc, rowsIn);
    else if (!packRows)
      packMovingPairs(rewriter, loc, rowsIn, pairCount);
    SmallVector<PartAccess> parts;
    if (pairs)
      parts = getLaneParts(rewriter, loc, outerFree, lane0, mask);
    // Where the lane block's pairs start in the packed moving rows.
    // (Pairs take two bf16 per lane.)
    Value movingColumn =
        !packRows ? c0
        : pairs   ? arith::MulIOp::create(rewriter, loc, lane0,
                                          constantIndex(rewriter, loc, 2))
                        .getResult()
                  : lane0;
    auto rowLoop = scf::ForOp::create(rewriter, loc, c0,
                                      constantIndex(rewriter, loc, rows),
                                      constantIndex(rewriter, loc, kTileRows));
    rewriter.setInsertionPointToStart(rowLoop.getBody());

    LaneBlock block{accType, kTileRows,   flat ? flat->target : target,
                    packed,  weights,     contraction,
                    mask,    zero,        outerFree,
                    lane0,   movingColumn};
    if (pairs)
      emitPairRowTile(rewriter, loc, op, block, parts,
                      rowLoop.getInductionVar(), pairCount, movingColumn);
    else
      emitRowTile(rewriter, loc, op, block, rowLoop.getInductionVar());
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void mlir::nki::populateNKIMatmulToVectorPatterns(RewritePatternSet &patterns,
                                                  bool dotBF16) {
  patterns.add<MatmulToVector>(patterns.getContext(), dotBF16);
}
