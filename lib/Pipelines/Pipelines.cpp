//===- Pipelines.cpp - Named NKI pass pipelines -----------------*- C++ -*-===//

#include "nki/Pipelines/Pipelines.h"
#include "nki/Conversion/Passes.h"
#include "nki/Dialect/NKI/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// Loops over host memrefs to LLVM; shared by both pipelines. `scf.parallel`
/// loops become OpenMP; memrefs go to LLVM before control flow does, so that
/// the OpenMP regions' allocation scopes still verify.
static void buildLoopsToLLVM(OpPassManager &pm, bool amx = false,
                             bool x86Vector = false) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.amx = amx;
  vectorToLLVM.x86Vector = x86Vector;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void nki::buildNKIToLLVMPipeline(OpPassManager &pm,
                                 const NKIToLLVMOptions &options) {
  ConvertNKIToLinalgOptions toLinalg;
  toLinalg.countEvents = options.countEvents;
  toLinalg.vectorize = options.vectorize;
  toLinalg.amxMatmuls = options.amx;
  toLinalg.foldTransposes = options.foldTransposes;
  toLinalg.dotBF16 = options.avx512bf16;
  if (options.parallel)
    pm.addPass(createNKIHostParallel());
  pm.addPass(createConvertNKIToLinalg(toLinalg));
  buildLoopsToLLVM(pm, options.amx, options.avx512bf16);
}

void nki::buildNKIToLLVMPipeline(OpPassManager &pm) {
  buildNKIToLLVMPipeline(pm, NKIToLLVMOptions());
}

void nki::buildNKIOptimizePipeline(OpPassManager &pm,
                                   const NKIOptimizeOptions &options) {
  bool taps = options.convStrategy == ConvStrategy::Taps;
  OpPassManager &func = pm.nest<func::FuncOp>();
  // The normal forms the rewrites reason about: loops from 0 with step 1,
  // and unsigned index division where the dividend is provably non-negative.
  func.addPass(createNKINormalizeLoops());
  // The recomputed induction variables as arith (`iv * P`), the form the
  // partition and window matchers read.
  func.addPass(createLowerAffinePass());
  func.addPass(arith::createArithUnsignedWhenEquivalentPass());
  func.addPass(createNKIFoldCopyLoops());
  func.addPass(createNKIBatchWriteback());
  func.addPass(createNKIAlignPartitions());
  func.addPass(createNKILoadSlices({options.sbufBudget}));
  func.addPass(createNKIShareTapLoads({options.sbufBudget}));
  func.addPass(createNKIHoistTransposes({options.sbufBudget}));
  // Folds full-tile views into their tiles, so that loads target them whole.
  func.addPass(createCanonicalizerPass());
  func.addPass(createNKIHoistLoads({options.sbufBudget}));
  NKIGroupRowBlocksOptions group;
  group.sbufBudget = options.sbufBudget;
  func.addPass(createNKIGroupRowBlocks(group));
  // Static offsets and sizes where blocks are never ragged, so that the
  // copies below see whole tiles.
  func.addPass(createNKIFoldLoopConstants());
  func.addPass(createCanonicalizerPass());
  NKIForwardCopiesOptions forward;
  forward.intoMatmul = taps;
  func.addPass(createNKIForwardCopies(forward));
  if (!taps)
    func.addPass(createNKIIm2col({options.sbufBudget}));
  NKIPackContractionOptions pack;
  pack.sbufBudget = options.sbufBudget;
  func.addPass(createNKIPackContraction(pack));
  func.addPass(createNKIFuseEviction());
  // Pool at eviction: the pooling nest reads the evicted tile, not HBM.
  func.addPass(createNKIFuseScratchConsumers());
  func.addPass(createNKIDropUnreadColumns());
  func.addPass(createCanonicalizerPass());
  func.addPass(createLoopInvariantCodeMotionPass());
  func.addPass(createCSEPass());
}

void nki::buildNKIOptimizePipeline(OpPassManager &pm) {
  buildNKIOptimizePipeline(pm, NKIOptimizeOptions());
}

void nki::buildBufferizeToOutParamsPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
}

void nki::buildNKIImportPipeline(OpPassManager &pm) {
  pm.addPass(createConvertLinalgToNKI());
}

void nki::buildLinalgReferenceToLLVMPipeline(OpPassManager &pm) {
  buildBufferizeToOutParamsPipeline(pm);
  buildLoopsToLLVM(pm);
}

void nki::registerNKIPipelines() {
  PassPipelineRegistration<NKIToLLVMOptions>(
      "nki-to-llvm", "Lower an NKI kernel to the LLVM dialect",
      [](OpPassManager &pm, const NKIToLLVMOptions &options) {
        buildNKIToLLVMPipeline(pm, options);
      });
  PassPipelineRegistration<NKIOptimizeOptions>(
      "nki-optimize", "Rewrite a naive NKI kernel into a faster one",
      [](OpPassManager &pm, const NKIOptimizeOptions &options) {
        buildNKIOptimizePipeline(pm, options);
      });
  PassPipelineRegistration<>(
      "nki-import",
      "Import a front end's linalg conv layers (tensors or memrefs) as naive "
      "NKI kernels (convert-linalg-to-nki)",
      buildNKIImportPipeline);
  PassPipelineRegistration<>(
      "linalg-reference-to-llvm",
      "Lower a linalg-level reference to the LLVM dialect (upstream passes)",
      buildLinalgReferenceToLLVMPipeline);
}
