//===- NaiveConv2d.cpp - The seed's naive fused conv2d kernel ---*- C++ -*-===//

#include "KernelBuilder.h"
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
class NaiveConvBuilder : KernelBuilder {
public:
  NaiveConvBuilder(OpBuilder &b, Location loc, const ConvLayer &layer)
      : KernelBuilder(b, loc), layer(layer) {}

  void build(ValueRange arguments);

private:
  /// `value * factor`, or `value` itself for factor 1.
  Value scaled(Value value, int64_t factor) {
    return factor == 1 ? value
                       : arith::MulIOp::create(b, loc, value, index(factor))
                             .getResult();
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

  Value loadWeights(Value w, Value oc0, OpFoldResult ocs, Value ic0,
                    OpFoldResult ics, Value fh, Value fw);
  Value transposeWeights(Value wTile, OpFoldResult ocs, OpFoldResult ics);
  Value loadTapWeights(Value w, Value c0, OpFoldResult cs, Value fh, Value fw);
  Value loadPlane(Value x, Value batch, Value ic0, OpFoldResult ics, Value fh,
                  Value fw);
  Value loadPaddedPlane(Value x, Value batch, Value ic0, OpFoldResult ics,
                        Value fh, Value fw);
  Value channelsOnPartitions(Value channelsLast);
  Value batchImage(Value tensor, Value batch);
  void convPartition(Value x, Value w, Value bias, Value dest, Value batch,
                     Value oc0, OpFoldResult ocs, Value sp);
  void storePositions(Value res, Value dest, Value batch, Value oc0,
                      OpFoldResult ocs, Value start, Value size);
  void poolPlane(Value conv, Value out);

  void addInit(Value resRows, Value batch, Value oc0, OpFoldResult ocs,
               Value start, Value size);

  const ConvLayer &layer;
  Value init; // the caller's init, when the conv accumulates into one
};

} // namespace

MemRefType ConvLayer::typeOf(ConvOperand operand) const {
  switch (operand) {
  case ConvOperand::Input:
    return MemRefType::get(
        channelsLast ? SmallVector<int64_t>{batch, height, width, inChannels}
                     : SmallVector<int64_t>{batch, inChannels, height, width},
        inputType);
  case ConvOperand::Filter: {
    SmallVector<int64_t> shape;
    switch (filter) {
    case Filter::FCHW:
      shape = {outChannels, inChannels, filterHeight, filterWidth};
      break;
    case Filter::HWCF:
      shape = {filterHeight, filterWidth, inChannels, outChannels};
      break;
    case Filter::FHWC:
      shape = {outChannels, filterHeight, filterWidth, inChannels};
      break;
    case Filter::CHW:
      shape =
          filterGroupDim
              ? SmallVector<int64_t>{inChannels, 1, filterHeight, filterWidth}
              : SmallVector<int64_t>{inChannels, filterHeight, filterWidth};
      break;
    case Filter::HWC:
      shape = {filterHeight, filterWidth, inChannels};
      break;
    }
    return MemRefType::get(shape, inputType);
  }
  case ConvOperand::Bias:
    return MemRefType::get({outChannels}, outputType);
  case ConvOperand::Init:
    return MemRefType::get(
        channelsLast ? SmallVector<int64_t>{batch, convHeight(), convWidth(),
                                            outChannels}
                     : SmallVector<int64_t>{batch, outChannels, convHeight(),
                                            convWidth()},
        outputType);
  case ConvOperand::Output:
    return MemRefType::get(
        channelsLast
            ? SmallVector<int64_t>{batch, outHeight(), outWidth(), outChannels}
            : SmallVector<int64_t>{batch, outChannels, outHeight(), outWidth()},
        outputType);
  }
  llvm_unreachable("unknown conv operand");
}

ConvLayer ConvLayer::fromShape(const Conv2dShape &shape) {
  ConvLayer layer;
  layer.batch = shape.batch;
  layer.inChannels = shape.inChannels;
  layer.height = shape.height;
  layer.width = shape.width;
  layer.outChannels = shape.outChannels;
  layer.filterHeight = shape.filterHeight;
  layer.filterWidth = shape.filterWidth;
  layer.poolSize = shape.poolSize;
  layer.bias = true;
  layer.inputType = layer.outputType = shape.elementType;
  layer.arguments = {ConvOperand::Input, ConvOperand::Filter, ConvOperand::Bias,
                     ConvOperand::Output};
  return layer;
}

std::optional<Conv2dShape> ConvLayer::asSeedShape() const {
  bool seedForm =
      !channelsLast && filter == Filter::FCHW && bias && !relu && !init &&
      !pool && strides == std::array<int64_t, 2>{1, 1} &&
      dilations == std::array<int64_t, 2>{1, 1} && !isPadded() &&
      inputType == outputType &&
      ArrayRef(arguments) == ArrayRef({ConvOperand::Input, ConvOperand::Filter,
                                       ConvOperand::Bias, ConvOperand::Output});
  if (!seedForm)
    return std::nullopt;
  Conv2dShape shape;
  shape.batch = batch;
  shape.inChannels = inChannels;
  shape.height = height;
  shape.width = width;
  shape.outChannels = outChannels;
  shape.filterHeight = filterHeight;
  shape.filterWidth = filterWidth;
  shape.poolSize = poolSize;
  shape.elementType = inputType;
  return shape;
}

void NaiveConvBuilder::build(ValueRange arguments) {
  OpBuilder::InsertionGuard guard(b);
  Value x, w, bias, out;
  for (auto [operand, value] : llvm::zip(layer.arguments, arguments))
    (operand == ConvOperand::Input    ? x
     : operand == ConvOperand::Filter ? w
     : operand == ConvOperand::Bias   ? bias
     : operand == ConvOperand::Init   ? init
                                      : out) = value;
  if (layer.filterGroupDim)
    w = memref::CollapseShapeOp::create(
        b, loc, w, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
  // With pooling, the conv plane is computed into HBM scratch first: NCHW
  // for the row-wise max-pool, in the conv's layout for a pooling nest.
  Value dest = out;
  if (layer.poolSize > 1 || layer.pool) {
    int64_t rows = layer.convHeight(), cols = layer.convWidth();
    SmallVector<int64_t> shape = {layer.batch, layer.outChannels, rows, cols};
    if (layer.pool && layer.channelsLast)
      shape = {layer.batch, rows, cols, layer.outChannels};
    dest = memref::AllocOp::create(b, loc,
                                   MemRefType::get(shape, layer.outputType));
  }
  int64_t numPositions = layer.convHeight() * layer.convWidth();
  {
    OpBuilder::InsertionGuard loops(b);
    Value batch = loop(layer.batch);
    Value oc = loop(llvm::divideCeil(layer.outChannels, kPartitions));
    Value oc0 = arith::MulIOp::create(b, loc, oc, index(kPartitions));
    OpFoldResult ocs = tileSize(oc0, layer.outChannels, kPartitions);
    Value sp = loop(llvm::divideCeil(numPositions, kSpatialPartition));
    convPartition(x, w, bias, dest, batch, oc0, ocs, sp);
  }
  // The scratch plane is freed like every other buffer, by the lowering.
  if (layer.poolSize > 1)
    poolPlane(dest, out);
  if (layer.pool)
    buildPoolNest(b, loc, *layer.pool, dest, out);
}

/// The weights of tap (fh, fw): [ic, oc] as stored for HWCF filters, [oc,
/// ic] for FCHW and FHWC ones (transposed by `transposeWeights`).
Value NaiveConvBuilder::loadWeights(Value w, Value oc0, OpFoldResult ocs,
                                    Value ic0, OpFoldResult ics, Value fh,
                                    Value fw) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value tile =
      alloc({kPartitions, kPartitions}, MemorySpace::sbuf, layer.inputType);
  Value source, target;
  switch (layer.filter) {
  case ConvLayer::Filter::HWCF:
    source = view(w, {fh, fw, ic0, oc0}, {one, one, ics, ocs}, {0, 1});
    target = view(tile, {zero, zero}, {ics, ocs});
    break;
  case ConvLayer::Filter::FCHW:
    source = view(w, {oc0, ic0, fh, fw}, {ocs, ics, one, one}, {2, 3});
    target = view(tile, {zero, zero}, {ocs, ics});
    break;
  case ConvLayer::Filter::FHWC:
    source = view(w, {oc0, fh, fw, ic0}, {ocs, one, one, ics}, {1, 2});
    target = view(tile, {zero, zero}, {ocs, ics});
    break;
  case ConvLayer::Filter::CHW:
  case ConvLayer::Filter::HWC:
    llvm_unreachable("depthwise filters load by loadTapWeights");
  }
  nki::DmaCopyOp::create(b, loc, source, target);
  return tile;
}

/// A depthwise filter's weights of tap (fh, fw) for channels [c0, c0 + cs):
/// a [channels, 1] tile, one scalar per partition.
Value NaiveConvBuilder::loadTapWeights(Value w, Value c0, OpFoldResult cs,
                                       Value fh, Value fw) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value tile = alloc({kPartitions, 1}, MemorySpace::sbuf, layer.inputType);
  Value source =
      layer.filter == ConvLayer::Filter::CHW
          ? view(w, {c0, fh, fw}, {cs, one, one}, {2})
          : channelsOnPartitions(view(w, {fh, fw, c0}, {one, one, cs}, {0}));
  nki::DmaCopyOp::create(b, loc, source, view(tile, {zero, zero}, {cs, one}));
  return tile;
}

/// The matmul's stationary [ic, oc] tile from an [oc, ic] one, transposed on
/// the Tensor Engine.
Value NaiveConvBuilder::transposeWeights(Value wTile, OpFoldResult ocs,
                                         OpFoldResult ics) {
  OpFoldResult zero = b.getIndexAttr(0);
  Type type = layer.inputType;
  Value wPsum = alloc({kPartitions, kPartitions}, MemorySpace::psum, type);
  nki::TransposeOp::create(b, loc, view(wTile, {zero, zero}, {ocs, ics}),
                           view(wPsum, {zero, zero}, {ics, ocs}));
  Value wT = alloc({kPartitions, kPartitions}, MemorySpace::sbuf, type);
  nki::TensorCopyOp::create(b, loc, view(wPsum, {zero, zero}, {ics, ocs}),
                            view(wT, {zero, zero}, {ics, ocs}));
  return wT;
}

/// A view with channels last (`[rows, cols, channels]`, or `[positions,
/// channels]`) as channels first: the DMA's access pattern puts the channels
/// on partitions.
Value NaiveConvBuilder::channelsOnPartitions(Value channelsLast) {
  unsigned rank = cast<MemRefType>(channelsLast.getType()).getRank();
  SmallVector<unsigned> permutation = {rank - 1};
  for (unsigned d = 0; d + 1 < rank; ++d)
    permutation.push_back(d);
  return memref::TransposeOp::create(
      b, loc, channelsLast,
      AffineMapAttr::get(
          AffineMap::getPermutationMap(permutation, b.getContext())));
}

/// Batch `batch` of a rank-4 HBM tensor, the batch dim dropped by a
/// unit-stride view.
Value NaiveConvBuilder::batchImage(Value tensor, Value batch) {
  ArrayRef<int64_t> dims = cast<MemRefType>(tensor.getType()).getShape();
  OpFoldResult zero = b.getIndexAttr(0);
  return view(tensor, {batch, zero, zero, zero},
              {b.getIndexAttr(1), b.getIndexAttr(dims[1]),
               b.getIndexAttr(dims[2]), b.getIndexAttr(dims[3])},
              {0});
}

/// The whole shifted plane of tap (fh, fw), loaded from HBM: X at rows
/// fh * dh + oh * sh and columns fw * dw + ow * sw, channels on partitions.
Value NaiveConvBuilder::loadPlane(Value x, Value batch, Value ic0,
                                  OpFoldResult ics, Value fh, Value fw) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  int64_t convHeight = layer.convHeight(), convWidth = layer.convWidth();
  Value plane = alloc({kPartitions, convHeight, convWidth}, MemorySpace::sbuf,
                      layer.inputType);
  OpFoldResult rowStart = scaled(fh, layer.dilations[0]);
  OpFoldResult colStart = scaled(fw, layer.dilations[1]);
  OpFoldResult rows = b.getIndexAttr(convHeight);
  OpFoldResult cols = b.getIndexAttr(convWidth);
  auto [sh, sw] = layer.strides;
  // A strided window drops the batch dim in a unit-stride view of its own:
  // upstream's rank-reduction inference (SubViewOp::getDroppedDims) aborts
  // on a strided unit dim beside the dropped one.
  bool imageHasBatch = sh == 1 && sw == 1;
  Value image = imageHasBatch ? x : batchImage(x, batch);
  // Offsets, sizes and steps of the window in X order, the batch first.
  auto window = [&](ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> steps) {
    if (imageHasBatch)
      return view(image, offsets, sizes, {0}, steps);
    return view(image, offsets.drop_front(), sizes.drop_front(), {},
                steps.drop_front());
  };
  Value source =
      layer.channelsLast
          ? channelsOnPartitions(window({batch, rowStart, colStart, ic0},
                                        {one, rows, cols, ics}, {1, sh, sw, 1}))
          : window({batch, ic0, rowStart, colStart}, {one, ics, rows, cols},
                   {1, 1, sh, sw});
  nki::DmaCopyOp::create(b, loc, source,
                         view(plane, {zero, zero, zero}, {ics, rows, cols}));
  return plane;
}

/// The shifted plane of tap (fh, fw) of a zero-padded X, padded on chip as
/// a trn2 kernel would: the image is zeroed in SBUF and X loaded into its
/// interior (no padded copy in HBM), then the tap's strided window of it is
/// copied on the Vector Engine.
Value NaiveConvBuilder::loadPaddedPlane(Value x, Value batch, Value ic0,
                                        OpFoldResult ics, Value fh, Value fw) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  auto [top, bottom, left, right] = layer.padding;
  int64_t height = layer.height, width = layer.width;
  // As many partitions as the tile has channels when that is static: an RGB
  // stem's image is zeroed on 3 partitions, not 128.
  std::optional<int64_t> channels = getConstantIntValue(ics);
  Value image = alloc({channels.value_or(kPartitions), height + top + bottom,
                       width + left + right},
                      MemorySpace::sbuf, layer.inputType);
  nki::MemsetOp::create(b, loc, image, b.getF64FloatAttr(0.0));
  OpFoldResult h = b.getIndexAttr(height), w = b.getIndexAttr(width);
  Value source = layer.channelsLast
                     ? channelsOnPartitions(view(x, {batch, zero, zero, ic0},
                                                 {one, h, w, ics}, {0}))
                     : view(x, {batch, ic0, zero, zero}, {one, ics, h, w}, {0});
  nki::DmaCopyOp::create(b, loc, source,
                         view(image,
                              {zero, b.getIndexAttr(top), b.getIndexAttr(left)},
                              {ics, h, w}));
  int64_t convHeight = layer.convHeight(), convWidth = layer.convWidth();
  OpFoldResult rows = b.getIndexAttr(convHeight);
  OpFoldResult cols = b.getIndexAttr(convWidth);
  Value plane = alloc({kPartitions, convHeight, convWidth}, MemorySpace::sbuf,
                      layer.inputType);
  auto [sh, sw] = layer.strides;
  nki::TensorCopyOp::create(b, loc,
                            view(image,
                                 {zero, scaled(fh, layer.dilations[0]),
                                  scaled(fw, layer.dilations[1])},
                                 {ics, rows, cols}, {}, {1, sh, sw}),
                            view(plane, {zero, zero, zero}, {ics, rows, cols}));
  return plane;
}

void NaiveConvBuilder::convPartition(Value x, Value w, Value bias, Value dest,
                                     Value batch, Value oc0, OpFoldResult ocs,
                                     Value sp) {
  int64_t numPositions = layer.convHeight() * layer.convWidth();
  Value start = arith::MulIOp::create(b, loc, sp, index(kSpatialPartition));
  Value size = getValueOrCreateConstantIndexOp(
      b, loc, tileSize(start, numPositions, kSpatialPartition));
  Type f32 = b.getF32Type();
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult positions = b.getIndexAttr(kSpatialPartition);

  // A depthwise conv accumulates on the Vector Engine, in SBUF.
  bool depthwise = layer.isDepthwise();
  Value acc = alloc({kPartitions, kSpatialPartition},
                    depthwise ? MemorySpace::sbuf : MemorySpace::psum, f32);
  nki::MemsetOp::create(b, loc, acc, b.getF64FloatAttr(0.0));
  {
    OpBuilder::InsertionGuard loops(b);
    // A depthwise tile's input channels are its output channels.
    Value ic0 = oc0;
    OpFoldResult ics = ocs;
    if (!depthwise) {
      Value ic = loop(llvm::divideCeil(layer.inChannels, kPartitions));
      ic0 = arith::MulIOp::create(b, loc, ic, index(kPartitions));
      ics = tileSize(ic0, layer.inChannels, kPartitions);
    }
    Value fh = loop(layer.filterHeight);
    Value fw = loop(layer.filterWidth);
    Value wTile = depthwise ? loadTapWeights(w, oc0, ocs, fh, fw)
                            : loadWeights(w, oc0, ocs, ic0, ics, fh, fw);
    Value plane = layer.isPadded() ? loadPaddedPlane(x, batch, ic0, ics, fh, fw)
                                   : loadPlane(x, batch, ic0, ics, fh, fw);
    Value flat = memref::CollapseShapeOp::create(
        b, loc, plane, ArrayRef<ReassociationIndices>{{0}, {1, 2}});

    // Copy this partition's positions one column at a time, the tile's
    // channels only.
    Value xTile = alloc({kPartitions, kSpatialPartition}, MemorySpace::sbuf,
                        layer.inputType);
    {
      OpBuilder::InsertionGuard copyLoop(b);
      auto [i, position] = guardedPositionLoop(start, size);
      nki::TensorCopyOp::create(b, loc,
                                view(flat, {zero, position}, {ics, one}),
                                view(xTile, {zero, i}, {ics, one}));
    }
    if (depthwise) {
      // acc += positions * w[channel]
      Value product =
          alloc({kPartitions, kSpatialPartition}, MemorySpace::sbuf, f32);
      Value products = view(product, {zero, zero}, {ocs, positions});
      nki::TensorScalarOp::create(
          b, loc, AluOp::multiply, view(xTile, {zero, zero}, {ocs, positions}),
          view(wTile, {zero, zero}, {ocs, one}), products);
      Value sums = view(acc, {zero, zero}, {ocs, positions});
      nki::TensorTensorOp::create(b, loc, AluOp::add, sums, products, sums);
    } else {
      Value wT = layer.filter == ConvLayer::Filter::HWCF
                     ? wTile
                     : transposeWeights(wTile, ocs, ics);
      nki::MatmulOp::create(b, loc, MatmulMode::accumulate,
                            view(wT, {zero, zero}, {ics, ocs}),
                            view(xTile, {zero, zero}, {ics, positions}),
                            view(acc, {zero, zero}, {ocs, positions}));
    }
  }

  // Evict the accumulator, add the per-channel bias, apply the ReLU.
  Value res = alloc({kPartitions, kSpatialPartition}, MemorySpace::sbuf,
                    layer.outputType);
  nki::TensorCopyOp::create(b, loc, acc, res);
  Value resRows = view(res, {zero, zero}, {ocs, positions});
  if (init)
    addInit(resRows, batch, oc0, ocs, start, size);
  if (bias) {
    Value biasTile =
        alloc({kPartitions, 1}, MemorySpace::sbuf, layer.outputType);
    Value bias2d = memref::ExpandShapeOp::create(
        b, loc, ArrayRef<int64_t>{layer.outChannels, 1}, bias,
        ArrayRef<ReassociationIndices>{{0, 1}});
    nki::DmaCopyOp::create(b, loc, view(bias2d, {oc0, zero}, {ocs, one}),
                           view(biasTile, {zero, zero}, {ocs, one}));
    nki::TensorScalarOp::create(b, loc, AluOp::add, resRows,
                                view(biasTile, {zero, zero}, {ocs, one}),
                                resRows);
  }
  if (layer.relu) {
    Value zeroScalar = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(layer.outputType, 0.0));
    nki::TensorScalarOp::create(b, loc, AluOp::max, resRows, zeroScalar,
                                resRows);
  }
  if (layer.reluMax) {
    Value maxScalar = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(layer.outputType, *layer.reluMax));
    nki::TensorScalarOp::create(b, loc, AluOp::min, resRows, maxScalar,
                                resRows);
  }
  storePositions(res, dest, batch, oc0, ocs, start, size);
}

/// res += the caller's init at this partition's positions: a DMA of the
/// init's [channels, positions] window (NHWC through a transposed access
/// pattern), then an elementwise add.
void NaiveConvBuilder::addInit(Value resRows, Value batch, Value oc0,
                               OpFoldResult ocs, Value start, Value size) {
  OpFoldResult zero = b.getIndexAttr(0);
  // [channels, positions] of this batch.
  Value image = batchImage(init, batch);
  Value flat =
      layer.channelsLast
          ? channelsOnPartitions(memref::CollapseShapeOp::create(
                b, loc, image, ArrayRef<ReassociationIndices>{{0, 1}, {2}}))
          : memref::CollapseShapeOp::create(
                b, loc, image, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  Value tile = alloc({kPartitions, kSpatialPartition}, MemorySpace::sbuf,
                     layer.outputType);
  OpFoldResult count = getAsOpFoldResult(size);
  nki::DmaCopyOp::create(b, loc, view(flat, {oc0, start}, {ocs, count}),
                         view(tile, {zero, zero}, {ocs, count}));
  Value used = view(resRows, {zero, zero}, {ocs, count});
  nki::TensorTensorOp::create(b, loc, AluOp::add, used,
                              view(tile, {zero, zero}, {ocs, count}), used);
}

/// Writes back one position per DMA.
void NaiveConvBuilder::storePositions(Value res, Value dest, Value batch,
                                      Value oc0, OpFoldResult ocs, Value start,
                                      Value size) {
  OpBuilder::InsertionGuard storeLoop(b);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  auto [i, position] = guardedPositionLoop(start, size);
  Value width = index(layer.convWidth());
  Value row = arith::DivUIOp::create(b, loc, position, width);
  Value col = arith::RemUIOp::create(b, loc, position, width);
  // The pooled path stores into the NCHW scratch plane.
  if (layer.channelsLast && layer.poolSize == 1) {
    nki::DmaCopyOp::create(
        b, loc, view(res, {zero, i}, {ocs, one}, {1}),
        view(dest, {batch, row, col, oc0}, {one, one, one, ocs}, {0, 1, 2}));
    return;
  }
  nki::DmaCopyOp::create(
      b, loc, view(res, {zero, i}, {ocs, one}),
      view(dest, {batch, oc0, row, col}, {one, ocs, one, one}, {0, 2}));
}

void NaiveConvBuilder::poolPlane(Value conv, Value out) {
  OpBuilder::InsertionGuard guard(b);
  int64_t pool = layer.poolSize;
  Type type = layer.outputType;
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value batch = loop(layer.batch);
  Value oc = loop(llvm::divideCeil(layer.outChannels, kPartitions));
  Value oc0 = arith::MulIOp::create(b, loc, oc, index(kPartitions));
  OpFoldResult ocs = tileSize(oc0, layer.outChannels, kPartitions);
  Value ph = loop(layer.outHeight());
  // The `pool` conv rows of this output row, then a max over each window.
  int64_t width = pool * layer.outWidth();
  Value rows = alloc({kPartitions, pool, width}, MemorySpace::sbuf, type);
  Value row0 = arith::MulIOp::create(b, loc, ph, index(pool));
  nki::DmaCopyOp::create(
      b, loc,
      view(conv, {batch, oc0, row0, zero},
           {one, ocs, b.getIndexAttr(pool), b.getIndexAttr(width)}, {0}),
      view(rows, {zero, zero, zero},
           {ocs, b.getIndexAttr(pool), b.getIndexAttr(width)}));
  Value windows = memref::ExpandShapeOp::create(
      b, loc, ArrayRef<int64_t>{kPartitions, pool, layer.outWidth(), pool},
      rows, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value pooled =
      alloc({kPartitions, layer.outWidth()}, MemorySpace::sbuf, type);
  OpFoldResult outWidth = b.getIndexAttr(layer.outWidth());
  OpFoldResult poolAttr = b.getIndexAttr(pool);
  nki::TensorReduceOp::create(b, loc, AluOp::max,
                              view(windows, {zero, zero, zero, zero},
                                   {ocs, poolAttr, outWidth, poolAttr}),
                              view(pooled, {zero, zero}, {ocs, outWidth}),
                              b.getDenseI64ArrayAttr({1, 3}));
  Value pooledRow =
      layer.channelsLast
          ? channelsOnPartitions(view(out, {batch, ph, zero, oc0},
                                      {one, one, outWidth, ocs}, {0, 1}))
          : view(out, {batch, oc0, ph, zero}, {one, ocs, one, outWidth},
                 {0, 2});
  nki::DmaCopyOp::create(b, loc, view(pooled, {zero, zero}, {ocs, outWidth}),
                         pooledRow);
}

func::FuncOp nki::buildNaiveConvKernel(OpBuilder &builder, Location loc,
                                       StringRef name, const ConvLayer &layer) {
  SmallVector<Type> args;
  for (ConvOperand operand : layer.arguments)
    args.push_back(layer.typeOf(operand));
  auto func = func::FuncOp::create(builder, loc, name,
                                   builder.getFunctionType(args, {}));
  if (std::optional<Conv2dShape> seed = layer.asSeedShape())
    func->setAttr(NKIDialect::getConv2dAttrName(),
                  Conv2dAttr::get(builder.getContext(), seed->poolSize));
  Block *entry = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);
  NaiveConvBuilder(builder, loc, layer).build(entry->getArguments());
  func::ReturnOp::create(builder, loc);
  return func;
}

void nki::buildConvNest(OpBuilder &b, Location loc, const ConvLayer &layer,
                        ValueRange arguments) {
  NaiveConvBuilder(b, loc, layer).build(arguments);
}

func::FuncOp nki::buildNetworkKernel(OpBuilder &builder, Location loc,
                                     StringRef name, const Network &network) {
  auto outputType = [](const Network::Step &step) {
    if (auto *conv = std::get_if<ConvLayer>(&step.layer))
      return conv->typeOf(ConvOperand::Output);
    const auto &pool = std::get<PoolLayer>(step.layer);
    int64_t rows = pool.outHeight(), cols = pool.outWidth();
    return MemRefType::get(
        pool.channelsLast
            ? SmallVector<int64_t>{pool.batch, rows, cols, pool.channels}
            : SmallVector<int64_t>{pool.batch, pool.channels, rows, cols},
        pool.elementType);
  };
  SmallVector<Type> args(network.argumentTypes.begin(),
                         network.argumentTypes.end());
  args.push_back(outputType(network.steps[network.returned]));
  auto func = func::FuncOp::create(builder, loc, name,
                                   builder.getFunctionType(args, {}));
  Block *entry = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(builder);
  // The arguments, then each step's result as it is made.
  SmallVector<Value> values(entry->getArguments().drop_back());
  for (auto [i, step] : llvm::enumerate(network.steps)) {
    builder.setInsertionPointToEnd(entry);
    Value dest = i == network.returned
                     ? Value(entry->getArguments().back())
                     : memref::AllocOp::create(builder, loc, outputType(step))
                           .getResult();
    SmallVector<Value> operands;
    for (unsigned operand : step.operands)
      operands.push_back(values[operand]);
    if (auto *conv = std::get_if<ConvLayer>(&step.layer)) {
      operands.push_back(dest); // the Output, last in `arguments`
      buildConvNest(builder, loc, *conv, operands);
    } else {
      buildPoolNest(builder, loc, std::get<PoolLayer>(step.layer),
                    operands.front(), dest);
    }
    values.push_back(dest);
  }
  builder.setInsertionPointToEnd(entry);
  func::ReturnOp::create(builder, loc);
  return func;
}

func::FuncOp nki::buildNaiveConv2dKernel(OpBuilder &builder, Location loc,
                                         StringRef name,
                                         const Conv2dShape &shape) {
  return buildNaiveConvKernel(builder, loc, name, ConvLayer::fromShape(shape));
}
