//===- KilnEvaluate.h - Run one kiln op on eager kernels -------*- C++ -*-===//
//
// The bridge from the dialect to the eager runtime: constants to and from
// runtime tensors, and the evaluation of one kiln op on runtime tensors. The
// graph interpreter runs whole graphs with it and the dialect's constant
// folder folds ops on constants with it, so both compute exactly what eager
// mode computes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNEVALUATE_H
#define KILN_DIALECT_KILN_IR_KILNEVALUATE_H

#include "kiln/Runtime/Ops.h"
#include "kiln/Runtime/Tensor.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace kiln {

/// The runtime tensor holding the elements of `attr` (dense or splat).
/// Throws kiln::Error for element types the runtime does not have.
Tensor toTensor(mlir::ElementsAttr attr);

/// A dense elements attribute holding the elements of `tensor`.
mlir::DenseElementsAttr toElementsAttr(const Tensor &tensor,
                                       mlir::MLIRContext *context);

/// "file:line:col" for a file location (a traced op's C++ call site or a
/// place in a graph file), else MLIR's printed form, for kiln::Error texts.
std::string formatLocation(mlir::Location loc);

/// "file:line" for a file location, as kiln::print and check_numerics name
/// a C++ call site; else as formatLocation.
std::string formatFileLine(mlir::Location loc);

/// Runs `op`, a kiln op, on `operands` with the eager kernels and returns its
/// results. Throws kiln::Error when the operands do not fit (the message
/// names the op, the shapes and the dtypes) or the op is not a kiln op.
std::vector<Tensor> evaluate(mlir::Operation *op,
                             const std::vector<Tensor> &operands);

/// The options of kiln::conv that a kiln.conv op (`conv`) carries.
ConvOptions convOptionsOf(mlir::Operation *conv);

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_KILNEVALUATE_H
