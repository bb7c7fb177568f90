//===- Legality.cpp - What a rewrite may assume about memory ----*- C++ -*-===//

#include "nki/Analysis/Legality.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

Value nki::getRootBuffer(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

bool nki::areDisjointBuffers(Value a, Value b) {
  // Scalars are not memory; HBM, SBUF and PSUM are different memories.
  auto typeA = dyn_cast<MemRefType>(a.getType());
  auto typeB = dyn_cast<MemRefType>(b.getType());
  if (!typeA || !typeB || typeA.getMemorySpace() != typeB.getMemorySpace())
    return true;
  Value rootA = getRootBuffer(a), rootB = getRootBuffer(b);
  if (rootA == rootB)
    return false;
  auto isAllocation = [](Value root) {
    return isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(
        root.getDefiningOp());
  };
  if (isAllocation(rootA) || isAllocation(rootB))
    return true;
  // The NKI calling convention: a kernel's arguments are distinct tensors.
  auto argA = dyn_cast<BlockArgument>(rootA);
  auto argB = dyn_cast<BlockArgument>(rootB);
  return argA && argB && argA.getOwner() == argB.getOwner() &&
         argA.getOwner()->isEntryBlock() &&
         isa<FunctionOpInterface>(argA.getOwner()->getParentOp());
}

bool nki::mayBeAccessedIn(Operation *region, Value buffer, Operation *except,
                          bool includeReads) {
  WalkResult result = region->walk([&](Operation *op) {
    if (op == except || op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects)
      return WalkResult::interrupt(); // opaque: may access anything
    SmallVector<MemoryEffects::EffectInstance> all;
    effects.getEffects(all);
    for (MemoryEffects::EffectInstance &effect : all) {
      bool counts =
          isa<MemoryEffects::Write>(effect.getEffect()) ||
          (includeReads && isa<MemoryEffects::Read>(effect.getEffect()));
      if (counts && (!effect.getValue() ||
                     !areDisjointBuffers(effect.getValue(), buffer)))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

bool nki::mayBeWrittenIn(Operation *region, Value buffer, Operation *except) {
  return mayBeAccessedIn(region, buffer, except, /*includeReads=*/false);
}

bool nki::mayBeWrittenBetween(Operation *first, Operation *last, Value buffer) {
  for (Operation *op = first->getNextNode(); op != last; op = op->getNextNode())
    if (mayBeWrittenIn(op, buffer, /*except=*/nullptr))
      return true;
  return false;
}

bool nki::mayWriteThrough(OpOperand &operand) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(operand.getOwner());
  if (!effects)
    return true;
  SmallVector<MemoryEffects::EffectInstance> all;
  effects.getEffects(all);
  return llvm::any_of(all, [&](MemoryEffects::EffectInstance &effect) {
    return isa<MemoryEffects::Write>(effect.getEffect()) &&
           (!effect.getValue() || effect.getValue() == operand.get());
  });
}

SmallVector<OpOperand *> nki::getAliasingOperands(Operation *op, Value buffer) {
  SmallVector<OpOperand *> aliasing;
  for (OpOperand &operand : op->getOpOperands())
    if (!areDisjointBuffers(operand.get(), buffer))
      aliasing.push_back(&operand);
  return aliasing;
}
