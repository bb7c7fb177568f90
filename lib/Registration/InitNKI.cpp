//===- InitNKI.cpp - Register the NKI dialect and passes --------*- C++ -*-===//

#include "nki/InitNKI.h"
#include "nki/Conversion/Passes.h"
#include "nki/Dialect/NKI/IR/NKIDialect.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Pipelines/Pipelines.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/PrettyStackTrace.h"

void mlir::nki::registerNKIDialects(DialectRegistry &registry) {
  registry
      .insert<NKIDialect, affine::AffineDialect, arith::ArithDialect,
              bufferization::BufferizationDialect, func::FuncDialect,
              linalg::LinalgDialect, math::MathDialect, memref::MemRefDialect,
              scf::SCFDialect, tensor::TensorDialect>();
  // Front ends hand us linalg on tensors; importing bufferizes it.
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  // Symbolic index facts (ValueBoundsConstraintSet) through arith, scf and
  // memref ops.
  arith::registerValueBoundsOpInterfaceExternalModels(registry);
  memref::registerValueBoundsOpInterfaceExternalModels(registry);
  scf::registerValueBoundsOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

void mlir::nki::registerNKIPasses() {
  registerNKITransformsPasses();
  registerNKIConversionPasses();
  registerNKIPipelines();
}

void mlir::nki::setNKICrashReportMessage() {
  llvm::setBugReportMsg(
      "PLEASE report this crash as an issue of the nki-mlir project, with the "
      "input file and the command line below; it is a bug in nki-mlir or the "
      "MLIR it is built on.\n");
}
