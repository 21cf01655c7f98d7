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

#include <string>
#include <vector>

namespace kiln {

class GraphTracer final : public trace::Recorder {
public:
  /// Starts a graph named `name` in `module` with one argument per spec.
  GraphTracer(mlir::ModuleOp module, llvm::StringRef name,
              const std::vector<TensorSpec> &arguments);
  ~GraphTracer() override;

  /// The traced tensors standing for the graph's arguments.
  const std::vector<Tensor> &arguments() const { return arguments_; }

  /// Ends the graph: returns `outputs` (traced tensors of this trace or host
  /// tensors, which become constants), verifies the function and returns it.
  /// Throws kiln::Error if the graph does not verify.
  mlir::func::FuncOp finish(const std::vector<Tensor> &outputs);

  Tensor record(const trace::OpCall &call) override;

private:
  /// The graph value of `tensor`: its traced value, or a constant made from
  /// a host tensor.
  mlir::Value valueOf(const Tensor &tensor);
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
};

} // namespace kiln

#endif // KILN_TRACE_GRAPHTRACER_H
