//===- LoadSlices.cpp - Load only the rows later reads touch ----*- C++ -*-===//

#include "Recompute.h"
#include "Remarks.h"

#include "nki/Analysis/Legality.h"
#include "nki/Analysis/ViewedRange.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKILOADSLICES
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr int64_t kRowDim = 1; // the first free dim

/// For one read of at most S positions (S a known constant bound) starting
/// at `offset`: it spans at most ceil((S - 1) / d) + 1 rows, or ceil(S / d)
/// when the offset is a multiple of the row size d. Returns that count when
/// it is smaller than the buffer.
std::optional<int64_t> staticWindow(ArrayRef<ViewedRange> ranges,
                                    int64_t numRows) {
  if (ranges.size() != 1)
    return std::nullopt;
  const ViewedRange &range = ranges.front();
  std::optional<int64_t> bound =
      isa<Attribute>(range.size)
          ? getConstantIntValue(range.size)
          : getConstantUpperBound(cast<Value>(range.size));
  if (!bound || *bound < 1)
    return std::nullopt;
  bool aligned = false;
  if (auto value = dyn_cast<Value>(range.offset))
    if (auto mul = value.getDefiningOp<arith::MulIOp>())
      for (Value factor : {mul.getLhs(), mul.getRhs()})
        if (std::optional<int64_t> c = getConstantIntValue(factor))
          aligned |= *c % range.divisor == 0;
  int64_t rows = aligned ? llvm::divideCeil(*bound, range.divisor)
                         : llvm::divideCeil(*bound - 1, range.divisor) + 1;
  if (rows >= numRows)
    return std::nullopt;
  return rows;
}

/// Replaces `buffer` by one of `window` rows holding rows [rowBegin,
/// rowBegin + window) of it: the DMA fills it from row 0, reads subtract
/// rowBegin (times the row size where they linearize). Returns false, having
/// changed nothing, unless every read is a subview of the buffer or of one
/// collapse_shape of it and the DMA targets the buffer or a zero-offset view.
bool shrinkToWindow(Operation *dma, Value buffer, ArrayRef<OpOperand *> reads,
                    ArrayRef<ViewedRange> ranges, OpFoldResult rowBegin,
                    int64_t window) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape())
    return false;
  for (OpOperand *read : reads) {
    auto subview = read->get().getDefiningOp<memref::SubViewOp>();
    if (!subview)
      return false;
    Value source = subview.getSource();
    if (source == buffer)
      continue;
    auto collapse = source.getDefiningOp<memref::CollapseShapeOp>();
    if (!collapse || collapse.getSrc() != buffer)
      return false;
  }
  Value target = dma->getOperand(1);
  auto targetView = target.getDefiningOp<memref::SubViewOp>();
  if (target != buffer && !targetView)
    return false;

  SmallVector<int64_t> shape(type.getShape());
  shape[kRowDim] = window;
  OpBuilder b(alloc);
  Location loc = dma->getLoc();
  Value shrunk =
      memref::AllocOp::create(b, loc,
                              MemRefType::get(shape, type.getElementType(),
                                              nullptr, type.getMemorySpace()));
  // Reads: subtract the window's first row.
  DenseMap<Value, Value> collapsed;
  for (auto [read, range] : llvm::zip(reads, ranges)) {
    auto subview = read->get().getDefiningOp<memref::SubViewOp>();
    OpBuilder at(subview);
    Value source = shrunk;
    int64_t dim = kRowDim;
    if (subview.getSource() != buffer) {
      auto collapse =
          subview.getSource().getDefiningOp<memref::CollapseShapeOp>();
      Value &newCollapse = collapsed[collapse];
      if (!newCollapse)
        newCollapse = memref::CollapseShapeOp::create(
            at, loc, shrunk, collapse.getReassociationIndices());
      source = newCollapse;
      for (auto [i, group] :
           llvm::enumerate(collapse.getReassociationIndices()))
        if (llvm::is_contained(group, kRowDim))
          dim = i;
    }
    SmallVector<OpFoldResult> offsets = subview.getMixedOffsets();
    Value shift = arith::MulIOp::create(
        at, loc, getValueOrCreateConstantIndexOp(at, loc, rowBegin),
        arith::ConstantIndexOp::create(at, loc, range.divisor));
    offsets[dim] =
        arith::SubIOp::create(
            at, loc, getValueOrCreateConstantIndexOp(at, loc, offsets[dim]),
            shift)
            .getResult();
    Value view = memref::SubViewOp::create(at, loc, source, offsets,
                                           subview.getMixedSizes(),
                                           subview.getMixedStrides());
    read->set(view);
  }
  // The DMA: the window's rows into the whole new buffer.
  OpBuilder at(dma);
  SmallVector<OpFoldResult> sizes = memref::getMixedSizes(at, loc, target);
  SmallVector<OpFoldResult> offsets(sizes.size(), at.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(sizes.size(), at.getIndexAttr(1));
  sizes[kRowDim] = at.getIndexAttr(window);
  Value shrunkTarget =
      target == buffer
          ? shrunk
          : memref::SubViewOp::create(at, loc, shrunk, offsets, sizes, strides)
                .getResult();
  offsets[kRowDim] = rowBegin;
  Value source = memref::SubViewOp::create(at, loc, dma->getOperand(0), offsets,
                                           sizes, strides);
  at.clone(*dma)->setOperands({source, shrunkTarget});
  dma->erase();
  // What referred to the old buffer is dead now.
  SmallVector<Operation *> dead;
  for (Operation *user : buffer.getUsers())
    dead.push_back(user);
  for (Operation *op : dead) {
    for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
      if (user->use_empty() && isa<memref::SubViewOp>(user))
        user->erase();
    if (op->use_empty())
      op->erase();
  }
  if (alloc->use_empty())
    alloc.erase();
  return true;
}

/// The rows of the buffer a narrowed DMA loads: [begin, begin + count).
struct RowWindow {
  OpFoldResult begin, count;
  bool isStatic; // every read's range was static
};

class LoadSlices {
public:
  LoadSlices(RewriterBase &rewriter, DominanceInfo &dominance)
      : rewriter(rewriter), dominance(dominance) {}

  /// Narrows the copy `dma` (a DMA, or an on-chip copy; operands source,
  /// target) when its buffer is read only partly and it is safe.
  LogicalResult run(Operation *dma);

private:
  LogicalResult decline(Operation *dma, const Twine &reason) {
    return rewriter.notifyMatchFailure(dma, "not narrowed: " + reason);
  }
  /// The buffer `dma` fills whole, and the uses that read it after.
  LogicalResult findReads(Operation *dma, Value &buffer,
                          SmallVectorImpl<OpOperand *> &reads);
  /// The rows every read covers, materialized before `dma`; fails (with or
  /// without a reason) when they cannot be known or are every row.
  FailureOr<RowWindow> planRows(Operation *dma, Value buffer,
                                ArrayRef<OpOperand *> reads,
                                SmallVectorImpl<ViewedRange> &ranges);

  RewriterBase &rewriter;
  DominanceInfo &dominance;
};

LogicalResult LoadSlices::findReads(Operation *dma, Value &buffer,
                                    SmallVectorImpl<OpOperand *> &reads) {
  Value target = dma->getOperand(1);
  buffer = target;
  if (auto subview = target.getDefiningOp<memref::SubViewOp>()) {
    if (subview.getSourceType().getRank() != subview.getType().getRank() ||
        !llvm::all_of(
            subview.getMixedOffsets(),
            [](OpFoldResult o) { return isConstantIntValue(o, 0); }) ||
        !llvm::all_of(subview.getMixedStrides(),
                      [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
      return failure();
    buffer = subview.getSource();
  }
  if (!buffer.getDefiningOp<memref::AllocOp>() ||
      cast<MemRefType>(buffer.getType()).getRank() <= kRowDim)
    return failure();

  // Every other use must read, after the DMA, in its block.
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (user == dma || (user == target.getDefiningOp() && value == buffer))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == value) {
        worklist.push_back(view->getResult(0));
        continue;
      }
      Operation *ancestor = dma->getBlock()->findAncestorOpInBlock(*user);
      if (!ancestor)
        return decline(dma, "the buffer is used outside the load's block");
      if (!dma->isBeforeInBlock(ancestor))
        return decline(dma, "the buffer is used before the load");
      if (!isa<NKIDialect>(user->getDialect()) ||
          !isa<MemoryEffectOpInterface>(user))
        return decline(dma, "an op other than an NKI read uses the buffer");
      if (mayWriteThrough(use))
        return decline(dma, "the buffer is written again after the load");
      reads.push_back(&use);
    }
  }
  return success(!reads.empty());
}

FailureOr<RowWindow>
LoadSlices::planRows(Operation *dma, Value buffer, ArrayRef<OpOperand *> reads,
                     SmallVectorImpl<ViewedRange> &ranges) {
  // Rows [r0, r1): the union of the reads' rows. Check every read first,
  // so that a declined DMA leaves the IR untouched.
  int64_t numRows =
      cast<MemRefType>(dma->getOperand(1).getType()).getDimSize(kRowDim);
  if (ShapedType::isDynamic(numRows))
    return decline(dma, "the buffer's row count is dynamic");
  for (OpOperand *read : reads) {
    FailureOr<ViewedRange> range = getViewedRange(buffer, kRowDim, read->get());
    if (failed(range))
      return decline(dma, "a read's range is not known");
    for (OpFoldResult bound : {range->offset, range->size})
      if (auto value = dyn_cast<Value>(bound);
          value && !canRecomputeBefore(value, dma, dominance))
        return decline(dma, "a read's range is computed after the load");
    ranges.push_back(*range);
  }
  // Static rows when every range is static.
  std::optional<int64_t> staticBegin, staticEnd;
  bool allStatic = true;
  for (const ViewedRange &range : ranges) {
    std::optional<int64_t> offset = getConstantIntValue(range.offset);
    std::optional<int64_t> size = getConstantIntValue(range.size);
    if (!offset || !size) {
      allStatic = false;
      break;
    }
    int64_t lo = *offset / range.divisor;
    int64_t hi = llvm::divideCeil(*offset + *size, range.divisor);
    staticBegin = std::min(staticBegin.value_or(lo), lo);
    staticEnd = std::max(staticEnd.value_or(hi), hi);
  }
  OpBuilder b(dma);
  Location loc = dma->getLoc();
  if (allStatic) {
    int64_t lo = std::min(*staticBegin, numRows);
    int64_t hi = std::min(*staticEnd, numRows);
    if (lo == 0 && hi == numRows)
      return failure(); // every row is read: nothing to narrow
    return RowWindow{b.getIndexAttr(lo),
                     b.getIndexAttr(std::max<int64_t>(hi - lo, 0)), true};
  }
  if (std::optional<int64_t> window = staticWindow(ranges, numRows)) {
    // A fixed number of rows that always covers the read, starting at its
    // first row and moved back where the buffer ends: static DMA shapes.
    const ViewedRange &range = ranges.front();
    Value offset = materializeBefore(range.offset, dma, dominance, b);
    Value divisor = arith::ConstantIndexOp::create(b, loc, range.divisor);
    Value first = arith::DivUIOp::create(b, loc, offset, divisor);
    Value lastStart = arith::ConstantIndexOp::create(b, loc, numRows - *window);
    return RowWindow{
        arith::MinUIOp::create(b, loc, first, lastStart).getResult(),
        b.getIndexAttr(*window), false};
  }
  auto materialize = [&](OpFoldResult ofr) {
    return materializeBefore(ofr, dma, dominance, b);
  };
  Value begin, end;
  for (const ViewedRange &range : ranges) {
    Value offset = materialize(range.offset);
    Value size = materialize(range.size);
    Value divisor = arith::ConstantIndexOp::create(b, loc, range.divisor);
    Value lo = arith::DivUIOp::create(b, loc, offset, divisor);
    Value last = arith::AddIOp::create(b, loc, offset, size);
    Value hi = arith::CeilDivUIOp::create(b, loc, last, divisor);
    begin = begin ? arith::MinUIOp::create(b, loc, begin, lo).getResult() : lo;
    end = end ? arith::MaxUIOp::create(b, loc, end, hi).getResult() : hi;
  }
  Value rowsInBuffer = arith::ConstantIndexOp::create(b, loc, numRows);
  Value lo = arith::MinUIOp::create(b, loc, begin, rowsInBuffer);
  Value hi = arith::MinUIOp::create(b, loc, end, rowsInBuffer);
  Value count =
      arith::SubIOp::create(b, loc, arith::MaxUIOp::create(b, loc, hi, lo), lo);
  // Never more than the buffer holds; says so to later passes too.
  return RowWindow{
      lo, arith::MinUIOp::create(b, loc, count, rowsInBuffer).getResult(),
      false};
}

LogicalResult LoadSlices::run(Operation *dma) {
  Value buffer;
  SmallVector<OpOperand *> reads;
  if (failed(findReads(dma, buffer, reads)))
    return failure();
  SmallVector<ViewedRange> ranges;
  FailureOr<RowWindow> rows = planRows(dma, buffer, reads, ranges);
  if (failed(rows))
    return failure();

  // With a static window, the buffer itself shrinks to the window when every
  // read is a subview of it, or of one collapse of it, so that on-chip
  // capacity follows the traffic.
  if (!rows->isStatic && getConstantIntValue(rows->count) &&
      shrinkToWindow(dma, buffer, reads, ranges, rows->begin,
                     *getConstantIntValue(rows->count)))
    return success();

  // The DMA of those rows only, on both sides.
  OpBuilder b(dma);
  Location loc = dma->getLoc();
  auto narrowView = [&](Value view) {
    SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, view);
    SmallVector<OpFoldResult> offsets(sizes.size(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
    offsets[kRowDim] = rows->begin;
    sizes[kRowDim] = rows->count;
    return memref::SubViewOp::create(b, loc, view, offsets, sizes, strides)
        .getResult();
  };
  Value source = narrowView(dma->getOperand(0));
  Value narrowed = narrowView(dma->getOperand(1));
  b.clone(*dma)->setOperands({source, narrowed});
  rewriter.eraseOp(dma);
  return success();
}

struct LoadSlicesPass : public nki::impl::NKILoadSlicesBase<LoadSlicesPass> {
  void runOnOperation() override {
    applyToEach<DmaCopyOp>(getOperation(), getArgument(),
                           [&](RewriterBase &rewriter, DmaCopyOp dma) {
                             return loadSlice(rewriter, dma);
                           });
    applyToEach<TensorCopyOp>(getOperation(), getArgument(),
                              [&](RewriterBase &rewriter, TensorCopyOp copy) {
                                return sliceOnChipCopy(rewriter, copy);
                              });
  }
};

} // namespace

LogicalResult nki::loadSlice(RewriterBase &rewriter, DmaCopyOp load) {
  DominanceInfo dominance;
  return LoadSlices(rewriter, dominance).run(load);
}

LogicalResult nki::sliceOnChipCopy(RewriterBase &rewriter, TensorCopyOp copy) {
  // PSUM evictions are left whole: the eviction rewrites transform them.
  if (getSpace(cast<MemRefType>(copy.getSource().getType())) != Space::SBUF)
    return failure();
  DominanceInfo dominance;
  return LoadSlices(rewriter, dominance).run(copy);
}
