//===- Passes.h - NKI transformation passes ---------------------*- C++ -*-===//

#ifndef NKI_DIALECT_NKI_TRANSFORMS_PASSES_H
#define NKI_DIALECT_NKI_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"
#include "nki/Dialect/NKI/IR/NKIDialect.h"

namespace mlir::nki {

#define GEN_PASS_DECL
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nki/Dialect/NKI/Transforms/Passes.h.inc"

} // namespace mlir::nki

#endif // NKI_DIALECT_NKI_TRANSFORMS_PASSES_H
