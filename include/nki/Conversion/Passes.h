//===- Passes.h - NKI conversion passes -------------------------*- C++ -*-===//

#ifndef NKI_CONVERSION_PASSES_H
#define NKI_CONVERSION_PASSES_H

#include "nki/Dialect/NKI/IR/NKIDialect.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::nki {

#define GEN_PASS_DECL
#include "nki/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nki/Conversion/Passes.h.inc"

} // namespace mlir::nki

#endif // NKI_CONVERSION_PASSES_H
