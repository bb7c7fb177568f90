//===- Views.cpp - Re-apply a chain of memref views -------------*- C++ -*-===//

#include "Views.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

SmallVector<OpOperand *> nki::getAccesses(Value buffer) {
  SmallVector<OpOperand *> accesses;
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(use.getOwner());
          view && view.getViewSource() == value)
        worklist.push_back(view->getResult(0));
      else
        accesses.push_back(&use);
    }
  }
  return accesses;
}

void nki::eraseUnusedViewsAndBuffer(memref::AllocOp alloc) {
  llvm::SetVector<Operation *> views;
  SmallVector<Value> worklist = {alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers())
      if (views.insert(user))
        llvm::append_range(worklist, user->getResults());
  }
  for (Operation *op : llvm::reverse(views))
    if (op->use_empty())
      op->erase();
  if (alloc->use_empty())
    alloc.erase();
}

bool nki::keepsPartitionDim(ArrayRef<Operation *> chain, bool allowPrefix) {
  return llvm::all_of(chain, [&](Operation *op) {
    if (auto subview = dyn_cast<memref::SubViewOp>(op))
      return isZeroInteger(subview.getMixedOffsets()[0]) &&
             isOneInteger(subview.getMixedStrides()[0]) &&
             (allowPrefix || getConstantIntValue(subview.getMixedSizes()[0]) ==
                                 subview.getSourceType().getDimSize(0)) &&
             !subview.getDroppedDims().test(0);
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(op))
      return expand.getReassociationIndices()[0].size() == 1;
    return cast<memref::CollapseShapeOp>(op)
               .getReassociationIndices()[0]
               .size() == 1;
  });
}

/// `subview` applied again to `current`, whose dim 0 may differ.
static Value replaySubview(OpBuilder &b, Location loc,
                           memref::SubViewOp subview, Value current,
                           const IRMapping &mapping) {
  auto mapAll = [&](SmallVector<OpFoldResult> values) {
    for (OpFoldResult &v : values)
      if (auto value = dyn_cast<Value>(v))
        v = mapping.lookupOrDefault(value);
    return values;
  };
  auto type = cast<MemRefType>(current.getType());
  int64_t partitions = type.getDimSize(0);
  SmallVector<OpFoldResult> sizes = mapAll(subview.getMixedSizes());
  SmallVector<int64_t> shape(subview.getType().getShape());
  if (subview.getSourceType().getDimSize(0) != partitions) {
    // All partitions of the base; a ragged base's size is a value.
    sizes[0] = memref::getMixedSize(b, loc, current, 0);
    shape[0] = partitions;
  }
  SmallVector<OpFoldResult> offsets = mapAll(subview.getMixedOffsets());
  SmallVector<OpFoldResult> strides = mapAll(subview.getMixedStrides());
  // Rank-reducing subviews drop the same dims again.
  MemRefType resultType = memref::SubViewOp::inferRankReducedResultType(
      shape, type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, resultType, current, offsets, sizes,
                                   strides);
}

Value nki::replaySubviews(OpBuilder &b, Location loc,
                          ArrayRef<Operation *> chain, Value base,
                          const IRMapping &mapping) {
  Value current = base;
  for (Operation *op : chain)
    current =
        replaySubview(b, loc, cast<memref::SubViewOp>(op), current, mapping);
  return current;
}

FailureOr<Value> nki::replayViewChain(OpBuilder &b, Location loc,
                                      ArrayRef<Operation *> chain, Value base,
                                      const IRMapping &mapping) {
  Value current = base;
  for (Operation *op : chain) {
    auto type = cast<MemRefType>(current.getType());
    int64_t partitions = type.getDimSize(0);
    if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
      current = replaySubview(b, loc, subview, current, mapping);
      continue;
    }
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
      SmallVector<int64_t> shape(expand.getType().getShape());
      if (expand.getSrcType().getDimSize(0) != partitions)
        shape[0] = partitions;
      if (ShapedType::isDynamicShape(shape) ||
          failed(memref::ExpandShapeOp::computeExpandedType(
              type, shape, expand.getReassociationIndices())))
        return failure();
      current = memref::ExpandShapeOp::create(b, loc, shape, current,
                                              expand.getReassociationIndices());
      continue;
    }
    auto collapse = cast<memref::CollapseShapeOp>(op);
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(
            type, collapse.getReassociationIndices()))
      return failure();
    current = memref::CollapseShapeOp::create(
        b, loc, current, collapse.getReassociationIndices());
  }
  return current;
}
