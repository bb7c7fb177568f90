//===- Report.cpp - Print a kernel's traffic --------------------*- C++ -*-===//

#include "nki/Analysis/TrafficAnalysis.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIREPORT
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

void print(func::FuncOp kernel, const KernelTraffic &t, llvm::raw_ostream &os) {
  static constexpr const char *directions[] = {"HBM->SBUF", "SBUF->HBM",
                                               "SBUF->SBUF", "HBM->HBM"};
  os << "nki-report @" << kernel.getName() << "\n";
  // The line nki-run --count prints, for comparing static with observed.
  os << "count:";
  for (int d = 0; d < kNumDmaDirections; ++d)
    os << " dma " << directions[d] << " " << t.dmas[d].count << " ("
       << t.dmas[d].bytes << " bytes);";
  os << " matmul " << t.matmuls << " (" << t.matmulMacs << " MACs); transpose "
     << t.transposes << "\n";
  os << "dma sizes per partition: " << t.dmaSizeBuckets[0] << " under 256 B, "
     << t.dmaSizeBuckets[1] << " from 256 B to 2 KiB, " << t.dmaSizeBuckets[2]
     << " of 2 KiB or more\n";
  os << "loaded per argument:";
  for (auto [i, bytes] : llvm::enumerate(t.bytesFromArgument))
    os << " #" << i << " " << bytes;
  os << "\n";
  auto ratio = [](int64_t actual, int64_t compulsory) {
    return compulsory ? double(actual) / double(compulsory) : 0.0;
  };
  int64_t loads = t.dmas[static_cast<int>(DmaDirection::HbmToSbuf)].bytes;
  int64_t stores = t.dmas[static_cast<int>(DmaDirection::SbufToHbm)].bytes;
  os << llvm::format("compulsory: load %lld bytes (actual %.2fx), store %lld "
                     "bytes (actual %.2fx)\n",
                     (long long)t.compulsoryLoadBytes,
                     ratio(loads, t.compulsoryLoadBytes),
                     (long long)t.compulsoryStoreBytes,
                     ratio(stores, t.compulsoryStoreBytes));
  os << llvm::format("waste: %lld of %lld bytes loaded on chip are never "
                     "read (%.2f%%)\n",
                     (long long)t.wastedBytes, (long long)t.loadedOnChipBytes,
                     100.0 * t.wasteFraction());
  os << llvm::format("tensor engine: %lld matmuls, %lld MACs, fill %.1f%%; "
                     "%lld transposes; vector engine: %lld ops\n",
                     (long long)t.matmuls, (long long)t.matmulMacs,
                     100.0 * t.tensorEngineFill(), (long long)t.transposes,
                     (long long)t.vectorOps);
}

struct ReportPass : public nki::impl::NKIReportBase<ReportPass> {
  void runOnOperation() override {
    func::FuncOp kernel = getOperation();
    if (kernel.isExternal())
      return;
    FailureOr<KernelTraffic> traffic = analyzeTraffic(kernel);
    if (failed(traffic))
      return signalPassFailure();
    print(kernel, *traffic, llvm::outs());
    markAllAnalysesPreserved();
  }
};

} // namespace
