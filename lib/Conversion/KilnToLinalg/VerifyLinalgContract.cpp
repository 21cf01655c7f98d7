//===- VerifyLinalgContract.cpp - Check the Linalg stage's contract -------===//
//
// After kiln-to-linalg, the IR may only hold ops of the linalg-on-tensors
// level; every other op is reported at its location.
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace kiln {
#define GEN_PASS_DEF_VERIFYLINALGCONTRACTPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Whether `op` belongs to the linalg-on-tensors level. Buffers (memref,
/// bufferization) and vector ops are allowed for hosts and tests that hand
/// results over or print them; the later stages lower them. Constant
/// strings (an `llvm.mlir.global` and its address) are the messages of the
/// errors compiled code reports to the runtime.
bool isLinalgLevel(Operation *op) {
  Dialect *dialect = op->getDialect();
  if (!dialect)
    return false;
  if (isa<LLVM::GlobalOp, LLVM::AddressOfOp>(op))
    return true;
  return isa<BuiltinDialect, func::FuncDialect, linalg::LinalgDialect,
             tensor::TensorDialect, arith::ArithDialect, math::MathDialect,
             scf::SCFDialect, bufferization::BufferizationDialect,
             memref::MemRefDialect, vector::VectorDialect>(dialect);
}

struct VerifyLinalgContractPass final
    : kiln::impl::VerifyLinalgContractPassBase<VerifyLinalgContractPass> {
  using Base::Base;

  void runOnOperation() override {
    bool violated = false;
    getOperation()->walk([&](Operation *op) {
      if (isa_and_nonnull<kiln::KilnDialect>(op->getDialect())) {
        op->emitOpError("is not supported by the lowering: it is left after "
                        "kiln-to-linalg");
        violated = true;
      } else if (!isLinalgLevel(op)) {
        op->emitOpError("is not part of the linalg-on-tensors contract");
        violated = true;
      }
    });
    if (violated)
      signalPassFailure();
  }
};

} // namespace
