//===- ShareTapLoads.cpp - Load shifted windows' union once -----*- C++ -*-===//

#include "Recompute.h"
#include "Remarks.h"
#include "TileHoisting.h"

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
#include "llvm/ADT/SmallBitVector.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKISHARETAPLOADS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// The DMA source as one box of its root: per root dim, the offset as a sum
/// of terms and the size; and which root dims the source keeps.
struct Box {
  Value root;
  SmallVector<SmallVector<OpFoldResult>> offsetTerms;
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> keptDims; // root dims of the source's dims, in order
};

FailureOr<Box> composeSubviews(Value source) {
  SmallVector<memref::SubViewOp> chain;
  Value v = source;
  while (auto subview = v.getDefiningOp<memref::SubViewOp>()) {
    chain.push_back(subview);
    v = subview.getSource();
  }
  if (chain.empty())
    return failure();
  Box box;
  box.root = v;
  int64_t rank = cast<MemRefType>(v.getType()).getRank();
  box.offsetTerms.resize(rank);
  box.sizes.resize(rank); // the first subview sizes every root dim
  for (int64_t d = 0; d < rank; ++d)
    box.keptDims.push_back(d);
  for (memref::SubViewOp subview : llvm::reverse(chain)) {
    if (!llvm::all_of(subview.getMixedStrides(),
                      [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
      return failure();
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    SmallVector<int64_t> kept;
    for (auto [j, rootDim] : llvm::enumerate(box.keptDims)) {
      OpFoldResult offset = subview.getMixedOffsets()[j];
      if (!isConstantIntValue(offset, 0))
        box.offsetTerms[rootDim].push_back(offset);
      OpFoldResult size = subview.getMixedSizes()[j];
      if (std::optional<int64_t> constant = getConstantIntValue(size))
        size = Builder(v.getContext()).getIndexAttr(*constant);
      box.sizes[rootDim] = size;
      if (!dropped.test(j))
        kept.push_back(rootDim);
    }
    box.keptDims = kept;
  }
  return box;
}

/// What sharing a DMA's loads does: the loops the window moves with, which
/// loop moves which dim of the loaded tensor and the invariant offset terms
/// per dim, and the slab that holds the windows' union.
struct SlabPlan {
  Box box;
  SmallVector<scf::ForOp> band; // innermost first
  SmallVector<scf::ForOp> movedBy;
  SmallVector<SmallVector<OpFoldResult>> fixed;
  MemRefType slabType;
};

class Sharer {
public:
  Sharer(RewriterBase &rewriter, int64_t budget, DominanceInfo &dominance)
      : rewriter(rewriter), budget(budget), dominance(dominance) {}
  LogicalResult run(DmaCopyOp dma);

private:
  /// The DMA's window and the loops directly around it that move it, after
  /// moving loops it does not move with outside them. Fails on DMAs that
  /// are no candidates, without a reason.
  LogicalResult findBand(DmaCopyOp dma, Box &box,
                         SmallVector<scf::ForOp> &band);
  /// Checks that sharing is safe and the slab fits; the reason otherwise.
  FailureOr<SlabPlan> plan(DmaCopyOp dma);
  /// The slab and its one DMA before the band; in the band, a copy of the
  /// iteration's shifted view of it replaces `dma`.
  void apply(DmaCopyOp dma, const SlabPlan &plan);
  LogicalResult decline(DmaCopyOp dma, const Twine &reason) {
    return rewriter.notifyMatchFailure(dma, "not shared: " + reason);
  }

  RewriterBase &rewriter;
  int64_t budget;
  DominanceInfo &dominance;
};

LogicalResult Sharer::findBand(DmaCopyOp dma, Box &box,
                               SmallVector<scf::ForOp> &band) {
  auto sourceType = cast<MemRefType>(dma.getSource().getType());
  auto targetType = cast<MemRefType>(dma.getTarget().getType());
  if (getSpace(sourceType) != Space::HBM || getSpace(targetType) != Space::SBUF)
    return failure();
  FailureOr<Box> composed = composeSubviews(dma.getSource());
  if (failed(composed))
    return failure();
  box = *composed;
  auto isTerm = [&](Value iv) {
    return llvm::any_of(box.offsetTerms, [&](auto &terms) {
      return llvm::is_contained(terms, OpFoldResult(iv));
    });
  };
  // Loops between the DMA and the band that the window does not move with
  // (an input-channel loop inside the filter loops) move outside the band.
  for (auto other = dyn_cast<scf::ForOp>(dma->getParentOp());
       other && !isTerm(other.getInductionVar());) {
    auto outer = dyn_cast<scf::ForOp>(other->getParentOp());
    if (!outer || !isTerm(outer.getInductionVar()) ||
        !canInterchange(outer, other))
      break;
    interchange(outer, other);
    composed = composeSubviews(dma.getSource()); // the IVs traded places
    if (failed(composed))
      return failure();
    box = *composed;
    other = outer; // the loop op that now iterates the other loop's range
  }
  // The band: enclosing loops whose induction variable is an offset term.
  for (Operation *op = dma->getParentOp(); auto loop = dyn_cast<scf::ForOp>(op);
       op = op->getParentOp()) {
    if (!isTerm(loop.getInductionVar()))
      break;
    band.push_back(loop);
  }
  return success(!band.empty());
}

FailureOr<SlabPlan> Sharer::plan(DmaCopyOp dma) {
  Box boxValue;
  SmallVector<scf::ForOp> band;
  if (failed(findBand(dma, boxValue, band)))
    return failure();
  Box *box = &boxValue;
  auto sourceType = cast<MemRefType>(dma.getSource().getType());
  auto targetType = cast<MemRefType>(dma.getTarget().getType());
  scf::ForOp outer = band.back();
  if (dma->getParentOp() != band.front().getOperation())
    return decline(dma, "the DMA is not directly in the loop band");
  for (scf::ForOp loop : band) {
    if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()))
      return decline(dma, "a loop of the band is not an nki.affine_range "
                          "(sequential loops are never reordered)");
    if (!getNormalTripCount(loop))
      return decline(dma,
                     "a loop of the band does not run from 0 to a constant "
                     "with step 1");
  }
  if (!dominance.properlyDominates(box->root, outer))
    return decline(dma, "the loaded tensor is defined inside the loops");

  // Per root dim: which band loop moves it, and the invariant terms.
  int64_t rank = box->offsetTerms.size();
  SmallVector<scf::ForOp> movedBy(rank);
  SmallVector<SmallVector<OpFoldResult>> fixed(rank);
  for (int64_t d = 0; d < rank; ++d) {
    for (OpFoldResult term : box->offsetTerms[d]) {
      auto loop = llvm::find_if(band, [&](scf::ForOp l) {
        return OpFoldResult(l.getInductionVar()) == term;
      });
      if (loop != band.end()) {
        if (movedBy[d])
          return decline(dma, "two loops move the same dim");
        movedBy[d] = *loop;
        continue;
      }
      if (auto value = dyn_cast<Value>(term);
          value && !canRecomputeBefore(value, outer, dominance))
        return decline(dma,
                       "an offset depends on values computed in the loops");
      fixed[d].push_back(term);
    }
    if (auto size = dyn_cast<Value>(box->sizes[d]);
        size && !canRecomputeBefore(size, outer, dominance))
      return decline(dma, "a size depends on values computed in the loops");
  }
  for (scf::ForOp loop : band)
    if (llvm::count(movedBy, loop) != 1)
      return decline(dma, "a loop moves more than one dim");
  for (int64_t d = 0; d < rank; ++d)
    if (movedBy[d] &&
        (!llvm::is_contained(box->keptDims, d) || box->keptDims.front() == d))
      return decline(dma, "a moving dim is dropped or is the partition dim");
  if (mayBeWrittenIn(outer, dma.getSource(), dma))
    return decline(dma, "an op in the loops may write the loaded tensor");

  // The slab: the union of the windows, over the kept dims.
  SmallVector<int64_t> slabShape;
  for (int64_t d : box->keptDims) {
    std::optional<int64_t> bound =
        isa<Attribute>(box->sizes[d])
            ? getConstantIntValue(box->sizes[d])
            : getConstantUpperBound(cast<Value>(box->sizes[d]));
    if (!bound && d == box->keptDims.front())
      bound =
          getSpace(targetType) == Space::SBUF
              ? std::optional<int64_t>(TargetAttr::lookup(dma).getPartitions())
              : std::nullopt;
    if (!bound)
      return decline(dma, "a window size has no constant bound");
    int64_t halo =
        movedBy[d] ? *getConstantIntValue(movedBy[d].getUpperBound()) - 1 : 0;
    slabShape.push_back(*bound + halo);
  }
  auto slabType = MemRefType::get(
      slabShape, sourceType.getElementType(), nullptr,
      MemorySpaceAttr::get(dma.getContext(), MemorySpace::sbuf));
  int64_t slabBytes = slabType.getNumElements() / slabShape.front() *
                      (slabType.getElementTypeBitWidth() / 8);
  if (slabBytes > budget)
    return decline(dma, "the slab needs " + Twine(slabBytes) +
                            " bytes per partition, more than the budget of " +
                            Twine(budget));
  // The hardware rules' message becomes the remark's reason.
  std::string invalid;
  {
    ScopedDiagnosticHandler capture(dma.getContext(), [&](Diagnostic &diag) {
      invalid = diag.str();
      return success();
    });
    (void)verifyOnChipBuffer(slabType, TargetAttr::lookup(dma),
                             [&] { return dma.emitRemark(); });
  }
  if (!invalid.empty())
    return decline(dma, invalid);

  return SlabPlan{*box, band, movedBy, fixed, slabType};
}

void Sharer::apply(DmaCopyOp dma, const SlabPlan &plan) {
  const Box *box = &plan.box;
  scf::ForOp outer = plan.band.back();
  SmallVector<scf::ForOp> movedBy = plan.movedBy;
  int64_t rank = box->offsetTerms.size();
  ArrayRef<int64_t> slabShape = plan.slabType.getShape();
  // Before the band: the slab and its one DMA.
  OpBuilder b(outer);
  Location loc = dma.getLoc();
  Value slab = memref::AllocOp::create(b, loc, plan.slabType);
  // a + c, folded when both are constants.
  auto add = [&](OpFoldResult a, int64_t c) -> OpFoldResult {
    if (std::optional<int64_t> constant = getConstantIntValue(a))
      return b.getIndexAttr(*constant + c);
    Value value = materializeBefore(a, outer, dominance, b);
    if (c == 0)
      return value;
    return arith::AddIOp::create(b, loc, value,
                                 arith::ConstantIndexOp::create(b, loc, c))
        .getResult();
  };
  SmallVector<OpFoldResult> offsets, sizes;
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult sum = b.getIndexAttr(0);
    for (OpFoldResult term : plan.fixed[d]) {
      if (std::optional<int64_t> c = getConstantIntValue(term)) {
        sum = add(sum, *c);
        continue;
      }
      Value value = materializeBefore(term, outer, dominance, b);
      sum = isConstantIntValue(sum, 0)
                ? OpFoldResult(value)
                : OpFoldResult(arith::AddIOp::create(
                                   b, loc,
                                   materializeBefore(sum, outer, dominance, b),
                                   value)
                                   .getResult());
    }
    offsets.push_back(sum);
    int64_t halo =
        movedBy[d] ? *getConstantIntValue(movedBy[d].getUpperBound()) - 1 : 0;
    sizes.push_back(add(box->sizes[d], halo));
  }
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  SmallVector<int64_t> windowShape;
  SmallVector<OpFoldResult> slabSizes;
  for (int64_t d : box->keptDims) {
    windowShape.push_back(
        getConstantIntValue(sizes[d]).value_or(ShapedType::kDynamic));
    slabSizes.push_back(sizes[d]);
  }
  MemRefType windowType = memref::SubViewOp::inferRankReducedResultType(
      windowShape, cast<MemRefType>(box->root.getType()), offsets, sizes,
      strides);
  Value window = memref::SubViewOp::create(b, loc, windowType, box->root,
                                           offsets, sizes, strides);
  SmallVector<OpFoldResult> zeros(slabShape.size(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(slabShape.size(), b.getIndexAttr(1));
  bool whole = llvm::all_of(llvm::zip(slabSizes, slabShape), [](auto pair) {
    return getConstantIntValue(std::get<0>(pair)) == std::get<1>(pair);
  });
  Value filled =
      whole ? slab
            : memref::SubViewOp::create(b, loc, slab, zeros, slabSizes, ones)
                  .getResult();
  DmaCopyOp::create(b, loc, window, filled);

  // In the band: the iteration's shifted view of the slab.
  OpBuilder inner(dma);
  SmallVector<OpFoldResult> shifted, windowSizes;
  for (int64_t d : box->keptDims) {
    shifted.push_back(movedBy[d] ? OpFoldResult(movedBy[d].getInductionVar())
                                 : OpFoldResult(inner.getIndexAttr(0)));
    windowSizes.push_back(box->sizes[d]);
  }
  Value view =
      memref::SubViewOp::create(inner, loc, slab, shifted, windowSizes, ones);
  TensorCopyOp::create(inner, loc, view, dma.getTarget());
  rewriter.eraseOp(dma);
}

LogicalResult Sharer::run(DmaCopyOp dma) {
  FailureOr<SlabPlan> slab = plan(dma);
  if (failed(slab))
    return failure();
  apply(dma, *slab);
  return success();
}

struct ShareTapLoadsPass
    : public nki::impl::NKIShareTapLoadsBase<ShareTapLoadsPass> {
  using Base::Base;
  void runOnOperation() override {
    applyToEach<DmaCopyOp>(getOperation(), getArgument(),
                           [&](RewriterBase &rewriter, DmaCopyOp dma) {
                             return shareTapLoads(rewriter, dma, sbufBudget);
                           });
  }
};

} // namespace

LogicalResult nki::shareTapLoads(RewriterBase &rewriter, DmaCopyOp load,
                                 int64_t sbufBudget) {
  DominanceInfo dominance;
  return Sharer(rewriter, resolveSbufBudget(load, sbufBudget), dominance)
      .run(load);
}
