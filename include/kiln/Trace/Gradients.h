//===- Gradients.h - Reverse-mode differentiation ---------------*- C++ -*-===//
//
// One implementation of gradients serves every way of asking for them
// (docs/autodiff.md): `kiln::GradientTape` records eager ops into a kiln
// graph and differentiates it; `kiln::grad` and `kiln::value_and_grad`
// inside a `kiln::function` differentiate the graph being traced; the
// `kiln-differentiate` pass differentiates a graph file's function. Each
// builds the gradient's ops after the forward ops, in the same graph, so the
// forward values the gradient needs stay SSA values that fusion and buffer
// reuse see with the rest.
//
// The vector-Jacobian product of each op is written with the eager API on
// traced tensors (lib/Trace/Gradients.cpp), so it records kiln ops and gets
// the eager semantics of dtypes and broadcasting for free.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRACE_GRADIENTS_H
#define KILN_TRACE_GRADIENTS_H

#include "kiln/Runtime/Tensor.h"

#include "mlir/Pass/Pass.h"

#include <memory>
#include <vector>

namespace kiln {

class GraphTracer;

/// Records, through `tracer` at its insertion point, the gradient of
/// `target` (of its sum if it is not a scalar) with respect to each of
/// `sources`; all are traced tensors of `tracer`. A source the target does
/// not depend on gets zeros; an integer or bool source gets zeros too.
/// Throws kiln::Error naming the op when an op on the path from a source to
/// the target has no gradient rule (a control-flow op, for now).
std::vector<Tensor> buildGradients(GraphTracer &tracer, const Tensor &target,
                                   const std::vector<Tensor> &sources);

/// `kiln-differentiate` (lib/Trace/Differentiate.cpp): each function also
/// returns the gradient of its first result with respect to the arguments
/// of option `wrt` (default: every floating-point argument).
std::unique_ptr<mlir::Pass> createDifferentiatePass();
void registerDifferentiatePass();

} // namespace kiln

#endif // KILN_TRACE_GRADIENTS_H
