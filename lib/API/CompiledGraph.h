//===- CompiledGraph.h - One traced signature, compiled --------*- C++ -*-===//
//
// Private to lib/API. A CompiledGraph owns the kiln graph of one signature
// and its native code, and runs it on runtime tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_API_COMPILEDGRAPH_H
#define KILN_LIB_API_COMPILEDGRAPH_H

#include "kiln/Compiler/Engine.h"
#include "kiln/Compiler/Stage.h"
#include "kiln/Conversion/DynamicDims.h"
#include "kiln/Function.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kiln {

namespace detail {
/// Sends `message` to the host's warning handler (kiln::set_warning_handler).
void warn(const std::string &message);

/// Checks that `into` can receive the results (`outputs`, dtypes and
/// shapes, dynamic dimensions matching any size) of a call of `name` on
/// `inputs`: one defined, contiguous tensor of each result's dtype and
/// shape, whose storage overlaps no input's and no other output's. Throws
/// kiln::Error naming the output.
void checkDestinations(const std::string &name,
                       const std::vector<std::pair<Shape, DType>> &outputs,
                       const std::vector<Tensor> &into,
                       const std::vector<Tensor> &inputs);

/// Checks that each result has the shape of its destination, once results
/// of dynamic shape are known; throws kiln::Error naming the output.
void checkDestinationShapes(const std::string &name,
                            const std::vector<Tensor> &results,
                            const std::vector<Tensor> &into);

/// Copies the elements of `from` into `to` (same dtype and shape; `to`
/// contiguous).
void copyInto(const Tensor &from, const Tensor &to);
} // namespace detail

class CompiledGraph : public std::enable_shared_from_this<CompiledGraph> {
public:
  /// Traces `body` for `signature` into a graph named `name` and compiles
  /// it. Throws kiln::Error if tracing or compilation fails.
  /// The graph gets an MLIR context of its own, without multithreading
  /// (whose locking made the MLIR stages a third slower); `mlirMutex()`
  /// serializes the uses of it.
  static std::shared_ptr<CompiledGraph>
  trace(const std::string &name, const detail::CallSignature &signature,
        const detail::TraceBody &body);

  /// Compiles function `name` of `module`, a graph file's module.
  static std::shared_ptr<CompiledGraph>
  compile(mlir::OwningOpRef<mlir::ModuleOp> module, const std::string &name);

  /// Runs the native code. Inputs must match the graph's argument types
  /// (checked); non-contiguous inputs are copied first. The results go to
  /// new tensors, or into `into` when given (checked: one contiguous tensor
  /// of each result's dtype and shape, overlapping no input).
  ///
  /// With kiln::set_check_numerics or kiln::set_shadow_check on, the
  /// results are then checked (DebugChecks.cpp).
  std::vector<Tensor> run(const std::vector<Tensor> &inputs,
                          const std::vector<Tensor> *into = nullptr) const;

  /// The graph at every stage.
  std::shared_ptr<const LoweredImpl> lowered() const;

  /// Writes the kiln graph to `path`; throws kiln::Error on I/O failure.
  void save(const std::string &path) const;

  mlir::func::FuncOp graph() const;

  /// Held while the graph's MLIR objects are used after the compile
  /// (printing, lowering again, interpreting).
  std::mutex &mlirMutex() const { return mlirMutex_; }

  /// Whether the caller passes the result buffers (the JIT's calling
  /// convention for results of static shape); results of dynamic shape are
  /// allocated by the compiled code and returned.
  bool resultsAsOutParams() const { return !dynamicResults_; }

  /// What the host should be told about the tensors the traced callable
  /// captured (large ones, from_blob views), or "" (describeCaptures in
  /// CompiledGraph.cpp).
  const std::string &captureWarning() const { return captureWarning_; }

  /// The steps of the compile and their times (see Lowered::compile_times).
  const std::vector<CompileStep> &compileTimes() const { return times_; }

private:
  CompiledGraph() = default;
  void compileNative();
  /// run() without the checks.
  std::vector<Tensor> runNative(const std::vector<Tensor> &inputs,
                                const std::vector<Tensor> *into) const;
  /// The interpreter beside the compiled code: throws kiln::Error naming
  /// the first op whose compiled output differs (DebugChecks.cpp).
  void shadowCheck(const std::vector<Tensor> &inputs,
                   const std::vector<Tensor> &results) const;
  /// Throws kiln::Error naming the op that made a NaN or an Inf in
  /// `results`, found by running the graph op by op (DebugChecks.cpp).
  void checkResultNumerics(const std::vector<Tensor> &inputs,
                           const std::vector<Tensor> &results) const;

  /// The context of a traced graph (of its own, so that a Lowered may
  /// outlive the Function); destroyed after the module.
  std::shared_ptr<mlir::MLIRContext> context_;
  mutable std::mutex mlirMutex_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  std::string name_;
  std::unique_ptr<JitModule> jit_;
  JitModule::PackedFunction entry_ = nullptr;
  /// The compile was abandoned for the timeout and the host chose to run
  /// the graph on the interpreter instead.
  bool interpreted_ = false;
  std::vector<std::pair<Shape, DType>> inputs_;
  std::vector<std::pair<Shape, DType>> outputs_;
  /// Some argument or result has a dynamic dimension.
  bool dynamicInputs_ = false;
  bool dynamicResults_ = false;
  /// Dynamic sizes of the arguments that must be equal, checked before
  /// each call.
  std::vector<DimCheck> dimChecks_;
  std::vector<CompileStep> times_;
  std::string captureWarning_;
};

} // namespace kiln

#endif // KILN_LIB_API_COMPILEDGRAPH_H
