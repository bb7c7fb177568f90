//===- FoldStationaryTransposes.cpp - Read weights where they are -*- C++ -*-=//
//
// On trn2 a stationary tile with the contraction on its free axis goes
// through the Tensor Engine twice: transposed into PSUM, copied to SBUF, then
// multiplied. On a CPU the matmul kernel reads the stationary tile through
// any strides, so the transpose and the copy are pure data movement; and the
// DMA that brought the tile on chip (often a gather of one filter tap from
// HBM) can be read where it is as well.
//
//===----------------------------------------------------------------------===//

#include "nki/Analysis/Legality.h"
#include "nki/Conversion/NKIToLinalg/NKIToLinalg.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

/// The ops that make `value` a private tile of `block`: a local allocation
/// there, or the one view of one (a ragged tile), whose users are only those
/// in `users`; empty otherwise. Erasing them in order frees the tile.
SmallVector<Operation *> getPrivateTile(Value value, Block *block,
                                        ArrayRef<Operation *> users) {
  for (Operation *user : value.getUsers())
    if (!llvm::is_contained(users, user))
      return {};
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != block)
    return {};
  if (isa<memref::AllocOp>(def))
    return {def};
  auto view = dyn_cast<memref::SubViewOp>(def);
  auto alloc =
      view ? view.getSource().getDefiningOp<memref::AllocOp>() : nullptr;
  if (!alloc || alloc->getBlock() != block || !alloc->hasOneUse())
    return {};
  return {view, alloc};
}

/// The only op of `kind` among the users of `value`, or null.
template <typename OpTy> OpTy getOnlyUser(Value value) {
  OpTy found;
  for (Operation *user : value.getUsers())
    if (auto op = dyn_cast<OpTy>(user)) {
      if (found)
        return nullptr;
      found = op;
    }
  return found;
}

/// transpose T -> P; tensor_copy P -> S; matmul S, ... becomes
/// matmul transpose-view(T), ...; with dma H -> T before, H is read instead
/// of T.
void foldStationaryTranspose(MatmulOp matmul) {
  Block *block = matmul->getBlock();
  Value stationary = matmul.getStationary();
  auto copy = getOnlyUser<TensorCopyOp>(stationary);
  if (!copy || copy.getTarget() != stationary || copy->getBlock() != block ||
      !copy->isBeforeInBlock(matmul) || matmul.getMoving() == stationary ||
      matmul.getTarget() == stationary)
    return;
  SmallVector<Operation *> copied =
      getPrivateTile(stationary, block, {copy.getOperation(), matmul});
  if (copied.empty())
    return;
  auto transpose = getOnlyUser<TransposeOp>(copy.getSource());
  if (!transpose || transpose.getTarget() != copy.getSource() ||
      transpose->getBlock() != block || !transpose->isBeforeInBlock(copy))
    return;
  SmallVector<Operation *> transposed = getPrivateTile(
      copy.getSource(), block, {transpose.getOperation(), copy.getOperation()});
  Value source = transpose.getSource();
  if (cast<MemRefType>(source.getType()).getRank() != 2 ||
      source == copy.getSource())
    return;
  // The copy and the transpose keep the element type, or the fold would skip
  // a rounding step.
  Type elementType = getElementTypeOrSelf(stationary);
  if (transposed.empty() ||
      getElementTypeOrSelf(copy.getSource()) != elementType ||
      cast<MemRefType>(source.getType()).getElementType() != elementType ||
      mayBeWrittenBetween(transpose, matmul, source))
    return;

  // The DMA that filled the transposed tile, if it is read where it is.
  Operation *dma = nullptr;
  SmallVector<Operation *> loaded;
  auto load = getOnlyUser<DmaCopyOp>(source);
  if (load && load.getTarget() == source && load.getSource() != source &&
      load->getBlock() == block && load->isBeforeInBlock(transpose) &&
      !(loaded = getPrivateTile(
            source, block, {load.getOperation(), transpose.getOperation()}))
           .empty() &&
      getElementTypeOrSelf(load.getSource()) == elementType &&
      !mayBeWrittenBetween(load, matmul, load.getSource())) {
    dma = load;
    source = load.getSource();
  }

  OpBuilder builder(matmul);
  AffineMap swap = AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0},
                                                builder.getContext());
  Value view = memref::TransposeOp::create(builder, matmul.getLoc(), source,
                                           AffineMapAttr::get(swap));
  matmul.getStationaryMutable().assign(view);
  copy->erase();
  transpose->erase();
  for (Operation *op : llvm::concat<Operation *>(copied, transposed))
    op->erase();
  if (dma) {
    dma->erase();
    for (Operation *op : loaded)
      op->erase();
  }
}

} // namespace

void mlir::nki::foldStationaryTransposes(Operation *root, bool keepBF16) {
  SmallVector<MatmulOp> matmuls;
  root->walk([&](MatmulOp matmul) {
    if (!keepBF16 || !getElementTypeOrSelf(matmul.getStationary()).isBF16())
      matmuls.push_back(matmul);
  });
  for (MatmulOp matmul : matmuls)
    foldStationaryTranspose(matmul);
}
