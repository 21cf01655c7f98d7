//===- ApproximateMath.cpp - Polynomial approximations of math functions --===//
//
// Upstream keeps `populateMathPolynomialApproximationPatterns` behind a test
// pass; this is Kiln's pass for it. Approximated exp/tanh/erf are plain arith
// code, which is what lets LLVM vectorize loops calling them.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSet.h"

namespace kiln {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Accurate to a few ulp over the whole f32 range; sin/cos are left out
/// because their approximations lose accuracy for large arguments.
constexpr llvm::StringLiteral kDefaultOps[] = {"exp",  "expm1", "log", "log1p",
                                               "log2", "tanh",  "erf"};

struct ApproximateMathPass final
    : kiln::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    // Upstream's predicate sees full op names ("math.exp").
    llvm::StringSet<> names;
    auto insert = [&](StringRef name) {
      names.insert(name.starts_with("math.") ? name.str()
                                             : ("math." + name).str());
    };
    if (ops.empty())
      llvm::for_each(kDefaultOps, insert);
    llvm::for_each(ops, [&](const std::string &name) { insert(name); });
    auto predicate = [&](StringRef name) { return names.contains(name); };

    RewritePatternSet patterns(&getContext());
    populateMathF32ExpansionPatterns(patterns, predicate);
    populateMathPolynomialApproximationPatterns(patterns, predicate);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
