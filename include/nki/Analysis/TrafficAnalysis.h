//===- TrafficAnalysis.h - What a kernel moves and computes -----*- C++ -*-===//
//
// Counts, statically, the DMAs (and bytes per direction and per tensor), the
// Tensor-Engine and Vector-Engine instructions a kernel issues, by evaluating
// its control flow and index arithmetic for constant trip counts: guarded and
// ragged iterations are counted exactly, no data is touched.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_ANALYSIS_TRAFFICANALYSIS_H
#define NKI_ANALYSIS_TRAFFICANALYSIS_H

#include "nki/Dialect/NKI/IR/NKIAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>

namespace mlir::nki {

enum class DmaDirection { HbmToSbuf, SbufToHbm, SbufToSbuf, HbmToHbm };
constexpr int kNumDmaDirections = 4;

struct KernelTraffic {
  struct Dmas {
    int64_t count = 0, bytes = 0;
  };
  /// Per direction; bytes are those on the HBM side (the source for SBUF to
  /// SBUF), as `nki-run --count` counts them.
  std::array<Dmas, kNumDmaDirections> dmas;
  /// Bytes read from (HBM->SBUF) and written to (SBUF->HBM) each kernel
  /// argument, by argument number.
  SmallVector<int64_t> bytesFromArgument, bytesToArgument;
  /// The same for HBM buffers the kernel allocates itself (scratch, such as
  /// a conv plane stored before it is pooled).
  int64_t bytesFromScratch = 0, bytesToScratch = 0;
  /// DMAs by bytes per partition: < 256 (overhead-bound), < 2048, >= 2048.
  std::array<int64_t, 3> dmaSizeBuckets = {0, 0, 0};
  int64_t matmuls = 0, matmulMacs = 0, transposes = 0, vectorOps = 0;
  /// Bytes DMA'd into SBUF that no op reads before they are overwritten or
  /// their buffer dies (tracked per element of the free dims; every
  /// partition of a tile is assumed to be read like the first).
  int64_t wastedBytes = 0, loadedOnChipBytes = 0;
  double wasteFraction() const {
    return loadedOnChipBytes ? double(wastedBytes) / double(loadedOnChipBytes)
                             : 0.0;
  }
  /// Each input read once and the output written once: the arguments before
  /// the last, and the last.
  int64_t compulsoryLoadBytes = 0, compulsoryStoreBytes = 0;

  /// Peak bytes per partition of SBUF and PSUM buffers alive at once (a
  /// buffer lives until the end of the block that allocates it).
  int64_t peakSbufBytes = 0, peakPsumBytes = 0;
  /// Engine busy time in the target's cost model (docs/Report.md), in
  /// seconds.
  double dmaSeconds = 0, tensorEngineSeconds = 0, vectorEngineSeconds = 0;
  /// Engines overlap perfectly: the slowest one bounds the kernel.
  double modelledSeconds() const {
    return std::max({dmaSeconds, tensorEngineSeconds, vectorEngineSeconds});
  }

  /// Fraction of the 128 x 128 x 512 array the matmuls use on average.
  double tensorEngineFill() const {
    return matmuls ? double(matmulMacs) / (double(matmuls) * 128 * 128 * 512)
                   : 0.0;
  }
};

/// Evaluates `kernel` (a function over static HBM memrefs whose loops have
/// constant bounds); reports at the offending op what it cannot evaluate.
FailureOr<KernelTraffic> analyzeTraffic(func::FuncOp kernel,
                                        TargetAttr target = {});

/// Prints the `count:` line (DMAs and bytes per direction, matmuls and their
/// MACs, transposes) that both `nki-report` and `nki-run --count` print, so
/// that static and observed counts compare as text.
/// Whether every memref.subview of `kernel` stays inside its source in every
/// iteration, evaluated as analyzeTraffic does (and within its step limit).
/// Emits an error at the first one that does not and fails; a kernel the
/// evaluation cannot follow is not refused. nki-run checks this before it
/// runs a kernel, since a view outside its buffer would corrupt memory.
LogicalResult checkViewBounds(func::FuncOp kernel);

void printCountLine(const KernelTraffic &traffic, llvm::raw_ostream &os);

} // namespace mlir::nki

#endif // NKI_ANALYSIS_TRAFFICANALYSIS_H
