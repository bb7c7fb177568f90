//===- Passes.td - NKI conversion passes -------------------*- tablegen -*-===//

#ifndef NKI_CONVERSION_PASSES_TD
#define NKI_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNKIToLinalg : Pass<"convert-nki-to-linalg", "ModuleOp"> {
  let summary = "Lower NKI ops to linalg on host memrefs";
  let description = [{
    Rewrites every NKI op into upstream ops on the same memrefs, then drops
    the SBUF/PSUM memory spaces, so that the kernel runs on a CPU through the
    usual linalg -> loops -> LLVM path:

    - `nki.dma_copy`, `nki.tensor_copy`: elementwise `linalg.generic` copy,
      casting with `arith.extf`/`arith.truncf` when element types differ;
    - `nki.matmul`: `linalg.generic` contracting the partition dim
      (`target[m, f...] += sum_k stationary[k, m] * moving[k, f...]` in f32),
      preceded by a zero `linalg.fill` for `overwrite`;
    - `nki.transpose`: `linalg.generic` with a transposed input map;
    - `nki.tensor_tensor`, `nki.tensor_scalar`: elementwise `linalg.generic`
      computing in f32 (a `[P, 1]` scalar vector broadcasts along the row);
    - `nki.tensor_reduce`: `linalg.fill` with the operator's identity, then a
      `linalg.generic` with reduction iterators on the reduced axes;
    - `nki.memset`: `linalg.fill`.

    With `count-events`, every DMA, matmul and transpose first calls
    `nki_count_event(kind, amount)` (declared, to be provided by the runner):
    kind 0-3 are DMAs HBM->SBUF, SBUF->HBM, SBUF->SBUF, HBM->HBM with the
    bytes on the HBM side (the source for SBUF->SBUF); 4 is a matmul with its
    multiply-adds; 5 a transpose with its elements. `nki-run --count` uses it
    to check static traffic analyses against what ran.

    With `vectorize`, a matmul whose stationary tile has a static
    multiple of 8 columns, whose target is f32 and whose moving and target
    rows are contiguous becomes a register-tiled kernel instead: for each
    8-row x 32-lane tile of the target (the last free dim, masked at its
    end; 16 lanes and 16 rows when that dim has at most 16 elements), eight
    `vector<32xf32>` accumulators stay in registers across the
    whole contraction, each step one load of the moving row and eight
    broadcast `vector.fma`s; the stationary tile and each K x 32 block of
    moving rows (rows a partition stride apart in memory) are first packed
    contiguously, widened to f32, for all the tiles that read them. Short
    rows (a conv window's) run as one flattened lane axis when the target's
    free dims collapse: contiguous rows of at most 16 elements (static
    shapes) are packed once per matmul, end to end in lane order (a masked
    load and store per row; the tail to a whole lane block zero), and other
    short rows are gathered per lane block. A
    stationary tile with strided rows (left by `fold-transposes`) is read
    where it is by a matmul of at most two lane blocks, and gathered into
    packed rows once, 8 columns at a time, for more. A
    transpose of static tiles of one 32-bit type (16-bit type) with rows a
    multiple of 16 (32) and columns a multiple of 16 moves 16 x 16 blocks of
    32-bit words with four rounds of vector shuffles; 16-bit rows 2r and
    2r+1 are first interleaved into words. A DMA or engine copy of static
    shape with contiguous rows on both sides copies each row in 64-byte
    vectors (masked at its end, converted where the element type changes).

    With `fold-transposes`, a matmul whose stationary tile is the SBUF copy
    of a PSUM `nki.transpose` of tile T (the copy and the PSUM tile used by
    nothing else, one element type throughout, T not written from the
    transpose to the matmul) reads `memref.transpose` of T instead, and the
    transpose, the copy and their tiles go; when T is itself only a
    `nki.dma_copy` of H (not written from the DMA to the matmul), the
    matmul reads H. The kernels read the stationary tile element by element
    through any strides, so on a CPU the weight transposes a trn2 kernel
    needs cost nothing, and a filter tap is read straight from the weights
    instead of being gathered first. With `amx-matmuls`, bf16 tiles keep
    their transposes (the AMX kernel packs tiles with contiguous rows).

    With `avx512-bf16` (and `vectorize`; for x86 CPUs with AVX512_BF16), a
    bf16 x bf16 matmul in that kernel (rows of both tiles contiguous, or the
    moving one gathered) works on pairs of contraction rows instead of
    widening: the moving block is packed as K/2 rows of interleaved pairs
    (`vector.interleave` of rows 2k' and 2k'+1, the odd one zero past an odd
    K), the stationary tile as K/2 rows of column pairs, and each step is one
    `x86vector.avx512.dot` (vdpbf16ps: two bf16 products summed into each f32
    lane) per 16 lanes and row, with the pair of weights broadcast as one
    32-bit word. Window rows of 8 to 16 elements (static shapes, a target
    whose free dims collapse) are packed once per matmul, every row pair
    end to end in the flattened lane order, so that 32-lane blocks run
    across rows without a masked-off tail in each; a last block of at most
    16 lanes gets a tile of its own, one dot per row. (x86 has no 16-bit
    gather, so contiguous 16-bit rows of 8 or more elements are never
    gathered lane by lane.) The module then needs `enable-x86vector` in
    `convert-vector-to-llvm` and a CPU with AVX512_BF16.

    With `amx-matmuls` (for x86 CPUs with AMX-BF16), a matmul of bf16 tiles
    into f32 with static shapes, K a multiple of 32, M a multiple of 16 and
    contiguous rows (the target's free dims contiguous) runs on the AMX tile
    units instead: the stationary tile is packed as `[M, K]` (pairs of k as
    32-bit words, transposed 16 x 16 at a time), the moving one in VNNI
    layout `[K / 2, 2 N]` (rows 2r and 2r+1 interleaved), and each 2 x 2
    block of 16 x 16 target tiles is loaded, accumulated by `amx.tile_mulf`
    (tdpbf16ps, bf16 products summed in f32) over the whole contraction and
    stored back; a partial last column of tiles goes through a scratch tile.
    The JIT must target such a CPU, and on Linux the process must first ask
    for the tile state (`requestHostAMX()`). Other matmuls keep the vector
    kernel or the `linalg.generic` form.

    Preconditions: none beyond a verified module. Everything else is left as
    it is; after the pass no NKI op, NKI memory space or `nki.*` attribute
    remains.
  }];
  let options = [
    Option<"countEvents", "count-events", "bool", /*default=*/"false",
           "Call nki_count_event before each DMA, matmul and transpose">,
    Option<"vectorize", "vectorize", "bool", /*default=*/"false",
           "Lower regular matmuls to a register-tiled vector kernel, "
           "regular transposes to vector shuffles and copies of contiguous "
           "rows to vector copies">,
    Option<"amxMatmuls", "amx-matmuls", "bool", /*default=*/"false",
           "Lower bf16 matmuls to AMX tile operations">,
    Option<"dotBF16", "avx512-bf16", "bool", /*default=*/"false",
           "With vectorize: bf16 matmuls on vdpbf16ps (x86 CPUs with "
           "AVX512_BF16) instead of f32 FMAs">,
    Option<"foldTransposes", "fold-transposes", "bool", /*default=*/"false",
           "Let matmuls read a transposed stationary tile through a "
           "transposed view of its source instead of running the transpose "
           "and the copy (bf16 ones kept with amx-matmuls)">
  ];
  let dependentDialects = ["::mlir::amx::AMXDialect",
                           "::mlir::x86vector::X86VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertLinalgToNKI : Pass<"convert-linalg-to-nki", "ModuleOp"> {
  let summary = "Import linalg conv2d layers as naive NKI kernels";
  let description = [{
    Replaces every function that computes one conv2d layer

      out = max_pool(relu(conv_2d(pad(X), W) + bias))

    in upstream linalg by the naive NKI kernel of the seed analysis,
    generalized to the layer, with the same name. The kernel keeps the
    function's argument order; a tensor result becomes a last out-parameter
    (as upstream buffer-results-to-out-params does). The seed's own form
    (NCHW, bias, stride 1, no padding, arguments X, W, bias, out) also records
    `nki.conv2d = #nki.conv2d<pool = P>`.

    Accepted forms, as torch-mlir, IREE and TOSA/ONNX paths emit them, on
    tensors or on memrefs:
    - `linalg.conv_2d_nchw_fchw`, `conv_2d_nhwc_hwcf` or `conv_2d_nhwc_fhwc`,
      any stride and dilation;
    - the input zero-padded by `tensor.pad` of its spatial dims, any amount
      per side (the kernel pads on chip: it zeroes an SBUF image and loads X
      into its interior, with no padded copy in HBM);
    - the init zero-filled (no bias), or the bias broadcast into it by
      `linalg.broadcast` or a `linalg.generic`, or a caller-provided init
      argument the conv accumulates into (an input of the kernel); a bias
      added after the conv by an elementwise `linalg.generic`;
    - then optionally a ReLU (`linalg.generic` yielding `maximumf`/`maxnumf`
      with 0, or torch-mlir's `select(x > 0, x, 0)`), then optionally
      `linalg.pooling_nchw_max` with window = stride on a -inf init;
    - f32, bf16 or f16 operands with a result of the same or a wider float
      type (accumulation is f32).

    A function whose one layer is a pooling (no conv), on tensors as
    torch-mlir emits max_pool2d / avg_pool2d / adaptive_avg_pool2d(1), is
    imported as a pooling kernel `(X, out)`: `linalg.pooling_nchw_max` or
    `pooling_nchw_sum` (or their NHWC forms) of X (maybe padded by `tensor.pad` with a constant)
    into a `linalg.fill` of a constant, the sum optionally divided or
    multiplied by a constant (average pooling); any window, stride and
    dilation. Per image and 128-channel tile the padded image sits in SBUF
    and each window tap is one Vector-Engine op over all output positions (a
    strided view), accumulated in f32; a global pool is one
    `nki.tensor_reduce`.

    Functions without a conv or pooling are left alone. A function with a
    layer the pass
    cannot import is left exactly as it was, with a warning at the op that
    stops it (dynamic shapes, integer types, unsupported conv ops or
    producers, ...); with `strict=true` these are errors and the pass fails.
    NKI kernels are static: a caller with dynamic shapes specializes the
    function first (e.g. with concrete tensor types from its own shape
    inference).
  }];
  let options = [
    Option<"strict", "strict", "bool", /*default=*/"false",
           "Fail on a conv function that cannot be imported instead of "
           "warning and leaving it alone">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nki::NKIDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // NKI_CONVERSION_PASSES_TD
