//===- Passes.td - Kiln's dialect-independent transforms ---*- tablegen -*-===//
//
// Passes of the Linalg, Loops and LLVM stages that do not depend on the kiln
// dialect: elementwise fusion, math approximation, the C interface of
// compiled functions and the LLVM stage's contract check.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseElementwisePass : Pass<"kiln-fuse-elementwise"> {
  let summary = "Fuse producer-consumer linalg.generics on tensors";
  let description = [{
    Applies upstream elementwise fusion (`linalg::populateElementwiseOpsFusionPatterns`)
    with Kiln's fusion policy (`kiln::getDefaultFusionPolicy`): a producer
    `linalg.generic` with all-parallel loops is fused into its consumer
    (elementwise or reduction) when the consumer is its only user, or always
    with `fuse-multi-use` (which may recompute the producer). Broadcasts
    expressed in indexing maps fuse as well, so `relu(a * b + c) * sigmoid(d)`
    becomes a single `linalg.generic`.
  }];
  let options = [
    Option<"fuseMultiUse", "fuse-multi-use", "bool", /*default=*/"false",
           "Also fuse producers that have other users (recomputing them)">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def CollapseParallelDimsPass : Pass<"kiln-collapse-parallel-dims"> {
  let summary = "Merge the leading parallel loops of linalg.generics";
  let description = [{
    Collapses the leading parallel loops of each `linalg.generic` of rank 3
    or more into one loop, as far as every operand keeps them contiguous and
    in order (`linalg::populateCollapseDimensions`); the innermost loop is
    never merged. A row-wise op on [b, s, n] then loops over b * s rows of
    n, and one on [b, h, s, s] over b * h * s rows:

    - the loops of consecutive row-wise ops (the passes of a softmax or a
      layer_norm, the bias and residual before it) cover the same rows, so
      `kiln-fuse-parallel-loops` merges them into one loop over rows that
      keeps each row in cache;
    - the consumer of a matmul of [b, s, k] by [k, n], lowered as a 2-D
      matmul on b * s rows, loops over the matmul's own rows and reads its
      result without a reshape: `kiln-parallel-to-runtime` can run it as the
      GEMM's epilogue.

    The reshapes this puts between ops cancel out (`tensor` reassociative
    reshape folding).
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ApproximateMathPass : Pass<"kiln-approximate-math"> {
  let summary = "Replace math functions by polynomial approximations";
  let description = [{
    Applies MLIR's polynomial approximations
    (`populateMathPolynomialApproximationPatterns`), which upstream exposes
    only as a test pass, to the listed math ops. They are written in arith
    ops, so that loops calling them vectorize. f16 and bf16 operands are
    computed in f32 (`populateMathF32ExpansionPatterns`); f64 ops are left
    for libm.
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Math op names to approximate (default: exp, expm1, log, "
               "log1p, log2, tanh, erf)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MatmulToRuntimePass : Pass<"kiln-matmul-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Call the runtime's GEMM for matmuls on buffers";
  let description = [{
    Replaces `linalg.matmul` and `linalg.batch_matmul` on f32 or f64 buffers
    (default indexing maps, or a rhs read transposed as B[n, k], which is
    passed as a `memref.transpose` view; one element type, output with unit
    column stride) by calls to the runtime's cache-blocked, multithreaded GEMM
    (`kiln_rt_matmul_*`, `kiln_rt_batch_matmul_*` in kiln/Runtime/CAbi.h),
    which accumulates into the output exactly as the linalg op does; a
    matmul whose output is zeroed just before (a zero fill, or a copy from a
    buffer that only a zero fill writes, as CSE of several matmuls' inits
    leaves) calls the overwriting variant (`kiln_rt_matmul_set_*`,
    `kiln_rt_batch_matmul_set_*`) and the zeroing is dropped. Other matmuls
    are left to the loop lowering.
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def StridedCopiesToLinalgPass : Pass<"kiln-strided-copies-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    Bufferization copies into and out of strided views (a concat or pad
    along an inner axis writes its operands into subviews of the result).
    The LLVM lowering turns a `memref.copy` of contiguous buffers into a
    `memcpy` but any other into a call of `memrefCopy` from MLIR's C runner
    utilities, which neither the JIT nor `kilnc compile` output links. This
    pass rewrites each copy whose source or target is not statically
    contiguous into a `linalg.copy`, which the loop lowering turns into
    (parallel, vectorizable) loops, so that compiled code needs no runtime
    library beyond Kiln's.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
  ];
}

def ReductionsToLoopsPass : Pass<"kiln-reductions-to-loops", "::mlir::func::FuncOp"> {
  let summary = "Lower innermost reductions to loops with register accumulators";
  let description = [{
    A `linalg.generic` on buffers whose reduction loops are all innermost
    becomes an `scf.parallel` over its parallel loops (`scf.for` with
    `parallel=false`) around an `scf.for` nest over the reduction loops that
    carries the accumulators in `iter_args`: each output element is loaded
    once before its reduction and stored once after it. Upstream's lowering
    loads and stores the accumulator at every iteration, which LLVM cannot
    keep in a register when the output might alias an input. With the
    `reassoc` flag the kiln lowering sets on the combiner, the inner loop
    vectorizes into partial sums. Float sums run their innermost reduction
    loop in blocks of `sum-block` iterations, each summed from zero and then
    added to the accumulator, so that the rounding error of a long sum stays
    that of eager mode's chunked sums. Other linalg ops are left to the
    generic loop lowering.
  }];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Emit scf.parallel for the parallel loops (else scf.for)">,
    Option<"sumBlock", "sum-block", "int64_t", /*default=*/"16384",
           "Iterations of the innermost loop of a float sum per block">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def FuseParallelLoopsPass : Pass<"kiln-fuse-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Fuse sibling scf.parallel loops over the same rows";
  let description = [{
    Fuses adjacent `scf.parallel` loops whose outermost dimensions have the
    same bounds, when every pair of conflicting accesses (one of them a
    store) of the two loops addresses the same buffer at the outer induction
    variable in its first index: iteration `i` of the fused loop runs the
    body of the first loop for `i`, then the body of the second. A softmax
    (row max, row sum of exp, normalization) becomes one loop over rows that
    reads each row while it is in cache, instead of three passes over the
    tensor. Loops with more dimensions are split into an outer loop over the
    first dimension around an `scf.parallel` over the others. Distinct
    function arguments are assumed not to alias, as one-shot bufferization
    assumes; allocations alias nothing else.
  }];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
  ];
}

def ParallelToRuntimePass : Pass<"kiln-parallel-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Run outermost scf.parallel loops on the runtime's thread pool";
  let description = [{
    Outlines the body of each outermost `scf.parallel` into an internal
    `llvm.func @<function>_parallel_<n>(i64 begin, i64 end, ptr context)`
    that runs iterations [begin, end) of its first dimension (and all of the
    others), packs the values the body uses into a context struct on the
    stack, and replaces the loop by a call to
    `kiln_rt_parallel_for(count, grain, body, context)`
    (kiln/Runtime/CAbi.h), which splits the range over the runtime's thread
    pool: one pool for eager and compiled code, sized by
    `kiln::set_num_threads`. The grain is the number of outer iterations
    that make up `min-work` innermost iterations, so small loops run inline
    on the caller; loops whose static trip counts total fewer than
    `min-work` iterations are left sequential.

    A loop over the rows of a 2-D matmul's result that follows the call of
    the runtime's GEMM (`kiln_rt_matmul_*`, from `kiln-matmul-to-runtime`)
    becomes the GEMM's epilogue instead: the call is replaced by
    `kiln_rt_matmul_[set_]epilogue_*(a, b, c, body, context)`, which runs the
    body on each block of rows as soon as the GEMM has finished it, while it
    is still in cache (bias, activation, residual, even a row-wise
    normalization). That requires the loop's first dimension to run over
    the rows of c from 0 by 1, every access to c in the body to be a load
    or store of c itself at the row of that dimension, the body to write
    neither a nor b and to call nothing, and the ops between the call and
    the loop to touch none of a, b and c.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Fewest innermost iterations worth handing to another thread">,
  ];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def ReshapedResultsInPlacePass
    : Pass<"kiln-reshaped-results-in-place", "::mlir::func::FuncOp"> {
  let summary = "Compute a result that is a reshape of an allocation in its "
                "output buffer";
  let description = [{
    After `buffer-results-to-out-params`, a result that is a
    `memref.collapse_shape` or `expand_shape` of an allocation is copied into
    its output buffer. When every use of the allocation comes before that copy
    and the copy is the output buffer's only use, the allocation becomes the
    inverse reshape of the output buffer and the copy goes: the values are
    computed in the output itself. Static identity-layout buffers only.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DistinctResultsPass : Pass<"kiln-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Copy function results that repeat another result";
  let description = [{
    `return %x, %x` becomes `return %x, copy(%x)` (a
    `bufferization.alloc_tensor` copying `%x`), so that after bufferization
    every result has its own buffer, as passing results through
    caller-allocated output buffers requires. A returned `tensor.empty`
    becomes a new allocation too: having no contents, its buffer may be
    written in place by another result. Results of static shape only.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ReadOnlyArgumentsPass : Pass<"kiln-read-only-arguments", "::mlir::func::FuncOp"> {
  let summary = "Keep bufferization from writing into argument buffers";
  let description = [{
    Marks every tensor argument `bufferization.writable = false`, so that
    one-shot bufferization copies an argument before an op would update it
    in place. A compiled graph's arguments are its caller's tensors: writing
    into them would change the caller's values, and the same tensor may be
    passed as two arguments, which `kiln-noalias-buffers` allows only
    because arguments are never written.
  }];
}

def EmitCInterfacePass : Pass<"kiln-emit-c-interface", "::mlir::ModuleOp"> {
  let summary = "Request C wrappers for public functions";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` with a body, so
    that `convert-func-to-llvm` emits `_mlir_ciface_<name>` wrappers taking
    memref descriptors by pointer, which the JIT and C hosts call.
  }];
}

def AllocationsToRuntimePass : Pass<"kiln-allocations-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Allocate temporary buffers with the runtime's buffer cache";
  let description = [{
    Runs after `finalize-memref-to-llvm` with `use-generic-functions=true`,
    which lowers `memref.alloc` and `memref.dealloc` to calls of
    `_mlir_memref_to_llvm_alloc`, `_mlir_memref_to_llvm_aligned_alloc` and
    `_mlir_memref_to_llvm_free`: renames those functions to the runtime's
    `kiln_rt_alloc`, `kiln_rt_aligned_alloc` and `kiln_rt_free`
    (kiln/Runtime/CAbi.h). Their blocks come from the buffer cache that
    tensors use, so the temporaries of a repeated call reuse the pages of
    the previous call instead of faulting in fresh ones (a fresh
    multi-megabyte buffer costs more in page faults than an elementwise
    pass over it).
  }];
}

def NoAliasBuffersPass : Pass<"kiln-noalias-buffers", "::mlir::ModuleOp"> {
  let summary = "Mark the buffers of public functions as not overlapping";
  let description = [{
    Runs after `convert-func-to-llvm`: marks every pointer argument of each
    function with a C interface (`llvm.emit_c_interface`, the functions
    that hosts call) `noalias`. The buffers passed to a compiled graph never
    overlap, except inputs, which are only read: the JIT allocates results
    itself and `call_into` rejects a destination that overlaps an input or
    another destination; hosts of `kilnc compile`'s libraries must do the
    same (the generated header says so). Without it LLVM guards each
    vectorized loop with run-time overlap checks and keeps a scalar copy of
    the loop for when they fail, which doubled the code of an elementwise
    function and the time LLVM spent on it.

    Also marks the pointer arguments listed by a function's
    `kiln.noalias_pointers` (the loops `kiln-parallel-to-runtime` outlines,
    for the buffers that overlap no other buffer they write), and removes
    that attribute.
  }];
}

def VerifyLLVMContractPass : Pass<"kiln-verify-llvm-contract", "::mlir::ModuleOp"> {
  let summary = "Check that only LLVM dialect ops are left";
  let description = [{
    The contract of the LLVM stage: every op inside the module belongs to the
    `llvm` dialect. Each other op is reported at its location, e.g.
    "'memref.alloc' op is left after the conversion to the LLVM dialect",
    and the pass fails.
  }];
}

#endif // KILN_TRANSFORMS_PASSES_TD
