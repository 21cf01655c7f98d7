//===- NoAliasBuffers.cpp - The buffers of a call do not overlap ----------===//
//
// A compiled graph's host passes buffers that do not overlap, except inputs,
// which are only read (kiln-noalias-buffers in Passes.td says who ensures
// it). This pass tells LLVM so, by marking the pointer arguments of the
// functions hosts call `noalias`; the loop vectorizer then needs no run-time
// overlap checks and no scalar fallback loop.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln {
#define GEN_PASS_DEF_NOALIASBUFFERSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct NoAliasBuffersPass final
    : kiln::impl::NoAliasBuffersPassBase<NoAliasBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    auto noAlias = LLVM::LLVMDialect::getNoAliasAttrName();
    auto unit = UnitAttr::get(&getContext());
    for (auto function : getOperation().getOps<LLVM::LLVMFuncOp>()) {
      if (auto positions = function->getAttrOfType<DenseI64ArrayAttr>(
              kiln::kNoAliasPointersAttrName)) {
        function->removeAttr(kiln::kNoAliasPointersAttrName);
        for (int64_t i : positions.asArrayRef()) {
          if (i < 0 || i >= function.getNumArguments() ||
              !isa<LLVM::LLVMPointerType>(function.getArgumentTypes()[i])) {
            function.emitError()
                << "argument " << i << " of " << kiln::kNoAliasPointersAttrName
                << " is not a pointer";
            return signalPassFailure();
          }
          function.setArgAttr(i, noAlias, unit);
        }
        continue;
      }
      if (function.isExternal() ||
          !function->hasAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName()))
        continue;
      // Both the function and its `_mlir_ciface_` wrapper: the wrapper's
      // arguments point to the descriptors of those buffers, which do not
      // overlap either.
      for (auto [i, type] : llvm::enumerate(function.getArgumentTypes()))
        if (isa<LLVM::LLVMPointerType>(type))
          function.setArgAttr(i, noAlias, unit);
    }
  }
};

} // namespace
