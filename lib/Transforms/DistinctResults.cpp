//===- DistinctResults.cpp - Give each function result its own tensor -----===//
//
// A function that returns one value several times (CSE merges identical
// results) would return one buffer for several results after
// bufferization. The JIT passes each result through its own output buffer
// (`buffer-results-to-out-params`), which needs distinct buffers, so every
// repeated result becomes a copy in a new allocation, and a returned
// `tensor.empty` (whose buffer bufferization may give to another result) a new
// allocation. (Results must have static shapes here, as the JIT's do.)
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_DISTINCTRESULTSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct DistinctResultsPass final
    : kiln::impl::DistinctResultsPassBase<DistinctResultsPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallDenseSet<Value> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || !type.hasStaticShape())
          continue;
        // An empty tensor has no contents to keep, so bufferization may
        // write another result in place into its buffer: return a fresh
        // allocation instead.
        if (value.getDefiningOp<tensor::EmptyOp>()) {
          operand.set(bufferization::AllocTensorOp::create(
              builder, ret.getLoc(), type, /*dynamicSizes=*/ValueRange()));
          continue;
        }
        if (seen.insert(value).second)
          continue;
        // return %x, %x -> return %x, alloc_tensor() copy(%x)
        Value copy = bufferization::AllocTensorOp::create(
            builder, ret.getLoc(), type, /*dynamicSizes=*/ValueRange(), value);
        operand.set(copy);
      }
    });
  }
};

} // namespace
