//===- KilnToLinalg.cpp - The kiln-to-linalg pass -------------------------===//
//
// Applies the patterns of every op family and reports each kiln op that is
// left, at its location, with the reason its pattern gave.
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/DenseMap.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALGPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

void kiln::populateKilnToLinalgPatterns(RewritePatternSet &patterns,
                                        bool reportIndexErrors) {
  populateElementwiseLoweringPatterns(patterns);
  populateReductionLoweringPatterns(patterns);
  populateShapeLoweringPatterns(patterns, reportIndexErrors);
  populateLinearAlgebraLoweringPatterns(patterns);
  populateNNLoweringPatterns(patterns);
  populateIndexingLoweringPatterns(patterns);
  populateControlFlowLoweringPatterns(patterns);
  populateDebugLoweringPatterns(patterns);
}

namespace {

/// The result types of a kiln op as its operands determine them (the
/// inferred types; for a cast, the input's shape), if it has such types.
std::optional<SmallVector<Type>> operandDerivedTypes(Operation *op) {
  if (auto cast = dyn_cast<kiln::CastOp>(op))
    return SmallVector<Type>{
        cast.getInput().getType().clone(cast.getType().getElementType())};
  auto inferable = dyn_cast<InferTypeOpInterface>(op);
  if (!inferable)
    return std::nullopt;
  SmallVector<Type> inferred;
  if (failed(inferable.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), inferred)) ||
      inferred.size() != op->getNumResults())
    return std::nullopt;
  return inferred;
}

/// A kiln op's written result type may be more static than the one its
/// operands determine (`kiln.transpose %a perm = [1, 0] : tensor<?x3xf32> ->
/// tensor<3x2xf32>` promises that the dynamic size is 2) or less static
/// (`kiln.cast %a : tensor<5xbf16> to tensor<?xf32>`). The lowering patterns
/// build their linalg ops from operand shapes: linalg's verifiers reject the
/// first mix, and the second made fusion's canonicalizations undo each other
/// forever. So each such result gets its operand-derived type back, followed
/// by a `tensor.cast` to the written type for its users other than kiln ops
/// (a return). Kiln ops take the retyped value itself: they accept any
/// compatible operand type, and are visited after their operands' producers,
/// so that operand-derived types propagate through chains of written `?`s.
void useOperandDerivedResultTypes(Operation *root) {
  root->walk([](Operation *op) {
    if (!isa<kiln::KilnDialect>(op->getDialect()))
      return;
    std::optional<SmallVector<Type>> derived = operandDerivedTypes(op);
    if (!derived)
      return;
    OpBuilder b(op->getContext());
    b.setInsertionPointAfter(op);
    for (auto [result, type] : llvm::zip(op->getResults(), *derived)) {
      Type written = result.getType();
      if (written == type)
        continue;
      result.setType(type);
      tensor::CastOp cast;
      for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
        if (isa<kiln::KilnDialect>(use.getOwner()->getDialect()))
          continue;
        if (!cast)
          cast = tensor::CastOp::create(b, op->getLoc(), written, result);
        use.set(cast.getResult());
      }
    }
  });
}

/// Remembers the last reason a pattern gave for not rewriting the op at each
/// location, so that leftover ops can be reported with it.
struct FailureReasons : RewriterBase::Listener {
  void
  notifyMatchFailure(Location loc,
                     function_ref<void(Diagnostic &)> reasonCallback) override {
    Diagnostic diag(loc, DiagnosticSeverity::Remark);
    reasonCallback(diag);
    reasons[loc] = diag.str();
  }
  llvm::DenseMap<Location, std::string> reasons;
};

struct ConvertKilnToLinalgPass final
    : kiln::impl::ConvertKilnToLinalgPassBase<ConvertKilnToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    useOperandDerivedResultTypes(getOperation());
    kiln::prepareSmallIntegers(getOperation());
    if (fuseAttention)
      kiln::lowerAttentionToRuntime(getOperation());
    RewritePatternSet patterns(&getContext());
    kiln::populateKilnToLinalgPatterns(patterns, reportIndexErrors);
    FailureReasons reasons;
    GreedyRewriteConfig config;
    config.setListener(&reasons);
    // Patterns rewrite one kiln op into non-kiln ops; only the kiln ops need
    // to be visited, and the result must not depend on folding.
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    config.enableFolding(false);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);

    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<kiln::KilnDialect>(op->getDialect()))
        return;
      auto it = reasons.reasons.find(op->getLoc());
      op->emitOpError("is not supported by the lowering: ")
          << (it != reasons.reasons.end() ? it->second
                                          : std::string("no lowering pattern"));
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
