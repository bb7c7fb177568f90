//===- AlignPartitions.cpp - Partitions of whole rows -----------*- C++ -*-===//

#include "Remarks.h"
#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIALIGNPARTITIONS
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

/// `start = iv * P`: the multiplication and P.
struct PartitionStart {
  arith::MulIOp mul;
  int64_t size;
};

std::optional<PartitionStart> matchStart(scf::ForOp loop) {
  Value iv = loop.getInductionVar();
  if (!iv.hasOneUse())
    return std::nullopt;
  auto mul = dyn_cast<arith::MulIOp>(*iv.getUsers().begin());
  if (!mul)
    return std::nullopt;
  Value other = mul.getLhs() == iv ? mul.getRhs() : mul.getLhs();
  std::optional<int64_t> size = getConstantIntValue(other);
  if (!size || *size <= 0)
    return std::nullopt;
  return PartitionStart{mul, *size};
}

/// `size = min(P, N - start)` (either operand order); returns the min op.
Operation *matchSize(Value start, int64_t partition, int64_t &total) {
  for (Operation *user : start.getUsers()) {
    auto sub = dyn_cast<arith::SubIOp>(user);
    if (!sub || sub.getRhs() != start)
      continue;
    std::optional<int64_t> n = getConstantIntValue(sub.getLhs());
    if (!n)
      continue;
    for (Operation *minUser : sub->getUsers()) {
      if (!isa<arith::MinSIOp, arith::MinUIOp>(minUser))
        continue;
      Value other = minUser->getOperand(0) == sub.getResult()
                        ? minUser->getOperand(1)
                        : minUser->getOperand(0);
      if (getConstantIntValue(other) == partition) {
        total = *n;
        return minUser;
      }
    }
  }
  return nullptr;
}

/// Widths of the rows that views offset by `start` (or `start + i`, a
/// position of the partition) linearize.
SmallVector<int64_t> rowWidths(Value start) {
  SmallVector<Value> positions = {start};
  for (Operation *user : start.getUsers())
    if (isa<arith::AddIOp>(user))
      positions.push_back(user->getResult(0));
  SmallVector<int64_t> widths;
  for (Value position : positions) {
    for (Operation *user : position.getUsers()) {
      auto subview = dyn_cast<memref::SubViewOp>(user);
      if (!subview)
        continue;
      auto collapse =
          subview.getSource().getDefiningOp<memref::CollapseShapeOp>();
      if (!collapse)
        continue;
      for (auto [dim, offset] : llvm::enumerate(subview.getMixedOffsets())) {
        if (dyn_cast<Value>(offset) != position)
          continue;
        ReassociationIndices group = collapse.getReassociationIndices()[dim];
        int64_t width = 1;
        for (int64_t d : llvm::drop_begin(group))
          width *= collapse.getSrcType().getDimSize(d);
        if (group.size() > 1 && !ShapedType::isDynamic(width))
          widths.push_back(width);
      }
    }
  }
  return widths;
}

/// Whether `loop` runs from 0 with step 1 and does nothing but under a guard
/// `iv < size`: it may count to P, since no iteration past `size` acts.
bool isGuardedBySize(scf::ForOp loop, Value size) {
  if (!isZeroInteger(loop.getLowerBound()) || !isOneInteger(loop.getStep()))
    return false;
  // The body: the comparison, the guard and the terminator.
  Block *body = loop.getBody();
  auto cmp = dyn_cast<arith::CmpIOp>(body->front());
  auto guard =
      cmp ? dyn_cast_or_null<scf::IfOp>(cmp->getNextNode()) : scf::IfOp();
  if (!guard || guard->getNextNode() != body->getTerminator() ||
      guard.getCondition() != cmp || !cmp->hasOneUse() ||
      guard.getNumResults() != 0 || guard.elseBlock())
    return false;
  return (cmp.getPredicate() == arith::CmpIPredicate::ult ||
          cmp.getPredicate() == arith::CmpIPredicate::slt) &&
         cmp.getLhs() == loop.getInductionVar() && cmp.getRhs() == size;
}

/// Why an op stops the rewrite, for its remark.
struct Blocker {
  Operation *op;
  std::string reason;
};

/// Proves the fact the rewrite rests on: the body computes each position the
/// same way whichever partition column holds it. Aligning moves position q
/// from column q mod P of partition q / P to column q mod A of partition
/// q / A, so nothing may depend on the column itself. The proof is local:
/// - a partition tile is an SBUF/PSUM buffer allocated in the body (nobody
///   outside sees its columns) that holds positions in free dims: a view
///   addresses it at `[0, size)` or at column i of a loop that acts only
///   while `i < size` (a column loop), or a column-by-column op pairs it
///   whole with such a tile. Views address its column dims only that way,
///   with unit strides;
/// - an op that touches a partition tile works column by column (copies,
///   elementwise ALU ops, the moving side and result of a matmul), addresses
///   all its tile operands at the same columns, and addresses its other
///   memrefs at the partition's positions: at `start` for whole tiles,
///   through `start + i` for column i;
/// - `start`, `size` and the column indices have no other uses, and no op
///   uses the constant P (a loop to P that acts only below `size` aside).
class PartitionIndependence {
public:
  PartitionIndependence(scf::ForOp loop, PartitionStart start, Operation *size)
      : loop(loop), mul(start.mul), partition(start.size),
        start(start.mul.getResult()), size(size->getResult(0)), sizeOp(size) {
    findPartitionTiles();
  }

  std::optional<Blocker> findBlocker() {
    std::optional<Blocker> blocker;
    loop.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      blocker = checkOp(op);
      return blocker ? WalkResult::interrupt() : WalkResult::advance();
    });
    return blocker;
  }

private:
  /// How a memref operand addresses partition columns.
  enum class Kind { Other, Whole, Column, Invalid };
  struct Access {
    Kind kind;
    Value column = {};
    bool operator==(const Access &other) const {
      return kind == other.kind && column == other.column;
    }
  };

  bool isBodyAlloc(Value value) const {
    auto alloc = value.getDefiningOp<memref::AllocOp>();
    return alloc && loop->isProperAncestor(alloc) &&
           isOnChip(getSpace(alloc.getType()));
  }

  /// Whether a view addresses dim `dim` of its source as partition columns:
  /// the first `size` of them, or column i of a column loop.
  bool addressesColumns(OpFoldResult offset, OpFoldResult extent) const {
    auto index = dyn_cast<Value>(offset);
    return (index && isColumnIndex(index)) ||
           (isConstantIntValue(offset, 0) && isPartitionSize(extent));
  }

  /// The ops that work column by column, and their operands that hold
  /// columns (not a matmul's stationary side or a tensor_scalar's scalar).
  static bool isColumnwise(Operation *op) {
    return isa<TensorCopyOp, TensorTensorOp, TensorScalarOp, MemsetOp,
               DmaCopyOp, MatmulOp, memref::DeallocOp>(op);
  }
  static Value getExempt(Operation *op) {
    if (auto matmul = dyn_cast<MatmulOp>(op))
      return matmul.getStationary();
    if (auto scalarOp = dyn_cast<TensorScalarOp>(op))
      return scalarOp.getScalar();
    return {};
  }

  /// Marks the column dims of the partition tiles: seeded by the views that
  /// address columns, spread through the whole-tile operands of
  /// column-by-column ops of the same rank (matmul moving and result have
  /// the same free dims).
  void findPartitionTiles() {
    auto mark = [&](Value tile, unsigned dim) {
      auto &dims = columnDims[tile];
      dims.resize(cast<MemRefType>(tile.getType()).getRank());
      bool changed = !dims[dim];
      dims[dim] = true;
      return changed;
    };
    loop.getBody()->walk([&](memref::SubViewOp view) {
      if (!isBodyAlloc(view.getSource()))
        return;
      for (auto [dim, offset, extent] :
           llvm::enumerate(view.getMixedOffsets(), view.getMixedSizes()))
        if (dim > 0 && addressesColumns(offset, extent))
          mark(view.getSource(), dim);
    });
    bool changed = true;
    while (changed) {
      changed = false;
      loop.getBody()->walk([&](Operation *op) {
        if (!isColumnwise(op))
          return;
        SmallVector<Value> tiles;
        for (Value operand : op->getOperands())
          if (operand != getExempt(op) && isBodyAlloc(operand))
            tiles.push_back(operand);
        for (Value from : tiles) {
          auto it = columnDims.find(from);
          if (it == columnDims.end())
            continue;
          SmallVector<bool> dims = it->second;
          for (Value to : tiles)
            if (cast<MemRefType>(to.getType()).getRank() ==
                static_cast<int64_t>(dims.size()))
              for (auto [dim, isColumn] : llvm::enumerate(dims))
                if (isColumn)
                  changed |= mark(to, dim);
        }
      });
    }
  }

  bool isPartitionTile(Value value) const { return columnDims.contains(value); }
  bool isColumnDim(Value tile, unsigned dim) const {
    auto it = columnDims.find(tile);
    return it != columnDims.end() && it->second[dim];
  }

  /// `size`, or a min/max of it that is `size` for every size in [1, P].
  bool isPartitionSize(OpFoldResult ofr) const {
    auto value = dyn_cast<Value>(ofr);
    if (!value)
      return false;
    if (value == size)
      return true;
    Operation *op = value.getDefiningOp();
    if (!isa_and_nonnull<arith::MinSIOp, arith::MinUIOp, arith::MaxSIOp,
                         arith::MaxUIOp>(op))
      return false;
    bool isMin = isa<arith::MinSIOp, arith::MinUIOp>(op);
    for (unsigned i : {0u, 1u}) {
      std::optional<int64_t> bound = getConstantIntValue(op->getOperand(1 - i));
      bool neutral =
          bound && (isMin ? *bound >= partition : *bound >= 0 && *bound <= 1);
      if (neutral && isPartitionSize(op->getOperand(i)))
        return true;
    }
    return false;
  }

  bool isColumnIndex(Value value) const {
    auto arg = dyn_cast<BlockArgument>(value);
    auto inner = arg ? dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp())
                     : scf::ForOp();
    return inner && inner != loop && arg == inner.getInductionVar() &&
           loop->isProperAncestor(inner) && isGuardedBySize(inner, size);
  }

  /// `start + column`, the position column `column` holds.
  bool isPositionOf(Value value, Value column) const {
    auto add = value.getDefiningOp<arith::AddIOp>();
    return add && ((add.getLhs() == start && add.getRhs() == column) ||
                   (add.getRhs() == start && add.getLhs() == column));
  }

  /// Whether index `value` is computed from `start + column` (e.g. the row
  /// and column of that position). Two columns never address the same
  /// element: the column loop is an nki.affine_range of independent
  /// iterations.
  bool dependsOnPosition(Value value, Value column, int depth = 0) const {
    if (isPositionOf(value, column))
      return true;
    Operation *def = value.getDefiningOp();
    if (!def || depth > 8 || !isa<arith::ArithDialect>(def->getDialect()))
      return false;
    return llvm::any_of(def->getOperands(), [&](Value operand) {
      return dependsOnPosition(operand, column, depth + 1);
    });
  }

  Access classify(Value value) const {
    auto type = dyn_cast<MemRefType>(value.getType());
    if (!type)
      return {Kind::Other};
    if (isPartitionTile(value))
      return {Kind::Whole};
    auto subview = value.getDefiningOp<memref::SubViewOp>();
    if (subview && isPartitionTile(subview.getSource()))
      return classifyTileView(subview);
    auto view = value.getDefiningOp<ViewLikeOpInterface>();
    if (view && classify(view.getViewSource()).kind != Kind::Other)
      return {Kind::Invalid}; // a view of a view of a tile
    return {Kind::Other};
  }

  Access classifyTileView(memref::SubViewOp view) const {
    Access access{Kind::Whole};
    for (auto [dim, offset, extent, stride] :
         llvm::enumerate(view.getMixedOffsets(), view.getMixedSizes(),
                         view.getMixedStrides())) {
      if (!isColumnDim(view.getSource(), dim))
        continue;
      if (!isConstantIntValue(stride, 1))
        return {Kind::Invalid};
      if (isConstantIntValue(offset, 0) &&
          (isPartitionSize(extent) ||
           isConstantIntValue(extent, view.getSourceType().getDimSize(dim))))
        continue;
      auto column = dyn_cast<Value>(offset);
      if (!column || !isColumnIndex(column) || !isConstantIntValue(extent, 1) ||
          (access.column && access.column != column))
        return {Kind::Invalid};
      access = {Kind::Column, column};
    }
    return access;
  }

  /// Whether memref `value`, an operand beside tiles addressed as `access`,
  /// is addressed at the same positions.
  bool isAtPositions(Value value, Access access) const {
    auto view = value.getDefiningOp<memref::SubViewOp>();
    if (!view)
      return false;
    for (auto [offset, extent] :
         llvm::zip(view.getMixedOffsets(), view.getMixedSizes())) {
      auto index = dyn_cast<Value>(offset);
      if (access.kind == Kind::Whole && index == start &&
          isPartitionSize(extent))
        return true;
      if (access.kind == Kind::Column && index &&
          dependsOnPosition(index, access.column))
        return true;
    }
    return false;
  }

  std::optional<Blocker> checkOp(Operation *op) const {
    auto subview = dyn_cast<memref::SubViewOp>(op);
    if (subview && isOnChip(getSpace(subview.getSourceType())) &&
        !isBodyAlloc(subview.getSource()) &&
        llvm::any_of(
            llvm::zip(subview.getMixedOffsets(), subview.getMixedSizes()),
            [&](auto pair) {
              return addressesColumns(std::get<0>(pair), std::get<1>(pair));
            }))
      return Blocker{op, "this view addresses a partition tile that is not "
                         "allocated in the loop (its columns outlive the "
                         "partition)"};
    if (std::optional<Blocker> blocker = checkPartitionValues(op))
      return blocker;
    if (auto view = dyn_cast<ViewLikeOpInterface>(op)) {
      if (classify(view->getResult(0)).kind == Kind::Invalid)
        return Blocker{op, "this view addresses a partition tile other than "
                           "whole, as its first `size` columns or at the "
                           "column of a guarded loop"};
      return std::nullopt;
    }
    Value exempt = getExempt(op);
    std::optional<Access> tileAccess;
    SmallVector<Value> others;
    for (Value operand : op->getOperands()) {
      Access access = classify(operand);
      if (access.kind == Kind::Invalid)
        return Blocker{op, "this op uses a view of a partition tile that "
                           "does not address whole columns"};
      if (operand == exempt) {
        if (access.kind != Kind::Other)
          return Blocker{op, "this op reads a partition tile in a role whose "
                             "columns are not positions"};
        continue;
      }
      if (access.kind == Kind::Other) {
        if (isa<MemRefType>(operand.getType()))
          others.push_back(operand);
        continue;
      }
      if (tileAccess && !(*tileAccess == access))
        return Blocker{op, "this op pairs different columns of partition "
                           "tiles"};
      tileAccess = access;
    }
    if (!tileAccess)
      return std::nullopt;
    if (!isColumnwise(op))
      return Blocker{op, "this op may combine the columns of a partition tile"};
    for (Value other : others)
      if (!isAtPositions(other, *tileAccess))
        return Blocker{op, "this op pairs partition columns with memory not "
                           "addressed at the partition's positions"};
    return std::nullopt;
  }

  /// A view of all the columns of a partition tile P columns wide: the same
  /// columns after the rewrite (those past `size` unused, as before).
  bool isFullColumnsView(memref::SubViewOp view) const {
    if (!isPartitionTile(view.getSource()))
      return false;
    for (auto [dim, offset, extent] :
         llvm::enumerate(view.getMixedOffsets(), view.getMixedSizes()))
      if (isConstantIntValue(extent, partition) &&
          (!isColumnDim(view.getSource(), dim) ||
           !isConstantIntValue(offset, 0) ||
           view.getSourceType().getDimSize(dim) != partition))
        return false;
    return true;
  }

  std::string usesP() const {
    std::string p = std::to_string(partition);
    return "this op uses the partition size " + p +
           " itself, not the partition's size (it would still assume " + p +
           " positions)";
  }

  /// The uses of P, `start`, `size` and the column indices in `op`.
  std::optional<Blocker> checkPartitionValues(Operation *op) const {
    if (op == mul || op == sizeOp)
      return std::nullopt;
    auto view = dyn_cast<memref::SubViewOp>(op);
    if (view && !isFullColumnsView(view) &&
        llvm::is_contained(view.getStaticSizes(), partition))
      return Blocker{op, usesP()};
    for (OpOperand &operand : op->getOpOperands()) {
      Value value = operand.get();
      if (getConstantIntValue(value) == partition) {
        auto inner = dyn_cast<scf::ForOp>(op);
        bool guardedBound = inner &&
                            &operand == &inner.getUpperBoundMutable() &&
                            isGuardedBySize(inner, size);
        // min(P, size) is size for any P >= size, before and after.
        if (!guardedBound &&
            !(op->getNumResults() == 1 && isPartitionSize(op->getResult(0))))
          return Blocker{op, usesP()};
      }
      if (view && value != view.getSource()) {
        if (!isViewIndexUse(view, value))
          return Blocker{op, "this view offsets or sizes by the partition's "
                             "start or size in different dims"};
        continue;
      }
      if (value == start && !isStartUse(op))
        return Blocker{op, "this op uses the partition's start other than "
                           "to address its positions"};
      if (isPartitionSize(value) && !isSizeUse(op))
        return Blocker{op, "this op uses the partition's size other than "
                           "to bound its columns"};
      if (isColumnIndex(value) && !isColumnUse(op, value))
        return Blocker{op, "this op uses a column index other than to "
                           "address the column or its position"};
    }
    return std::nullopt;
  }

  /// A view may offset a dim by `start` (a tile's columns by 0 or a column
  /// index) only with the partition's size (1 at a column index) in that dim,
  /// and size a dim by the partition's size only from there. The tile's
  /// columns are checked where the view is classified.
  bool isViewIndexUse(memref::SubViewOp view, Value value) const {
    if (llvm::is_contained(view.getMixedStrides(), OpFoldResult(value)))
      return false;
    bool tile = isPartitionTile(view.getSource());
    for (auto [dim, offset, extent] :
         llvm::enumerate(view.getMixedOffsets(), view.getMixedSizes())) {
      bool columns = isColumnDim(view.getSource(), dim);
      bool atStart = columns ? isConstantIntValue(offset, 0)
                             : dyn_cast<Value>(offset) == start;
      if (offset == OpFoldResult(value) &&
          ((value == start && (tile || !isPartitionSize(extent))) ||
           (isColumnIndex(value) && !columns) || isPartitionSize(value)))
        return false;
      if (extent == OpFoldResult(value) &&
          ((isPartitionSize(value) && !atStart) || value == start ||
           isColumnIndex(value)))
        return false;
    }
    return true;
  }

  bool isStartUse(Operation *op) const {
    if (auto sub = dyn_cast<arith::SubIOp>(op))
      return llvm::is_contained(sizeOp->getOperands(), sub.getResult());
    auto add = dyn_cast<arith::AddIOp>(op);
    return add && (isColumnIndex(add.getLhs()) || isColumnIndex(add.getRhs()));
  }

  bool isSizeUse(Operation *op) const {
    if (op->getNumResults() == 1 && isPartitionSize(op->getResult(0)))
      return true;
    auto cmp = dyn_cast<arith::CmpIOp>(op);
    return cmp && cmp.getRhs() == size && isColumnIndex(cmp.getLhs());
  }

  bool isColumnUse(Operation *op, Value column) const {
    auto cmp = dyn_cast<arith::CmpIOp>(op);
    if (cmp)
      return cmp.getLhs() == column && cmp.getRhs() == size; // the guard
    return op->getNumResults() == 1 && isPositionOf(op->getResult(0), column);
  }

  scf::ForOp loop;
  arith::MulIOp mul;
  int64_t partition;
  Value start, size;
  Operation *sizeOp;
  /// The partition tiles and which of their dims hold columns.
  DenseMap<Value, SmallVector<bool>> columnDims;
};

} // namespace

LogicalResult nki::alignPartitions(RewriterBase &rewriter, scf::ForOp loop) {
  std::optional<PartitionStart> start = matchStart(loop);
  if (!start)
    return failure();
  int64_t total = 0;
  Operation *size = matchSize(start->mul.getResult(), start->size, total);
  if (!size)
    return failure();
  auto decline = [&](const Twine &reason) {
    return rewriter.notifyMatchFailure(loop, "not aligned: " + reason);
  };
  if (getNormalTripCount(loop) != llvm::divideCeil(total, start->size))
    return decline("the loop does not run over ceil(N / P) partitions");
  if (!loop->hasAttr(NKIDialect::getAffineRangeAttrName()))
    return decline("the loop is not an nki.affine_range (sequential loops "
                   "are never reordered)");
  SmallVector<int64_t> widths = rowWidths(start->mul.getResult());
  if (widths.empty())
    return decline("no view linearizes rows at the partition's start");
  int64_t width = widths.front();
  if (!llvm::all_equal(widths))
    return decline("the views disagree on the row width");
  if (total % width != 0 || width > start->size)
    return decline("the row width does not divide the positions or exceeds "
                   "a partition");
  int64_t aligned = start->size / width * width;
  if (aligned == start->size)
    return failure(); // already whole rows
  if (std::optional<Blocker> blocker =
          PartitionIndependence(loop, *start, size).findBlocker())
    return rewriter.notifyMatchFailure(blocker->op,
                                       "not aligned: " + blocker->reason);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  RewriterBase &b = rewriter;
  Location loc = loop.getLoc();
  Value newSize = arith::ConstantIndexOp::create(b, loc, aligned);
  Value newTrips =
      arith::ConstantIndexOp::create(b, loc, llvm::divideCeil(total, aligned));
  rewriter.modifyOpInPlace(loop, [&] { loop.setUpperBound(newTrips); });
  rewriter.modifyOpInPlace(start->mul, [&] {
    start->mul->replaceUsesOfWith(start->mul.getLhs() == loop.getInductionVar()
                                      ? start->mul.getRhs()
                                      : start->mul.getLhs(),
                                  newSize);
  });
  rewriter.modifyOpInPlace(size, [&] {
    for (OpOperand &operand : size->getOpOperands())
      if (getConstantIntValue(operand.get()) == start->size)
        operand.set(newSize);
  });
  return success();
}

namespace {

struct AlignPartitionsPass
    : public nki::impl::NKIAlignPartitionsBase<AlignPartitionsPass> {
  void runOnOperation() override {
    applyToEach<scf::ForOp>(getOperation(), getArgument(),
                            [&](RewriterBase &rewriter, scf::ForOp loop) {
                              return alignPartitions(rewriter, loop);
                            });
  }
};

} // namespace
