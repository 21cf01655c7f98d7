//===- VerifyLLVMContract.cpp - Check the LLVM stage's contract -----------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln {
#define GEN_PASS_DEF_VERIFYLLVMCONTRACTPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct VerifyLLVMContractPass final
    : kiln::impl::VerifyLLVMContractPassBase<VerifyLLVMContractPass> {
  using Base::Base;

  void runOnOperation() override {
    bool violated = false;
    getOperation().walk([&](Operation *op) {
      if (op == getOperation().getOperation() ||
          isa_and_nonnull<LLVM::LLVMDialect>(op->getDialect()))
        return;
      op->emitOpError("is left after the conversion to the LLVM dialect");
      violated = true;
    });
    if (violated)
      signalPassFailure();
  }
};

} // namespace
