//===- FuseEviction.cpp - Elementwise ops at eviction -----------*- C++ -*-===//

#include "Remarks.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIFUSEEVICTION
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// Whether `op` (or an op in it) may read or write memory `value` may alias.
bool mayTouch(Operation *op, Value value) {
  return mayBeAccessedIn(op, value, /*except=*/nullptr, /*includeReads=*/true);
}

/// The operand of `op` that reads `written` (the tile or its partition
/// prefix) itself, when no other operand may read any of `tile`'s memory
/// (through a view or an alias).
OpOperand *singleRead(Operation *op, Value tile, Value written) {
  OpOperand *found = nullptr;
  for (OpOperand *operand : getAliasingOperands(op, tile)) {
    if (operand->getOperandNumber() == op->getNumOperands() - 1)
      continue; // the target, written in place
    if (found || operand->get() != written)
      return nullptr;
    found = operand;
  }
  // A tensor_scalar's scalar operand is read per partition, not elementwise.
  if (auto scalar = dyn_cast<TensorScalarOp>(op);
      found && scalar && found != &scalar.getSourceMutable())
    return nullptr;
  return found;
}

/// Whether `view` is the first P partitions of `tile` whole (a subview at
/// offset 0 spanning every free dim) and every other use of `tile` reads
/// within those partitions after `op`: a tile of P < 128 channels, whose
/// other partitions nothing reads. Fused, `op` writes all that is read.
bool isReadPartitionPrefix(Value view, Value tile, Operation *op,
                           TensorCopyOp copy) {
  // The tile is a buffer of its own: no other alias may read the partitions
  // the copy no longer writes.
  auto prefix = view.getDefiningOp<memref::SubViewOp>();
  auto tileType = cast<MemRefType>(tile.getType());
  if (!tile.getDefiningOp<memref::AllocOp>() || !prefix ||
      prefix.getSource() != tile || !prefix.hasUnitStride() ||
      !tileType.hasStaticShape() ||
      prefix.getType().getRank() != tileType.getRank() ||
      !llvm::all_of(prefix.getMixedOffsets(), isZeroInteger))
    return false;
  SmallVector<OpFoldResult> sizes = prefix.getMixedSizes();
  for (int64_t d = 1; d < tileType.getRank(); ++d)
    if (getConstantIntValue(sizes[d]) != tileType.getDimSize(d))
      return false;
  for (Operation *user : tile.getUsers()) {
    if (user == copy.getOperation() || user == prefix.getOperation())
      continue;
    auto read = dyn_cast<memref::SubViewOp>(user);
    if (!read || read->getBlock() != op->getBlock() ||
        !op->isBeforeInBlock(read) ||
        !isZeroInteger(read.getMixedOffsets().front()) ||
        read.getMixedSizes().front() != sizes.front())
      return false;
  }
  return true;
}

} // namespace

LogicalResult nki::fuseEviction(RewriterBase &rewriter, TensorCopyOp copy) {
  Value tile = copy.getTarget();
  // The fused op would read the source while writing the tile.
  if (!areDisjointBuffers(copy.getSource(), tile))
    return failure();
  // The next op in the block that touches the copied tile.
  for (Operation *op = copy->getNextNode(); op; op = op->getNextNode()) {
    if (!mayTouch(op, tile) && !mayTouch(op, copy.getSource()))
      continue;
    if (!isa<TensorScalarOp, TensorTensorOp>(op))
      return failure(); // something else uses the tile: the copy stays
    Value target = op->getOperand(op->getNumOperands() - 1);
    bool prefix =
        target != tile && isReadPartitionPrefix(target, tile, op, copy);
    OpOperand *read = singleRead(op, tile, target);
    if ((target != tile && !prefix) || !read) {
      return rewriter.notifyMatchFailure(
          op, "not fused: the op does not transform the evicted tile (or "
              "the only partitions of it read later) in place through "
              "exactly one operand");
    }
    // Reading the copy's source directly (the same partitions of it); the
    // op writes all of the tile that is read.
    Value source = copy.getSource();
    if (prefix) {
      auto view = target.getDefiningOp<memref::SubViewOp>();
      rewriter.setInsertionPoint(op);
      source = memref::SubViewOp::create(
          rewriter, view.getLoc(), source, view.getMixedOffsets(),
          view.getMixedSizes(), view.getMixedStrides());
    }
    rewriter.modifyOpInPlace(op, [&] { read->set(source); });
    rewriter.eraseOp(copy);
    return success();
  }
  return failure();
}

namespace {

struct FuseEvictionPass
    : public nki::impl::NKIFuseEvictionBase<FuseEvictionPass> {
  void runOnOperation() override {
    applyToEach<TensorCopyOp>(getOperation(), getArgument(),
                              [&](RewriterBase &rewriter, TensorCopyOp copy) {
                                return fuseEviction(rewriter, copy);
                              });
  }
};

} // namespace
