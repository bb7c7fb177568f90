//===- NaiveConv2d.cpp - The seed's naive fused conv2d kernel ---*- C++ -*-===//

#include "nki/Conversion/LinalgToNKI/LinalgToNKI.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr int64_t kPartitions = 128;
constexpr int64_t kSpatialPartition = 512; // output positions per PSUM tile

/// Emits the kernel body; one method per part of the naive kernel.
class NaiveConvBuilder {
public:
  NaiveConvBuilder(OpBuilder &b, Location loc, const Conv2dShape &shape)
      : b(b), loc(loc), shape(shape), type(shape.elementType) {}

  void build(Value x, Value w, Value bias, Value out);

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  /// `for %iv = 0 to count`, marked affine_range; the builder moves inside.
  Value loop(int64_t count) {
    auto forOp = scf::ForOp::create(b, loc, index(0), index(count), index(1));
    forOp->setAttr(NKIDialect::getAffineRangeAttrName(), b.getUnitAttr());
    b.setInsertionPointToStart(forOp.getBody());
    return forOp.getInductionVar();
  }

  /// Size of the tile starting at `start` of a `total`-long dim cut into
  /// `tile`s: static when every tile is full or there is only one.
  OpFoldResult tileSize(Value start, int64_t total, int64_t tile) {
    if (total % tile == 0)
      return b.getIndexAttr(tile);
    if (total < tile)
      return b.getIndexAttr(total);
    Value rest = arith::SubIOp::create(b, loc, index(total), start);
    return arith::MinSIOp::create(b, loc, index(tile), rest).getResult();
  }

  Value alloc(ArrayRef<int64_t> shape, MemorySpace space, Type elementType) {
    auto memorySpace = MemorySpaceAttr::get(b.getContext(), space);
    return memref::AllocOp::create(
        b, loc, MemRefType::get(shape, elementType, nullptr, memorySpace));
  }
  Value alloc(ArrayRef<int64_t> shape, MemorySpace space) {
    return alloc(shape, space, type);
  }

  /// A unit-stride view of `source`; `dropDims` are unit dims left out of
  /// the result (rank reduction).
  Value view(Value source, ArrayRef<OpFoldResult> offsets,
             ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> dropDims = {}) {
    SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
    auto sourceType = cast<MemRefType>(source.getType());
    SmallVector<int64_t> resultShape;
    for (auto [dim, size] : llvm::enumerate(sizes))
      if (!llvm::is_contained(dropDims, static_cast<int64_t>(dim)))
        resultShape.push_back(
            getConstantIntValue(size).value_or(ShapedType::kDynamic));
    MemRefType resultType = memref::SubViewOp::inferRankReducedResultType(
        resultShape, sourceType, offsets, sizes, strides);
    return memref::SubViewOp::create(b, loc, resultType, source, offsets, sizes,
                                     strides);
  }

  /// `for i in [0, 512) if i < size:` (the builder moves inside the `if`);
  /// returns i and the flat position start + i.
  std::pair<Value, Value> guardedPositionLoop(Value start, Value size) {
    Value i = loop(kSpatialPartition);
    Value inRange =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, size);
    auto ifOp = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
    b.setInsertionPointToStart(ifOp.thenBlock());
    return {i, arith::AddIOp::create(b, loc, start, i)};
  }

  void convPartition(Value x, Value w, Value bias, Value dest, Value batch,
                     Value oc0, OpFoldResult ocs, Value sp);
  void poolPlane(Value conv, Value out);

  OpBuilder &b;
  Location loc;
  const Conv2dShape &shape;
  Type type;
};

} // namespace

void NaiveConvBuilder::build(Value x, Value w, Value bias, Value out) {
  OpBuilder::InsertionGuard guard(b);
  // With pooling, the conv plane is computed into HBM scratch first.
  Value dest = out;
  if (shape.poolSize > 1)
    dest = memref::AllocOp::create(
        b, loc,
        MemRefType::get({shape.batch, shape.outChannels, shape.convHeight(),
                         shape.convWidth()},
                        type));
  int64_t numPositions = shape.convHeight() * shape.convWidth();
  {
    OpBuilder::InsertionGuard loops(b);
    Value batch = loop(shape.batch);
    Value oc = loop(llvm::divideCeil(shape.outChannels, kPartitions));
    Value oc0 = arith::MulIOp::create(b, loc, oc, index(kPartitions));
    OpFoldResult ocs = tileSize(oc0, shape.outChannels, kPartitions);
    Value sp = loop(llvm::divideCeil(numPositions, kSpatialPartition));
    convPartition(x, w, bias, dest, batch, oc0, ocs, sp);
  }
  // The scratch plane is freed like every other buffer, by the lowering.
  if (shape.poolSize > 1)
    poolPlane(dest, out);
}

void NaiveConvBuilder::convPartition(Value x, Value w, Value bias, Value dest,
                                     Value batch, Value oc0, OpFoldResult ocs,
                                     Value sp) {
  int64_t numPositions = shape.convHeight() * shape.convWidth();
  Value start = arith::MulIOp::create(b, loc, sp, index(kSpatialPartition));
  Value size = getValueOrCreateConstantIndexOp(
      b, loc, tileSize(start, numPositions, kSpatialPartition));
  Type f32 = b.getF32Type();
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult full = b.getIndexAttr(kPartitions);
  OpFoldResult positions = b.getIndexAttr(kSpatialPartition);

  Value acc = alloc({kPartitions, kSpatialPartition}, MemorySpace::psum, f32);
  nki::MemsetOp::create(b, loc, acc, b.getF64FloatAttr(0.0));
  {
    OpBuilder::InsertionGuard loops(b);
    Value ic = loop(llvm::divideCeil(shape.inChannels, kPartitions));
    Value ic0 = arith::MulIOp::create(b, loc, ic, index(kPartitions));
    OpFoldResult ics = tileSize(ic0, shape.inChannels, kPartitions);
    Value fh = loop(shape.filterHeight);
    Value fw = loop(shape.filterWidth);

    // The weight tile [oc, ic] at tap (fh, fw).
    Value wTile = alloc({kPartitions, kPartitions}, MemorySpace::sbuf);
    nki::DmaCopyOp::create(
        b, loc, view(w, {oc0, ic0, fh, fw}, {ocs, ics, one, one}, {2, 3}),
        view(wTile, {zero, zero}, {ocs, ics}));

    // The whole shifted plane X[b, ic, fh:fh+OH, fw:fw+OW].
    OpFoldResult oh = b.getIndexAttr(shape.convHeight());
    OpFoldResult ow = b.getIndexAttr(shape.convWidth());
    Value plane = alloc({kPartitions, shape.convHeight(), shape.convWidth()},
                        MemorySpace::sbuf);
    nki::DmaCopyOp::create(
        b, loc, view(x, {batch, ic0, fh, fw}, {one, ics, oh, ow}, {0}),
        view(plane, {zero, zero, zero}, {ics, oh, ow}));
    Value flat = memref::CollapseShapeOp::create(
        b, loc, plane, ArrayRef<ReassociationIndices>{{0}, {1, 2}});

    // Copy this partition's positions one column at a time.
    Value xTile = alloc({kPartitions, kSpatialPartition}, MemorySpace::sbuf);
    {
      OpBuilder::InsertionGuard copyLoop(b);
      auto [i, position] = guardedPositionLoop(start, size);
      nki::TensorCopyOp::create(b, loc,
                                view(flat, {zero, position}, {full, one}),
                                view(xTile, {zero, i}, {full, one}));
    }

    // Transpose the weights to [ic, oc] and accumulate.
    Value wPsum = alloc({kPartitions, kPartitions}, MemorySpace::psum);
    nki::TransposeOp::create(b, loc, view(wTile, {zero, zero}, {ocs, ics}),
                             view(wPsum, {zero, zero}, {ics, ocs}));
    Value wT = alloc({kPartitions, kPartitions}, MemorySpace::sbuf);
    nki::TensorCopyOp::create(b, loc, view(wPsum, {zero, zero}, {ics, ocs}),
                              view(wT, {zero, zero}, {ics, ocs}));
    nki::MatmulOp::create(b, loc, MatmulMode::accumulate,
                          view(wT, {zero, zero}, {ics, ocs}),
                          view(xTile, {zero, zero}, {ics, positions}),
                          view(acc, {zero, zero}, {ocs, positions}));
  }

  // Evict PSUM, add the per-channel bias.
  Value res = alloc({kPartitions, kSpatialPartition}, MemorySpace::sbuf);
  nki::TensorCopyOp::create(b, loc, acc, res);
  Value biasTile = alloc({kPartitions, 1}, MemorySpace::sbuf);
  Value bias2d = memref::ExpandShapeOp::create(
      b, loc, ArrayRef<int64_t>{shape.outChannels, 1}, bias,
      ArrayRef<ReassociationIndices>{{0, 1}});
  nki::DmaCopyOp::create(b, loc, view(bias2d, {oc0, zero}, {ocs, one}),
                         view(biasTile, {zero, zero}, {ocs, one}));
  Value resRows = view(res, {zero, zero}, {ocs, positions});
  nki::TensorScalarOp::create(b, loc, AluOp::add, resRows,
                              view(biasTile, {zero, zero}, {ocs, one}),
                              resRows);

  // Write back one position per DMA.
  OpBuilder::InsertionGuard storeLoop(b);
  auto [i, position] = guardedPositionLoop(start, size);
  Value width = index(shape.convWidth());
  Value row = arith::DivUIOp::create(b, loc, position, width);
  Value col = arith::RemUIOp::create(b, loc, position, width);
  nki::DmaCopyOp::create(
      b, loc, view(res, {zero, i}, {ocs, one}),
      view(dest, {batch, oc0, row, col}, {one, ocs, one, one}, {0, 2}));
}

void NaiveConvBuilder::poolPlane(Value conv, Value out) {
  OpBuilder::InsertionGuard guard(b);
  int64_t pool = shape.poolSize;
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value batch = loop(shape.batch);
  Value oc = loop(llvm::divideCeil(shape.outChannels, kPartitions));
  Value oc0 = arith::MulIOp::create(b, loc, oc, index(kPartitions));
  OpFoldResult ocs = tileSize(oc0, shape.outChannels, kPartitions);
  Value ph = loop(shape.outHeight());
  // The `pool` conv rows of this output row, then a max over each window.
  int64_t width = pool * shape.outWidth();
  Value rows = alloc({kPartitions, pool, width}, MemorySpace::sbuf);
  Value row0 = arith::MulIOp::create(b, loc, ph, index(pool));
  nki::DmaCopyOp::create(
      b, loc,
      view(conv, {batch, oc0, row0, zero},
           {one, ocs, b.getIndexAttr(pool), b.getIndexAttr(width)}, {0}),
      view(rows, {zero, zero, zero},
           {ocs, b.getIndexAttr(pool), b.getIndexAttr(width)}));
  Value windows = memref::ExpandShapeOp::create(
      b, loc, ArrayRef<int64_t>{kPartitions, pool, shape.outWidth(), pool},
      rows, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value pooled = alloc({kPartitions, shape.outWidth()}, MemorySpace::sbuf);
  OpFoldResult outWidth = b.getIndexAttr(shape.outWidth());
  OpFoldResult poolAttr = b.getIndexAttr(pool);
  nki::TensorReduceOp::create(b, loc, AluOp::max,
                              view(windows, {zero, zero, zero, zero},
                                   {ocs, poolAttr, outWidth, poolAttr}),
                              view(pooled, {zero, zero}, {ocs, outWidth}),
                              b.getDenseI64ArrayAttr({1, 3}));
  nki::DmaCopyOp::create(
      b, loc, view(pooled, {zero, zero}, {ocs, outWidth}),
      view(out, {batch, oc0, ph, zero}, {one, ocs, one, outWidth}, {0, 2}));
}

func::FuncOp nki::buildNaiveConv2dKernel(OpBuilder &builder, Location loc,
                                         StringRef name,
                                         const Conv2dShape &shape) {
  Type type = shape.elementType;
  SmallVector<Type> args = {
      MemRefType::get(
          {shape.batch, shape.inChannels, shape.height, shape.width}, type),
      MemRefType::get({shape.outChannels, shape.inChannels, shape.filterHeight,
                       shape.filterWidth},
                      type),
      MemRefType::get({shape.outChannels}, type),
      MemRefType::get(
          {shape.batch, shape.outChannels, shape.outHeight(), shape.outWidth()},
          type)};
  auto func = func::FuncOp::create(builder, loc, name,
                                   builder.getFunctionType(args, {}));
  func->setAttr(NKIDialect::getConv2dAttrName(),
                Conv2dAttr::get(builder.getContext(), shape.poolSize));
  Block *entry = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);
  NaiveConvBuilder(builder, loc, shape)
      .build(entry->getArgument(0), entry->getArgument(1),
             entry->getArgument(2), entry->getArgument(3));
  func::ReturnOp::create(builder, loc);
  return func;
}
