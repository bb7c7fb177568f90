//===- NKIToLinalg.h - Lower NKI ops to linalg ------------------*- C++ -*-===//

#ifndef NKI_CONVERSION_NKITOLINALG_NKITOLINALG_H
#define NKI_CONVERSION_NKITOLINALG_NKITOLINALG_H

namespace mlir {
class Operation;
class RewritePatternSet;
} // namespace mlir

namespace mlir::nki {

/// Patterns rewriting every NKI op into linalg ops on the same memrefs.
void populateNKIToLinalgPatterns(RewritePatternSet &patterns);

/// Drops the SBUF/PSUM memory spaces from every type under `root`, so that
/// upstream memref lowering sees plain host memory.
void eraseNKIMemorySpaces(Operation *root);

} // namespace mlir::nki

#endif // NKI_CONVERSION_NKITOLINALG_NKITOLINALG_H
