//===- Report.cpp - Print a kernel's traffic --------------------*- C++ -*-===//

#include "nki/Analysis/TrafficAnalysis.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::nki {
#define GEN_PASS_DEF_NKIREPORT
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"
} // namespace mlir::nki

using namespace mlir;
using namespace mlir::nki;

namespace {

bool fits(const KernelTraffic &t, TargetAttr target) {
  return t.peakSbufBytes <= target.getSbufBytesPerPartition() &&
         t.peakPsumBytes <= target.getPsumBytesPerPartition();
}

/// The Tensor Engine at its peak (on trn2 ~20 TFLOPS for fp32, 79 for
/// bf16/fp16).
double roofline(func::FuncOp kernel, const KernelTraffic &t,
                TargetAttr target) {
  // The first argument's element type; a kernel without arguments (it
  // computes nothing anyone sees) counts as fp32.
  ArrayRef<Type> arguments = kernel.getArgumentTypes();
  bool fp32 = arguments.empty() ||
              cast<MemRefType>(arguments.front()).getElementType().isF32();
  return 2.0 * double(t.matmulMacs) / target.getPeakFlops(fp32);
}

void printJson(func::FuncOp kernel, const KernelTraffic &t, TargetAttr target,
               llvm::raw_ostream &os) {
  llvm::json::OStream json(os);
  json.object([&] {
    json.attribute("kernel", kernel.getName());
    json.attribute("target", target.getName());
    static constexpr const char *directions[] = {"hbm_to_sbuf", "sbuf_to_hbm",
                                                 "sbuf_to_sbuf", "hbm_to_hbm"};
    for (int d = 0; d < kNumDmaDirections; ++d)
      json.attributeObject(directions[d], [&] {
        json.attribute("dmas", t.dmas[d].count);
        json.attribute("bytes", t.dmas[d].bytes);
      });
    json.attributeArray("dma_sizes_per_partition", [&] {
      for (int64_t count : t.dmaSizeBuckets)
        json.value(count);
    });
    json.attributeArray("bytes_from_argument", [&] {
      for (int64_t bytes : t.bytesFromArgument)
        json.value(bytes);
    });
    json.attributeArray("bytes_to_argument", [&] {
      for (int64_t bytes : t.bytesToArgument)
        json.value(bytes);
    });
    json.attribute("bytes_from_scratch", t.bytesFromScratch);
    json.attribute("bytes_to_scratch", t.bytesToScratch);
    json.attribute("compulsory_load_bytes", t.compulsoryLoadBytes);
    json.attribute("compulsory_store_bytes", t.compulsoryStoreBytes);
    json.attribute("wasted_bytes", t.wastedBytes);
    json.attribute("loaded_on_chip_bytes", t.loadedOnChipBytes);
    json.attribute("matmuls", t.matmuls);
    json.attribute("matmul_macs", t.matmulMacs);
    json.attribute("tensor_engine_fill", t.tensorEngineFill());
    json.attribute("transposes", t.transposes);
    json.attribute("vector_ops", t.vectorOps);
    json.attribute("peak_sbuf_bytes_per_partition", t.peakSbufBytes);
    json.attribute("peak_psum_bytes_per_partition", t.peakPsumBytes);
    json.attribute("fits", fits(t, target));
    json.attribute("modelled_us", t.modelledSeconds() * 1e6);
    json.attribute("dma_us", t.dmaSeconds * 1e6);
    json.attribute("tensor_engine_us", t.tensorEngineSeconds * 1e6);
    json.attribute("vector_engine_us", t.vectorEngineSeconds * 1e6);
    json.attribute("roofline_us", roofline(kernel, t, target) * 1e6);
  });
  os << "\n";
}

void print(func::FuncOp kernel, const KernelTraffic &t, TargetAttr target,
           bool nameTarget, llvm::raw_ostream &os) {
  os << "nki-report @" << kernel.getName();
  if (nameTarget)
    os << " on " << target.getName();
  os << "\n";
  printCountLine(t, os);
  os << "dma sizes per partition: " << t.dmaSizeBuckets[0] << " under 256 B, "
     << t.dmaSizeBuckets[1] << " from 256 B to 2 KiB, " << t.dmaSizeBuckets[2]
     << " of 2 KiB or more\n";
  auto perTensor = [&](StringRef label, ArrayRef<int64_t> perArgument,
                       int64_t scratch) {
    os << label << " per argument:";
    for (auto [i, bytes] : llvm::enumerate(perArgument))
      os << " #" << i << " " << bytes;
    os << "; HBM scratch " << scratch << "\n";
  };
  perTensor("loaded", t.bytesFromArgument, t.bytesFromScratch);
  perTensor("stored", t.bytesToArgument, t.bytesToScratch);
  auto ratio = [](int64_t actual, int64_t compulsory) {
    return compulsory ? double(actual) / double(compulsory) : 0.0;
  };
  int64_t loads = t.dmas[static_cast<int>(DmaDirection::HbmToSbuf)].bytes;
  int64_t stores = t.dmas[static_cast<int>(DmaDirection::SbufToHbm)].bytes;
  os << llvm::format(
      "compulsory: load %lld bytes (actual %.2fx), store %lld "
      "bytes (actual %.2fx)\n",
      (long long)t.compulsoryLoadBytes, ratio(loads, t.compulsoryLoadBytes),
      (long long)t.compulsoryStoreBytes, ratio(stores, t.compulsoryStoreBytes));
  os << llvm::format("waste: %lld of %lld bytes loaded on chip are never "
                     "read (%.2f%%)\n",
                     (long long)t.wastedBytes, (long long)t.loadedOnChipBytes,
                     100.0 * t.wasteFraction());
  os << llvm::format(
      "footprint: SBUF %lld of %lld bytes per partition, PSUM "
      "%lld of %lld%s\n",
      (long long)t.peakSbufBytes, (long long)target.getSbufBytesPerPartition(),
      (long long)t.peakPsumBytes, (long long)target.getPsumBytesPerPartition(),
      fits(t, target) ? "" : "; DOES NOT FIT");
  os << llvm::format("modelled %s latency: %.1f us (DMA %.1f us, Tensor "
                     "Engine %.1f us, Vector Engine %.1f us; engines overlap "
                     "perfectly); Tensor-Engine roofline %.1f us\n",
                     target.getName().str().c_str(), t.modelledSeconds() * 1e6,
                     t.dmaSeconds * 1e6, t.tensorEngineSeconds * 1e6,
                     t.vectorEngineSeconds * 1e6,
                     roofline(kernel, t, target) * 1e6);
  os << llvm::format("tensor engine: %lld matmuls, %lld MACs, fill %.1f%%; "
                     "%lld transposes; vector engine: %lld ops\n",
                     (long long)t.matmuls, (long long)t.matmulMacs,
                     100.0 * t.tensorEngineFill(), (long long)t.transposes,
                     (long long)t.vectorOps);
}

struct ReportPass : public nki::impl::NKIReportBase<ReportPass> {
  using Base::Base;

  LogicalResult report(func::FuncOp kernel, TargetAttr target) {
    FailureOr<KernelTraffic> traffic = analyzeTraffic(kernel, target);
    if (failed(traffic))
      return failure();
    if (!fits(*traffic, target))
      kernel.emitWarning() << "nki-report: the kernel's buffers do not fit "
                              "on "
                           << target.getName() << " at once (SBUF "
                           << traffic->peakSbufBytes << " of "
                           << target.getSbufBytesPerPartition()
                           << " bytes per partition, PSUM "
                           << traffic->peakPsumBytes << " of "
                           << target.getPsumBytesPerPartition() << ")";
    if (json)
      printJson(kernel, *traffic, target, llvm::outs());
    else
      print(kernel, *traffic, target, /*nameTarget=*/!targets.empty(),
            llvm::outs());
    return success();
  }

  void runOnOperation() override {
    func::FuncOp kernel = getOperation();
    if (kernel.isExternal())
      return;
    // The evaluation assumes buffers the hardware can hold.
    if (failed(verifyOnChipBuffers(kernel)))
      return signalPassFailure();
    SmallVector<TargetAttr> chips;
    for (const std::string &name : targets) {
      TargetAttr preset = TargetAttr::getPreset(&getContext(), name);
      if (!preset) {
        emitError(kernel.getLoc()) << "nki-report: unknown target '" << name
                                   << "' (presets: trn1, trn2)";
        return signalPassFailure();
      }
      chips.push_back(preset);
    }
    if (chips.empty())
      chips.push_back(TargetAttr::lookup(kernel));
    for (TargetAttr target : chips)
      if (failed(report(kernel, target)))
        return signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace
