//===- LoadSlices.cpp - Load only the rows later reads touch ----*- C++ -*-===//

#include "Loops.h"
#include "Recompute.h"
#include "Remarks.h"

#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Analysis/ViewedRange.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallBitVector.h"

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

/// The operands through which ops other than `fills` access `buffer`
/// (through view ops): each must be a read by an NKI op in the block of
/// `last` (the last fill), after it. Otherwise fails with a reason about
/// `what`.
LogicalResult collectReadsAfter(Value buffer, Operation *last,
                                ArrayRef<Operation *> fills, StringRef what,
                                SmallVectorImpl<OpOperand *> &reads,
                                std::string &reason) {
  auto fail = [&](const Twine &why) {
    reason = why.str();
    return failure();
  };
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (llvm::is_contained(fills, user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == value) {
        worklist.push_back(view->getResult(0));
        continue;
      }
      Operation *ancestor = last->getBlock()->findAncestorOpInBlock(*user);
      if (!ancestor)
        return fail(what + " is used outside the load's block");
      if (!last->isBeforeInBlock(ancestor))
        return fail(what + " is used before the load");
      if (!isa<NKIDialect>(user->getDialect()) ||
          !isa<MemoryEffectOpInterface>(user))
        return fail("an op other than an NKI read uses " + what);
      if (mayWriteThrough(use))
        return fail(what + " is written again after the load");
      reads.push_back(&use);
    }
  }
  return success();
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
  std::string reason;
  if (failed(collectReadsAfter(buffer, dma, {dma, target.getDefiningOp()},
                               "the buffer", reads, reason)))
    return decline(dma, reason);
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

/// An index value as `constant + sum(coefficient * atom)`, taken apart
/// through constants, addi, subi and muli by a constant.
struct LinearForm {
  int64_t constant = 0;
  llvm::MapVector<Value, int64_t> terms;

  void add(const LinearForm &other, int64_t scale) {
    constant += scale * other.constant;
    for (auto [atom, coefficient] : other.terms)
      terms[atom] += scale * coefficient;
  }
  /// Whether the two differ by a constant only.
  bool sameTerms(const LinearForm &other) const {
    auto nonzero = [](const LinearForm &f) {
      llvm::MapVector<Value, int64_t> result;
      for (auto [atom, coefficient] : f.terms)
        if (coefficient != 0)
          result[atom] = coefficient;
      return result;
    };
    return nonzero(*this).takeVector() == nonzero(other).takeVector();
  }
};

/// Loops around a padded image that do not change what it holds, innermost
/// first: its window is the union over their iterations.
using Scope = SmallVector<scf::ForOp>;

/// Whether `value` depends on the induction variable of `loop`.
bool dependsOnLoop(Value value, scf::ForOp loop) {
  if (value == loop.getInductionVar())
    return true;
  Operation *def = value.getDefiningOp();
  if (!def) // a block argument: only the loop's own or an inner one's
    return loop->isAncestor(value.getParentBlock()->getParentOp());
  if (!loop->isAncestor(def))
    return false;
  if (def->getNumRegions() != 0)
    return true;
  return llvm::any_of(def->getOperands(),
                      [&](Value v) { return dependsOnLoop(v, loop); });
}

/// The first and last value of `loop`'s induction variable when its bounds
/// and step are constants (an upper bound through min/max will do: the last
/// value is then a bound); nullopt otherwise, or when it never runs.
std::optional<std::pair<int64_t, int64_t>> getIvRange(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantUpperBound(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step < 1 || *ub <= *lb)
    return std::nullopt;
  return std::pair(*lb, *lb + (*ub - 1 - *lb) / *step * *step);
}

/// The least and greatest value of `form` when every atom is the induction
/// variable of such a loop; nullopt otherwise.
std::optional<std::pair<int64_t, int64_t>> getRange(const LinearForm &form) {
  int64_t lo = form.constant, hi = form.constant;
  for (auto [atom, coefficient] : form.terms) {
    scf::ForOp loop = scf::getForInductionVarOwner(atom);
    std::optional<std::pair<int64_t, int64_t>> iv =
        loop ? getIvRange(loop) : std::nullopt;
    if (!iv)
      return std::nullopt;
    lo += coefficient * (coefficient >= 0 ? iv->first : iv->second);
    hi += coefficient * (coefficient >= 0 ? iv->second : iv->first);
  }
  return std::pair(lo, hi);
}

/// `value` as a linear form whose atoms are the induction variables of
/// `scope` and values that depend on none of them.
FailureOr<LinearForm> getLinearForm(Value value, ArrayRef<scf::ForOp> scope) {
  LinearForm form;
  if (std::optional<int64_t> c = getConstantIntValue(value)) {
    form.constant = *c;
    return form;
  }
  auto combine = [&](Value lhs, Value rhs,
                     int64_t rhsScale) -> FailureOr<LinearForm> {
    FailureOr<LinearForm> l = getLinearForm(lhs, scope);
    FailureOr<LinearForm> r = getLinearForm(rhs, scope);
    if (failed(l) || failed(r))
      return failure();
    l->add(*r, rhsScale);
    return l;
  };
  if (auto add = value.getDefiningOp<arith::AddIOp>())
    return combine(add.getLhs(), add.getRhs(), 1);
  if (auto sub = value.getDefiningOp<arith::SubIOp>())
    return combine(sub.getLhs(), sub.getRhs(), -1);
  if (auto mul = value.getDefiningOp<arith::MulIOp>()) {
    for (auto [factor, other] : {std::pair(mul.getLhs(), mul.getRhs()),
                                 std::pair(mul.getRhs(), mul.getLhs())})
      if (std::optional<int64_t> c = getConstantIntValue(factor)) {
        FailureOr<LinearForm> f = getLinearForm(other, scope);
        if (failed(f))
          return failure();
        LinearForm scaled;
        scaled.add(*f, *c);
        return scaled;
      }
  }
  // Exact divisions by a constant, and clamps by a constant that never
  // bind, proven over the loops' ranges (AlignPartitions' first row of a
  // block: min(start / W, last)).
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<arith::DivUIOp, arith::DivSIOp>(def)) {
    std::optional<int64_t> divisor = getConstantIntValue(def->getOperand(1));
    FailureOr<LinearForm> dividend = getLinearForm(def->getOperand(0), scope);
    std::optional<std::pair<int64_t, int64_t>> range =
        succeeded(dividend) ? getRange(*dividend) : std::nullopt;
    if (divisor && *divisor > 0 && range && range->first >= 0 &&
        dividend->constant % *divisor == 0 &&
        llvm::all_of(dividend->terms,
                     [&](auto term) { return term.second % *divisor == 0; })) {
      LinearForm quotient;
      quotient.add(*dividend, 1);
      quotient.constant /= *divisor;
      for (auto &term : quotient.terms)
        term.second /= *divisor;
      return quotient;
    }
  }
  bool isMin = isa_and_nonnull<arith::MinUIOp, arith::MinSIOp>(def);
  if (isMin || isa_and_nonnull<arith::MaxUIOp, arith::MaxSIOp>(def)) {
    for (auto [bound, other] :
         {std::pair(def->getOperand(1), def->getOperand(0)),
          std::pair(def->getOperand(0), def->getOperand(1))}) {
      std::optional<int64_t> c = getConstantIntValue(bound);
      if (!c)
        continue;
      FailureOr<LinearForm> f = getLinearForm(other, scope);
      std::optional<std::pair<int64_t, int64_t>> range =
          succeeded(f) ? getRange(*f) : std::nullopt;
      if (range && range->first >= 0 && *c >= 0 &&
          (isMin ? range->second <= *c : range->first >= *c))
        return f;
    }
  }
  bool isInductionVar = llvm::any_of(
      scope, [&](scf::ForOp loop) { return loop.getInductionVar() == value; });
  if (!isInductionVar && llvm::any_of(scope, [&](scf::ForOp loop) {
        return dependsOnLoop(value, loop);
      }))
    return failure();
  form.terms[value] = 1;
  return form;
}

/// `offset` (an attribute or a value) as a linear form.
FailureOr<LinearForm> getLinearForm(OpFoldResult offset,
                                    ArrayRef<scf::ForOp> scope) {
  if (std::optional<int64_t> c = getConstantIntValue(offset)) {
    LinearForm form;
    form.constant = *c;
    return form;
  }
  return getLinearForm(cast<Value>(offset), scope);
}

/// The first and last row of `buffer` (dim kRowDim) that `view`, a chain of
/// subviews of it with static strides, touches, as linear forms.
FailureOr<std::pair<LinearForm, LinearForm>>
getReadRows(Value buffer, Value view, ArrayRef<scf::ForOp> scope) {
  FailureOr<SmallVector<Operation *>> chain = getViewChain(buffer, view);
  if (failed(chain) || chain->empty())
    return failure();
  LinearForm first;
  int64_t step = 1, count = 1;
  int64_t position = kRowDim;
  for (Operation *op : *chain) {
    auto subview = dyn_cast<memref::SubViewOp>(op);
    if (!subview)
      return failure();
    std::optional<int64_t> stride =
        getConstantIntValue(subview.getMixedStrides()[position]);
    OpFoldResult size = subview.getMixedSizes()[position];
    std::optional<int64_t> bound =
        isa<Attribute>(size) ? getConstantIntValue(size)
                             : getConstantUpperBound(cast<Value>(size));
    FailureOr<LinearForm> offset =
        getLinearForm(subview.getMixedOffsets()[position], scope);
    if (!stride || *stride < 1 || !bound || *bound < 1 || failed(offset))
      return failure();
    first.add(*offset, step);
    step *= *stride;
    count = *bound;
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    if (dropped.test(position)) {
      count = 1;
      break; // later views index other dims
    }
    int64_t droppedBefore = 0;
    for (int64_t d = 0; d < position; ++d)
      droppedBefore += dropped[d];
    position -= droppedBefore;
  }
  LinearForm last = first;
  last.constant += step * (count - 1);
  return std::pair(first, last);
}

/// The least (`lowest`) or greatest value of `form` over every iteration of
/// the loops of `scope` (or beyond: an upper bound may be a bound, through
/// min/max); fails unless their bounds and steps are constants.
FailureOr<LinearForm> extremeOverScope(const LinearForm &form,
                                       ArrayRef<scf::ForOp> scope,
                                       bool lowest) {
  LinearForm result;
  result.constant = form.constant;
  for (auto [atom, coefficient] : form.terms) {
    const scf::ForOp *found =
        llvm::find_if(scope, [&, atom = atom](scf::ForOp l) {
          return l.getInductionVar() == atom;
        });
    if (found == scope.end()) {
      result.terms[atom] += coefficient;
      continue;
    }
    std::optional<std::pair<int64_t, int64_t>> iv = getIvRange(*found);
    if (!iv)
      return failure();
    result.constant +=
        coefficient * ((coefficient >= 0) == lowest ? iv->first : iv->second);
  }
  return result;
}

/// `form` as an index value at the builder's position, before `point`.
Value materialize(const LinearForm &form, Operation *point,
                  DominanceInfo &dominance, OpBuilder &b) {
  Location loc = point->getLoc();
  Value sum = arith::ConstantIndexOp::create(b, loc, form.constant);
  for (auto [atom, coefficient] : form.terms) {
    if (coefficient == 0)
      continue;
    Value term = recomputeBefore(atom, point, dominance, b);
    if (coefficient != 1)
      term = arith::MulIOp::create(
          b, loc, term, arith::ConstantIndexOp::create(b, loc, coefficient));
    sum = arith::AddIOp::create(b, loc, sum, term);
  }
  return sum;
}

/// Most spatial blocks that share one padded window (as in
/// nki-group-row-blocks: trn2's 8 PSUM banks, one accumulation group each).
constexpr int64_t kMaxGroupedBlocks = 8;

/// A padded image: a local buffer set whole to a constant, then partly
/// overwritten by one copy into a unit-stride view of it, then only read.
struct PaddedFill {
  memref::AllocOp buffer;
  MemsetOp memset;
  Operation *copy = nullptr;  // nki.dma_copy or nki.tensor_copy
  memref::SubViewOp interior; // the copy's target
  SmallVector<OpOperand *> reads;
};

/// The rows a padded image's reads touch over every iteration of `scope`:
/// from `first`, `window` rows.
struct RowSpan {
  LinearForm first;
  int64_t window;
};

/// The union of `fill`'s reads over `scope`, when it is a window of fixed
/// size; else fails with a reason.
FailureOr<RowSpan> getRowSpan(PaddedFill &fill, ArrayRef<scf::ForOp> scope,
                              std::string &reason) {
  std::optional<LinearForm> lowest, highest;
  for (OpOperand *read : fill.reads) {
    auto rows = getReadRows(fill.buffer, read->get(), scope);
    if (failed(rows)) {
      reason = "a read's rows of the padded image are not known";
      return failure();
    }
    FailureOr<LinearForm> lo = extremeOverScope(rows->first, scope, true);
    FailureOr<LinearForm> hi = extremeOverScope(rows->second, scope, false);
    if (failed(lo) || failed(hi)) {
      reason = "a loop around the padded image has dynamic bounds";
      return failure();
    }
    if (lowest && (!lowest->sameTerms(*lo) || !highest->sameTerms(*hi))) {
      reason = "the reads' windows move apart";
      return failure();
    }
    if (!lowest || lo->constant < lowest->constant)
      lowest = *lo;
    if (!highest || hi->constant > highest->constant)
      highest = *hi;
  }
  if (!lowest->sameTerms(*highest)) {
    reason = "the rows read are not a window of fixed size";
    return failure();
  }
  return RowSpan{*lowest, highest->constant - lowest->constant + 1};
}

class PaddedSlices {
public:
  PaddedSlices(RewriterBase &rewriter, DominanceInfo &dominance, int64_t budget)
      : rewriter(rewriter), dominance(dominance), budget(budget) {}
  LogicalResult run(MemsetOp memset);

private:
  LogicalResult decline(Operation *op, const Twine &reason) {
    return rewriter.notifyMatchFailure(op, "not narrowed: " + reason);
  }
  FailureOr<PaddedFill> findFill(MemsetOp memset);
  /// `view`, a chain of subviews of `buffer`, as one subview of `shrunk`
  /// moved back by `shift` rows (so that no view between them is larger than
  /// the window).
  Value compose(Value view, Value buffer, Value shrunk, Value shift,
                OpBuilder &b);

  RewriterBase &rewriter;
  DominanceInfo &dominance;
  int64_t budget;
};

FailureOr<PaddedFill> PaddedSlices::findFill(MemsetOp memset) {
  PaddedFill fill;
  fill.memset = memset;
  fill.buffer = memset.getTarget().getDefiningOp<memref::AllocOp>();
  if (!fill.buffer || fill.buffer.getType().getRank() <= kRowDim ||
      !fill.buffer.getType().hasStaticShape())
    return failure();
  // The one copy into a view of the buffer, after the memset in its block.
  for (OpOperand &use : fill.buffer->getUses()) {
    auto view = dyn_cast<memref::SubViewOp>(use.getOwner());
    if (!view || view->getBlock() != memset->getBlock())
      continue;
    for (Operation *user : view->getUsers())
      if (isa<DmaCopyOp, TensorCopyOp>(user) &&
          user->getOperand(1) == view.getResult() &&
          memset->isBeforeInBlock(user)) {
        if (fill.copy)
          return failure();
        fill.copy = user;
        fill.interior = view;
      }
  }
  if (!fill.copy ||
      fill.interior.getType().getRank() != fill.buffer.getType().getRank() ||
      !llvm::all_of(fill.interior.getMixedStrides(),
                    [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
    return failure();
  // Everything else reads the buffer after the copy, in its block.
  std::string reason;
  if (failed(collectReadsAfter(fill.buffer, fill.copy,
                               {memset, fill.copy, fill.interior},
                               "the padded image", fill.reads, reason)))
    return decline(fill.copy, reason);
  if (fill.reads.empty())
    return failure();
  return fill;
}

Value PaddedSlices::compose(Value view, Value buffer, Value shrunk, Value shift,
                            OpBuilder &b) {
  Location loc = view.getLoc();
  auto type = cast<MemRefType>(buffer.getType());
  int64_t rank = type.getRank();
  // Per buffer dim: offset, size and stride of the composed view, and
  // which buffer dim each dim of the current view is.
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), type.getShape());
  SmallVector<int64_t> strides(rank, 1);
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  auto addIndex = [&](OpFoldResult lhs, OpFoldResult rhs, int64_t scale) {
    std::optional<int64_t> l = getConstantIntValue(lhs);
    std::optional<int64_t> r = getConstantIntValue(rhs);
    if (l && r)
      return OpFoldResult(b.getIndexAttr(*l + scale * *r));
    Value scaled = getValueOrCreateConstantIndexOp(b, loc, rhs);
    if (scale != 1)
      scaled = arith::MulIOp::create(
          b, loc, scaled, arith::ConstantIndexOp::create(b, loc, scale));
    return OpFoldResult(
        arith::AddIOp::create(
            b, loc, getValueOrCreateConstantIndexOp(b, loc, lhs), scaled)
            .getResult());
  };
  SmallVector<Operation *> chain = *getViewChain(buffer, view);
  for (Operation *op : chain) {
    auto subview = cast<memref::SubViewOp>(op);
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    SmallVector<int64_t> kept;
    for (auto [i, dim] : llvm::enumerate(dims)) {
      offsets[dim] =
          addIndex(offsets[dim], subview.getMixedOffsets()[i], strides[dim]);
      sizes[dim] = subview.getMixedSizes()[i];
      strides[dim] *= *getConstantIntValue(subview.getMixedStrides()[i]);
      if (!dropped.test(i))
        kept.push_back(dim);
    }
    dims = kept;
  }
  offsets[kRowDim] = addIndex(offsets[kRowDim], shift, -1);
  SmallVector<OpFoldResult> steps =
      getAsIndexOpFoldResult(b.getContext(), strides);
  MemRefType result = memref::SubViewOp::inferRankReducedResultType(
      cast<MemRefType>(view.getType()).getShape(),
      cast<MemRefType>(shrunk.getType()), offsets, sizes, steps);
  return memref::SubViewOp::create(b, loc, result, shrunk, offsets, sizes,
                                   steps);
}

LogicalResult PaddedSlices::run(MemsetOp memset) {
  FailureOr<PaddedFill> fill = findFill(memset);
  if (failed(fill))
    return failure();
  Operation *copy = fill->copy;
  MemRefType type = fill->buffer.getType();
  int64_t numRows = type.getDimSize(kRowDim);
  if (getBytesPerPartition(type).value_or(0) <= budget)
    return failure(); // loaded whole, once: nothing to narrow

  // The loops the fill does not depend on: each iteration fills the same
  // image, so the window may be the union over them (and the fill then
  // moves out of them). The most of them, innermost first, whose union still
  // fits the budget; none when no union fits.
  SmallVector<Value> fillValues = {copy->getOperand(0)};
  llvm::append_range(fillValues, fill->interior.getOffsets());
  llvm::append_range(fillValues, fill->interior.getSizes());
  Scope invariant;
  for (auto loop = memset->getParentOfType<scf::ForOp>(); loop;
       loop = loop->getParentOfType<scf::ForOp>()) {
    if (llvm::any_of(fillValues,
                     [&](Value v) { return dependsOnLoop(v, loop); }))
      break;
    invariant.push_back(loop);
  }
  int64_t bytesPerRow = *getBytesPerPartition(type) / numRows;
  auto fits = [&](int64_t rows) {
    return rows < numRows && rows * bytesPerRow <= budget;
  };
  std::optional<RowSpan> span;
  size_t depth = 0;
  std::string reason;
  for (size_t d = 0; d <= invariant.size(); ++d) {
    FailureOr<RowSpan> candidate =
        getRowSpan(*fill, ArrayRef(invariant).take_front(d), reason);
    if (failed(candidate) || (span && !fits(candidate->window)))
      break;
    span = *candidate;
    depth = d;
  }
  if (!span)
    return decline(copy, reason);
  if (span->window >= numRows)
    return failure(); // every row is read
  for (auto [atom, coefficient] : span->first.terms)
    if (!canRecomputeBefore(atom, memset, dominance))
      return decline(copy, "a read's rows are computed after the image");

  // The window moves with a loop further out (the spatial blocks) whose
  // union does not fit whole: groups of its consecutive iterations share
  // one window, as many as fit (strip-mining keeps the iterations' order;
  // nki-hoist-loads then loads the window once per group). The window's
  // first row is linear in the loop's index i with a positive stride s, so
  // over i in [first, first + blocks) it spans s * (blocks - 1) more rows,
  // from the row of `first`.
  scf::ForOp outer = memset->getParentOfType<scf::ForOp>();
  if (depth > 0)
    outer = invariant[depth - 1]->getParentOfType<scf::ForOp>();
  for (; outer; outer = outer->getParentOfType<scf::ForOp>()) {
    Value index = outer.getInductionVar();
    int64_t stride = span->first.terms.lookup(index);
    if (stride == 0)
      continue;
    std::optional<int64_t> trips = getNormalTripCount(outer);
    int64_t blocks = trips ? std::min(kMaxGroupedBlocks, *trips) : 0;
    while (blocks > 1 && !fits(span->window + stride * (blocks - 1)))
      --blocks;
    // Rather groups of equal size (no ragged last group: host threads
    // share the groups evenly), when that halves them at most.
    for (int64_t even = blocks; even > 1 && 2 * even >= blocks; --even)
      if (*trips % even == 0) {
        blocks = even;
        break;
      }
    if (stride > 0 && blocks > 1 && outer.getNumResults() == 0) {
      Value first = stripMine(outer, *trips, blocks).first;
      span->first.terms.erase(index);
      span->first.terms[first] += stride;
      span->window += stride * (blocks - 1);
    }
    break;
  }
  const LinearForm *lowest = &span->first;
  int64_t window = span->window;

  // The window's first row, kept inside the buffer.
  OpBuilder b(memset);
  Location loc = memset.getLoc();
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value begin = arith::MaxSIOp::create(
      b, loc,
      arith::MinSIOp::create(b, loc, materialize(*lowest, memset, dominance, b),
                             constant(numRows - window)),
      constant(0));
  SmallVector<int64_t> shape(type.getShape());
  shape[kRowDim] = window;
  Value shrunk =
      memref::AllocOp::create(b, loc,
                              MemRefType::get(shape, type.getElementType(),
                                              nullptr, type.getMemorySpace()));
  MemsetOp::create(b, loc, shrunk, memset.getValueAttr());

  // The copy: the interior rows [row, row + size) inside the window only.
  b.setInsertionPoint(copy);
  memref::SubViewOp interior = fill->interior;
  Value row = getValueOrCreateConstantIndexOp(
      b, loc, interior.getMixedOffsets()[kRowDim]);
  Value size = getValueOrCreateConstantIndexOp(
      b, loc, interior.getMixedSizes()[kRowDim]);
  Value windowEnd = arith::AddIOp::create(b, loc, begin, constant(window));
  Value lo = arith::MaxSIOp::create(b, loc, begin, row);
  Value hi = arith::MinSIOp::create(b, loc, windowEnd,
                                    arith::AddIOp::create(b, loc, row, size));
  Value count = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, hi, lo), constant(0));
  // Never more than the window: says so to the report and later passes.
  count = arith::MinSIOp::create(b, loc, count, constant(window));
  auto narrow = [&](Value view, SmallVector<OpFoldResult> offsets,
                    Value rowOffset) {
    SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, view);
    SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
    offsets[kRowDim] = rowOffset;
    sizes[kRowDim] = count;
    return memref::SubViewOp::create(b, loc, view, offsets, sizes, strides)
        .getResult();
  };
  Value source = copy->getOperand(0);
  SmallVector<OpFoldResult> zeros(cast<MemRefType>(source.getType()).getRank(),
                                  b.getIndexAttr(0));
  Value narrowedSource =
      narrow(source, zeros, arith::SubIOp::create(b, loc, lo, row));
  SmallVector<OpFoldResult> sizes = interior.getMixedSizes();
  SmallVector<OpFoldResult> offsets = interior.getMixedOffsets();
  offsets[kRowDim] = arith::SubIOp::create(b, loc, lo, begin).getResult();
  sizes[kRowDim] = count;
  Value target = memref::SubViewOp::create(
      b, loc, shrunk, offsets, sizes,
      SmallVector<OpFoldResult>(sizes.size(), b.getIndexAttr(1)));
  b.clone(*copy)->setOperands({narrowedSource, target});

  // The reads, moved back by the window's first row.
  for (OpOperand *read : fill->reads) {
    b.setInsertionPoint(read->getOwner());
    read->set(compose(read->get(), fill->buffer, shrunk, begin, b));
  }
  rewriter.eraseOp(copy);
  rewriter.eraseOp(memset);
  // The old views and buffer are dead now.
  llvm::SetVector<Operation *> dead;
  dead.insert(fill->buffer);
  for (size_t i = 0; i < dead.size(); ++i)
    for (Operation *user : dead[i]->getUsers())
      dead.insert(user);
  for (Operation *op : llvm::reverse(dead))
    if (op->use_empty())
      rewriter.eraseOp(op);
  return success();
}

struct LoadSlicesPass : public nki::impl::NKILoadSlicesBase<LoadSlicesPass> {
  using Base::Base;
  void runOnOperation() override {
    applyToEach<DmaCopyOp>(getOperation(), getArgument(),
                           [&](RewriterBase &rewriter, DmaCopyOp dma) {
                             return loadSlice(rewriter, dma);
                           });
    applyToEach<TensorCopyOp>(getOperation(), getArgument(),
                              [&](RewriterBase &rewriter, TensorCopyOp copy) {
                                return sliceOnChipCopy(rewriter, copy);
                              });
    applyToEach<MemsetOp>(getOperation(), getArgument(),
                          [&](RewriterBase &rewriter, MemsetOp memset) {
                            return slicePaddedImage(rewriter, memset,
                                                    sbufBudget);
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

LogicalResult nki::slicePaddedImage(RewriterBase &rewriter, MemsetOp memset,
                                    int64_t sbufBudget) {
  DominanceInfo dominance;
  return PaddedSlices(rewriter, dominance,
                      resolveSbufBudget(memset, sbufBudget))
      .run(memset);
}
