//===- NKIPython.h - Export NKI kernels as NKI Python -----------*- C++ -*-===//
//
// Writes a function of nki ops (the dialect's kernel form: memrefs in HBM,
// SBUF and PSUM, scf.for loops, index arithmetic) as an NKI Python kernel
// with nl / nisa calls, which nki-py traces back into the same IR.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_TARGET_NKIPYTHON_H
#define NKI_TARGET_NKIPYTHON_H

#include "mlir/Support/LLVM.h"

namespace mlir {
class Operation;
} // namespace mlir

namespace mlir::nki {

/// Writes every function in `op` (a module or one func.func) as a kernel.
/// Fails, with a diagnostic at the op NKI Python cannot express, when a
/// function holds one.
LogicalResult translateToNKIPython(Operation *op, raw_ostream &os);

/// Registers `--nki-to-python` with the mlir-translate registry.
void registerToNKIPythonTranslation();

} // namespace mlir::nki

#endif // NKI_TARGET_NKIPYTHON_H
