//===- Loops.cpp - Loop restructuring shared by the rewrites ----*- C++ -*-===//

#include "Loops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

nki::StripMined nki::stripMine(scf::ForOp loop, int64_t tripCount,
                               int64_t blocks) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  auto groups = scf::ForOp::create(
      b, loc, constant(0), constant(llvm::divideCeil(tripCount, blocks)),
      constant(1));
  groups->setDiscardableAttrs(loop->getDiscardableAttrDictionary());
  b.setInsertionPointToStart(groups.getBody());
  Value first =
      arith::MulIOp::create(b, loc, groups.getInductionVar(), constant(blocks));
  Value size = arith::MinSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, constant(tripCount), first),
      constant(blocks));
  loop->moveBefore(groups.getBody()->getTerminator());
  loop.setUpperBound(size);
  OpBuilder inner = OpBuilder::atBlockBegin(loop.getBody());
  Value iv = loop.getInductionVar();
  Value index = arith::AddIOp::create(inner, loc, first, iv);
  iv.replaceAllUsesExcept(index, index.getDefiningOp());
  return {first, index};
}
