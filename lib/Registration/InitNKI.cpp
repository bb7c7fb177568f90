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
#include "mlir/Pass/Pass.h"
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

using namespace mlir;

LogicalResult mlir::nki::verifyInputInvariants(Operation *root) {
  // tensor.pad takes `low[-9223372036854775808]` (ShapedType::kDynamic
  // written out) with no SSA value behind it; its canonicalization then
  // reads the missing operand (found by utils/mutate-inputs.py).
  WalkResult result = root->walk([](tensor::PadOp pad) {
    auto dynamicCount = [](ArrayRef<int64_t> amounts) {
      return static_cast<size_t>(llvm::count(amounts, ShapedType::kDynamic));
    };
    if (dynamicCount(pad.getStaticLow()) == pad.getLow().size() &&
        dynamicCount(pad.getStaticHigh()) == pad.getHigh().size())
      return WalkResult::advance();
    pad.emitError("padding amounts do not match their operands: a static "
                  "amount is the dynamic-size sentinel ")
        << ShapedType::kDynamic;
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

namespace {
struct VerifyInputInvariantsPass
    : public PassWrapper<VerifyInputInvariantsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(VerifyInputInvariantsPass)
  StringRef getArgument() const override {
    return "nki-verify-input-invariants";
  }
  void runOnOperation() override {
    if (failed(mlir::nki::verifyInputInvariants(getOperation())))
      signalPassFailure();
  }
};
} // namespace

std::unique_ptr<Pass> mlir::nki::createVerifyInputInvariantsPass() {
  return std::make_unique<VerifyInputInvariantsPass>();
}

void mlir::nki::setNKICrashReportMessage() {
  llvm::setBugReportMsg(
      "PLEASE report this crash as an issue of the nki-mlir project, with the "
      "input file and the command line below; it is a bug in nki-mlir or the "
      "MLIR it is built on.\n");
}
