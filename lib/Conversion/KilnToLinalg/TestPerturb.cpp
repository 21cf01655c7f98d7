//===- TestPerturb.cpp - Test only: perturb the results of one op kind ----===//
//
// Shadow checking must find a compiled kernel that computes a wrong value
// and name its op. Real compiler bugs cannot be summoned on demand, so the
// tests make one: this pass multiplies each floating-point result of the ops
// named by its option by 1 + 2^-6, in the compiled code only (the
// interpreter runs the graph as traced).
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_TESTPERTURBPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct TestPerturbPass final
    : kiln::impl::TestPerturbPassBase<TestPerturbPass> {
  using Base::Base;

  void runOnOperation() override {
    if (opName.empty())
      return;
    SmallVector<Operation *> targets;
    getOperation().walk([&](Operation *op) {
      if (op->getName().getStringRef() == opName)
        targets.push_back(op);
    });
    for (Operation *op : targets) {
      OpBuilder b(op->getContext());
      b.setInsertionPointAfter(op);
      for (Value result : op->getResults()) {
        auto type = dyn_cast<RankedTensorType>(result.getType());
        if (!type || !isa<FloatType>(type.getElementType()))
          continue;
        auto scalarType = RankedTensorType::get({}, type.getElementType());
        Value factor = kiln::ConstantOp::create(
            b, op->getLoc(), scalarType,
            DenseElementsAttr::get(
                scalarType,
                FloatAttr::get(type.getElementType(), 1.0 + 1.0 / 64)));
        auto scaled =
            kiln::MulOp::create(b, op->getLoc(), type, result, factor);
        result.replaceAllUsesExcept(scaled.getResult(), scaled);
      }
    }
  }
};

} // namespace
