//===- NKIOps.cpp - NKI operations and buffer rules -------------*- C++ -*-===//

#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::nki;

//===----------------------------------------------------------------------===//
// Buffer rules
//===----------------------------------------------------------------------===//

Space nki::getSpace(MemRefType type) {
  Attribute space = type.getMemorySpace();
  if (!space)
    return Space::HBM;
  if (auto nkiSpace = dyn_cast<MemorySpaceAttr>(space))
    return nkiSpace.getValue() == MemorySpace::sbuf ? Space::SBUF : Space::PSUM;
  return Space::Other;
}

StringRef nki::stringifySpace(Space space) {
  switch (space) {
  case Space::HBM:
    return "HBM";
  case Space::SBUF:
    return "SBUF";
  case Space::PSUM:
    return "PSUM";
  case Space::Other:
    break;
  }
  return "a foreign memory space";
}

bool nki::isSupportedElementType(Type type) {
  return type.isF32() || type.isBF16() || type.isF16();
}

std::optional<int64_t> nki::getBytesPerPartition(MemRefType type) {
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  for (int64_t dim : type.getShape().drop_front()) {
    if (ShapedType::isDynamic(dim))
      return std::nullopt;
    if (llvm::MulOverflow(bytes, dim, bytes))
      return std::numeric_limits<int64_t>::max();
  }
  return bytes;
}

LogicalResult
nki::verifyOnChipBuffer(MemRefType type, TargetAttr target,
                        function_ref<InFlightDiagnostic()> emitError) {
  Space space = getSpace(type);
  if (space != Space::SBUF && space != Space::PSUM)
    return success();
  StringRef name = stringifySpace(space);
  if (type.getRank() == 0)
    return emitError() << name << " buffer " << type
                       << " needs a partition dimension (dim 0)";
  if (!isSupportedElementType(type.getElementType()))
    return emitError() << name << " buffer " << type << " has element type "
                       << type.getElementType()
                       << "; supported are f32, bf16 and f16";
  int64_t partitions = type.getDimSize(0);
  if (!ShapedType::isDynamic(partitions) && partitions > target.getPartitions())
    return emitError() << name << " buffer " << type << " spans " << partitions
                       << " partitions (dim 0); " << target.getName() << " has "
                       << target.getPartitions();
  std::optional<int64_t> bytes = getBytesPerPartition(type);
  if (!bytes)
    return success();
  if (space == Space::SBUF) {
    if (*bytes == std::numeric_limits<int64_t>::max())
      return emitError() << "SBUF buffer " << type
                         << " needs 2^63 or more bytes per partition";
    if (*bytes > target.getSbufBytesPerPartition())
      return emitError() << "SBUF buffer " << type << " needs " << *bytes
                         << " bytes per partition, more than the "
                         << target.getSbufBytesPerPartition() << " usable on "
                         << target.getName();
    return success();
  }
  int64_t bankBytes = target.getPsumBankBytes();
  if (*bytes <= bankBytes)
    return success();
  if (*bytes == std::numeric_limits<int64_t>::max())
    return emitError() << "PSUM tile " << type
                       << " needs 2^63 or more bytes per partition";
  // A tile larger than one bank names its banks: [partitions, banks, F].
  bool banked = type.getRank() == 3 &&
                type.getDimSize(1) <= target.getPsumBanks() &&
                *bytes / type.getDimSize(1) <= bankBytes;
  if (!banked)
    return emitError() << "PSUM tile " << type << " needs " << *bytes
                       << " bytes per partition, more than one " << bankBytes
                       << "-byte bank; a multi-bank tile is shaped "
                          "[partitions, banks <= "
                       << target.getPsumBanks()
                       << ", F] with F fitting one bank";
  return success();
}

LogicalResult nki::verifyOnChipBuffers(Operation *root) {
  TargetAttr target = TargetAttr::lookup(root);
  bool failed = false;
  auto check = [&](Value value, function_ref<InFlightDiagnostic()> emitError) {
    auto type = dyn_cast<MemRefType>(value.getType());
    if (type)
      failed |= mlir::failed(verifyOnChipBuffer(type, target, emitError));
  };
  root->walk([&](Operation *op) {
    for (OpResult result : op->getResults())
      check(result, [&] {
        return op->emitOpError()
               << "result #" << result.getResultNumber() << ": ";
      });
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          check(arg, [&] {
            return mlir::emitError(arg.getLoc())
                   << "block argument #" << arg.getArgNumber() << ": ";
          });
  });
  return failure(failed);
}

//===----------------------------------------------------------------------===//
// Operand helpers
//===----------------------------------------------------------------------===//

namespace {
/// Memory spaces an operand may live in.
enum SpaceMask : unsigned { kHBM = 1, kSBUF = 2, kPSUM = 4 };
} // namespace

static unsigned maskOf(Space space) {
  switch (space) {
  case Space::HBM:
    return kHBM;
  case Space::SBUF:
    return kSBUF;
  case Space::PSUM:
    return kPSUM;
  case Space::Other:
    break;
  }
  return 0;
}

static std::string describeMask(unsigned allowed) {
  SmallVector<StringRef> names;
  if (allowed & kHBM)
    names.push_back("HBM");
  if (allowed & kSBUF)
    names.push_back("SBUF");
  if (allowed & kPSUM)
    names.push_back("PSUM");
  return llvm::join(names, " or ");
}

/// Checks that the memref operand `value`, called `role` in diagnostics, is in
/// one of the `allowed` spaces, has a supported element type and obeys the
/// on-chip buffer rules.
static LogicalResult verifyOperand(Operation *op, Value value, StringRef role,
                                   unsigned allowed) {
  auto type = cast<MemRefType>(value.getType());
  Space space = getSpace(type);
  if (!(maskOf(space) & allowed))
    return op->emitOpError()
           << role << " must be in " << describeMask(allowed) << ", but "
           << type << " is in " << stringifySpace(space);
  if (!isSupportedElementType(type.getElementType()))
    return op->emitOpError()
           << role << " element type " << type.getElementType()
           << " is not supported; expected f32, bf16 or f16";
  return verifyOnChipBuffer(type, TargetAttr::lookup(op),
                            [&] { return op->emitOpError() << role << ": "; });
}

static MemRefType memrefType(Value value) {
  return cast<MemRefType>(value.getType());
}

static bool sameShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  return succeeded(verifyCompatibleShape(lhs, rhs));
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      shape, os,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          os << '?';
        else
          os << dim;
      },
      "x");
  return text;
}

/// Checks that `lhs` and `rhs` have the same shape (dynamic dims match any).
static LogicalResult verifySameShape(Operation *op, Value lhs,
                                     StringRef lhsRole, Value rhs,
                                     StringRef rhsRole) {
  ArrayRef<int64_t> lhsShape = memrefType(lhs).getShape();
  ArrayRef<int64_t> rhsShape = memrefType(rhs).getShape();
  if (sameShape(lhsShape, rhsShape))
    return success();
  return op->emitOpError() << lhsRole << " shape " << formatShape(lhsShape)
                           << " differs from " << rhsRole << " shape "
                           << formatShape(rhsShape);
}

/// Product of the free (non-partition) dims, or nullopt when one is dynamic.
static std::optional<int64_t> freeSize(MemRefType type) {
  int64_t size = 1;
  for (int64_t dim : type.getShape().drop_front()) {
    if (ShapedType::isDynamic(dim))
      return std::nullopt;
    size *= dim;
  }
  return size;
}

/// Folds `memref.cast` producers into the operands of `op`.
static LogicalResult foldCasts(Operation *op) {
  return memref::foldMemRefCast(op);
}

//===----------------------------------------------------------------------===//
// DmaCopyOp
//===----------------------------------------------------------------------===//

LogicalResult DmaCopyOp::verify() {
  if (failed(verifyOperand(*this, getSource(), "source", kHBM | kSBUF)) ||
      failed(verifyOperand(*this, getTarget(), "target", kHBM | kSBUF)))
    return failure();
  return verifySameShape(*this, getSource(), "source", getTarget(), "target");
}

LogicalResult DmaCopyOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

/// A copy of a buffer onto itself does nothing.
template <typename CopyOp>
static LogicalResult eraseSelfCopy(CopyOp op, PatternRewriter &rewriter) {
  if (op.getSource() != op.getTarget())
    return failure();
  rewriter.eraseOp(op);
  return success();
}

LogicalResult DmaCopyOp::canonicalize(DmaCopyOp op, PatternRewriter &rewriter) {
  return eraseSelfCopy(op, rewriter);
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  // The operands first, so that a target too large for M or N is reported
  // as such rather than as a bad PSUM tile.
  if (failed(verifyOperand(*this, getStationary(), "stationary", kSBUF)) ||
      failed(verifyOperand(*this, getMoving(), "moving", kSBUF)))
    return failure();
  MemRefType stationary = memrefType(getStationary());
  MemRefType moving = memrefType(getMoving());
  MemRefType target = memrefType(getTarget());
  if (stationary.getRank() != 2)
    return emitOpError() << "stationary must be a 2-D [K, M] tile, got "
                         << stationary;
  if (moving.getRank() < 2)
    return emitOpError() << "moving must be a [K, F...] tile with at least one "
                            "free dimension, got "
                         << moving;
  if (stationary.getElementType() != moving.getElementType())
    return emitOpError() << "stationary element type "
                         << stationary.getElementType()
                         << " differs from moving element type "
                         << moving.getElementType();
  int64_t kStationary = stationary.getDimSize(0);
  int64_t kMoving = moving.getDimSize(0);
  if (!ShapedType::isDynamic(kStationary) && !ShapedType::isDynamic(kMoving) &&
      kStationary != kMoving)
    return emitOpError() << "contraction (partition) sizes differ: stationary "
                            "has K = "
                         << kStationary << ", moving has K = " << kMoving;
  int64_t m = stationary.getDimSize(1);
  if (!ShapedType::isDynamic(m) && m > kMatmulMaxStationaryFree)
    return emitOpError() << "stationary free size M = " << m
                         << " exceeds the Tensor Engine's "
                         << kMatmulMaxStationaryFree;
  std::optional<int64_t> n = freeSize(moving);
  if (n && *n > kMatmulMaxMovingFree)
    return emitOpError() << "moving free size N = " << *n
                         << " exceeds the Tensor Engine's "
                         << kMatmulMaxMovingFree;
  if (failed(verifyOperand(*this, getTarget(), "target", kPSUM)))
    return failure();
  if (!target.getElementType().isF32())
    return emitOpError() << "target must be an f32 PSUM tile, got " << target;
  SmallVector<int64_t> expected = {m};
  llvm::append_range(expected, moving.getShape().drop_front());
  if (!sameShape(expected, target.getShape()))
    return emitOpError() << "target shape " << formatShape(target.getShape())
                         << " differs from [M, moving free dims] = "
                         << formatShape(expected);
  return success();
}

void MatmulOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  effects.emplace_back(MemoryEffects::Read::get(), &getStationaryMutable(),
                       SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Read::get(), &getMovingMutable(),
                       SideEffects::DefaultResource::get());
  // Only an accumulating matmul reads the PSUM tile it writes.
  if (isAccumulate())
    effects.emplace_back(MemoryEffects::Read::get(), &getTargetMutable(),
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &getTargetMutable(),
                       SideEffects::DefaultResource::get());
}

LogicalResult MatmulOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::verify() {
  if (failed(verifyOperand(*this, getSource(), "source", kSBUF)))
    return failure();
  MemRefType source = memrefType(getSource());
  MemRefType target = memrefType(getTarget());
  if (source.getRank() != 2 || target.getRank() != 2)
    return emitOpError() << "transposes 2-D tiles only, got " << source
                         << " into " << target;
  int64_t free = source.getDimSize(1);
  if (!ShapedType::isDynamic(free) && free > kTransposeMaxSize)
    return emitOpError() << "source free size " << free
                         << " exceeds the Tensor Engine's "
                         << kTransposeMaxSize;
  if (failed(verifyOperand(*this, getTarget(), "target", kPSUM)))
    return failure();
  SmallVector<int64_t> expected = {free, source.getDimSize(0)};
  if (!sameShape(expected, target.getShape()))
    return emitOpError() << "target shape " << formatShape(target.getShape())
                         << " is not the transposed source shape "
                         << formatShape(expected);
  if (source.getElementType() != target.getElementType())
    return emitOpError() << "target element type " << target.getElementType()
                         << " differs from source element type "
                         << source.getElementType();
  return success();
}

LogicalResult TransposeOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

//===----------------------------------------------------------------------===//
// TensorCopyOp
//===----------------------------------------------------------------------===//

LogicalResult TensorCopyOp::verify() {
  if (failed(verifyOperand(*this, getSource(), "source", kSBUF | kPSUM)) ||
      failed(verifyOperand(*this, getTarget(), "target", kSBUF | kPSUM)))
    return failure();
  return verifySameShape(*this, getSource(), "source", getTarget(), "target");
}

LogicalResult TensorCopyOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

LogicalResult TensorCopyOp::canonicalize(TensorCopyOp op,
                                         PatternRewriter &rewriter) {
  return eraseSelfCopy(op, rewriter);
}

//===----------------------------------------------------------------------===//
// TensorTensorOp
//===----------------------------------------------------------------------===//

LogicalResult TensorTensorOp::verify() {
  if (failed(verifyOperand(*this, getLhs(), "lhs", kSBUF | kPSUM)) ||
      failed(verifyOperand(*this, getRhs(), "rhs", kSBUF | kPSUM)) ||
      failed(verifyOperand(*this, getTarget(), "target", kSBUF | kPSUM)) ||
      failed(verifySameShape(*this, getLhs(), "lhs", getRhs(), "rhs")))
    return failure();
  return verifySameShape(*this, getLhs(), "lhs", getTarget(), "target");
}

LogicalResult TensorTensorOp::fold(FoldAdaptor,
                                   SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

//===----------------------------------------------------------------------===//
// TensorScalarOp
//===----------------------------------------------------------------------===//

LogicalResult TensorScalarOp::verify() {
  if (failed(verifyOperand(*this, getSource(), "source", kSBUF | kPSUM)) ||
      failed(verifyOperand(*this, getTarget(), "target", kSBUF | kPSUM)) ||
      failed(
          verifySameShape(*this, getSource(), "source", getTarget(), "target")))
    return failure();
  auto vector = dyn_cast<MemRefType>(getScalar().getType());
  if (!vector)
    return success();
  if (failed(verifyOperand(*this, getScalar(), "scalar", kSBUF)))
    return failure();
  int64_t partitions = memrefType(getSource()).getDimSize(0);
  SmallVector<int64_t> expected = {partitions, 1};
  if (!sameShape(expected, vector.getShape()))
    return emitOpError() << "a per-partition scalar must be shaped "
                         << formatShape(expected) << ", got "
                         << formatShape(vector.getShape());
  return success();
}

void TensorScalarOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  effects.emplace_back(MemoryEffects::Read::get(), &getSourceMutable(),
                       SideEffects::DefaultResource::get());
  // A float scalar is a value, not memory; a per-partition vector is read.
  if (isa<MemRefType>(getScalar().getType()))
    effects.emplace_back(MemoryEffects::Read::get(), &getScalarMutable(),
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &getTargetMutable(),
                       SideEffects::DefaultResource::get());
}

LogicalResult TensorScalarOp::fold(FoldAdaptor,
                                   SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

//===----------------------------------------------------------------------===//
// TensorReduceOp
//===----------------------------------------------------------------------===//

LogicalResult TensorReduceOp::verify() {
  if (failed(verifyOperand(*this, getSource(), "source", kSBUF | kPSUM)))
    return failure();
  if (getOp() == AluOp::subtract)
    return emitOpError() << "reduction operator must be associative; "
                            "'subtract' is not";
  MemRefType source = memrefType(getSource());
  ArrayRef<int64_t> axes = getAxes();
  if (axes.empty())
    return emitOpError() << "needs at least one axis to reduce";
  int64_t previous = 0;
  for (int64_t axis : axes) {
    if (axis < 1 || axis >= source.getRank())
      return emitOpError() << "axis " << axis
                           << " is not a free axis of the source (1 to "
                           << source.getRank() - 1 << ")";
    if (axis <= previous)
      return emitOpError() << "axes must be strictly increasing";
    previous = axis;
  }
  if (failed(verifyOperand(*this, getTarget(), "target", kSBUF)))
    return failure();
  SmallVector<int64_t> expected;
  for (auto [axis, dim] : llvm::enumerate(source.getShape()))
    if (!llvm::is_contained(axes, static_cast<int64_t>(axis)))
      expected.push_back(dim);
  ArrayRef<int64_t> targetShape = memrefType(getTarget()).getShape();
  if (!sameShape(expected, targetShape))
    return emitOpError() << "target shape " << formatShape(targetShape)
                         << " differs from the source shape without the "
                            "reduced axes, "
                         << formatShape(expected);
  return success();
}

LogicalResult TensorReduceOp::fold(FoldAdaptor,
                                   SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

//===----------------------------------------------------------------------===//
// MemsetOp
//===----------------------------------------------------------------------===//

LogicalResult MemsetOp::verify() {
  return verifyOperand(*this, getTarget(), "target", kSBUF | kPSUM);
}

LogicalResult MemsetOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &) {
  return foldCasts(*this);
}

#define GET_OP_CLASSES
#include "nki/Dialect/NKI/IR/NKIOps.cpp.inc"
