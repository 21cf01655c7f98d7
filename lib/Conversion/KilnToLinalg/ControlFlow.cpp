//===- ControlFlow.cpp - kiln.if/for/while to scf -------------------------===//
//
// The control-flow ops become their scf counterparts on tensors, with their
// regions moved over as they are (the kiln ops inside are lowered by the
// other patterns of the same pass): scalar tensors of the condition and the
// bounds are read with tensor.extract, and kiln.for's index becomes a
// tensor<i64> again inside the body. Bufferization then updates loop carries
// in place where it can.
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace kiln;

namespace {

/// The scalar a rank-0 tensor holds.
Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  return tensor::ExtractOp::create(b, loc, tensor, ValueRange{});
}

/// Replaces the kiln.yield ending `region` by what `build` makes of its
/// values.
void replaceYield(PatternRewriter &rewriter, Region &region,
                  function_ref<void(YieldOp)> build) {
  auto yield = cast<YieldOp>(region.front().getTerminator());
  rewriter.setInsertionPoint(yield);
  build(yield);
  rewriter.eraseOp(yield);
}

struct IfLowering : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto lowered =
        scf::IfOp::create(rewriter, loc, op.getResultTypes(),
                          extractScalar(rewriter, loc, op.getCondition()),
                          /*addThenBlock=*/false, /*addElseBlock=*/false);
    for (auto [from, to] :
         {std::pair(&op.getThenRegion(), &lowered.getThenRegion()),
          std::pair(&op.getElseRegion(), &lowered.getElseRegion())}) {
      rewriter.inlineRegionBefore(*from, *to, to->end());
      replaceYield(rewriter, *to, [&](YieldOp yield) {
        scf::YieldOp::create(rewriter, yield.getLoc(), yield.getValues());
      });
    }
    rewriter.replaceOp(op, lowered.getResults());
    return success();
  }
};

struct ForLowering : OpRewritePattern<ForOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ForOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto toIndex = [&](Value bound) -> Value {
      return arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                        extractScalar(rewriter, loc, bound));
    };
    Value lower = toIndex(op.getLower()), upper = toIndex(op.getUpper());
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto lowered =
        scf::ForOp::create(rewriter, loc, lower, upper, step, op.getInit());
    Block *body = lowered.getBody();
    if (!body->empty())
      rewriter.eraseOp(body->getTerminator());
    // The index as the tensor<i64> the body takes.
    rewriter.setInsertionPointToStart(body);
    Value index = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getI64Type(), lowered.getInductionVar());
    Value indexTensor = tensor::FromElementsOp::create(
        rewriter, loc, op.getLower().getType(), index);
    SmallVector<Value> arguments = {indexTensor};
    llvm::append_range(arguments, lowered.getRegionIterArgs());
    rewriter.mergeBlocks(&op.getBody().front(), body, arguments);
    replaceYield(rewriter, lowered.getRegion(), [&](YieldOp yield) {
      scf::YieldOp::create(rewriter, yield.getLoc(), yield.getValues());
    });
    rewriter.replaceOp(op, lowered.getResults());
    return success();
  }
};

struct WhileLowering : OpRewritePattern<WhileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WhileOp op,
                                PatternRewriter &rewriter) const override {
    auto lowered = scf::WhileOp::create(rewriter, op.getLoc(),
                                        op.getResultTypes(), op.getInit());
    rewriter.inlineRegionBefore(op.getCondRegion(), lowered.getBefore(),
                                lowered.getBefore().end());
    rewriter.inlineRegionBefore(op.getBody(), lowered.getAfter(),
                                lowered.getAfter().end());
    replaceYield(rewriter, lowered.getBefore(), [&](YieldOp yield) {
      Value condition =
          extractScalar(rewriter, yield.getLoc(), yield.getValues()[0]);
      scf::ConditionOp::create(rewriter, yield.getLoc(), condition,
                               lowered.getBefore().front().getArguments());
    });
    replaceYield(rewriter, lowered.getAfter(), [&](YieldOp yield) {
      scf::YieldOp::create(rewriter, yield.getLoc(), yield.getValues());
    });
    rewriter.replaceOp(op, lowered.getResults());
    return success();
  }
};

} // namespace

void kiln::populateControlFlowLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<IfLowering, ForLowering, WhileLowering>(patterns.getContext());
}
