//===- Pipeline.h - Kiln's one pipeline builder ----------------*- C++ -*-===//
//
// The pass pipeline from any stage to any later one up to the LLVM dialect,
// used by the JIT, kiln-opt's named pipelines and kilnc alike. Each lowering
// step ends with the check of its contract.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_PIPELINE_H
#define KILN_COMPILER_PIPELINE_H

#include "kiln/Compiler/Stage.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// What the pipeline does besides the required lowering.
/// (Every field is part of the compile cache's key: see `describe`.)
struct PipelineOptions {
  /// Fuse producer-consumer linalg.generics at the Linalg stage.
  bool fuseElementwise = true;
  /// Let fusion recompute producers that have several users.
  bool fuseMultiUse = false;
  /// Replace exp/tanh/erf/log... by polynomial approximations (Loops stage).
  bool approximateMath = true;
  /// Lower linalg to `scf.parallel` loops (else sequential `scf.for`) and
  /// fuse sibling loops over the same rows.
  bool parallelLoops = true;
  /// Run the outermost `scf.parallel` loops on the runtime's thread pool
  /// through `kiln_rt_parallel_for` (LLVM stage). Code that cannot link the
  /// runtime (mlir-runner) turns this off and runs them sequentially.
  bool runtimeParallel = true;
  /// Pass results through caller-allocated output buffers appended to the
  /// arguments (destination-passing style, as the JIT calls graphs), instead
  /// of returning buffers allocated by the compiled code.
  bool resultsAsOutParams = false;
  /// Call the runtime's GEMM for f32/f64 matmuls (Loops stage) instead of
  /// lowering them to loops.
  bool runtimeMatmul = true;
  /// Allocate temporary buffers from the runtime's buffer cache
  /// (`kiln_rt_alloc`, LLVM stage) instead of with malloc; off for code run
  /// without the runtime.
  bool runtimeAllocator = true;
  /// Compiled gathers report out-of-range indices to the runtime
  /// (`kiln_rt_report_index_error`); off, they only clamp (for code run
  /// without the runtime, such as mlir-runner).
  bool reportIndexErrors = true;
  /// The host checks the sizes of dynamic dimensions that must be equal on
  /// the arguments of each call (as the JIT does): mark the ops it covers
  /// with `kiln-mark-checked-dims` (before simplifying the Kiln stage's
  /// graph, so on the graph the host analyses), which `kiln-to-linalg` then
  /// lowers.
  bool hostChecksDynamicDims = false;
  /// Start a pipeline from the Kiln stage with `buildSimplifyKilnPipeline`
  /// (the graph as given becomes the Kiln stage's graph). Off for a graph
  /// that was simplified already.
  bool simplifyKilnGraph = true;
  /// Test only: perturb the compiled results of the ops of this name
  /// (`kiln-test-perturb`, first in the Linalg stage), so that the tests of
  /// shadow checking have a wrong kernel to find. Empty: none.
  std::string testPerturbOp;
};

/// Every field of `options` as text, "fuse-elementwise=1 fuse-multi-use=0
/// ...": part of the compile cache's key (a field added to PipelineOptions
/// must be added here).
std::string describe(const PipelineOptions &options);

/// The graph as traced or written -> the Kiln stage: canonicalize (folding
/// constants with the eager kernels) and CSE. What `Lowered::ir(Stage::Kiln)`
/// and `kilnc emit --to kiln` print.
void buildSimplifyKilnPipeline(mlir::OpPassManager &pm);

/// Kiln -> Linalg: kiln-to-linalg, check the contract, fuse, canonicalize
/// and CSE.
void buildKilnToLinalgPipeline(mlir::OpPassManager &pm,
                               const PipelineOptions &options = {});

/// Linalg -> Loops: one-shot bufferization (function boundaries, identity
/// layouts), buffer deallocation, loops, math approximation.
void buildLinalgToLoopsPipeline(mlir::OpPassManager &pm,
                                const PipelineOptions &options = {});

/// Loops -> LLVM: conversion of every dialect to `llvm` with C wrappers for
/// public functions, then the check that only `llvm` ops are left.
void buildLoopsToLLVMPipeline(mlir::OpPassManager &pm,
                              const PipelineOptions &options = {});

/// The steps from `from` to `to` in order, starting with the Kiln stage's
/// simplification when `from` is Kiln (see `simplifyKilnGraph`). Stages past
/// LLVM (LLVMIR, Asm) are reached by translation, outside the pass manager:
/// `to` is clamped to LLVM.
void buildPipeline(mlir::OpPassManager &pm, Stage from, Stage to,
                   const PipelineOptions &options = {});

/// Registers kiln-opt's named pipelines: --kiln-to-linalg-pipeline,
/// --kiln-to-loops-pipeline, --kiln-to-llvm-pipeline (each with options).
void registerPipelines();

} // namespace kiln

#endif // KILN_COMPILER_PIPELINE_H
