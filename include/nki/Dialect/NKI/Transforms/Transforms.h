//===- Transforms.h - NKI transformations as functions ----------*- C++ -*-===//
//
// The rewrites behind the nki-* passes, callable on one op of a compiler's
// own IR. Each states its preconditions (docs/Legality.md lists what each
// proves). When one does not hold, the function changes nothing and returns
// failure; when the op is a candidate that it declines, it first gives the
// reason to `rewriter.notifyMatchFailure` (a listener on the rewriter sees
// it: the passes turn reasons into optimization remarks). The passes are
// walkers over these functions.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H
#define NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H

#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::nki {

/// The SBUF bytes per partition a rewrite's caches may take: `sbufBudget`
/// where it is positive, else half the usable SBUF of `op`'s #nki.target
/// (the other half stays for the tiles the kernel allocates itself). Every
/// `sbufBudget` below is read this way.
inline int64_t resolveSbufBudget(Operation *op, int64_t sbufBudget) {
  return sbufBudget > 0 ? sbufBudget
                        : TargetAttr::lookup(op).getSbufBytesPerPartition() / 2;
}

/// nki-normalize-loops: rewrites `loop` to run from 0 with step 1,
/// recomputing its old induction variable as `lb + iv * step` in the body.
/// Fails when the loop is already normal, its induction variable is not an
/// index or its step is not a positive constant.
LogicalResult normalizeLoop(RewriterBase &rewriter, scf::ForOp loop);

/// The copy loops foldCopyLoop recognizes.
enum class CopyLoopKind {
  /// Both sides index position i as `i + c` in one dim (nki-fold-copy-loops).
  UnitStride,
  /// The target indexes linear position p = i + c as (p / W, p % W) in two
  /// adjacent dims of width W: a store of one position of a plane
  /// (nki-batch-writeback).
  Delinearized,
};

/// nki-fold-copy-loops / nki-batch-writeback: `loop`, an `nki.affine_range`
/// with step 1 whose iteration copies one element, column or row (optionally
/// under a guard `i < bound`), becomes one copy of the whole range.
LogicalResult foldCopyLoop(RewriterBase &rewriter, scf::ForOp loop,
                           CopyLoopKind kind);

/// nki-align-partitions: the spatial partition loop `loop` (`start = iv *
/// P`, `size = min(P, N - start)`) gets partitions of whole output rows.
LogicalResult alignPartitions(RewriterBase &rewriter, scf::ForOp loop);

/// nki-load-slices: `load`, a DMA filling a whole local buffer, loads only
/// the rows that later reads of the buffer touch.
LogicalResult loadSlice(RewriterBase &rewriter, DmaCopyOp load);

/// loadSlice for an on-chip copy from SBUF (the tap windows of a padded
/// image): narrowed to the rows of its target that are read.
LogicalResult sliceOnChipCopy(RewriterBase &rewriter, TensorCopyOp copy);

/// loadSlice for a padded image: `memset` sets a local buffer to the pad
/// value, one copy then fills a unit-stride interior view of it, and reads
/// follow. When the buffer takes more than `sbufBudget` bytes per
/// partition, it shrinks to the rows the reads touch over every iteration
/// of the loops around it that the fill does not depend on (a window of
/// fixed size that may move with the loops outside them); the copy loads
/// only the interior rows inside the window.
LogicalResult slicePaddedImage(RewriterBase &rewriter, MemsetOp memset,
                               int64_t sbufBudget);

/// nki-share-tap-loads: `load`, an HBM->SBUF DMA whose window moves with the
/// loops directly around it, becomes one load of the windows' union before
/// those loops (a slab of at most `sbufBudget` bytes per partition) and an
/// on-chip copy of the iteration's shifted view. To reach the band it may
/// first move loops the window does not move with outside it (an
/// interchange of independent loops), and can still decline afterwards.
LogicalResult shareTapLoads(RewriterBase &rewriter, DmaCopyOp load,
                            int64_t sbufBudget);

/// nki-hoist-transposes: the load -> transpose -> evict chain of
/// `transpose` is computed outside the loops it does not depend on, into a
/// cache of at most `sbufBudget` bytes per partition.
LogicalResult hoistTranspose(RewriterBase &rewriter, TransposeOp transpose,
                             int64_t sbufBudget);

/// nki-hoist-loads: as hoistTranspose for a single load; an invariant loop
/// directly around a dependent one may move inside it to make the cache fit
/// (that interchange stays even when the hoist then declines).
LogicalResult hoistLoad(RewriterBase &rewriter, DmaCopyOp load,
                        int64_t sbufBudget);

/// nki-im2col: `copy`, an on-chip gather into a local tile, is done once per
/// iteration of the loops it depends on, into an im2col matrix.
LogicalResult gatherIm2col(RewriterBase &rewriter, TensorCopyOp copy,
                           int64_t sbufBudget);

/// nki-group-row-blocks: the row-block loop `loop` loads one slab for a
/// group of up to `maxBlocks` consecutive blocks.
LogicalResult groupRowBlocks(RewriterBase &rewriter, scf::ForOp loop,
                             int64_t maxBlocks, int64_t sbufBudget);

/// nki-forward-copies: `copy` (a DMA or tensor copy into a local tile that
/// is only read once more, by a copy or, with `intoMatmul`, a matmul) is
/// skipped: its reader reads the copy's source. Copies the forwarding
/// creates are appended to `created`.
LogicalResult forwardCopy(RewriterBase &rewriter, Operation *copy,
                          bool intoMatmul,
                          SmallVectorImpl<Operation *> &created);

/// nki-pack-contraction: `matmul`, accumulating a contraction of at most
/// `maxRows` partitions into a PSUM tile across the loops around it, has
/// those iterations' operands stacked on the partition axis of packed tiles
/// (at most `sbufBudget` bytes per partition), summed after the loops by
/// matmuls of up to 128 partitions.
LogicalResult packContraction(RewriterBase &rewriter, MatmulOp matmul,
                              int64_t maxRows, int64_t sbufBudget);
/// nki-fuse-eviction: the ops that transform the tile `eviction` moves from
/// PSUM to SBUF in place are folded into the eviction.
LogicalResult fuseEviction(RewriterBase &rewriter, TensorCopyOp eviction);

/// nki-fuse-scratch-consumers: the consumers of the HBM scratch buffer
/// `scratch` read the tile its producer stores instead.
LogicalResult fuseScratchConsumers(RewriterBase &rewriter,
                                   memref::AllocOp scratch);

} // namespace mlir::nki

#endif // NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H
