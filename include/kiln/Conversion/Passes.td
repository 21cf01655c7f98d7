//===- Passes.td - Kiln conversion passes ------------------*- tablegen -*-===//
//
// The lowering of the `kiln` dialect to linalg on tensors, and the check of
// its contract.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalgPass : Pass<"kiln-to-linalg"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `kiln` op into linalg on tensors:

    - elementwise ops become one `linalg.generic` each; broadcasting is
      expressed in the indexing maps (a size-1 dimension reads index 0) and
      type promotion by casts inside the body;
    - reductions, argmax/argmin, softmax, log_softmax and layer_norm become
      `linalg.generic`s with reduction iterators;
    - matmul becomes `linalg.matmul` or `linalg.batch_matmul`, and a scaled
      dot-product attention (`softmax(q kT scale + mask) v`, static shapes) one call
      of the runtime's fused kernel `kiln_rt_attention_*` on buffers of its
      operands (`fuse-attention=false` lowers its ops one by one);
    - shape ops become `tensor` reshapes, slices, pads and `linalg.transpose`.

    Integer division floors and gives 0 for a zero divisor; gather wraps
    negative indices once, and for an index still out of range calls the
    runtime's `kiln_rt_report_index_error` (the API then throws) and reads a
    clamped element, never out of bounds. `report-index-errors=false` only
    clamps, for code run without the Kiln runtime (mlir-runner).

    An op that cannot be lowered (e.g. a dynamic dimension that might
    broadcast at run time) is left in place and reported at its location with
    the reason: "'kiln.add' op is not supported by the lowering: <reason>".

    Example:

    ```mlir
    %2 = kiln.add %0, %1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    // becomes
    %e = tensor.empty() : tensor<4x8xf32>
    %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                          affine_map<(d0, d1) -> (d1)>,
                                          affine_map<(d0, d1) -> (d0, d1)>], ...}
    ```
  }];
  let options = [
    Option<"reportIndexErrors", "report-index-errors", "bool",
           /*default=*/"true",
           "Report out-of-range gather indices to the Kiln runtime "
           "(kiln_rt_report_index_error)">,
    Option<"fuseAttention", "fuse-attention", "bool", /*default=*/"true",
           "Lower softmax(q kT scale) v to one call of the runtime's fused "
           "attention kernel">,
  ];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def VerifyLinalgContractPass : Pass<"kiln-verify-linalg-contract", "::mlir::ModuleOp"> {
  let summary = "Check that only linalg-on-tensors level IR is left";
  let description = [{
    The contract of the Linalg stage: after `kiln-to-linalg` no `kiln` op may
    remain, and every op belongs to a dialect of the linalg-on-tensors level
    (builtin, func, linalg, tensor, arith, math, scf, and bufferization,
    memref and vector for hosts that hand buffers over or print them; and
    `llvm.mlir.global` constant strings with their `llvm.mlir.addressof`,
    the messages of errors compiled code reports). Each
    offending op is reported at its location, e.g.
    "'kiln.gather' op is not supported by the lowering: it is left after
    kiln-to-linalg", and the pass fails.
  }];
}

def MarkCheckedDimsPass : Pass<"kiln-mark-checked-dims", "::mlir::ModuleOp"> {
  let summary = "Mark the ops whose dynamic dimensions the host checks";
  let description = [{
    Dynamic dimensions never broadcast in compiled code: where two operands
    of an elementwise op, or of a matmul's batch or contraction dimensions,
    have dynamic sizes at the same position (or a dynamic and a static size
    other than 1), their sizes must be equal at run time, and a dynamic input
    size of `broadcast_to` must be the target's. This pass follows
    each dynamic dimension back to the function argument it comes from
    (`kiln::analyzeDynamicDims`, kiln/Conversion/DynamicDims.h) and gives
    the `kiln.checked_dims` attribute to every op whose pairs all come from
    arguments: the JIT checks those sizes on the arguments before each call,
    and `kiln-to-linalg` lowers the op as if they were equal. An op left
    unmarked (a size made by a concat, a slice or a reshape) checks its sizes
    itself at run time: its lowering runs under `scf.if` the sizes are
    equal, and otherwise reports them to the runtime
    (`kiln_rt_report_size_error`), which the host throws as a `kiln::Error`.

    Run only where a host makes the checks (the JIT, and `kilnc emit`, which
    shows what the JIT runs): it is the first pass of the Kiln stage when
    `PipelineOptions::hostChecksDynamicDims` is set.
  }];
}

def TestPerturbPass : Pass<"kiln-test-perturb", "::mlir::func::FuncOp"> {
  let summary = "Test only: make the compiled results of one kind of op wrong";
  let description = [{
    Multiplies every floating-point result of the ops named `op` (e.g.
    `kiln.tanh`) by 1 + 2^-6 with a `kiln.mul` after it, so that compiled
    code differs from the interpreter at those ops. The tests of shadow
    checking (`kiln::set_shadow_check`, `kilnc run --compare`) use it to
    check that a wrong kernel is found and named; nothing else should. The
    JIT runs it first in the Linalg stage when the environment variable
    `KILN_TEST_PERTURB_OP` names an op (`PipelineOptions::testPerturbOp`).
  }];
  let options = [
    Option<"opName", "op", "std::string", /*default=*/"",
           "The ops whose results to perturb (e.g. kiln.tanh)">,
  ];
}

#endif // KILN_CONVERSION_PASSES_TD
