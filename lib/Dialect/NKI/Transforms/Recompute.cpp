//===- Recompute.cpp - Use index values earlier -----------------*- C++ -*-===//

#include "Recompute.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

static bool canRecompute(Value value, Operation *point,
                         DominanceInfo &dominance, int depth) {
  if (dominance.properlyDominates(value, point))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || depth > 8 || def->getNumRegions() != 0 || !isPure(def))
    return false;
  return llvm::all_of(def->getOperands(), [&](Value operand) {
    return canRecompute(operand, point, dominance, depth + 1);
  });
}

bool nki::canRecomputeBefore(Value value, Operation *point,
                             DominanceInfo &dominance) {
  return canRecompute(value, point, dominance, 0);
}

Value nki::recomputeBefore(Value value, Operation *point,
                           DominanceInfo &dominance, OpBuilder &b) {
  if (dominance.properlyDominates(value, point))
    return value;
  Operation *def = value.getDefiningOp();
  IRMapping mapping;
  for (Value operand : def->getOperands())
    mapping.map(operand, recomputeBefore(operand, point, dominance, b));
  return b.clone(*def, mapping)
      ->getResult(cast<OpResult>(value).getResultNumber());
}

Value nki::materializeBefore(OpFoldResult ofr, Operation *point,
                             DominanceInfo &dominance, OpBuilder &b) {
  if (auto attr = dyn_cast<Attribute>(ofr))
    return arith::ConstantIndexOp::create(b, point->getLoc(),
                                          cast<IntegerAttr>(attr).getInt());
  return recomputeBefore(cast<Value>(ofr), point, dominance, b);
}
