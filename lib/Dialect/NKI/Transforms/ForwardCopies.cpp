//===- ForwardCopies.cpp - Copy straight to where a tile goes ---*- C++ -*-===//

#include "Remarks.h"
#include "Views.h"

#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIFORWARDCOPIES
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// A copy (`nki.dma_copy` or `nki.tensor_copy`) into a tile allocated in its
/// block, and the one later op that reads the tile.
struct Forwarding {
  Operation *copy;
  memref::AllocOp tile;
  OpOperand *read;
};

/// The forwarding `copy` starts, if any; remarks say why a tile that is
/// read once is not forwarded.
FailureOr<Forwarding> match(RewriterBase &rewriter, Operation *copy) {
  Value source = copy->getOperand(0), target = copy->getOperand(1);
  auto tile = getRootBuffer(target).getDefiningOp<memref::AllocOp>();
  if (!tile || tile->getBlock() != copy->getBlock())
    return failure();
  OpOperand *read = nullptr;
  for (OpOperand *use : getAccesses(tile)) {
    if (use->getOwner() == copy && use->get() == target)
      continue;
    if (read)
      return failure(); // several accesses: the tile is needed
    read = use;
  }
  if (!read)
    return failure();
  Operation *reader = read->getOwner();
  auto decline = [&](const Twine &reason) {
    return rewriter.notifyMatchFailure(copy, "not forwarded: " + reason);
  };
  if (!isa<TensorCopyOp, MatmulOp>(reader) ||
      reader->getBlock() != copy->getBlock() || !copy->isBeforeInBlock(reader))
    return failure();
  if (getElementTypeOrSelf(source.getType()) != tile.getType().getElementType())
    return decline("the copy converts the element type");
  if (mayBeWrittenBetween(copy, reader, source))
    return decline("an op between the copy and the read may write the "
                   "copied data");
  return Forwarding{copy, tile, read};
}

/// copy S -> T; tensor_copy reshape(T) -> D   becomes   copy S -> reshape'(D).
LogicalResult forwardIntoCopy(RewriterBase &rewriter, Forwarding f,
                              SmallVectorImpl<Operation *> &created) {
  auto onward = cast<TensorCopyOp>(f.read->getOwner());
  Value source = f.copy->getOperand(0);
  Value destination = onward.getTarget();
  if (f.copy->getOperand(1) != f.tile.getResult() ||
      f.read != &onward.getSourceMutable())
    return failure(); // the tile is filled or read in part
  FailureOr<SmallVector<Operation *>> chain =
      getViewChain(f.tile, onward.getSource());
  if (failed(chain) || chain->size() > 1 ||
      llvm::any_of(*chain, llvm::IsaPred<memref::SubViewOp>))
    return failure();
  if (!areDisjointBuffers(source, destination)) {
    return rewriter.notifyMatchFailure(
        f.copy, "not forwarded: the copied data may overlap the destination");
  }
  // The destination viewed with the tile's shape.
  OpBuilder b(onward);
  Location loc = onward.getLoc();
  auto tileType = f.tile.getType();
  auto destType = cast<MemRefType>(destination.getType());
  Value reshaped = destination;
  if (!chain->empty()) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(chain->front())) {
      if (failed(memref::ExpandShapeOp::computeExpandedType(
              destType, tileType.getShape(),
              collapse.getReassociationIndices())))
        return failure();
      reshaped = memref::ExpandShapeOp::create(
          b, loc, tileType.getShape(), destination,
          collapse.getReassociationIndices());
    } else {
      auto expand = cast<memref::ExpandShapeOp>(chain->front());
      if (!memref::CollapseShapeOp::isGuaranteedCollapsible(
              destType, expand.getReassociationIndices()))
        return failure();
      reshaped = memref::CollapseShapeOp::create(
          b, loc, destination, expand.getReassociationIndices());
    }
  }
  Operation *forwarded;
  if (isa<DmaCopyOp>(f.copy))
    forwarded = DmaCopyOp::create(b, loc, source, reshaped);
  else
    forwarded = TensorCopyOp::create(b, loc, source, reshaped);
  // The onward copy is gone; the new one may forward again.
  created.push_back(forwarded);
  rewriter.eraseOp(onward);
  rewriter.eraseOp(f.copy);
  eraseUnusedViewsAndBuffer(f.tile);
  return success();
}

/// tensor_copy S -> view(T); matmul W, T -> A   becomes
/// matmul W, S -> view(A): the Tensor Engine reads the moving tile where it
/// already is. The columns of T the copy does not write are undefined, so
/// the matmul may leave them out. Likewise
/// tensor_copy S -> T; matmul W, reshape(T) -> A   becomes
/// matmul W, S -> reshape^-1(A), the free dims regrouped on both sides.
LogicalResult forwardIntoMatmul(RewriterBase &rewriter, Forwarding f) {
  auto matmul = cast<MatmulOp>(f.read->getOwner());
  Value source = f.copy->getOperand(0);
  if (!isa<TensorCopyOp>(f.copy) || f.read != &matmul.getMovingMutable() ||
      getSpace(cast<MemRefType>(source.getType())) != Space::SBUF)
    return failure();
  FailureOr<SmallVector<Operation *>> written =
      getViewChain(f.tile, f.copy->getOperand(1));
  FailureOr<SmallVector<Operation *>> read =
      getViewChain(f.tile, f.read->get());
  if (failed(written) || failed(read))
    return failure();
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  FailureOr<Value> target = failure();
  if (read->empty()) {
    if (!keepsPartitionDim(*written)) {
      return rewriter.notifyMatchFailure(
          f.copy, "not forwarded: the copy fills only some partitions of the "
                  "moving tile");
    }
    target = replayViewChain(b, loc, *written, matmul.getTarget());
  } else if (written->empty() && read->size() == 1 &&
             keepsPartitionDim(*read)) {
    // The target regrouped like the tile: the inverse reshape.
    Value targetValue = matmul.getTarget();
    auto targetType = cast<MemRefType>(targetValue.getType());
    SmallVector<int64_t> shape(f.tile.getType().getShape());
    shape[0] = targetType.getDimSize(0);
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(read->front())) {
      if (succeeded(memref::ExpandShapeOp::computeExpandedType(
              targetType, shape, collapse.getReassociationIndices())))
        target =
            memref::ExpandShapeOp::create(b, loc, shape, targetValue,
                                          collapse.getReassociationIndices())
                .getResult();
    } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(read->front())) {
      if (memref::CollapseShapeOp::isGuaranteedCollapsible(
              targetType, expand.getReassociationIndices()))
        target = memref::CollapseShapeOp::create(
                     b, loc, targetValue, expand.getReassociationIndices())
                     .getResult();
    }
  }
  if (failed(target))
    return failure();
  rewriter.modifyOpInPlace(matmul, [&] {
    matmul.getMovingMutable().assign(source);
    matmul.getTargetMutable().assign(*target);
  });
  rewriter.eraseOp(f.copy);
  eraseUnusedViewsAndBuffer(f.tile);
  return success();
}

/// Keeps the pass's worklist free of erased copies.
class WorklistListener : public MissedRemarkListener {
public:
  WorklistListener(StringRef pass, SmallVectorImpl<Operation *> &worklist)
      : MissedRemarkListener(pass), worklist(worklist) {}
  void notifyOperationErased(Operation *op) override {
    llvm::erase(worklist, op);
  }

private:
  SmallVectorImpl<Operation *> &worklist;
};

struct ForwardCopiesPass
    : public nki::impl::NKIForwardCopiesBase<ForwardCopiesPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> worklist;
    getOperation().walk([&](Operation *op) {
      if (isa<DmaCopyOp, TensorCopyOp>(op))
        worklist.push_back(op);
    });
    // In program order (the back is next); forwarding makes new copies,
    // which may forward again.
    std::reverse(worklist.begin(), worklist.end());
    WorklistListener listener(getArgument(), worklist);
    IRRewriter rewriter(&getContext(), &listener);
    while (!worklist.empty()) {
      Operation *copy = worklist.pop_back_val();
      SmallVector<Operation *> created;
      if (succeeded(forwardCopy(rewriter, copy, intoMatmul, created)))
        llvm::append_range(worklist, created);
    }
  }
};

} // namespace

LogicalResult nki::forwardCopy(RewriterBase &rewriter, Operation *copy,
                               bool intoMatmul,
                               SmallVectorImpl<Operation *> &created) {
  if (!isa<DmaCopyOp, TensorCopyOp>(copy))
    return failure();
  FailureOr<Forwarding> f = match(rewriter, copy);
  if (failed(f))
    return failure();
  if (isa<TensorCopyOp>(f->read->getOwner()))
    return forwardIntoCopy(rewriter, *f, created);
  if (intoMatmul)
    return forwardIntoMatmul(rewriter, *f);
  return failure();
}
