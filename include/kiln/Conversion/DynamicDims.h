//===- DynamicDims.h - Dynamic dimensions the host checks ------*- C++ -*-===//
//
// Where two operands of an elementwise op (or the batch and contraction
// dimensions of a matmul) have dynamic sizes at the same position, eager
// mode broadcasts a size of 1 and rejects different sizes, which compiled
// code cannot know before it runs. Kiln's rule for dynamic dimensions is
// that they never broadcast: their sizes must be equal at run time. The host
// checks that before it calls compiled code, when the sizes come from its
// arguments.
//
// `analyzeDynamicDims` follows each dynamic dimension of a graph back to
// the argument dimension it comes from (through elementwise ops,
// reductions, transposes, matmuls...) and lists the checks: "argument 0
// dim 0 == argument 1 dim 0", "argument 2 dim 1 == 16". The ops all of whose
// dynamic pairs are covered by a check get the `kiln.checked_dims`
// attribute (`kiln-mark-checked-dims`), and the lowering may then assume the
// sizes equal; an op with a pair it cannot trace to arguments is not marked,
// and its lowering checks the sizes at run time. The result of such an op
// has dimensions of unknown source (the check may fail, leaving it of one
// operand's size), so the ops that pair it check again.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_DYNAMICDIMS_H
#define KILN_CONVERSION_DYNAMICDIMS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

/// The attribute of an op whose dynamic dimensions the host checks.
constexpr llvm::StringLiteral kCheckedDimsAttr = "kiln.checked_dims";

/// A size the host checks before a call: dimension `dim` of argument
/// `argument` equals dimension `otherDim` of argument `otherArgument`, or
/// `size` when `otherArgument` is -1.
struct DimCheck {
  int64_t argument = 0;
  int64_t dim = 0;
  int64_t otherArgument = -1;
  int64_t otherDim = 0;
  int64_t size = 0;
  /// The op that needs it, for the error: "'kiln.add' at f.mlir:3:8".
  std::string op;
};

/// Where a dimension's size comes from: dimension `dim` of argument
/// `argument`, the static `size` (argument -1), or nowhere known (argument
/// -2: a size that is not one of the arguments' sizes, as after a reshape
/// to -1 or a concat).
struct DimSource {
  int64_t argument = -2;
  int64_t dim = 0;
  int64_t size = 0;
  bool known() const { return argument != -2; }
  bool isStatic() const { return argument == -1; }
};

struct DynamicDimChecks {
  std::vector<DimCheck> checks;
  /// The ops that pair a dynamic size with another, every such pair
  /// covered by `checks`.
  llvm::SmallPtrSet<mlir::Operation *, 8> checkedOps;
  /// Per result of the function, where each of its dimensions' sizes comes
  /// from.
  std::vector<std::vector<DimSource>> resultDims;
};

/// The checks that make the dynamic dimensions of `func`'s ops safe to
/// lower as equal.
DynamicDimChecks analyzeDynamicDims(mlir::func::FuncOp func);

} // namespace kiln

#endif // KILN_CONVERSION_DYNAMICDIMS_H
