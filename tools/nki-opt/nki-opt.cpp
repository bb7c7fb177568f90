//===- nki-opt.cpp - NKI optimizer driver -----------------------*- C++ -*-===//

#include "nki/InitNKI.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::nki::setNKICrashReportMessage();
  mlir::DialectRegistry registry;
  mlir::nki::registerNKIDialects(registry);
  mlir::nki::registerNKIPasses();
  // Upstream passes, so kernels can be canonicalized, lowered and inspected
  // with the same tool.
  mlir::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "nki-mlir modular optimizer driver\n", registry));
}
