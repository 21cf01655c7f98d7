//===- FuseElementwise.cpp - Producer-consumer fusion of linalg.generics --===//
//
// The mechanism is upstream's elementwise fusion; the policy (which producer
// fuses into which consumer) is Kiln's callback.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "kiln/Driver/FusionLog.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

linalg::ControlFusionFn kiln::getDefaultFusionPolicy(bool fuseMultiUse) {
  return [fuseMultiUse](OpOperand *fusedOperand) {
    Operation *producer = fusedOperand->get().getDefiningOp();
    if (!producer)
      return false;
    // Fusing a producer with other users would compute it twice.
    bool fuse = fuseMultiUse ||
                llvm::all_of(producer->getUsers(), [&](Operation *user) {
                  return user == fusedOperand->getOwner();
                });
    // `kilnc emit --dump-dir/--dot` records the decisions.
    fusion_log::report(producer, fusedOperand->getOwner(), fuse,
                       fuse ? (fuseMultiUse ? "fuse-multi-use" : "single user")
                            : "producer has other users");
    return fuse;
  };
}

void kiln::populateElementwiseFusionPatterns(
    RewritePatternSet &patterns, const linalg::ControlFusionFn &policy) {
  MLIRContext *context = patterns.getContext();
  linalg::populateElementwiseOpsFusionPatterns(patterns, policy);
  linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
  tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
  linalg::FillOp::getCanonicalizationPatterns(patterns, context);
}

namespace {

struct FuseElementwisePass final
    : kiln::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    kiln::populateElementwiseFusionPatterns(
        patterns, kiln::getDefaultFusionPolicy(fuseMultiUse));
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
