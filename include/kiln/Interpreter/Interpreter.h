//===- Interpreter.h - Run a kiln graph op by op ---------------*- C++ -*-===//
//
// The graph interpreter runs a `kiln` graph op by op on the eager kernels. It
// is the reference the JIT is checked against, and `kilnc run --mode
// interpret` uses it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INTERPRETER_INTERPRETER_H
#define KILN_INTERPRETER_INTERPRETER_H

#include "kiln/Runtime/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace kiln {

/// Runs `graph` on `inputs` and returns its results. Throws kiln::Error when
/// the inputs do not match the graph's signature (count, shape or dtype),
/// when an op rejects its operands (the message names the op and its source
/// location), or when the graph holds an op that is not a kiln op.
std::vector<Tensor> interpret(mlir::func::FuncOp graph,
                              const std::vector<Tensor> &inputs);

/// Runs one op without regions as the interpreter does: kiln::evaluate on
/// the eager kernels (an error gets the op's location appended), then, with
/// kiln::set_check_numerics on, a check of its results naming the op and its
/// location instead of the eager kernels' own checks. The tape of
/// kiln::GradientTape runs its ops with it too.
std::vector<Tensor> interpretOp(mlir::Operation *op,
                                const std::vector<Tensor> &operands);

/// Checks `inputs` against the argument types of `graph`; throws kiln::Error
/// naming the first mismatch ("argument 1: expected shape (2, 3) float32,
/// got (3, 2) float32").
void checkInputs(mlir::func::FuncOp graph, const std::vector<Tensor> &inputs);

} // namespace kiln

#endif // KILN_INTERPRETER_INTERPRETER_H
