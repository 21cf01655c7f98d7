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

/// Whether fusing the producer of `fusedOperand` would run an iteration of a
/// producer that reads its own output (an in-place update such as softmax's
/// normalization, or a reduction over no loops) more than once. The fused op
/// carries the producer's output as a loop-carried value, so a consumer that
/// broadcasts the producer's result would re-apply the update: the producer
/// must be visited exactly once per point, that is the consumer's map for
/// the fused operand must be a permutation of its loops.
static bool readsInitUnderRepetition(OpOperand &fusedOperand) {
  auto producer = fusedOperand.get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(fusedOperand.getOwner());
  if (!producer || !consumer)
    return false;
  bool readsInit =
      llvm::any_of(producer.getDpsInitsMutable(), [&](OpOperand &init) {
        return producer.payloadUsesValueFromOperand(&init);
      });
  return readsInit &&
         !consumer.getMatchingIndexingMap(&fusedOperand).isPermutation();
}

linalg::ControlFusionFn kiln::getDefaultFusionPolicy(bool fuseMultiUse) {
  return [fuseMultiUse](OpOperand *fusedOperand) {
    Operation *producer = fusedOperand->get().getDefiningOp();
    if (!producer)
      return false;
    if (readsInitUnderRepetition(*fusedOperand)) {
      fusion_log::report(producer, fusedOperand->getOwner(), false,
                         "producer reads its output and the consumer would "
                         "repeat its iterations");
      return false;
    }
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

/// Rewrites allowed per op of the input: fusion removes an op per fused
/// pair and canonicalization a few more, so a converging run stays far
/// below this.
constexpr int64_t kRewritesPerOp = 100;

struct FuseElementwisePass final
    : kiln::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    kiln::populateElementwiseFusionPatterns(
        patterns, kiln::getDefaultFusionPolicy(fuseMultiUse));
    // Patterns that undo each other must end in an error, not a hang.
    int64_t ops = 0;
    getOperation()->walk([&](Operation *) { ++ops; });
    int64_t maxRewrites = kRewritesPerOp * std::max<int64_t>(ops, 100);
    GreedyRewriteConfig config;
    config.setMaxNumRewrites(maxRewrites);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config))) {
      getOperation()->emitError("elementwise fusion did not converge within ")
          << maxRewrites << " rewrites";
      signalPassFailure();
    }
  }
};

} // namespace
