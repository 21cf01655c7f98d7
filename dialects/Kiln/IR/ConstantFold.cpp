//===- ConstantFold.cpp - Fold kiln ops whose operands are constants ------===//
//
// Any kiln op whose operands are all small constants is folded by running it
// on the eager kernels (KilnEvaluate.h), so folded values are exactly what
// eager mode computes. Ops on large constants are left alone: folding them
// would copy the data into the IR.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Runtime/Debug.h"

#include "mlir/Interfaces/FoldInterfaces.h"

using namespace mlir;

namespace {

/// The most elements an operand or result of a folded op may have.
constexpr int64_t kMaxFoldedElements = 1 << 12;

bool isSmall(Type type) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  return shaped && shaped.hasStaticShape() &&
         shaped.getNumElements() <= kMaxFoldedElements;
}

struct KilnConstantFolder final : DialectFoldInterface {
  using DialectFoldInterface::DialectFoldInterface;

  LogicalResult fold(Operation *op, ArrayRef<Attribute> operands,
                     SmallVectorImpl<OpFoldResult> &results) const final {
    // Control-flow ops are not run at compile time (a loop on constants may
    // run for long); the ops of their regions fold like any other.
    if (isa<kiln::ConstantOp>(op) || op->getNumRegions() ||
        op->getNumResults() != 1 || !isSmall(op->getResult(0).getType()))
      return failure();
    SmallVector<ElementsAttr> elements;
    for (auto [attr, value] : llvm::zip(operands, op->getOperands())) {
      auto operand = dyn_cast_if_present<ElementsAttr>(attr);
      if (!operand || !isSmall(value.getType()))
        return failure();
      elements.push_back(operand);
    }
    // What compiles must not depend on the host's debugging switches: the
    // NaN a folded op makes is checked where the graph runs.
    kiln::detail::EagerNumericsChecksOff sameCodeWhateverTheSwitch;
    try {
      std::vector<kiln::Tensor> inputs;
      for (ElementsAttr operand : elements)
        inputs.push_back(kiln::toTensor(operand));
      std::vector<kiln::Tensor> outputs = kiln::evaluate(op, inputs);
      results.push_back(kiln::toElementsAttr(outputs[0], op->getContext()));
      return success();
    } catch (const std::exception &) {
      // Input the kernels reject (an integer division by zero, say) and
      // constants whose elements cannot be read (dense_resource) are left
      // for run time, where they are reported.
      return failure();
    }
  }
};

} // namespace

void kiln::detail::addConstantFolder(KilnDialect &dialect) {
  dialect.addInterfaces<KilnConstantFolder>();
}
