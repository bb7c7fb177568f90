//===- NKIDialect.cpp - NKI dialect -----------------------------*- C++ -*-===//

#include "nki/Dialect/NKI/IR/NKIDialect.h"
#include "nki/Dialect/NKI/IR/NKIAttrs.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "nki/Dialect/NKI/IR/Conv2dShape.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::nki;

#include "nki/Dialect/NKI/IR/NKIEnums.cpp.inc"
#include "nki/Dialect/NKI/IR/NKIOpsDialect.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "nki/Dialect/NKI/IR/NKIAttrs.cpp.inc"

void NKIDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "nki/Dialect/NKI/IR/NKIAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "nki/Dialect/NKI/IR/NKIOps.cpp.inc"
      >();
}

FailureOr<Conv2dShape>
Conv2dShape::fromSignature(TypeRange args, int64_t poolSize,
                           function_ref<InFlightDiagnostic()> emitError) {
  if (args.size() != 4)
    return emitError() << "a conv2d kernel takes (X, W, bias, out), got "
                       << args.size() << " arguments";
  static constexpr StringLiteral names[] = {"X", "W", "bias", "out"};
  static constexpr int64_t ranks[] = {4, 4, 1, 4};
  SmallVector<ArrayRef<int64_t>> shapes;
  Type elementType;
  for (auto [index, type] : llvm::enumerate(args)) {
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !shaped.hasStaticShape() || shaped.getRank() != ranks[index])
      return emitError() << "conv2d argument " << names[index]
                         << " must be a static rank-" << ranks[index]
                         << " memref or tensor, got " << type;
    if (index == 0)
      elementType = shaped.getElementType();
    shapes.push_back(shaped.getShape());
  }
  if (poolSize < 1)
    return emitError() << "conv2d pool size must be at least 1, got "
                       << poolSize;
  Conv2dShape shape;
  shape.batch = shapes[0][0];
  shape.inChannels = shapes[0][1];
  shape.height = shapes[0][2];
  shape.width = shapes[0][3];
  shape.outChannels = shapes[1][0];
  shape.filterHeight = shapes[1][2];
  shape.filterWidth = shapes[1][3];
  shape.poolSize = poolSize;
  shape.elementType = elementType;
  if (shapes[1][1] != shape.inChannels)
    return emitError() << "conv2d W has " << shapes[1][1]
                       << " input channels, X has " << shape.inChannels;
  if (shape.filterHeight > shape.height || shape.filterWidth > shape.width)
    return emitError() << "conv2d filter " << shape.filterHeight << "x"
                       << shape.filterWidth << " is larger than the image "
                       << shape.height << "x" << shape.width;
  if (shapes[2][0] != shape.outChannels)
    return emitError() << "conv2d bias has " << shapes[2][0]
                       << " elements, W has " << shape.outChannels
                       << " output channels";
  SmallVector<int64_t> expected = {shape.batch, shape.outChannels,
                                   shape.outHeight(), shape.outWidth()};
  if (ArrayRef<int64_t>(expected) != shapes[3]) {
    InFlightDiagnostic diag = emitError() << "conv2d out shape ";
    llvm::interleave(shapes[3], diag, "x");
    diag << " differs from the expected ";
    llvm::interleave(expected, diag, "x");
    return diag << " (stride 1, no padding, pool " << poolSize << ")";
  }
  return shape;
}

LogicalResult NKIDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  if (name == getConv2dAttrName()) {
    auto conv = dyn_cast<Conv2dAttr>(attr.getValue());
    if (!conv)
      return op->emitError() << "'" << name << "' must be a #nki.conv2d";
    auto func = dyn_cast<func::FuncOp>(op);
    if (!func)
      return op->emitError() << "'" << name << "' only applies to functions";
    return Conv2dShape::fromSignature(func.getArgumentTypes(),
                                      conv.getPoolSize(),
                                      [&] { return op->emitError(); });
  }
  if (name == getTargetAttrName()) {
    if (!isa<TargetAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a #nki.target";
    return success();
  }
  if (name != getAffineRangeAttrName())
    return op->emitError() << "unknown NKI attribute '" << name << "'";
  if (!isa<UnitAttr>(attr.getValue()))
    return op->emitError() << "'" << name << "' must be a unit attribute";
  auto forOp = dyn_cast<scf::ForOp>(op);
  if (!forOp)
    return op->emitError() << "'" << name << "' only applies to scf.for loops";
  // Independent iterations cannot pass values from one to the next.
  if (forOp.getNumRegionIterArgs() != 0)
    return op->emitError() << "an '" << name
                           << "' loop has independent iterations and cannot "
                              "carry values through iter_args";
  return success();
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name, int64_t partitions,
                                 int64_t sbufBytesPerPartition,
                                 int64_t psumBankBytes, int64_t psumBanks,
                                 int64_t tensorEngineMhz,
                                 int64_t vectorEngineMhz, int64_t dmaQueues,
                                 int64_t dmaBytesPerUs, int64_t dmaFixedNs) {
  for (int64_t value :
       {partitions, sbufBytesPerPartition, psumBankBytes, psumBanks,
        tensorEngineMhz, vectorEngineMhz, dmaQueues, dmaBytesPerUs})
    if (value <= 0)
      return emitError() << "#nki.target '" << name
                         << "': capacities and rates must be positive";
  if (dmaFixedNs < 0)
    return emitError() << "#nki.target '" << name
                       << "': dma_fixed_ns must not be negative";
  // The ISA's tile limits (128-row stationary tiles, 512 fp32 per bank) are
  // fixed; a target can only have fewer partitions.
  if (partitions > 128)
    return emitError() << "#nki.target '" << name
                       << "': at most 128 partitions";
  return success();
}

TargetAttr TargetAttr::getPreset(MLIRContext *context, StringRef name) {
  if (name == "trn2")
    return TargetAttr::get(context, "trn2", /*partitions=*/128,
                           /*sbuf_bytes_per_partition=*/212992,
                           /*psum_bank_bytes=*/2048, /*psum_banks=*/8,
                           /*tensor_engine_mhz=*/2400,
                           /*vector_engine_mhz=*/960, /*dma_queues=*/16,
                           /*dma_bytes_per_us=*/368000, /*dma_fixed_ns=*/1300);
  if (name == "trn1")
    return TargetAttr::get(context, "trn1", 128, /*sbuf_bytes_per_partition=*/
                           180224, 2048, 8, 2400, 960, 16, 368000, 1300);
  return {};
}

TargetAttr TargetAttr::lookup(Operation *op) {
  for (Operation *at = op; at; at = at->getParentOp())
    if (auto target =
            at->getAttrOfType<TargetAttr>(NKIDialect::getTargetAttrName()))
      return target;
  // Kernels without NKI ops still have a target (nki-report, the C API);
  // passes list the dialect as dependent, so this only loads it outside
  // them.
  MLIRContext *context = op->getContext();
  context->getOrLoadDialect<NKIDialect>();
  return getPreset(context, "trn2");
}

double TargetAttr::getPeakFlops(bool fp32) const {
  double perCycle = 2.0 * getPartitions() * getPartitions();
  return perCycle * getTensorEngineHz() / (fp32 ? 4 : 1);
}
