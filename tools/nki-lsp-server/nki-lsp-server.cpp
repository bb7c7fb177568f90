//===- nki-lsp-server.cpp - LSP server for NKI .mlir files ------*- C++ -*-===//

#include "nki/InitNKI.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mlir::nki::setNKICrashReportMessage();
  mlir::DialectRegistry registry;
  mlir::nki::registerNKIDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry));
}
