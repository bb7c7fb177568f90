/*===- nki-c/NKI.h - C API of nki-mlir ------------------------------*- C
-*-===*\
|*                                                                            *|
|* For compilers written in other languages: the nki dialect, our passes and  *|
|* pipelines, and the static traffic report as plain data, in the style of    *|
|* upstream's mlir-c headers (use them for contexts, modules, pass managers). *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef NKI_C_NKI_H
#define NKI_C_NKI_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The nki dialect alone: mlirGetDialectHandle__nki__().
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(NKI, nki);

/// The nki dialect and every upstream dialect kernels use (func, scf, arith,
/// memref, linalg, affine, ...), with their interface implementations.
MLIR_CAPI_EXPORTED void nkiRegisterDialects(MlirDialectRegistry registry);

/// Registers our passes and the named pipelines (nki-import, nki-optimize,
/// nki-to-llvm, ...), so that mlirParsePassPipeline accepts them.
MLIR_CAPI_EXPORTED void nkiRegisterPassesAndPipelines(void);

/// What `nki-report` counts for one kernel.
typedef struct {
  int64_t dmaHbmToSbufCount, dmaHbmToSbufBytes;
  int64_t dmaSbufToHbmCount, dmaSbufToHbmBytes;
  int64_t compulsoryLoadBytes, compulsoryStoreBytes;
  int64_t matmuls, matmulMacs, transposes, vectorOps;
  int64_t peakSbufBytesPerPartition, peakPsumBytesPerPartition;
  /// The cost model's time for the kernel, in seconds.
  double modelledSeconds;
} NkiKernelReport;

/// Analyzes the kernel `func` (a func.func of the nki dialect) into
/// `*report`. On failure the reason has been emitted as a diagnostic on the
/// function's context, and `*report` is unchanged.
MLIR_CAPI_EXPORTED MlirLogicalResult nkiAnalyzeKernel(MlirOperation func,
                                                      NkiKernelReport *report);

#ifdef __cplusplus
}
#endif

#endif // NKI_C_NKI_H
