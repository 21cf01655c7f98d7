//===- Pipeline.cpp - Kiln's one pipeline builder -------------------------===//
//
// Every stage transition of docs/design.md as a list of passes. The JIT,
// kiln-opt and kilnc all build their pass managers here, so the IR printed for
// a stage is the IR that gets compiled.
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Pipeline.h"

#include "kiln/Conversion/Passes.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

//===----------------------------------------------------------------------===//
// Stage transitions
//===----------------------------------------------------------------------===//

void kiln::buildSimplifyKilnPipeline(OpPassManager &pm) {
  // Fold and simplify the graph first: less to lower.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void kiln::buildKilnToLinalgPipeline(OpPassManager &pm,
                                     const PipelineOptions &options) {
  if (!options.testPerturbOp.empty())
    pm.addNestedPass<func::FuncOp>(
        createTestPerturbPass({options.testPerturbOp}));
  ConvertKilnToLinalgPassOptions conversion;
  conversion.reportIndexErrors = options.reportIndexErrors;
  pm.addPass(createConvertKilnToLinalgPass(conversion));
  pm.addPass(createVerifyLinalgContractPass());
  if (options.fuseElementwise) {
    FuseElementwisePassOptions fusion;
    fusion.fuseMultiUse = options.fuseMultiUse;
    pm.addPass(createFuseElementwisePass(fusion));
  }
  pm.addPass(createCollapseParallelDimsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void kiln::buildLinalgToLoopsPipeline(OpPassManager &pm,
                                      const PipelineOptions &options) {
  // Each result gets its own buffer (CSE may have merged equal results).
  pm.addNestedPass<func::FuncOp>(createDistinctResultsPass());
  pm.addNestedPass<func::FuncOp>(createReadOnlyArgumentsPass());
  // Tensors -> buffers; functions take and return identity-layout memrefs.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A loop body may yield a new buffer for its carry (scf.for and scf.while
  // from kiln.for and kiln.while); the deallocation pipeline frees the
  // previous iteration's.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  if (options.resultsAsOutParams) {
    // The result buffers become trailing arguments the caller allocates; an
    // allocation that is returned is replaced by its output buffer.
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
    // ... and so is one seen through a reshape.
    pm.addNestedPass<func::FuncOp>(createReshapedResultsInPlacePass());
  }
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  // Results that alias an argument were cloned: clones become alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Copies of strided views become loops (no `memrefCopy` runtime call).
  pm.addNestedPass<func::FuncOp>(createStridedCopiesToLinalgPass());
  if (options.runtimeMatmul)
    pm.addPass(createMatmulToRuntimePass());
  // Linalg -> loops; LLVM's loop vectorizer handles the innermost loops.
  // Reductions over the innermost loops keep their accumulators in
  // registers, so that their (reassociable) combiners vectorize.
  ReductionsToLoopsPassOptions reductions;
  reductions.parallel = options.parallelLoops;
  pm.addNestedPass<func::FuncOp>(createReductionsToLoopsPass(reductions));
  if (options.parallelLoops)
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  else
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  if (options.approximateMath)
    pm.addPass(createApproximateMathPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // After the canonicalizer, which would merge split loops back.
  if (options.parallelLoops)
    pm.addNestedPass<func::FuncOp>(createFuseParallelLoopsPass());
}

void kiln::buildLoopsToLLVMPipeline(OpPassManager &pm,
                                    const PipelineOptions &options) {
  if (options.runtimeParallel)
    pm.addPass(createParallelToRuntimePass());
  pm.addPass(createEmitCInterfacePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Math: LLVM intrinsics where they exist, libm calls for the rest (f64
  // tanh/erf and whatever was not approximated).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Temporaries from the runtime's buffer cache (kiln_rt_alloc).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = options.runtimeAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  if (options.runtimeAllocator)
    pm.addPass(createAllocationsToRuntimePass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createNoAliasBuffersPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createVerifyLLVMContractPass());
}

std::string kiln::describe(const PipelineOptions &options) {
  std::string text;
  auto add = [&](const char *name, bool value) {
    text += (text.empty() ? "" : " ") + std::string(name) + "=" +
            (value ? "1" : "0");
  };
  add("fuse-elementwise", options.fuseElementwise);
  add("fuse-multi-use", options.fuseMultiUse);
  add("approximate-math", options.approximateMath);
  add("parallel-loops", options.parallelLoops);
  add("runtime-parallel", options.runtimeParallel);
  add("results-as-out-params", options.resultsAsOutParams);
  add("runtime-matmul", options.runtimeMatmul);
  add("runtime-allocator", options.runtimeAllocator);
  add("report-index-errors", options.reportIndexErrors);
  add("simplify-kiln-graph", options.simplifyKilnGraph);
  add("host-checks-dynamic-dims", options.hostChecksDynamicDims);
  if (!options.testPerturbOp.empty())
    text += " test-perturb-op=" + options.testPerturbOp;
  return text;
}

void kiln::buildPipeline(OpPassManager &pm, Stage from, Stage to,
                         const PipelineOptions &options) {
  if (to > Stage::LLVM)
    to = Stage::LLVM;
  // The marks go on the graph as given, the one the host analyses too (a
  // pipeline that does not simplify starts from a graph marked before).
  if (from == Stage::Kiln && options.simplifyKilnGraph &&
      options.hostChecksDynamicDims)
    pm.addPass(createMarkCheckedDimsPass());
  if (from == Stage::Kiln && options.simplifyKilnGraph)
    buildSimplifyKilnPipeline(pm);
  if (from < Stage::Linalg && to >= Stage::Linalg)
    buildKilnToLinalgPipeline(pm, options);
  if (from < Stage::Loops && to >= Stage::Loops)
    buildLinalgToLoopsPipeline(pm, options);
  if (from < Stage::LLVM && to >= Stage::LLVM)
    buildLoopsToLLVMPipeline(pm, options);
}

//===----------------------------------------------------------------------===//
// kiln-opt's named pipelines
//===----------------------------------------------------------------------===//

namespace {

/// The options of every named pipeline (kiln-opt syntax:
/// `--kiln-to-llvm-pipeline="approximate-math=false"`).
struct PipelineCLOptions : PassPipelineOptions<PipelineCLOptions> {
  Option<bool> fuseElementwise{*this, "fuse-elementwise",
                               llvm::cl::desc("Fuse linalg.generics"),
                               llvm::cl::init(true)};
  Option<bool> fuseMultiUse{
      *this, "fuse-multi-use",
      llvm::cl::desc("Fuse producers with several users (recomputing them)"),
      llvm::cl::init(false)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial approximations of exp/tanh/erf/log"),
      llvm::cl::init(true)};
  Option<bool> parallelLoops{*this, "parallel-loops",
                             llvm::cl::desc("Lower linalg to scf.parallel"),
                             llvm::cl::init(true)};
  Option<bool> runtimeParallel{
      *this, "runtime-parallel",
      llvm::cl::desc("Run scf.parallel loops on the runtime's thread pool"),
      llvm::cl::init(true)};
  Option<bool> runtimeMatmul{
      *this, "runtime-matmul",
      llvm::cl::desc("Call the runtime's GEMM for f32/f64 matmuls"),
      llvm::cl::init(true)};
  Option<bool> runtimeAllocator{
      *this, "runtime-allocator",
      llvm::cl::desc("Allocate temporaries from the runtime's buffer cache"),
      llvm::cl::init(true)};
  Option<bool> reportIndexErrors{
      *this, "report-index-errors",
      llvm::cl::desc("Report out-of-range gather indices to the runtime"),
      llvm::cl::init(true)};
  Option<bool> resultsAsOutParams{
      *this, "results-as-out-params",
      llvm::cl::desc("Pass results through caller-allocated output buffers, "
                     "as the JIT and kilnc do"),
      llvm::cl::init(false)};

  kiln::PipelineOptions get() const {
    kiln::PipelineOptions options;
    options.fuseElementwise = fuseElementwise;
    options.fuseMultiUse = fuseMultiUse;
    options.approximateMath = approximateMath;
    options.parallelLoops = parallelLoops;
    options.runtimeMatmul = runtimeMatmul;
    options.runtimeParallel = runtimeParallel;
    options.resultsAsOutParams = resultsAsOutParams;
    options.reportIndexErrors = reportIndexErrors;
    options.runtimeAllocator = runtimeAllocator;
    return options;
  }
};

void registerPipeline(StringRef name, StringRef description, kiln::Stage to) {
  PassPipelineRegistration<PipelineCLOptions>(
      name, description,
      [to](OpPassManager &pm, const PipelineCLOptions &options) {
        kiln::buildPipeline(pm, kiln::Stage::Kiln, to, options.get());
      });
}

} // namespace

void kiln::registerPipelines() {
  registerPipeline("kiln-to-linalg-pipeline",
                   "Lower kiln to fused linalg on tensors", Stage::Linalg);
  registerPipeline("kiln-to-loops-pipeline", "Lower kiln to loops on buffers",
                   Stage::Loops);
  registerPipeline("kiln-to-llvm-pipeline", "Lower kiln to the LLVM dialect",
                   Stage::LLVM);
}
