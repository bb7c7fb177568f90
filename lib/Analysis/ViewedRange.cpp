//===- ViewedRange.cpp - Which part of a buffer a view covers ---*- C++ -*-===//

#include "nki/Analysis/ViewedRange.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;

FailureOr<SmallVector<Operation *>> nki::getViewChain(Value base, Value view) {
  SmallVector<Operation *> chain;
  while (view != base) {
    Operation *op = view.getDefiningOp();
    if (!isa_and_nonnull<memref::SubViewOp, memref::ExpandShapeOp,
                         memref::CollapseShapeOp>(op))
      return failure();
    chain.push_back(op);
    view = op->getOperand(0);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

FailureOr<nki::ViewedRange> nki::getViewedRange(Value buffer, int64_t dim,
                                                Value view) {
  FailureOr<SmallVector<Operation *>> chain = getViewChain(buffer, view);
  if (failed(chain))
    return failure();
  auto type = cast<MemRefType>(buffer.getType());
  Builder b(buffer.getContext());
  ViewedRange range;
  range.offset = b.getIndexAttr(0);
  range.size = b.getIndexAttr(type.getDimSize(dim));
  bool whole = true; // no subview has narrowed the dim yet
  int64_t position = dim;
  for (Operation *op : *chain) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
      auto groups = collapse.getReassociationIndices();
      auto group = llvm::find_if(groups, [&](const ReassociationIndices &g) {
        return llvm::is_contained(g, position);
      });
      if (group->size() > 1) {
        // Linearizing is only understood from the dim on, on the whole dim.
        if (group->front() != position || !whole)
          return failure();
        auto sourceType = collapse.getSrcType();
        int64_t inner = 1;
        for (int64_t d : llvm::drop_begin(*group)) {
          if (sourceType.isDynamicDim(d))
            return failure();
          inner *= sourceType.getDimSize(d);
        }
        range.divisor *= inner;
        range.size = b.getIndexAttr(sourceType.getDimSize(position) * inner);
      }
      position = group - groups.begin();
      continue;
    }
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
      // Only an expansion that leaves the dim alone keeps the range.
      auto groups = expand.getReassociationIndices();
      if (position >= static_cast<int64_t>(groups.size()) ||
          groups[position].size() != 1)
        return failure();
      position = groups[position].front();
      continue;
    }
    auto subview = cast<memref::SubViewOp>(op);
    if (!isConstantIntValue(subview.getMixedStrides()[position], 1))
      return failure();
    OpFoldResult offset = subview.getMixedOffsets()[position];
    if (!isConstantIntValue(range.offset, 0)) {
      // Offsets add up; only constant ones are folded here.
      std::optional<int64_t> a = getConstantIntValue(range.offset);
      std::optional<int64_t> c = getConstantIntValue(offset);
      if (!a || !c)
        return failure();
      offset = b.getIndexAttr(*a + *c);
    }
    range.offset = offset;
    range.size = subview.getMixedSizes()[position];
    whole = false;
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    if (dropped.test(position))
      return failure();
    int64_t droppedBefore = 0;
    for (int64_t d = 0; d < position; ++d)
      droppedBefore += dropped[d];
    position -= droppedBefore;
  }
  return range;
}

std::optional<int64_t> nki::getConstantUpperBound(Value value) {
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return constant;
  Operation *def = value.getDefiningOp();
  if (!def || def->getNumOperands() != 2)
    return std::nullopt;
  std::optional<int64_t> lhs = getConstantUpperBound(def->getOperand(0));
  std::optional<int64_t> rhs = getConstantUpperBound(def->getOperand(1));
  if (isa<arith::MinSIOp, arith::MinUIOp>(def)) {
    if (lhs && rhs)
      return std::min(*lhs, *rhs);
    return lhs ? lhs : rhs;
  }
  if (isa<arith::MaxSIOp, arith::MaxUIOp>(def) && lhs && rhs)
    return std::max(*lhs, *rhs);
  return std::nullopt;
}
