//===- Pipelines.h - Named NKI pass pipelines -------------------*- C++ -*-===//
//
// Pipelines are built here once; `nki-opt --<name>`, nki-run and embedding
// compilers all use these functions.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_PIPELINES_PIPELINES_H
#define NKI_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::nki {

struct NKIToLLVMOptions : public PassPipelineOptions<NKIToLLVMOptions> {
  PassOptions::Option<bool> countEvents{
      *this, "count-events",
      llvm::cl::desc("Call nki_count_event before each DMA, matmul and "
                     "transpose (see convert-nki-to-linalg)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Lower regular matmuls, transposes and copies to "
                     "vector kernels (see convert-nki-to-linalg)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> avx512bf16{
      *this, "avx512-bf16",
      llvm::cl::desc("Run bf16 matmuls on vdpbf16ps (see "
                     "convert-nki-to-linalg); the code then needs an "
                     "AVX512_BF16 CPU"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> foldTransposes{
      *this, "fold-transposes",
      llvm::cl::desc("Let matmuls read transposed stationary tiles through "
                     "a transposed view (see convert-nki-to-linalg)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> amx{
      *this, "amx",
      llvm::cl::desc("Lower bf16 matmuls to AMX tile operations (see "
                     "convert-nki-to-linalg); the code then needs an "
                     "AMX-BF16 CPU and, on Linux, nki::requestHostAMX()"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run loops whose iterations write disjoint memory on "
                     "all cores through OpenMP (see nki-host-parallel); the "
                     "JIT then needs libomp"),
      llvm::cl::init(false)};
};

/// `nki-to-llvm`: an NKI kernel module to the LLVM dialect, ready for the
/// ExecutionEngine: optionally independent loops to `scf.parallel`, NKI ops
/// to linalg (matmuls to vector kernels), linalg to loops, every allocation
/// freed at the end of its scope, parallel loops to OpenMP, then the standard
/// conversions to LLVM.
void buildNKIToLLVMPipeline(OpPassManager &pm, const NKIToLLVMOptions &options);
void buildNKIToLLVMPipeline(OpPassManager &pm);

/// How `nki-optimize` feeds a convolution's taps to the Tensor Engine.
enum class ConvStrategy {
  /// Every tap's matmul reads a shifted view of the input slab in place.
  Taps,
  /// The taps' shifted tiles are gathered once per spatial block into an
  /// im2col matrix that all output-channel tiles read.
  Im2col,
};

struct NKIOptimizeOptions : public PassPipelineOptions<NKIOptimizeOptions> {
  PassOptions::Option<ConvStrategy> convStrategy{
      *this, "conv-strategy",
      llvm::cl::desc("How the matmuls get their moving tiles (default: taps, "
                     "which the trn2 cost model of nki-report rates faster)"),
      llvm::cl::init(ConvStrategy::Taps),
      llvm::cl::values(
          clEnumValN(ConvStrategy::Taps, "taps",
                     "matmuls read shifted views of the input slab"),
          clEnumValN(ConvStrategy::Im2col, "im2col",
                     "gather an im2col matrix per spatial block, then a "
                     "tiled matmul"))};
  PassOptions::Option<int64_t> sbufBudget{
      *this, "sbuf-budget",
      llvm::cl::desc("Bytes per partition the rewrites' slabs, caches and "
                     "whole padded images may take (default 0: half the "
                     "usable SBUF of the kernel's #nki.target)"),
      llvm::cl::init(0)};
};

/// `nki-optimize`: the seed analysis's rewrites, in order: fold
/// element-by-element copy loops, batch per-position write-backs, align
/// spatial partitions to whole rows, load only the rows later reads touch,
/// load each input slab once for all filter taps, hoist loop-invariant
/// transposes, then loop-invariant loads (reordering loops so that a slab
/// serves every output-channel tile), load one slab for a group of up to 8
/// row blocks, forward copies (into the matmuls for
/// `taps`; for `im2col` the gathers go into a column matrix instead), stack
/// contractions of few partitions onto the partition axis, add the
/// bias while evicting PSUM, pool the evicted tile instead of a scratch plane
/// in HBM; then clean up (canonicalize, loop-invariant code
/// motion, CSE).
void buildNKIOptimizePipeline(OpPassManager &pm,
                              const NKIOptimizeOptions &options);
void buildNKIOptimizePipeline(OpPassManager &pm);

/// Bufferizes a module of tensor functions with upstream one-shot
/// bufferization, function results becoming out-parameters (identity
/// layouts), then canonicalizes: the signature `(inputs..., outputs)` the
/// importer gives a tensor function, for the upstream reference.
void buildBufferizeToOutParamsPipeline(OpPassManager &pm);

/// `nki-import`: a front end's conv layers (tensors or memrefs) to naive NKI
/// kernels with convert-linalg-to-nki; every other function is left as it
/// was.
void buildNKIImportPipeline(OpPassManager &pm);

/// `linalg-reference-to-llvm`: a linalg-level function (tensors or memrefs)
/// to the LLVM dialect with upstream passes only, so that it can serve as an
/// independent reference: bufferize with results as out-parameters, then the
/// same loop lowering.
void buildLinalgReferenceToLLVMPipeline(OpPassManager &pm);

/// Registers the pipelines above for textual pass pipelines.
void registerNKIPipelines();

} // namespace mlir::nki

#endif // NKI_PIPELINES_PIPELINES_H
