//===- nki-opt.cpp - NKI optimizer driver -----------------------*- C++ -*-===//

#include "nki/InitNKI.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

int main(int argc, char **argv) {
  mlir::nki::setNKICrashReportMessage();
  mlir::DialectRegistry registry;
  mlir::nki::registerNKIDialects(registry);
  mlir::nki::registerNKIPasses();
  // Upstream passes, so kernels can be canonicalized, lowered and inspected
  // with the same tool.
  mlir::registerAllPasses();
  auto [inputFile, outputFile] = mlir::registerAndParseCLIOptions(
      argc, argv, "nki-mlir modular optimizer driver\n", registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFile, outputFile, registry));
  // Inputs are checked for what upstream verifiers miss before any pass.
  mlir::MlirOptMainConfig requested = config;
  config.setPassPipelineSetupFn([requested](mlir::PassManager &pm) {
    pm.addPass(mlir::nki::createVerifyInputInvariantsPass());
    return requested.setupPassPipeline(pm);
  });
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFile, &error);
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &error);
  if (!input || !output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
