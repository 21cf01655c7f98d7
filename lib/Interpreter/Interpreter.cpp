//===- Interpreter.cpp - Run a kiln graph op by op ------------------------===//

#include "kiln/Interpreter/Interpreter.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Runtime/Control.h"
#include "kiln/Runtime/Debug.h"
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

namespace {

using ValueMap = llvm::DenseMap<Value, kiln::Tensor>;

std::vector<kiln::Tensor> runBlock(Block &block, ValueMap &values);

/// Runs `region`'s single block with its arguments bound to `arguments` and
/// returns what it yields.
std::vector<kiln::Tensor> runRegion(Region &region,
                                    const std::vector<kiln::Tensor> &arguments,
                                    ValueMap &values) {
  Block &block = region.front();
  for (auto [argument, tensor] : llvm::zip(block.getArguments(), arguments))
    values[argument] = tensor;
  return runBlock(block, values);
}

/// The value of a rank-0 bool tensor.
bool truth(const kiln::Tensor &t) { return t.item<bool>(); }

/// Runs a control-flow op: its regions run op by op like the function.
std::vector<kiln::Tensor>
runControlFlow(Operation *op, const std::vector<kiln::Tensor> &operands,
               ValueMap &values) {
  using kiln::Tensor;
  if (auto ifOp = dyn_cast<kiln::IfOp>(op))
    return runRegion(truth(operands[0]) ? ifOp.getThenRegion()
                                        : ifOp.getElseRegion(),
                     {}, values);
  if (auto forOp = dyn_cast<kiln::ForOp>(op)) {
    int64_t lower = operands[0].item<int64_t>();
    int64_t upper = operands[1].item<int64_t>();
    std::vector<Tensor> carry(operands.begin() + 2, operands.end());
    for (int64_t i = lower; i < upper; ++i) {
      std::vector<Tensor> arguments = {kiln::constant(i)};
      arguments.insert(arguments.end(), carry.begin(), carry.end());
      carry = runRegion(forOp.getBody(), arguments, values);
    }
    return carry;
  }
  if (auto scanOp = dyn_cast<kiln::ScanOp>(op)) {
    size_t carryCount = scanOp.getInit().size();
    std::vector<Tensor> init(operands.begin(), operands.begin() + carryCount);
    std::vector<Tensor> xs(operands.begin() + carryCount, operands.end());
    // Its errors name the op and its location in the graph.
    std::string name = "'kiln.scan' at " + kiln::formatLocation(op->getLoc());
    return kiln::detail::runScan(
        {name, std::source_location()}, init, xs,
        [&](const std::vector<Tensor> &arguments) {
          return runRegion(scanOp.getBody(), arguments, values);
        },
        [&] {
          std::vector<kiln::TensorSpec> slices;
          for (Type type : scanOp.getStackedResults().getTypes()) {
            auto stacked = cast<RankedTensorType>(type);
            slices.push_back({kiln::Shape(stacked.getShape().begin() + 1,
                                          stacked.getShape().end()),
                              *kiln::toDType(stacked.getElementType())});
          }
          return slices;
        });
  }
  auto whileOp = cast<kiln::WhileOp>(op);
  std::vector<Tensor> carry = operands;
  while (truth(runRegion(whileOp.getCondRegion(), carry, values)[0]))
    carry = runRegion(whileOp.getBody(), carry, values);
  return carry;
}

/// Runs the ops of `block` in order; returns the operands of its terminator
/// (a func.return or a kiln.yield).
std::vector<kiln::Tensor> runBlock(Block &block, ValueMap &values) {
  for (Operation &op : block) {
    std::vector<kiln::Tensor> operands;
    for (Value operand : op.getOperands())
      operands.push_back(values.lookup(operand));
    if (isa<func::ReturnOp, kiln::YieldOp>(op))
      return operands;
    if (auto print = dyn_cast<kiln::PrintOp>(op)) {
      kiln::detail::emitPrint(kiln::detail::printLine(
          operands[0], print.getLabel(), kiln::formatFileLine(op.getLoc())));
      continue;
    }
    // Errors inside a region already name their op.
    std::vector<kiln::Tensor> results =
        isa<kiln::IfOp, kiln::ForOp, kiln::WhileOp, kiln::ScanOp>(op)
            ? runControlFlow(&op, operands, values)
            : kiln::interpretOp(&op, operands);
    for (auto [result, tensor] : llvm::zip(op.getResults(), results))
      values[result] = tensor;
  }
  throw kiln::Error("the interpreter found a block without a terminator");
}

} // namespace

std::vector<kiln::Tensor>
kiln::interpretOp(Operation *op, const std::vector<Tensor> &operands) {
  // The op's results are checked here, naming its place in the graph, not
  // by the eager kernels.
  detail::EagerNumericsChecksOff graphChecksOnly;
  std::vector<Tensor> results;
  try {
    results = evaluate(op, operands);
  } catch (const Error &error) {
    throw Error(std::string(error.what()) + " (at " +
                formatLocation(op->getLoc()) + ")");
  }
  if (checks_numerics()) {
    llvm::StringRef name = op->getName().getStringRef();
    name.consume_front("kiln.");
    for (const Tensor &result : results)
      detail::checkNumerics(result, name.str(), formatFileLine(op->getLoc()));
  }
  return results;
}

std::vector<kiln::Tensor> kiln::interpret(func::FuncOp graph,
                                          const std::vector<Tensor> &inputs) {
  checkInputs(graph, inputs);
  if (graph.getBody().getBlocks().size() != 1)
    throw Error(graph.getSymName().str() +
                ": the interpreter runs graphs of a single block");
  // Eager kernels that control flow runs (runScan) leave the checks to
  // interpretOp too.
  detail::EagerNumericsChecksOff graphChecksOnly;
  ValueMap values;
  for (auto [arg, input] : llvm::zip(graph.getArguments(), inputs))
    values[arg] = input;
  return runBlock(graph.getBody().front(), values);
}
