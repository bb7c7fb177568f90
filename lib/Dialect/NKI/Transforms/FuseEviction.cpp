//===- FuseEviction.cpp - Elementwise ops at eviction -----------*- C++ -*-===//

#include "Remarks.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

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

/// The operand of `op` that reads `tile` itself, when no other operand may
/// read any of its memory (through a view or an alias).
OpOperand *singleRead(Operation *op, Value tile) {
  OpOperand *found = nullptr;
  for (OpOperand *operand : getAliasingOperands(op, tile)) {
    if (operand->getOperandNumber() == op->getNumOperands() - 1)
      continue; // the target, written in place
    if (found || operand->get() != tile)
      return nullptr;
    found = operand;
  }
  // A tensor_scalar's scalar operand is read per partition, not elementwise.
  if (auto scalar = dyn_cast<TensorScalarOp>(op);
      found && scalar && found != &scalar.getSourceMutable())
    return nullptr;
  return found;
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
    OpOperand *read = singleRead(op, tile);
    if (target != tile || !read) {
      return rewriter.notifyMatchFailure(
          op, "not fused: the op does not transform the evicted tile in "
              "place through exactly one operand");
    }
    // Reading the copy's source directly; the op writes the whole tile.
    rewriter.modifyOpInPlace(op, [&] { read->set(copy.getSource()); });
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
