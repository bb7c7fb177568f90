//===- DropUnreadColumns.cpp - Compute only the columns read later -===//
//
// A tile computed 512 columns wide of which later reads take 420 (the im2col
// strategy's matmuls over a spatial block of 30 x 14 positions) costs the
// Tensor Engine, the eviction and the host 22% more than it needs. Ops that
// write a whole tile column by column are narrowed to the columns read
// later, and so are the columns they read, which narrows the tiles those
// come from in turn.
//
//===----------------------------------------------------------------------===//

#include "Views.h"

#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIDROPUNREADCOLUMNS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr int64_t kColumnDim = 1;

/// The operands of `op` whose column c feeds column c of its target: for a
/// copy its source, for elementwise ops their tile operands, for a matmul
/// its moving tile. Empty for ops whose columns mix (transpose, reduce).
std::optional<SmallVector<OpOperand *>> columnwiseOperands(Operation *op) {
  return TypeSwitch<Operation *, std::optional<SmallVector<OpOperand *>>>(op)
      .Case([](DmaCopyOp op) {
        return SmallVector<OpOperand *>{&op.getSourceMutable()};
      })
      .Case([](TensorCopyOp op) {
        return SmallVector<OpOperand *>{&op.getSourceMutable()};
      })
      .Case([](TensorTensorOp op) {
        return SmallVector<OpOperand *>{&op.getLhsMutable(),
                                        &op.getRhsMutable()};
      })
      .Case([](TensorScalarOp op) {
        return SmallVector<OpOperand *>{&op.getSourceMutable()};
      })
      .Case([](MatmulOp op) {
        return SmallVector<OpOperand *>{&op.getMovingMutable()};
      })
      .Case([](MemsetOp) { return SmallVector<OpOperand *>{}; })
      .Default([](Operation *) { return std::nullopt; });
}

/// The operand through which `op` writes, if it writes one.
OpOperand *targetOperand(Operation *op) {
  return TypeSwitch<Operation *, OpOperand *>(op)
      .Case<DmaCopyOp, TensorCopyOp, TensorTensorOp, TensorScalarOp, MatmulOp,
            TransposeOp, TensorReduceOp, MemsetOp>(
          [](auto op) { return &op.getTargetMutable(); })
      .Default([](Operation *) { return nullptr; });
}

/// Narrows the writers of the 2-D local buffer `alloc` to the columns its
/// readers take, when those are a static prefix; returns whether it did.
bool narrowWriters(memref::AllocOp alloc) {
  Value buffer = alloc.getResult();
  MemRefType type = alloc.getType();
  if (type.getRank() != 2 || !type.hasStaticShape())
    return false;
  int64_t columns = type.getDimSize(kColumnDim), read = 0;
  SmallVector<Operation *> writers;
  for (OpOperand *access : getAccesses(buffer)) {
    Operation *op = access->getOwner();
    if (!isa<NKIDialect>(op->getDialect()))
      return false; // unknown use
    bool isTarget = access == targetOperand(op);
    // Writers of the whole tile column by column are what gets narrowed;
    // an accumulating matmul reads the very columns it writes.
    if (isTarget && access->get() == buffer && columnwiseOperands(op)) {
      writers.push_back(op);
      continue;
    }
    auto matmul = dyn_cast<MatmulOp>(op);
    if (isTarget && !(matmul && matmul.isAccumulate()))
      continue; // writes part of the tile: harmless to unread columns
    FailureOr<ViewedRange> range =
        getViewedRange(buffer, kColumnDim, access->get());
    if (failed(range) || range->divisor != 1)
      return false;
    std::optional<int64_t> offset = getConstantIntValue(range->offset);
    std::optional<int64_t> size = getConstantIntValue(range->size);
    if (!offset || !size)
      return false;
    read = std::max(read, *offset + *size);
  }
  if (writers.empty() || read >= columns)
    return false;
  for (Operation *writer : writers) {
    OpBuilder b(writer);
    auto narrow = [&](OpOperand &operand) {
      Value tile = operand.get();
      auto tileType = dyn_cast<MemRefType>(tile.getType());
      if (!tileType || tileType.getRank() != 2)
        return;
      SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = {
          memref::getMixedSize(b, writer->getLoc(), tile, 0),
          b.getIndexAttr(read)};
      SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
      operand.set(memref::SubViewOp::create(b, writer->getLoc(), tile, offsets,
                                            sizes, strides));
    };
    SmallVector<OpOperand *> operands = *columnwiseOperands(writer);
    for (OpOperand *operand : operands)
      narrow(*operand);
    narrow(*targetOperand(writer));
  }
  return true;
}

struct DropUnreadColumnsPass
    : public nki::impl::NKIDropUnreadColumnsBase<DropUnreadColumnsPass> {
  void runOnOperation() override {
    // Narrowing a writer narrows what it reads: repeat until nothing moves
    // (each round narrows at least one buffer for good).
    bool changed = true;
    while (changed) {
      changed = false;
      getOperation().walk(
          [&](memref::AllocOp alloc) { changed |= narrowWriters(alloc); });
    }
  }
};

} // namespace
