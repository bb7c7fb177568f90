//===- Loops.h - Loop restructuring shared by the rewrites ------*- C++ -*-===//
//
// nki-group-row-blocks and nki-load-slices both let consecutive spatial
// blocks share one slab: they strip-mine the block loop into groups.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_LOOPS_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_LOOPS_H

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::nki {

/// Strip-mines `loop` (from 0, step 1, `tripCount` iterations, no results)
/// into groups of `blocks` consecutive iterations, in the same order: a loop
/// over the groups around it (with its attributes), in which it runs
/// min(blocks, tripCount - first) times with its old index recomputed as
/// first + iv at the top of its body.
struct StripMined {
  Value first; // the group's first index, in the group loop before `loop`
  Value index; // first + iv, the first op of `loop`'s body
};
StripMined stripMine(scf::ForOp loop, int64_t tripCount, int64_t blocks);

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_LOOPS_H
