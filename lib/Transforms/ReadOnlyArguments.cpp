//===- ReadOnlyArguments.cpp - Compiled code never writes its arguments ---===//
//
// One-shot bufferization may update a function's argument buffer in place
// unless the argument is marked `bufferization.writable = false`. A compiled
// graph's arguments are the caller's tensors, so every one is marked.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln {
#define GEN_PASS_DEF_READONLYARGUMENTSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct ReadOnlyArgumentsPass final
    : kiln::impl::ReadOnlyArgumentsPassBase<ReadOnlyArgumentsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    auto readOnly = BoolAttr::get(&getContext(), false);
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (isa<TensorType>(func.getArgument(i).getType()))
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        readOnly);
  }
};

} // namespace
