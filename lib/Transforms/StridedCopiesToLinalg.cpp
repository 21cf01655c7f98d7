//===- StridedCopiesToLinalg.cpp - memref.copy of views as loops ----------===//
//
// A copy the LLVM lowering cannot turn into a memcpy becomes a linalg.copy,
// lowered to loops with the rest of the function instead of calling MLIR's
// `memrefCopy` runtime function.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace kiln {
#define GEN_PASS_DEF_STRIDEDCOPIESTOLINALGPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Whether the LLVM lowering copies a buffer of `type` with a memcpy: an
/// identity layout, or a static shape laid out contiguously row-major.
bool copiesAsMemcpy(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && (memref.getLayout().isIdentity() ||
                    memref::isStaticShapeAndContiguousRowMajor(memref));
}

struct StridedCopiesToLinalgPass final
    : kiln::impl::StridedCopiesToLinalgPassBase<StridedCopiesToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (!copiesAsMemcpy(copy.getSource().getType()) ||
          !copiesAsMemcpy(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};

} // namespace
