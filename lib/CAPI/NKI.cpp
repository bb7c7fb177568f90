//===- NKI.cpp - C API of nki-mlir ------------------------------*- C++ -*-===//

#include "nki-c/NKI.h"

#include "nki/Analysis/TrafficAnalysis.h"
#include "nki/Dialect/NKI/IR/NKIDialect.h"
#include "nki/InitNKI.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"

using namespace mlir;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(NKI, nki, mlir::nki::NKIDialect)

void nkiRegisterDialects(MlirDialectRegistry registry) {
  nki::registerNKIDialects(*unwrap(registry));
}

void nkiRegisterPassesAndPipelines(void) { nki::registerNKIPasses(); }

MlirLogicalResult nkiAnalyzeKernel(MlirOperation op, NkiKernelReport *report) {
  auto func = dyn_cast<func::FuncOp>(unwrap(op));
  if (!func) {
    unwrap(op)->emitError("nkiAnalyzeKernel expects a func.func");
    return mlirLogicalResultFailure();
  }
  FailureOr<nki::KernelTraffic> traffic = nki::analyzeTraffic(func);
  if (failed(traffic))
    return mlirLogicalResultFailure();
  auto dmas = [&](nki::DmaDirection direction) {
    return traffic->dmas[static_cast<int>(direction)];
  };
  *report = NkiKernelReport{dmas(nki::DmaDirection::HbmToSbuf).count,
                            dmas(nki::DmaDirection::HbmToSbuf).bytes,
                            dmas(nki::DmaDirection::SbufToHbm).count,
                            dmas(nki::DmaDirection::SbufToHbm).bytes,
                            traffic->compulsoryLoadBytes,
                            traffic->compulsoryStoreBytes,
                            traffic->matmuls,
                            traffic->matmulMacs,
                            traffic->transposes,
                            traffic->vectorOps,
                            traffic->peakSbufBytes,
                            traffic->peakPsumBytes,
                            traffic->modelledSeconds()};
  return mlirLogicalResultSuccess();
}
