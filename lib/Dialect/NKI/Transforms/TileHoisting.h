//===- TileHoisting.h - Compute loop-invariant tiles once -------*- C++ -*-===//
//
// The engine of nki-hoist-transposes and nki-hoist-loads: a chain of ops that
// computes one tile per loop iteration into a local buffer is computed
// outside the loops it does not depend on, into a cache with one slot per
// iteration of the loops it does depend on.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_DIALECT_NKI_TRANSFORMS_TILEHOISTING_H
#define NKI_LIB_DIALECT_NKI_TRANSFORMS_TILEHOISTING_H

#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::nki {

/// Ops computing one tile per iteration into a local buffer that is only
/// read afterwards: load -> transpose -> evict (with the buffers between
/// them), a single load, or a single on-chip copy.
struct Cache;

struct Chain {
  SmallVector<Operation *> ops;       // in order; the last writes `result`
  SmallVector<memref::AllocOp> temps; // per-iteration buffers between them
  memref::AllocOp result;             // what later reads use
  Value loaded;                       // the tensor the chain reads
  Operation *anchor;                  // where remarks point
};

/// Hoists chains to the outermost enclosing loop they do not depend on whose
/// cache fits `budget` bytes per partition; with `allowInterchange`, an
/// invariant loop directly around a dependent one may first move inside it
/// when that makes the cache fit. Declines through
/// `rewriter.notifyMatchFailure`.
class Hoister {
public:
  Hoister(RewriterBase &rewriter, int64_t budget, bool allowInterchange)
      : rewriter(rewriter), budget(budget), allowInterchange(allowInterchange) {
  }
  /// Hoists `chain`; `quiet` gives no reason when the chain simply depends
  /// on every enclosing loop.
  LogicalResult run(Chain chain, bool quiet);

  static FailureOr<Chain> findTransposeChain(TransposeOp transpose,
                                             std::string &reason);
  static FailureOr<Chain> findLoadChain(DmaCopyOp load, std::string &reason);
  /// An on-chip copy from SBUF into (a view of) a local tile.
  static FailureOr<Chain> findGatherChain(TensorCopyOp copy,
                                          std::string &reason);

private:
  /// Loops whose induction variables `value` depends on, through pure ops
  /// defined inside `outermost`; fails on any other producer inside it.
  LogicalResult collectDependences(Value value, scf::ForOp outermost,
                                   llvm::SmallPtrSetImpl<Operation *> &chainOps,
                                   llvm::SetVector<scf::ForOp> &loops,
                                   std::string &reason, int depth = 0);
  Value resolve(Value value, IRMapping &mapping, OpBuilder &b,
                scf::ForOp hoistPoint);
  /// Whether a cache of `bytes` per partition fits: within the budget, or
  /// one tile (no more SBUF than the tile took in the loop).
  bool cacheFits(int64_t bytes, int64_t tileBytes) const {
    return bytes <= std::max(budget, tileBytes);
  }
  /// The outermost loop of `nest` (innermost first) that the chain does not
  /// depend on and whose cache fits the budget, with the loops to replicate;
  /// leaves `cache.point` null when none fits.
  LogicalResult choosePoint(Chain &chain, ArrayRef<scf::ForOp> nest,
                            const llvm::SetVector<scf::ForOp> &dependsOn,
                            Cache &cache, std::string &reason);
  /// Interchanges an invariant loop with the dependent loop directly in it
  /// when that makes the cache fit; returns whether it did.
  bool interchangeToFit(Chain &chain, ArrayRef<scf::ForOp> nest,
                        const llvm::SetVector<scf::ForOp> &dependsOn);
  /// Allocates the cache before its point and fills it in a prologue nest.
  void fillCache(Chain &chain, Cache &cache, ArrayRef<Operation *> writerViews);
  /// Reads of the tile read its slot; the chain, its views
  /// (`writerViews`) and its buffers go.
  void readFromCache(Chain &chain, Cache &cache,
                     ArrayRef<Operation *> writerViews);

  RewriterBase &rewriter;
  int64_t budget;
  bool allowInterchange;
};

/// Whether `outer` and the loop `inner` directly in it can swap: both
/// nki.affine_range loops from 0 with step 1 and constant trip counts, no
/// loop-carried values, and nothing else in `outer` but pure ops before
/// `inner`.
bool canInterchange(scf::ForOp outer, scf::ForOp inner);

/// Swaps `outer` and `inner` (canInterchange holds): the ops stay, their
/// bounds and induction variables trade places, and the pure ops of `outer`
/// move into `inner`'s body.
void interchange(scf::ForOp outer, scf::ForOp inner);

} // namespace mlir::nki

#endif // NKI_LIB_DIALECT_NKI_TRANSFORMS_TILEHOISTING_H
