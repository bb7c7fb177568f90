//===- NKIToLinalg.h - Lower NKI ops to linalg ------------------*- C++ -*-===//

#ifndef NKI_CONVERSION_NKITOLINALG_NKITOLINALG_H
#define NKI_CONVERSION_NKITOLINALG_NKITOLINALG_H

#include <cstdint>

namespace mlir {
class ModuleOp;
class Operation;
class RewritePatternSet;
} // namespace mlir

namespace mlir::nki {

/// Patterns rewriting every NKI op into linalg ops on the same memrefs.
void populateNKIToLinalgPatterns(RewritePatternSet &patterns);

/// A pattern rewriting a regular `nki.matmul` (static M a multiple of 8,
/// f32 target, contiguous rows) into a register-tiled vector kernel, with a
/// higher benefit than the linalg lowering it replaces. With `dotBF16`,
/// bf16 x bf16 matmuls multiply pairs of contraction rows with vdpbf16ps
/// (`x86vector.avx512.dot`, for CPUs with AVX512_BF16) instead of widening
/// to f32 FMAs.
void populateNKIMatmulToVectorPatterns(RewritePatternSet &patterns,
                                       bool dotBF16 = false);

/// A pattern rewriting an `nki.transpose` of static tiles of one 32-bit or
/// 16-bit element type (rows a multiple of 16 or 32, columns of 16,
/// contiguous rows) into 16 x 16 blocks of vector shuffles.
void populateNKITransposeToVectorPatterns(RewritePatternSet &patterns);

/// Patterns rewriting `nki.dma_copy` and `nki.tensor_copy` of static shape
/// with contiguous rows on both sides into 64-byte vector copies per row
/// (masked at row ends, converting the element type where it changes).
void populateNKICopyToVectorPatterns(RewritePatternSet &patterns);

/// A pattern rewriting a bf16 x bf16 -> f32 `nki.matmul` with static tiles
/// (K a multiple of 32, M of 16, contiguous rows) into AMX tile operations
/// (`amx.tile_mulf`, i.e. tdpbf16ps), with a higher benefit than the vector
/// kernel. The module then needs an AMX-BF16 CPU, and on Linux the process
/// must have asked for the AMX tile state (nki/ExecutionEngine/HostCPU.h).
void populateNKIMatmulToAMXPatterns(RewritePatternSet &patterns);

/// Before the vector kernels: a matmul whose stationary tile is the SBUF
/// copy of a PSUM transpose of tile T (each tile used by nothing else, T not
/// written in between, one element type) reads T through a transposed view
/// instead; when T itself is only a DMA's copy of H, it reads H. Host-only:
/// the result no longer keeps NKI's memory-space rules. With `keepBF16`,
/// bf16 stationary tiles keep their transposes (the AMX kernel packs only
/// tiles with contiguous rows).
void foldStationaryTransposes(Operation *root, bool keepBF16);

/// What `nki_count_event(kind, amount)` counts; see convert-nki-to-linalg.
enum class CountedEvent : int64_t {
  DmaHbmToSbuf = 0,
  DmaSbufToHbm = 1,
  DmaSbufToSbuf = 2,
  DmaHbmToHbm = 3,
  Matmul = 4,
  Transpose = 5,
};
constexpr int64_t kNumCountedEvents = 6;
constexpr const char *kCountEventFunction = "nki_count_event";

/// Inserts a `nki_count_event` call before every DMA, matmul and transpose
/// under `module`, declaring the function.
void insertEventCounters(ModuleOp module);

/// Drops the SBUF/PSUM memory spaces from every type under `root`, so that
/// upstream memref lowering sees plain host memory.
void eraseNKIMemorySpaces(Operation *root);

} // namespace mlir::nki

#endif // NKI_CONVERSION_NKITOLINALG_NKITOLINALG_H
