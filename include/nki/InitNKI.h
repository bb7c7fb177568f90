//===- InitNKI.h - Register the NKI dialect and passes ----------*- C++ -*-===//
//
// The one entry point for tools and embedding compilers: `nki-opt`,
// `nki-lsp-server` and out-of-tree users register the same things.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_INITNKI_H
#define NKI_INITNKI_H

#include "mlir/Support/LLVM.h"

#include <memory>

namespace mlir {
class DialectRegistry;
class Operation;
class Pass;
} // namespace mlir

namespace mlir::nki {

/// Registers the NKI dialect and the upstream dialects NKI kernels are
/// written with (func, arith, scf, memref, ...).
void registerNKIDialects(DialectRegistry &registry);

/// Registers the NKI passes and named pipelines with the global registry.
void registerNKIPasses();

/// Checks what upstream verifiers let through and upstream patterns then
/// crash on (a tensor.pad whose static amounts hold the dynamic sentinel
/// without an operand for it): an error at the op. The tools run it on
/// every input before any pass.
LogicalResult verifyInputInvariants(Operation *root);

/// verifyInputInvariants as a pass, for the front of a tool's pipeline.
std::unique_ptr<Pass> createVerifyInputInvariantsPass();

/// Makes a crash of this process ask users to report it to nki-mlir, not to
/// llvm-project (LLVM's default). For the project's own tools.
void setNKICrashReportMessage();

} // namespace mlir::nki

#endif // NKI_INITNKI_H
