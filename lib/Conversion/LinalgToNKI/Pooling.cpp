//===- Pooling.cpp - Standalone pooling kernels ----------------*- C++ -*-===//
//
// A pooling layer that does not follow a conv (ResNet's 3x3/2 max-pool after
// the stem, average and global average pooling) as an NKI kernel: channels
// on partitions, the padded image of each channel tile in SBUF, and one
// Vector-Engine op per window tap over every output position at once (a
// strided view of the image), accumulated in f32.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "nki/Conversion/LinalgToNKI/LinalgToNKI.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr int64_t kPartitions = 128;

class PoolBuilder : KernelBuilder {
public:
  PoolBuilder(OpBuilder &b, Location loc, const PoolLayer &layer)
      : KernelBuilder(b, loc), layer(layer) {}

  void build(Value x, Value out) {
    Value n = loop(layer.batch);
    int64_t fullTiles = layer.channels / kPartitions;
    int64_t rest = layer.channels % kPartitions;
    if (fullTiles > 0) {
      OpBuilder::InsertionGuard guard(b);
      Value c0 =
          arith::MulIOp::create(b, loc, loop(fullTiles), index(kPartitions));
      channelTile(x, out, n, c0, kPartitions);
    }
    if (rest > 0)
      channelTile(x, out, n, index(fullTiles * kPartitions), rest);
  }

private:
  Value alloc(ArrayRef<int64_t> shape, Type elementType) {
    return KernelBuilder::alloc(shape, MemorySpace::sbuf, elementType);
  }

  /// reduce(identity, v) == v for every v (-inf for max, +0 or -0 for a
  /// sum).
  bool isIdentity(double value) const {
    return layer.kind == PoolLayer::Kind::Max ? std::isinf(value) && value < 0
                                              : value == 0.0;
  }

  AluOp reduction() const {
    return layer.kind == PoolLayer::Kind::Max ? AluOp::max : AluOp::add;
  }

  /// One image's `cs` channels from `c0`: pooled and stored.
  void channelTile(Value x, Value out, Value n, Value c0Value, int64_t cs) {
    OpFoldResult zero = b.getIndexAttr(0);
    OpFoldResult c0 = getAsOpFoldResult(c0Value);
    int64_t height = layer.height, width = layer.width;
    auto [top, bottom, left, right] = layer.padding;
    Value image =
        alloc({kPartitions, layer.paddedHeight(), layer.paddedWidth()},
              layer.elementType);
    if (llvm::any_of(layer.padding, [](int64_t p) { return p != 0; }))
      nki::MemsetOp::create(b, loc, image, b.getF64FloatAttr(layer.padValue));
    nki::DmaCopyOp::create(
        b, loc, image4d(x, n, c0, cs, height, width),
        view(image, {zero, b.getIndexAttr(top), b.getIndexAttr(left)},
             {cs, height, width}));

    Type f32 = b.getF32Type();
    if (layer.isGlobal()) {
      // One reduction over both image axes.
      Value sums = alloc({kPartitions}, f32);
      Value sumsTile = view(sums, {zero}, {cs});
      nki::TensorReduceOp::create(
          b, loc, reduction(),
          view(image, {zero, zero, zero}, {cs, height, width}), sumsTile,
          b.getDenseI64ArrayAttr({1, 2}));
      if (!isIdentity(layer.initValue))
        nki::TensorScalarOp::create(
            b, loc, reduction(), sumsTile,
            arith::ConstantOp::create(
                b, loc, b.getF32FloatAttr(static_cast<float>(layer.initValue))),
            sumsTile);
      Value result = alloc({kPartitions}, layer.elementType);
      Value resultTile = view(result, {zero}, {cs});
      finish(sumsTile, resultTile);
      nki::DmaCopyOp::create(
          b, loc, resultTile,
          layer.channelsLast
              ? view(out, {n, zero, zero, c0}, {1, 1, 1, cs}, {0, 1, 2})
              : view(out, {n, c0, zero, zero}, {1, cs, 1, 1}, {0, 2, 3}));
      return;
    }
    int64_t rows = layer.outHeight(), cols = layer.outWidth();
    auto [sh, sw] = layer.strides;
    auto [dh, dw] = layer.dilations;
    Value acc = alloc({kPartitions, rows, cols}, f32);
    Value accTile = view(acc, {zero, zero, zero}, {cs, rows, cols});
    // The output starts at the init (the reduction's identity, as front
    // ends write it, so the first tap is a copy) and takes every tap.
    bool first = isIdentity(layer.initValue);
    if (!first)
      nki::MemsetOp::create(b, loc, acc, b.getF64FloatAttr(layer.initValue));
    for (int64_t kh = 0; kh < layer.windowHeight; ++kh) {
      for (int64_t kw = 0; kw < layer.windowWidth; ++kw) {
        Value window = view(
            image, {zero, b.getIndexAttr(kh * dh), b.getIndexAttr(kw * dw)},
            {cs, rows, cols}, {}, {1, sh, sw});
        if (first)
          nki::TensorCopyOp::create(b, loc, window, accTile);
        else
          nki::TensorTensorOp::create(b, loc, reduction(), accTile, window,
                                      accTile);
        first = false;
      }
    }
    Value result = alloc({kPartitions, rows, cols}, layer.elementType);
    Value resultTile = view(result, {zero, zero, zero}, {cs, rows, cols});
    finish(accTile, resultTile);
    nki::DmaCopyOp::create(b, loc, resultTile,
                           image4d(out, n, c0, cs, rows, cols));
  }

  /// Channels [c0, c0 + cs) of image `n` of an HBM tensor as [cs, rows,
  /// cols]: NHWC reaches the partition axis by the DMA's access pattern.
  Value image4d(Value tensor, Value n, OpFoldResult c0, int64_t cs,
                int64_t rows, int64_t cols) {
    OpFoldResult zero = b.getIndexAttr(0);
    if (!layer.channelsLast)
      return view(tensor, {n, c0, zero, zero}, {1, cs, rows, cols}, {0});
    Value hwc = view(tensor, {n, zero, zero, c0}, {1, rows, cols, cs}, {0});
    return memref::TransposeOp::create(
        b, loc, hwc,
        AffineMapAttr::get(AffineMap::getPermutationMap(
            ArrayRef<unsigned>{2, 0, 1}, b.getContext())));
  }

  /// result = scale * acc, in the output's element type.
  void finish(Value acc, Value result) {
    if (layer.scale == 1.0) {
      nki::TensorCopyOp::create(b, loc, acc, result);
      return;
    }
    Value scale = arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(static_cast<float>(layer.scale)));
    nki::TensorScalarOp::create(b, loc, AluOp::multiply, acc, scale, result);
  }

  const PoolLayer &layer;
};

} // namespace

void nki::buildPoolNest(OpBuilder &b, Location loc, const PoolLayer &layer,
                        Value x, Value out) {
  OpBuilder::InsertionGuard guard(b);
  PoolBuilder(b, loc, layer).build(x, out);
}

func::FuncOp nki::buildPoolKernel(OpBuilder &builder, Location loc,
                                  StringRef name, const PoolLayer &layer) {
  auto shape = [&](int64_t rows, int64_t cols) {
    return layer.channelsLast
               ? SmallVector<int64_t>{layer.batch, rows, cols, layer.channels}
               : SmallVector<int64_t>{layer.batch, layer.channels, rows, cols};
  };
  Type input =
      MemRefType::get(shape(layer.height, layer.width), layer.elementType);
  Type output = MemRefType::get(shape(layer.outHeight(), layer.outWidth()),
                                layer.elementType);
  auto func = func::FuncOp::create(
      builder, loc, name, builder.getFunctionType({input, output}, {}));
  Block *entry = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);
  buildPoolNest(builder, loc, layer, entry->getArgument(0),
                entry->getArgument(1));
  builder.setInsertionPointToEnd(entry);
  func::ReturnOp::create(builder, loc);
  return func;
}
