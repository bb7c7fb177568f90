//===- Passes.td - NKI transformation passes ---------------*- tablegen -*-===//

#ifndef NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD
#define NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NKIVerifyBuffers : Pass<"nki-verify-buffers"> {
  let summary = "Check every SBUF and PSUM buffer against the hardware rules";
  let description = [{
    Op verifiers check the buffers that NKI ops touch. Allocations and views
    are upstream ops (`memref.alloc`, `memref.subview`, ...) whose verifiers do
    not know our memory spaces, so this pass checks every memref value in SBUF
    or PSUM (op results and block arguments) against the rules of
    `nki::verifyOnChipBuffer`:

    - dim 0 is the partition dimension, at most 128;
    - the element type is f32, bf16 or f16;
    - an SBUF buffer fits the 212,992 bytes usable per partition (trn2);
    - a PSUM tile fits one 2 KiB bank per partition, or spells out its banks
      as `[partitions, banks <= 8, F]` with F fitting one bank.

    It changes nothing; on a violation it reports the value's location and
    fails. Run it first in a pipeline that consumes hand-written kernels.

    ```mlir
    // error: 'memref.alloc' op result #0: SBUF buffer ... spans 256 partitions
    %t = memref.alloc() : memref<256x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect"];
}

def NKINormalizeLoops : Pass<"nki-normalize-loops", "func::FuncOp"> {
  let summary = "Rewrite loops to run from 0 with step 1";
  let description = [{
    Every `scf.for` whose lower bound is not 0 or whose step is not 1 becomes
    a loop over `0 .. ceildiv(ub - lb, step)` with step 1; the old induction
    variable is recomputed as `lb + iv * step` in the body (upstream
    `emitNormalizedLoopBounds` / `denormalizeInductionVariable`). Attributes
    such as `nki.affine_range` are kept.

    ```mlir
    scf.for %oc0 = %c0 to %c256 step %c128 { ... %oc0 ... }
    // becomes
    scf.for %oc = %c0 to %c2 step %c1 {
      %oc0 = arith.muli %oc, %c128 : index
      ...
    }
    ```

    The rewrites of `nki-optimize` reason about loops in this normal form, so
    it runs first: a channel loop written with step 128 or a spatial loop
    stepping by the partition size is optimized like one written with
    `iv * 128`. Loops already normal are left alone.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def NKIFoldCopyLoops : Pass<"nki-fold-copy-loops", "func::FuncOp"> {
  let summary = "Fold element-by-element copy loops into one slice copy";
  let description = [{
    A loop whose iteration `i` copies one element, column or row with
    `nki.tensor_copy` or `nki.dma_copy` at position `i + c` of both buffers,
    optionally under a guard `i < bound`, becomes one copy of the whole range
    of `max(0, min(ub, bound) - lb)` positions (ragged when the bound is):

    ```mlir
    scf.for %i = %c0 to %c512 step %c1 {
      %in = arith.cmpi ult, %i, %size : index
      scf.if %in {
        %p = arith.addi %start, %i : index
        %s = memref.subview %flat[0, %p] [128, 1] [1, 1] : ...
        %d = memref.subview %tile[0, %i] [128, 1] [1, 1] : ...
        nki.tensor_copy %s to %d : ...
      }
    } {nki.affine_range}
    // becomes
    %n = ... max(0, min(512, %size))
    %s = memref.subview %flat[0, %start] [128, %n] [1, 1] : ...
    %d = memref.subview %tile[0, 0] [128, %n] [1, 1] : ...
    nki.tensor_copy %s to %d : ...
    ```

    Preconditions, checked: the loop is an `nki.affine_range` with step 1;
    its body holds the copy, at most one guard, and only side-effect-free
    index and view ops; exactly one index of each side moves with the loop,
    as `i + c` with an invariant c, over a size-1, unit-stride dim that is
    part of the copied shape; the guard bound is invariant; source and target
    are provably disjoint (different buffers, one a local allocation). A copy
    loop that fails a precondition is left alone with a remark saying which.
    Stores of positions of a plane, indexed `(p / W, p % W)`, are
    `nki-batch-writeback`'s.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NKIBatchWriteback : Pass<"nki-batch-writeback", "func::FuncOp"> {
  let summary = "Turn per-position stores of an output plane into one DMA";
  let description = [{
    A loop whose iteration `i` stores one position `p = i + c` of a tile to
    HBM with `nki.dma_copy`, indexing the output as `(p / W, p % W)` in two
    adjacent dims of width W (the naive kernel's write-back of a linear
    spatial partition), becomes one DMA of the whole range into a view in
    which those two dims are collapsed into one linear position dim:

    ```mlir
    scf.for %i = %c0 to %c512 step %c1 {
      scf.if (%i < %size) {
        %p = arith.addi %start, %i : index
        %oh = arith.divui %p, %c14 : index
        %ow = arith.remui %p, %c14 : index
        %src = memref.subview %res[0, %i] [128, 1] [1, 1] : ...
        %dst = memref.subview %out[%b, %oc, %oh, %ow] [1, 128, 1, 1] [1, 1, 1, 1] : ...
        nki.dma_copy %src to %dst : ...
      }
    } {nki.affine_range}
    // becomes
    %flat = memref.collapse_shape %out [[0], [1], [2, 3]] : ...
    %dst = memref.subview %flat[%b, %oc, %start] [1, 128, %n] [1, 1, 1] : ...
    nki.dma_copy %src_range to %dst : ...
    ```

    Preconditions, checked, as for `nki-fold-copy-loops`, plus: the two
    dims can be collapsed (the output rows are contiguous) and W is the
    width of the second. Otherwise the loop stays, with a remark.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NKIAlignPartitions : Pass<"nki-align-partitions", "func::FuncOp"> {
  let summary = "Make linear spatial partitions cover whole rows";
  let description = [{
    A partition loop `for sp in [0, ceil(N / P))` whose iteration handles the
    flat positions `[start, start + size)` with `start = sp * P` and
    `size = min(P, N - start)`, where those positions index planes of rows of
    width W (views that collapse `[.., H, W]` into `[.., H * W]` and are
    offset by `start`), is rewritten to partitions of `P' = floor(P / W) * W`
    positions, `ceil(N / P')` of them. Every partition is then made of whole
    rows, so later passes load, copy and store rectangles instead of ragged
    linear ranges (the first step of the seed's "spatial tiling drives
    memory access"):

    ```mlir
    scf.for %sp = %c0 to %c97 step %c1 {        // 49284 positions, P = 512
      %start = arith.muli %sp, %c512 : index
      %size = arith.minsi %c512, %rest : index
    // becomes partitions of 2 rows of 222: P' = 444, 111 of them
    ```

    Preconditions, checked: the loop is an `nki.affine_range` from 0 with
    step 1 and the constant trip count `ceil(N / P)`; the induction variable
    is used only to compute `start`; `size` is `min(P, N - start)`; every
    row width found agrees, divides N, and is at most P; nothing in the body
    uses P itself (a constant operand equal to P, or a static view size P),
    since it would still assume partitions of P positions, except
    `min(P, size)` and a loop to P whose only content is guarded by
    `iv < size`. Otherwise the loop stays, with a remark when it matched the
    partition pattern.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect"];
}

def NKILoadSlices : Pass<"nki-load-slices", "func::FuncOp"> {
  let summary = "Load only the rows of a buffer that later reads touch";
  let description = [{
    A DMA that fills a local buffer `[P, R, ...]` of which the reads after it
    touch only rows `[r0, r1)` of dim 1 is narrowed to those rows. Read ranges
    are derived from the reads' views: subviews of the rows, or subviews of a
    `collapse_shape` that linearizes the rows with the dims after them (as the
    naive conv kernel reads positions `[start, start + size)` of its
    `[P, out_h * out_w]` plane), so `r0 = start / out_w` and
    `r1 = ceil((start + size) / out_w)`, clamped to R:

    ```mlir
    nki.dma_copy %window to %plane : memref<128x30x14xf32, strided<...>> to memref<128x30x14xf32, #nki.mem<sbuf>>
    %flat = memref.collapse_shape %plane [[0], [1, 2]] : ... into memref<128x420xf32, #nki.mem<sbuf>>
    %cols = memref.subview %flat[0, %start] [128, %n] [1, 1] : ...
    nki.tensor_copy %cols to %tile : ...
    // the DMA becomes
    %src = memref.subview %window[0, %r0, 0] [128, %rows, 14] [1, 1, 1] : ...
    %dst = memref.subview %plane[0, %r0, 0] [128, %rows, 14] [1, 1, 1] : ...
    nki.dma_copy %src to %dst : ...
    ```

    When one read of at most S positions (S a constant bound through
    min/max) is all there is, the load is a fixed window of
    `ceil((S - 1) / W) + 1` rows (`ceil(S / W)` when the read starts at a
    multiple of the row size), starting at the read's first row and moved
    back where the buffer ends, so the DMA has a static shape; and when every
    read is a subview of the buffer or of one collapse of it, the buffer
    itself shrinks to the window (reads shift by the window's first row), so
    that SBUF capacity follows the traffic.

    Preconditions, checked: the DMA fills the whole buffer (its target is the
    allocation or a zero-offset view of the same rank); the buffer is a local
    allocation; every other use of it is a read by an NKI op in the same
    block after the DMA (through view ops), so nothing else writes it and no
    one reads rows from before the DMA; each read's range is derivable and
    computable before the DMA (pure index arithmetic is recomputed there).
    Otherwise the DMA stays, with a remark saying why. DMAs whose reads cover
    every row are left alone silently.

    A padded image (a local buffer set whole by `nki.memset` to the pad
    value, then filled by one copy into a unit-stride view of its interior,
    then only read, as the importer builds for a padded conv) larger than
    `sbuf-budget` bytes per partition shrinks to a window of rows: the union
    of the rows its reads touch (through chains of subviews with any static
    strides; row offsets linear in loop indices, through exact divisions and
    clamps proven never to bind) over every iteration of the loops around it
    whose indices the fill does not use (the filter taps), as many of them
    as keep the window within the budget. It must be a window of fixed size,
    moving only with loops further out. When it moves with a loop (the
    spatial blocks), up to 8 consecutive iterations of that loop share one
    window (the loop is strip-mined into groups, preferably of equal size),
    as many as fit the budget, so that the halo rows between blocks are
    loaded once per group. The memset sets the window; the copy loads only
    the interior rows inside it (a clipped, dynamically sized DMA); each read
    becomes one subview of the window. A padded image that fits the budget
    is left whole, so that `nki-hoist-loads` loads it once.

    ```mlir
    // ResNet's 7x7/2 stem: its 3 x 230 x 230 image (211,600 bytes per
    // partition) is read 4 output rows (8 + 5 padded rows) per block; 7
    // blocks share a 13 + 8 * 6 = 61-row window
    scf.for %group = 0 to 4 {
      %first = arith.muli %group, %c7 : index
      %image = memref.alloc() : memref<3x61x230xf32, #nki.mem<sbuf>>
      nki.memset %image, 0.0 : memref<3x61x230xf32, #nki.mem<sbuf>>
      // padded rows max(begin, 3) .. min(begin + 61, 227), begin = 8 * %first
      nki.dma_copy %x_rows to %image[0, %lo - %begin, 3] [3, %count, 224] ...
      scf.for %block = 0 to min(7, 28 - %first) { ... taps read %image ... }
    }
    ```
  }];
  let options = [
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition above which a padded image is loaded in "
           "windows of rows (default 0: half the usable SBUF of the kernel's "
           "#nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NKIShareTapLoads : Pass<"nki-share-tap-loads", "func::FuncOp"> {
  let summary = "Load the union of a loop nest's shifted windows once";
  let description = [{
    A DMA from HBM inside a band of loops (the conv's filter taps) whose
    source window moves by one element per iteration along some dims, as
    `X[.., fh + r0, fw]` does, is replaced by one DMA of the union of the
    windows (a slab with the `FH - 1` and `FW - 1` halo) before the band, and
    inside it by an on-chip `nki.tensor_copy` of the iteration's shifted view
    of the slab. Each input row then crosses from HBM once per (input-channel
    tile, spatial block) instead of once per filter tap:

    ```mlir
    scf.for %fh ... { scf.for %fw ... {
      %w = memref.subview %X[%b, %ic, %fh + %r0, %fw] [1, 128, 13, 38] ...
      nki.dma_copy %w to %rows : ...
    }}
    // becomes
    %slab = memref.alloc() : memref<128x15x40xf32, #nki.mem<sbuf>>
    nki.dma_copy %X[%b, %ic, %r0, 0] [1, 128, 15, 40] to %slab : ...
    scf.for %fh ... { scf.for %fw ... {
      nki.tensor_copy %slab[0, %fh, %fw] [128, 13, 38] to %rows : ...
    }}
    ```

    A loop between the DMA and the band that the window does not move with
    (an input-channel loop inside the filter loops) is first interchanged
    outward, past the band, when both are `nki.affine_range`s with constant
    bounds and nothing but pure ops separates them (independent iterations
    may run in any order).

    Preconditions, checked: the band's loops are `nki.affine_range`s from 0
    with step 1 and constant trip counts; the DMA's source is a chain of
    unit-stride subviews of a value defined outside the band, whose offsets
    are sums of band induction variables (each moving one kept, non-partition
    dim) and terms computable before the band; the slab's extents have
    constant bounds and fit `sbuf-budget` bytes per partition; nothing in the
    band may write the source. Otherwise the DMA stays, with a remark.
  }];
  let options = [
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition a slab may take (default 0: half the usable "
           "SBUF of the kernel's #nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NKIHoistTransposes : Pass<"nki-hoist-transposes", "func::FuncOp"> {
  let summary = "Compute loop-invariant transposed tiles once, outside the loops";
  let description = [{
    Finds the chain `dma_copy -> transpose -> tensor_copy` that loads a tile,
    transposes it on the Tensor Engine and evicts it to SBUF (the naive conv
    kernel's weights), and computes it outside every enclosing loop whose
    induction variable it does not depend on. The loops it does depend on
    and that sit below the hoisting point are replicated in a prologue nest
    that fills a cache `[P, trips..., F]` with one tile per iteration; the
    original reads take their tile from the cache:

    ```mlir
    scf.for %b ... { scf.for %oc ... { scf.for %sp ... { scf.for %ic ... {
      nki.dma_copy %W[%oc, %ic, ...] to %w ; nki.transpose %w into %p
      nki.tensor_copy %p to %wt ; nki.matmul accumulate %wt, %x into %acc
    }}}}
    // becomes
    %cache = memref.alloc() : memref<128x2x2x128xf32, #nki.mem<sbuf>>
    scf.for %oc ... { scf.for %ic ... { <the chain, evicting into %cache[:, %oc, %ic, :]> } }
    scf.for %b ... { scf.for %oc ... { scf.for %sp ... { scf.for %ic ... {
      nki.matmul accumulate %cache[:, %oc, %ic, :], %x into %acc
    }}}}
    ```

    The hoisting point is the outermost loop the chain does not depend on
    whose cache fits `sbuf-budget` bytes per partition; if the whole-kernel
    cache does not fit, the next such loop inward is tried (for the conv:
    once per kernel, else once per output-channel tile). A point pays only
    when some loop the chain does not depend on, at or inside it, runs more
    than once: with one image and one spatial tile the chain stays (a cache
    would transpose every tile as often and add its round trip through
    memory).

    Preconditions, checked: the tile is loaded whole by one DMA and used only
    by the transpose, whose PSUM result is used only by the eviction, whose
    SBUF result is only read afterwards in the same block; the chain's
    indices are pure functions of loop induction variables and values
    defined outside the hoisted loops; replicated loops run from 0 with step
    1 and invariant bounds; nothing in the hoisted loops may write the loaded
    tensor (no write to a possibly aliasing buffer, no opaque op); the cache
    fits the budget. Otherwise the chain stays, with a remark saying why.
  }];
  let options = [
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition a cache of transposed tiles may take "
           "(default 0: half the usable SBUF of the kernel's "
           "#nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NKIHoistLoads : Pass<"nki-hoist-loads", "func::FuncOp"> {
  let summary = "Load loop-invariant tiles once, reordering loops if that helps";
  let description = [{
    The same hoisting as `nki-hoist-transposes`, for a single DMA that loads
    a whole local tile from HBM which is only read afterwards (a bias tile,
    the input slab `nki-share-tap-loads` made): it is computed outside every
    enclosing loop it does not depend on, into a cache with one slot per
    iteration of the loops it does depend on below that point.

    When the cache would exceed `sbuf-budget`, an invariant loop directly
    around a dependent one is moved inside it if that makes the cache fit
    (both `nki.affine_range`, from 0 with step 1 and constant trips, nothing
    but pure ops between them): for the conv, the output-channel loop moves
    inside the spatial loop so that one input slab serves every
    output-channel tile.

    Preconditions, checked: as for `nki-hoist-transposes`. DMAs that depend
    on every enclosing loop are left alone silently; other blocked cases
    remark why.
  }];
  let options = [
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition a cache of tiles may take (default 0: half the "
           "usable SBUF of the kernel's #nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NKIGroupRowBlocks : Pass<"nki-group-row-blocks", "func::FuncOp"> {
  let summary = "Load one slab for a group of consecutive row blocks";
  let description = [{
    A spatial loop whose body loads a slab (a local SBUF buffer filled by
    one DMA, directly or in a loop of its own, from a window of an HBM
    tensor that moves along one dim with the loop index) is strip-mined into
    groups of up to `max-blocks` consecutive iterations; each group loads
    the union of its blocks' windows once, and each block reads its rows of
    that slab. For a convolution whose blocks are 2 output rows with a
    2-row halo, a group of 8 blocks (8 PSUM banks of accumulation) loads 18
    rows for 16 instead of 4 for 2: the input crosses from HBM 1.125 times
    instead of twice.

    ```mlir
    scf.for %sp = 0 to 111 {
      %slab = memref.alloc() : memref<128x2x4x224xf32, #nki.mem<sbuf>>
      scf.for %ic ... { nki.dma_copy %X[0, %ic, %row(%sp), 0] [1, 128, 4, 224] ... }
      ... reads of %slab ...
    }
    // becomes
    scf.for %g = 0 to 14 {
      %slab = memref.alloc() : memref<128x2x18x224xf32, #nki.mem<sbuf>>
      scf.for %ic ... { nki.dma_copy %X[0, %ic, min(%row(8 * %g), 206), 0] [1, 128, 18, 224] ... }
      scf.for %b = 0 to min(8, 111 - 8 * %g) {
        ... reads of %slab[0, 0, %row(8 * %g + %b) - start, 0] [128, 2, 4, 224] ...
      }
    }
    ```

    Preconditions, checked: the loop is an `nki.affine_range` from 0 with
    step 1 and a constant trip count; one DMA writes the slab, before every
    other access, which all go through subviews; the DMA's source is one
    subview of a tensor from outside the loop, with a constant window size
    along the moving dim; the window's start is index arithmetic of the
    loop index alone, which the pass evaluates for every iteration: it must
    never move back and stay inside the tensor (so each block's rows lie in
    its group's window, moved back at the tensor's end); no access of the
    slab after the DMA may write it (through any view; ops without known
    effects count as writers), since grouped blocks share one slab; nothing
    in the loop may write the loaded tensor; the group's slab fits
    `sbuf-budget` bytes per partition. Otherwise the loop stays, with a
    remark.
  }];
  let options = [
    Option<"maxBlocks", "max-blocks", "int64_t", /*default=*/"8",
           "Most blocks per group (default: trn2's 8 PSUM banks, one "
           "accumulation group each)">,
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition a group's slab may take (default 0: half the "
           "usable SBUF of the kernel's #nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NKIDropUnreadColumns : Pass<"nki-drop-unread-columns", "func::FuncOp"> {
  let summary = "Compute only the columns of a tile that later reads take";
  let description = [{
    A local 2-D tile `[P, F]` whose reads all take a static prefix of its
    columns `[0, n)`, n < F, has its whole-tile writers narrowed to those
    columns: ops that write column c from column c of their tile operands
    (`nki.memset`, copies, `nki.tensor_tensor`, `nki.tensor_scalar`, and
    `nki.matmul` with its moving tile) get subviews `[0, n)` of their target
    and of those operands. The operands' tiles may then be narrowed in turn
    (a PSUM tile read only by a narrowed eviction, and the matmuls into it).
    For the im2col strategy this is the matmuls over a spatial block of 420
    positions computing 420 columns rather than 512:

    ```mlir
    nki.matmul accumulate %w, %cols into %acc : memref<128x128xbf16, ...>, memref<128x512xbf16, ...> into memref<128x512xf32, #nki.mem<psum>>
    nki.tensor_scalar add %acc, %bias to %out : ...
    %rows = memref.subview %out[0, 0] [128, 420] [1, 1] : ...
    nki.dma_copy %rows to %hbm : ...
    // becomes
    %c = memref.subview %cols[0, 0] [128, 420] [1, 1] : ...
    %a = memref.subview %acc[0, 0] [128, 420] [1, 1] : ...
    nki.matmul accumulate %w, %c into %a : ...
    ```

    Preconditions, checked per tile: a static 2-D local allocation; every
    access is an NKI op; every read (including an accumulating matmul's read
    of its target through a view) takes a statically known column range;
    writers of part of the tile are left as they are (what they write beyond
    n is never read). The buffer keeps its size.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect"];
}

def NKIFoldLoopConstants : Pass<"nki-fold-loop-constants", "func::FuncOp"> {
  let summary = "Fold index values that are the same in every iteration";
  let description = [{
    Index arithmetic that depends on loop indices but takes one value in
    every iteration (a block's offset inside a load window that never moves
    back, a ragged size that is never ragged) becomes a constant, so that
    views get static offsets and sizes and later rewrites see whole tiles.
    Interval reasoning cannot see this (`i * 444 - (i * 444 / 222) * 222` is
    0 only because 444 is a multiple of 222); the pass evaluates the value
    for every iteration of the loops it depends on (constant trip counts, at
    most 65,536 iterations; bounds may depend on outer indices) and folds it
    only when all agree. Values computed from anything but constants, loop
    indices and integer arith are left alone.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect"];
}

def NKIFuseScratchConsumers
    : Pass<"nki-fuse-scratch-consumers", "func::FuncOp"> {
  let summary = "Consume a stored tile right after it is stored, not from HBM";
  let description = [{
    A kernel that stores tiles into an HBM scratch buffer in one loop nest
    and loads them back in a later nest (the naive conv's plane before the
    max-pool) is rewritten so that, right after each store, the consumer
    loops run over the iterations whose windows that store covers, reading
    the stored SBUF tile instead of HBM; the consumer nest, the store and
    the scratch buffer go away. For the conv this is pool at eviction: the
    pooled rows are reduced from the evicted tile and stored once.

    Preconditions, checked: the scratch is a function-level allocation that
    one DMA writes and one DMA reads; the read sits directly in the
    innermost loop of a nest of `nki.affine_range` loops from 0 with
    constant bounds (only index arithmetic between them), after the
    producer nest with no memory effects in between; each consumer index
    moves one dim of the read's window as `a * index + b`; the store's
    window is a subview of the scratch or of one collapse of it, whole rows
    of a collapsed group; evaluating every store iteration, the store
    windows are disjoint and the consumer iterations each store serves lie
    inside its window and cover every consumer iteration exactly once; the
    consumer body touches no memory the producer nest uses, and uses only
    values available at the store. Otherwise nothing changes, with a remark.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NKIForwardCopies : Pass<"nki-forward-copies", "func::FuncOp"> {
  let summary = "Copy data straight to where it goes, not through a tile";
  let description = [{
    A tile allocated in a block, filled by one copy and read once afterwards,
    is a detour. Two cases are forwarded:

    * the tile is copied onward whole, possibly reshaped, by a
      `nki.tensor_copy`: the first copy (a DMA stays a DMA) writes the
      destination directly, viewed with the tile's shape;
    * the tile is the moving operand of a `nki.matmul` and was filled, whole
      or in part, by a `nki.tensor_copy` from SBUF: the matmul reads the
      copy's source (any strided view; the Tensor Engine walks access
      patterns) and writes the matching view of its PSUM target. Columns the
      copy left undefined are simply not computed. When the matmul reads
      the tile through one reshape (a plane flattened to positions), the
      target is regrouped the other way instead. Option
      `into-matmul=false` keeps these copies (the im2col strategy gathers
      them into a column matrix instead).

    ```mlir
    nki.tensor_copy %slab_view to %t : memref<128x30x14xf32, strided<...>> ...
    %flat = memref.collapse_shape %t [[0], [1, 2]] ...
    nki.tensor_copy %flat to %moving_420 ...
    nki.matmul accumulate %w, %moving into %acc ...
    // becomes
    nki.matmul accumulate %w, %slab_view into %acc_view_128x30x14 ...
    ```

    Preconditions, checked: the tile is allocated in the copy's block and
    accessed by nothing but the copy and the one later reader in that block;
    the copy does not convert the element type (so the round trip is exact);
    no op between the copy and the reader may write the copied data (ops
    with unknown effects count); an onward copy's source and destination
    are disjoint buffers; a forwarded matmul's copy fills every partition.
    A declined forwarding of a tile that is read once gets a remark.
  }];
  let options = [
    Option<"intoMatmul", "into-matmul", "bool", /*default=*/"true",
           "Let matmuls read their moving tiles where the copies took them from">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NKIIm2col : Pass<"nki-im2col", "func::FuncOp"> {
  let summary = "Gather the matmuls' moving tiles once, into a column matrix";
  let description = [{
    A moving tile of a `nki.matmul` that is gathered on chip (a
    `nki.tensor_copy` from SBUF into a tile allocated in the loop body) is
    gathered outside the loops it does not depend on, into a matrix with one
    slot per iteration of the loops it does depend on; the matmuls read
    their slots. On a shifted-tap convolution this is im2col: per spatial
    block, the column matrix `[Cin, Cin tiles, FH, FW, positions]` is built
    once, and every output-channel tile runs one matmul tiled 128 (K) x 128
    (M) x 512 (N) over it, accumulating over K in PSUM. The alternative to
    letting the matmuls read shifted views directly (`nki-forward-copies`);
    `nki-optimize{conv-strategy=im2col}` picks it.

    Preconditions, checked (same engine as `nki-hoist-transposes`): the tile
    is read only after the copy, in its block, through itself or one
    subview; the copied data's index arithmetic is pure; the buffer it comes
    from is allocated outside the loops the copy leaves and nothing in them
    may write it; the loops the matrix replicates run from 0 to a constant
    with step 1; the matrix fits `sbuf-budget` bytes per partition.
    Otherwise the copy stays, with a remark.
  }];
  let options = [
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition the column matrix may take (default 0: half the "
           "usable SBUF of the kernel's #nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NKIPackContraction : Pass<"nki-pack-contraction", "func::FuncOp"> {
  let summary = "Stack small contractions on the partition axis";
  let description = [{
    A `nki.matmul accumulate` whose contraction takes few partitions (the
    3 channels of an RGB image) uses few of the Tensor Engine's 128 rows,
    and on the CPU it loads and stores its accumulators for a few FMAs per
    element. When the loops around it only sum into its PSUM tile, each
    iteration instead copies its two operands (SBUF->SBUF DMAs, which may
    change partitions) into its slot of two packed tiles, stacked on the
    partition axis, and after the loops one matmul per chunk of up to 128
    partitions adds the whole sum. A 7x7 stem over 3 channels: 49 matmuls
    of K = 3 become 2 of K = 75 and 72.

    ```mlir
    scf.for %fh = %c0 to %c7 step %c1 {
      scf.for %fw = %c0 to %c7 step %c1 {
        nki.matmul accumulate %w_tap, %x_tap into %acc
            : memref<3x64xf32, ...>, memref<3x512xf32, ...> into ...
      }
    }
    // becomes, with %slot = %fh * 7 + %fw:
    scf.for %fh ... { scf.for %fw ... {
      nki.dma_copy %w_tap to %packed_w[(%slot mod 25) * 3, %slot / 25] ...
      nki.dma_copy %x_tap to %packed_x[(%slot mod 25) * 3, %slot / 25] ...
    } }
    nki.matmul accumulate %packed_w[0:75, 0], %packed_x[0:75, 0] into %acc
    nki.matmul accumulate %packed_w[0:72, 1], %packed_x[0:72, 1] into %acc
    ```

    Preconditions, checked: the matmul accumulates, its operands have
    static shapes and at most `max-rows` (and at most 64) partitions; the
    packed loops are the `scf.for` loops directly around it, each from 0 to
    a constant with step 1, outside of which the PSUM tile is defined and
    inside which nothing but the matmul may access its memory (through any
    view or alias); the packed tiles fit `sbuf-budget` bytes per partition.
    The sum is then the same up to the order of its terms, as in any K
    tiling. Otherwise the matmul stays, with a remark.
  }];
  let options = [
    Option<"maxRows", "max-rows", "int64_t", /*default=*/"32",
           "Pack matmuls that contract at most this many partitions">,
    Option<"sbufBudget", "sbuf-budget", "int64_t", /*default=*/"0",
           "Bytes per partition the packed tiles may take (default 0: half the "
           "usable SBUF of the kernel's #nki.target)">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NKIFuseEviction : Pass<"nki-fuse-eviction", "func::FuncOp"> {
  let summary = "Apply an elementwise op while evicting, not after";
  let description = [{
    A `nki.tensor_copy` of a tile (typically the PSUM result to SBUF) that is
    immediately transformed in place by `nki.tensor_scalar` (bias add) or
    `nki.tensor_tensor` becomes that one op reading the copy's source: the
    bias is added while the PSUM result moves to SBUF, one Vector-Engine
    pass over the tile instead of two.

    ```mlir
    nki.tensor_copy %acc to %res : psum to sbuf
    nki.tensor_scalar add %res, %bias to %res : ...
    // becomes
    nki.tensor_scalar add %acc, %bias to %res : ...
    ```

    A tile with fewer channels than partitions fuses too: when the op
    transforms the first P partitions of the tile whole (a subview at offset
    0 spanning every free dim) of a tile that is a buffer of its own, and
    every later use of the tile reads only those P partitions (a subview at
    partition 0 of size P, after the op, in its block), the op reads the
    same P partitions of the copy's source and the copy goes.

    Preconditions, checked: the copy's source and target are disjoint
    buffers; the op's target is the copy's target (the same value, or its
    partition prefix as above) and, of
    its other operands, exactly one may alias that tile, and it is the tile
    itself (a view of the tile, a reshape of it, or the tile read twice
    blocks: fused, it would be read before it is written); for
    `tensor_scalar` that operand is the elementwise source; nothing between
    the two may read or write either tile (ops with unknown effects count).
    The value is computed in f32 and rounded once, at the end, where the
    copy used to round first. Otherwise both stay, with a remark when the
    op reads the copied tile.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect"];
}

def NKIReport : Pass<"nki-report", "func::FuncOp"> {
  let summary = "Print what each kernel moves and computes, counted statically";
  let description = [{
    Evaluates each kernel's control flow and index arithmetic (loops need
    evaluable constant bounds; guards and ragged tiles are counted exactly,
    no data is touched; `nki::analyzeTraffic` in
    `include/nki/Analysis/TrafficAnalysis.h`) and prints, to standard
    output: DMAs and bytes per direction (the HBM side's bytes, as
    `nki-run --count` counts them, on a `count:` line in the same format),
    DMA sizes per partition (< 256 B is overhead-bound, >= 2 KiB efficient),
    bytes loaded from each argument, compulsory traffic (inputs read once,
    the output written once) and the ratios, matmuls with their
    multiply-adds and Tensor-Engine fill, transposes and Vector-Engine ops,
    bytes loaded on chip that nothing reads (waste), peak SBUF and PSUM
    bytes per partition against capacity (a warning when a kernel does not
    fit), and a modelled latency beside the Tensor-Engine roofline (cost
    model and overlap assumption in docs/Report.md). Capacities and rates
    come from the kernel's `#nki.target` (trn2 without one); `targets=trn1,trn2`
    reports the kernel once per named preset instead, to compare chips.
    `json=true` prints one JSON object per kernel and target instead of the
    table. The IR is unchanged; a kernel it cannot evaluate gets an error at
    the op.
  }];
  let options = [
    Option<"json", "json", "bool", /*default=*/"false",
           "Print one JSON object per kernel instead of the table">,
    ListOption<"targets", "targets", "std::string",
               "Report for each of these target presets (trn1, trn2) "
               "instead of the kernel's own target">
  ];
  let dependentDialects = ["::mlir::nki::NKIDialect"];
}

def NKIHostParallel : Pass<"nki-host-parallel"> {
  let summary = "Run loops whose iterations write disjoint memory on all cores";
  let description = [{
    For the host lowering: the outermost `nki.affine_range` loops whose
    iterations provably write disjoint memory become `scf.parallel` (which
    `nki-to-llvm` maps to OpenMP). `nki.affine_range` alone is not enough:
    its iterations may accumulate into one PSUM tile. Checked, for each
    candidate loop with constant bounds and no loop-carried values:

    - every write goes to a buffer allocated inside the iteration (private
      to it: SBUF, PSUM and scratch tiles of that iteration), or is an NKI
      op (which writes its whole target view) into a kernel argument or a
      buffer allocated outside the loop (HBM scratch, hoisted SBUF tiles);
      ops with unknown effects block;
    - no iteration reads such a shared buffer that the loop writes;
    - evaluating every store window of every iteration (subviews and
      reshapes with static strides; the enclosing loops' bounds and index
      arithmetic are evaluated), windows of different iterations never
      overlap.

    A loop that fails is left sequential and its inner loops are tried.
    Loops inside a parallel loop stay sequential.
  }];
  let dependentDialects = ["::mlir::nki::NKIDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD
