//===- Differentiate.cpp - The kiln-differentiate pass --------------------===//
//
// Differentiates a graph file's functions in place: each function returns
// its results, then the gradient of its first result (of its sum, if it is
// not a scalar) with respect to the arguments of `wrt` (every floating-point
// argument by default). The gradient's ops go after the forward ops, in the
// same function (kiln/Trace/Gradients.h), so the Linalg stage fuses them
// with the forward ops.
//
//===----------------------------------------------------------------------===//

#include "kiln/Trace/Gradients.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Trace/GraphTracer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

struct DifferentiatePass final
    : PassWrapper<DifferentiatePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DifferentiatePass)

  DifferentiatePass() = default;
  DifferentiatePass(const DifferentiatePass &other) : PassWrapper(other) {}

  StringRef getArgument() const final { return "kiln-differentiate"; }
  StringRef getDescription() const final {
    return "Make each function also return the gradient of its first result "
           "with respect to its arguments";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<kiln::KilnDialect>();
  }

  Option<std::string> function{
      *this, "function",
      llvm::cl::desc("The function to differentiate (default: every one)")};
  ListOption<int64_t> wrt{
      *this, "wrt",
      llvm::cl::desc("The arguments to differentiate with respect to "
                     "(default: every floating-point argument)")};

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() ||
          (!function.empty() && func.getSymName() != function))
        continue;
      if (failed(differentiate(func)))
        return signalPassFailure();
    }
  }

  LogicalResult differentiate(func::FuncOp func) {
    Block &body = func.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
    if (!ret || ret.getNumOperands() == 0)
      return func.emitError("kiln-differentiate: '")
             << func.getSymName() << "' returns nothing to differentiate";
    llvm::SmallVector<int64_t> indices(wrt.begin(), wrt.end());
    if (indices.empty())
      for (BlockArgument arg : body.getArguments())
        if (auto type = dyn_cast<RankedTensorType>(arg.getType());
            type && isa<FloatType>(type.getElementType()))
          indices.push_back(arg.getArgNumber());
    for (int64_t index : indices)
      if (index < 0 || index >= static_cast<int64_t>(body.getNumArguments()))
        return func.emitError("kiln-differentiate: '")
               << func.getSymName() << "' has no argument " << index;
    kiln::GraphTracer tracer(func);
    kiln::trace::ScopedRecorder scope(&tracer);
    std::vector<kiln::Tensor> sources;
    for (int64_t index : indices)
      sources.push_back(tracer.arguments()[index]);
    std::vector<kiln::Tensor> gradients;
    try {
      gradients = kiln::buildGradients(
          tracer, tracer.tensorOf(ret.getOperand(0)), sources);
    } catch (const kiln::Error &error) {
      return func.emitError(error.what());
    }
    llvm::SmallVector<Value> results(ret.getOperands());
    for (const kiln::Tensor &gradient : gradients)
      results.push_back(tracer.valueOf(gradient));
    OpBuilder builder(ret);
    func::ReturnOp::create(builder, ret.getLoc(), results);
    ret.erase();
    func.setFunctionType(builder.getFunctionType(
        func.getArgumentTypes(), ValueRange(results).getTypes()));
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> kiln::createDifferentiatePass() {
  return std::make_unique<DifferentiatePass>();
}

void kiln::registerDifferentiatePass() {
  PassRegistration<DifferentiatePass>();
}
