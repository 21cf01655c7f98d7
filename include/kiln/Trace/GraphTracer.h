//===- GraphTracer.h - Record eager op calls into a kiln graph -*- C++ -*-===//
//
// The recorder behind `kiln::function`: it makes a `func.func` whose
// arguments stand for the traced callable's tensor arguments, records every
// eager op on traced tensors as a kiln op (with the casts that reproduce
// eager semantics the dialect spells differently), turns host tensors the
// callable captures into constants, and ends the graph with the outputs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRACE_GRAPHTRACER_H
#define KILN_TRACE_GRAPHTRACER_H

#include "kiln/Runtime/Trace.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

class GraphTracer final : public trace::Recorder {
public:
  /// Starts a graph named `name` in `module` with one argument per spec.
  GraphTracer(mlir::ModuleOp module, llvm::StringRef name,
              const std::vector<TensorSpec> &arguments);
  /// Goes on recording into `func`, a graph with a body: before its
  /// terminator (kiln-differentiate adds its gradient this way).
  explicit GraphTracer(mlir::func::FuncOp func);
  ~GraphTracer() override;

  /// Adds an argument of `spec` to the graph and returns its traced tensor
  /// (the tape of kiln::GradientTape adds one per watched tensor).
  Tensor addArgument(const TensorSpec &spec);
  /// The traced tensor standing for `value`, a value of this graph.
  Tensor tensorOf(mlir::Value value) { return wrap(value); }
  /// The graph value of `tensor`: its traced value, or a constant made from
  /// a host tensor.
  mlir::Value valueOf(const Tensor &tensor);
  /// While set, recorded ops get `location` instead of their C++ call site
  /// (a gradient's ops get the location of the op they differentiate).
  void setLocationOverride(std::optional<mlir::Location> location) {
    locationOverride_ = location;
  }
  mlir::func::FuncOp func() const { return func_; }

  /// The traced tensors standing for the graph's arguments.
  const std::vector<Tensor> &arguments() const { return arguments_; }

  /// Ends the graph: returns `outputs` (traced tensors of this trace or host
  /// tensors, which become constants), verifies the function and returns it.
  /// Throws kiln::Error if the graph does not verify.
  mlir::func::FuncOp finish(const std::vector<Tensor> &outputs);

  Tensor record(const trace::OpCall &call) override;
  std::vector<Tensor> recordIf(const trace::ControlSite &site,
                               const Tensor &condition,
                               const trace::RegionBody &thenBody,
                               const trace::RegionBody &elseBody) override;
  std::vector<Tensor> recordFor(const trace::ControlSite &site,
                                const Tensor &lower, const Tensor &upper,
                                const std::vector<Tensor> &init,
                                const trace::RegionBody &body) override;
  std::vector<Tensor> recordWhile(const trace::ControlSite &site,
                                  const std::vector<Tensor> &init,
                                  const trace::RegionBody &condition,
                                  const trace::RegionBody &body) override;
  std::vector<Tensor> recordScan(const trace::ControlSite &site,
                                 const std::vector<Tensor> &init,
                                 const std::vector<Tensor> &xs,
                                 const trace::RegionBody &body) override;
  void recordPrint(const Tensor &x, std::string_view label) override;
  /// The gradient's ops go at the end of the graph so far
  /// (kiln/Trace/Gradients.h).
  std::vector<Tensor>
  recordGradient(const Tensor &target,
                 const std::vector<Tensor> &sources) override;

  /// A host tensor the callable captured (or returned), which the graph
  /// holds as a constant.
  struct Capture {
    Shape shape;
    DType dtype;
    /// It views host memory wrapped with from_blob.
    bool hostMemory;
    /// The call site of the op that used it ("file:line"); empty for a
    /// tensor the callable returned.
    std::string where;
  };
  const std::vector<Capture> &captures() const { return captures_; }

private:
  /// A region traced from `body`, not yet part of an op: its entry block
  /// takes `argumentTypes`, and it ends in a kiln.yield of what `body`
  /// returned, which `yielded` receives.
  std::unique_ptr<mlir::Region>
  traceRegion(const trace::RegionBody &body, mlir::TypeRange argumentTypes,
              mlir::Location location,
              llvm::SmallVectorImpl<mlir::Value> &yielded);
  /// Creates the control-flow op `state` describes, verifies it and returns
  /// traced tensors for its results.
  std::vector<Tensor> createControlFlow(mlir::OperationState &state,
                                        const trace::ControlSite &site);
  mlir::Location locationOf(const trace::ControlSite &site);

  /// `value` converted to `dtype` with kiln.cast, if it is not already.
  mlir::Value castTo(mlir::Value value, DType dtype);
  /// Creates the kiln op `name` and checks its inferred type.
  mlir::Value create(llvm::StringRef name, mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attributes,
                     const Shape &shape, DType dtype);
  /// Verifies `op`, created for eager op `name`, and returns its result;
  /// throws kiln::Error with the diagnostics (erasing `op`) if it is invalid.
  mlir::Value verified(mlir::Operation *op, llvm::StringRef name);
  Tensor wrap(mlir::Value value);

  mlir::func::FuncOp func_;
  mlir::OpBuilder builder_;
  /// The location of the ops being recorded: the user's call site.
  mlir::Location location_;
  std::vector<Tensor> arguments_;
  std::vector<Capture> captures_;
  std::optional<mlir::Location> locationOverride_;
  /// The regions being traced, outermost (the function's body) first: the
  /// values of these regions are the ones a traced op may use.
  std::vector<mlir::Region *> scopes_;
};

} // namespace kiln

#endif // KILN_TRACE_GRAPHTRACER_H
