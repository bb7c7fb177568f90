//===- LinalgToNKI.h - Import linalg convs as naive NKI kernels -*- C++ -*-===//

#ifndef NKI_CONVERSION_LINALGTONKI_LINALGTONKI_H
#define NKI_CONVERSION_LINALGTONKI_LINALGTONKI_H

#include "nki/Dialect/NKI/IR/Conv2dShape.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <array>
#include <optional>
#include <variant>
#include <vector>

namespace mlir::nki {

/// What a kernel argument holds. Init: what the conv accumulates into (a
/// caller-provided init, the output's shape and layout).
enum class ConvOperand { Input, Filter, Bias, Init, Output };

/// A pooling layer, NCHW or NHWC (standalone, or after a conv whose windows
/// it cannot be fused with):
/// out[n, c, i, j] = scale * reduce(init, the window of X padded with
/// padValue). Average pooling is a sum with scale 1 / window size
/// (PyTorch's count_include_pad=True).
struct PoolLayer {
  enum class Kind { Max, Sum };
  Kind kind = Kind::Max;
  int64_t batch = 0, channels = 0, height = 0, width = 0;
  int64_t windowHeight = 1, windowWidth = 1;
  std::array<int64_t, 2> strides = {1, 1}, dilations = {1, 1};
  /// top, bottom, left, right
  std::array<int64_t, 4> padding = {0, 0, 0, 0};
  double scale = 1.0;
  /// The constant X is padded with, and the one the output starts from
  /// (the reduction's identity as front ends emit it, but any is exact).
  double padValue = 0.0, initValue = 0.0;
  /// X and out are [batch, rows, cols, channels] (pooling_nhwc_*).
  bool channelsLast = false;
  Type elementType;

  int64_t paddedHeight() const { return height + padding[0] + padding[1]; }
  int64_t paddedWidth() const { return width + padding[2] + padding[3]; }
  int64_t outHeight() const {
    return (paddedHeight() - dilations[0] * (windowHeight - 1) - 1) /
               strides[0] +
           1;
  }
  int64_t outWidth() const {
    return (paddedWidth() - dilations[1] * (windowWidth - 1) - 1) / strides[1] +
           1;
  }
  /// One window covering the whole unpadded image (global pooling).
  bool isGlobal() const {
    return outHeight() == 1 && outWidth() == 1 && windowHeight == height &&
           windowWidth == width &&
           llvm::all_of(padding, [](int64_t p) { return p == 0; });
  }
};

/// One conv2d layer as the importer found it: sizes, window geometry,
/// layouts, the fused epilogue and the kernel's arguments in the order of
/// the function it came from.
struct ConvLayer {
  /// FCHW, HWCF, FHWC: a dense conv's filter; CHW, HWC: a depthwise one's
  /// (one filter per channel, channel multiplier 1).
  enum class Filter { FCHW, HWCF, FHWC, CHW, HWC };

  int64_t batch = 0, inChannels = 0, height = 0, width = 0;
  int64_t outChannels = 0, filterHeight = 0, filterWidth = 0;
  std::array<int64_t, 2> strides = {1, 1}, dilations = {1, 1};
  /// Zeros around X: top, bottom, left, right.
  std::array<int64_t, 4> padding = {0, 0, 0, 0};
  /// Max-pool window = stride (1: no pooling), fused where PSUM is evicted.
  int64_t poolSize = 1;
  /// Or any pooling after the conv (overlapping or padded windows, average
  /// pooling): the conv plane goes to HBM scratch, in the conv's layout, and
  /// a standalone pooling nest reads it.
  std::optional<PoolLayer> pool;
  /// X and out are [batch, rows, cols, channels] instead of [batch,
  /// channels, rows, cols].
  bool channelsLast = false;
  Filter filter = Filter::FCHW;
  /// Each output channel is its input channel convolved with its own filter
  /// (outChannels == inChannels).
  bool isDepthwise() const {
    return filter == Filter::CHW || filter == Filter::HWC;
  }
  /// A CHW filter passed as [C, 1, H, W] (PyTorch's weight of a conv with
  /// groups = channels) and collapsed in the kernel, as torch-mlir does.
  bool filterGroupDim = false;
  bool bias = false; // out += bias[channel]
  bool init = false; // out += init (the caller's init, before the bias)
  bool relu = false; // out = max(out, 0) after the bias
  /// out = min(out, reluMax) after the ReLU (ReLU6: 6).
  std::optional<double> reluMax;
  /// X and W; bias and out (the accumulation is f32 either way).
  Type inputType, outputType;
  /// The kernel's arguments, in order.
  SmallVector<ConvOperand> arguments;

  int64_t convHeight() const {
    return (height + padding[0] + padding[1] -
            dilations[0] * (filterHeight - 1) - 1) /
               strides[0] +
           1;
  }
  int64_t convWidth() const {
    return (width + padding[2] + padding[3] - dilations[1] * (filterWidth - 1) -
            1) /
               strides[1] +
           1;
  }
  int64_t outHeight() const {
    return pool ? pool->outHeight() : convHeight() / poolSize;
  }
  int64_t outWidth() const {
    return pool ? pool->outWidth() : convWidth() / poolSize;
  }
  bool isPadded() const {
    return llvm::any_of(padding, [](int64_t p) { return p != 0; });
  }

  /// The memref type of each operand, in its layout.
  MemRefType typeOf(ConvOperand operand) const;
  /// The layer of the seed's `(X, W, bias, out)` kernel.
  static ConvLayer fromShape(const Conv2dShape &shape);
  /// The seed's shape when the layer is the seed's form (NCHW/FCHW, bias,
  /// stride 1, no padding or dilation, one element type, no ReLU, arguments
  /// X, W, bias, out), recorded as `nki.conv2d`.
  std::optional<Conv2dShape> asSeedShape() const;
};

/// A function of several layers on tensors (a conv chain, a residual
/// block): each step is a conv layer (with its fused epilogue) or a pooling
/// layer, in the function's order, reading the function's arguments and
/// earlier steps' results. The kernel's arguments are the function's, then
/// the output; the returned step writes the output, every other step a
/// scratch buffer in HBM.
struct Network {
  struct Step {
    std::variant<ConvLayer, PoolLayer> layer;
    /// What the step reads, as indices into the function's arguments
    /// followed by the steps' results: a conv's operands in its
    /// `arguments` order (without its Output), a pooling's input.
    SmallVector<unsigned> operands;
  };
  /// The function's arguments as HBM memrefs.
  SmallVector<MemRefType> argumentTypes;
  std::vector<Step> steps;
  /// The step whose result the function returns.
  unsigned returned = 0;
};

/// Builds, at the builder's position, `func.func @name(...)` with the
/// layer's arguments: the naive kernel the seed analyses, generalized to the
/// layer (see docs/Design.md): per (batch, 128-channel output tile,
/// 512-position spatial partition, 128-channel input tile, filter row,
/// filter column) it loads the weight tile and the whole shifted (strided,
/// dilated) input plane, copies the partition's positions one by one,
/// transposes the weights and accumulates a matmul in PSUM; then adds the
/// bias, applies the ReLU and stores one position per DMA. A depthwise conv
/// has no input-channel loop and no matmul: per tap, the Vector Engine
/// multiplies the copied positions by the tap's per-channel weight (a
/// [channels, 1] scalar tile) and adds them into an f32 SBUF accumulator
/// (NKI `tensor_scalar` and `tensor_tensor`). Padding is zero
/// on chip: an SBUF image is zeroed, X loaded into its interior, and each
/// tap copies its window of the image. With pool > 1 the conv plane goes to HBM
/// scratch and a second loop max-pools it row by row. Records `nki.conv2d` for
/// the seed's form.
func::FuncOp buildNaiveConvKernel(OpBuilder &builder, Location loc,
                                  StringRef name, const ConvLayer &layer);

/// The NKI kernel `(X, out)` of `layer`: per image and tile of 128
/// channels, the (padded) image in SBUF and one Vector-Engine op per
/// window tap over all output positions (a strided view), or one
/// tensor_reduce for global pooling.
func::FuncOp buildPoolKernel(OpBuilder &builder, Location loc, StringRef name,
                             const PoolLayer &layer);

/// The kernel of a network: its steps' nests in order.
func::FuncOp buildNetworkKernel(OpBuilder &builder, Location loc,
                                StringRef name, const Network &network);

/// The seed's `(X, W, bias, out)` kernel.
func::FuncOp buildNaiveConv2dKernel(OpBuilder &builder, Location loc,
                                    StringRef name, const Conv2dShape &shape);

} // namespace mlir::nki

#endif // NKI_CONVERSION_LINALGTONKI_LINALGTONKI_H
