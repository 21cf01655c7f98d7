//===- Interpreter.cpp - Run a kiln graph op by op ------------------------===//

#include "kiln/Interpreter/Interpreter.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace {

std::string describeType(RankedTensorType type) {
  std::optional<kiln::DType> dtype = kiln::toDType(type.getElementType());
  return kiln::formatShape(kiln::toShape(type)) + " " +
         (dtype ? std::string(kiln::dtypeName(*dtype)) : "unsupported");
}

} // namespace

void kiln::checkInputs(func::FuncOp graph, const std::vector<Tensor> &inputs) {
  FunctionType type = graph.getFunctionType();
  std::string name = graph.getSymName().str();
  if (type.getNumInputs() != inputs.size())
    throw Error(name + ": expected " + std::to_string(type.getNumInputs()) +
                " inputs, got " + std::to_string(inputs.size()));
  for (auto [i, argType] : llvm::enumerate(type.getInputs())) {
    auto tensorType = dyn_cast<RankedTensorType>(argType);
    if (!tensorType)
      throw Error(name + ": argument " + std::to_string(i) +
                  " is not a ranked tensor");
    const Tensor &input = inputs[i];
    if (!input.defined())
      throw Error(name + ": argument " + std::to_string(i) + " is undefined");
    std::optional<DType> dtype = toDType(tensorType.getElementType());
    bool shapeOk = succeeded(verifyCompatibleShape(
        tensorType.getShape(), ArrayRef<int64_t>(input.shape())));
    if (!dtype || *dtype != input.dtype() || !shapeOk)
      throw Error(name + ": argument " + std::to_string(i) +
                  ": expected shape " + describeType(tensorType) + ", got " +
                  formatShape(input.shape()) + " " +
                  std::string(dtypeName(input.dtype())));
  }
}

std::vector<kiln::Tensor> kiln::interpret(func::FuncOp graph,
                                          const std::vector<Tensor> &inputs) {
  checkInputs(graph, inputs);
  if (graph.getBody().getBlocks().size() != 1)
    throw Error(graph.getSymName().str() +
                ": the interpreter runs graphs of a single block");

  llvm::DenseMap<Value, Tensor> values;
  for (auto [arg, input] : llvm::zip(graph.getArguments(), inputs))
    values[arg] = input;

  for (Operation &op : graph.getBody().front()) {
    std::vector<Tensor> operands;
    for (Value operand : op.getOperands())
      operands.push_back(values.lookup(operand));
    if (auto ret = dyn_cast<func::ReturnOp>(op))
      return operands;
    std::vector<Tensor> results;
    try {
      results = evaluate(&op, operands);
    } catch (const Error &error) {
      throw Error(std::string(error.what()) + " (at " +
                  formatLocation(op.getLoc()) + ")");
    }
    for (auto [result, tensor] : llvm::zip(op.getResults(), results))
      values[result] = tensor;
  }
  throw Error(graph.getSymName().str() + ": the graph has no return");
}
