// An embedding compiler's two ways in:
//   nki-consumer FILE.mlir                   runs nki-verify-buffers and
//                                            canonicalize (passes), prints
//   nki-consumer --share-tap-loads FILE.mlir calls the transform
//                                            nki::shareTapLoads on each DMA
//                                            itself, printing its reasons
#include "nki/Dialect/NKI/Transforms/Passes.h"
#include "nki/Dialect/NKI/Transforms/Transforms.h"
#include "nki/InitNKI.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace {

/// Prints the reason a transform gives for leaving an op alone.
struct PrintReasons : public mlir::RewriterBase::Listener {
  void notifyMatchFailure(
      mlir::Location loc,
      llvm::function_ref<void(mlir::Diagnostic &)> reasonCallback) override {
    mlir::Diagnostic reason(loc, mlir::DiagnosticSeverity::Remark);
    reasonCallback(reason);
    llvm::errs() << "declined: " << reason.str() << "\n";
  }
};

} // namespace

int main(int argc, char **argv) {
  bool callTransform =
      argc == 3 && llvm::StringRef(argv[1]) == "--share-tap-loads";
  if (argc != 2 && !callTransform) {
    llvm::errs() << "usage: nki-consumer [--share-tap-loads] FILE.mlir\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  mlir::nki::registerNKIDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[argc - 1], sourceMgr,
                                            &context);
  if (!module)
    return 1;
  if (callTransform) {
    llvm::SmallVector<mlir::nki::DmaCopyOp> loads;
    module->walk([&](mlir::nki::DmaCopyOp op) { loads.push_back(op); });
    PrintReasons reasons;
    mlir::IRRewriter rewriter(&context, &reasons);
    int shared = 0;
    for (mlir::nki::DmaCopyOp load : loads)
      shared += mlir::succeeded(
          mlir::nki::shareTapLoads(rewriter, load, /*sbufBudget=*/64 * 1024));
    llvm::errs() << "shared " << shared << " of " << loads.size() << " loads\n";
  } else {
    mlir::PassManager pm(&context);
    pm.addPass(mlir::nki::createNKIVerifyBuffers());
    pm.addPass(mlir::createCanonicalizerPass());
    if (mlir::failed(pm.run(*module)))
      return 1;
  }
  module->print(llvm::outs());
  return 0;
}
