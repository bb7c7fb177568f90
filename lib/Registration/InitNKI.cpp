//===- InitNKI.cpp - Register the NKI dialect and passes --------*- C++ -*-===//

#include "nki/InitNKI.h"
#include "nki/Dialect/NKI/IR/NKIDialect.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

void mlir::nki::registerNKIDialects(DialectRegistry &registry) {
  registry.insert<NKIDialect, affine::AffineDialect, arith::ArithDialect,
                  func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
                  memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
}

void mlir::nki::registerNKIPasses() { registerNKITransformsPasses(); }
