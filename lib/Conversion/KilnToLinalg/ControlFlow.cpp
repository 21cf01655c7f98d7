//===- ControlFlow.cpp - kiln.if/for/while/scan to scf --------------------===//
//
// The control-flow ops become their scf counterparts on tensors, with their
// regions moved over as they are (the kiln ops inside are lowered by the
// other patterns of the same pass): scalar tensors of the condition and the
// bounds are read with tensor.extract, and kiln.for's index becomes a
// tensor<i64> again inside the body. kiln.scan is an scf.for whose body reads
// its slices with tensor.extract_slice and writes each output slice into a
// stacked tensor of the carry with tensor.insert_slice. Bufferization then
// updates loop carries in place where it can, so a slice read is a view and
// a slice written goes straight into the stacked result.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

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

/// Offsets, sizes and strides of the slice at `index` along the first
/// dimension of a tensor of `sizes`.
struct SliceAt {
  SliceAt(OpBuilder &b, Value index, ArrayRef<OpFoldResult> tensorSizes)
      : offsets(tensorSizes.size(), b.getIndexAttr(0)), sizes(tensorSizes),
        strides(tensorSizes.size(), b.getIndexAttr(1)) {
    offsets[0] = index;
    sizes[0] = b.getIndexAttr(1);
  }
  SmallVector<OpFoldResult> offsets, sizes, strides;
};

struct ScanLowering : OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    for (Type stacked : op.getStackedResults().getTypes())
      if (llvm::count_if(cast<RankedTensorType>(stacked).getShape(),
                         ShapedType::isDynamic) >
          cast<RankedTensorType>(stacked).isDynamicDim(0))
        return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
          diag << "the stacked output " << stacked
               << " has slices of dynamic size; only the number of steps "
                  "may be dynamic in compiled code";
        });
    // The number of steps, which every scanned tensor must have.
    SmallVector<OpFoldResult> firstSizes =
        getSizes(rewriter, loc, op.getXs()[0]);
    Value length =
        getValueOrCreateConstantIndexOp(rewriter, loc, firstSizes[0]);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value steps = length;
    SmallVector<SizeCheck> checks;
    for (auto [j, xs] : llvm::enumerate(op.getXs().drop_front())) {
      auto type = cast<RankedTensorType>(xs.getType());
      if (!type.isDynamicDim(0) &&
          !cast<RankedTensorType>(op.getXs()[0].getType()).isDynamicDim(0))
        continue; // the verifier compared them
      checks.push_back(
          {length, tensor::DimOp::create(rewriter, loc, xs, 0),
           "scanned tensors 0 and " + std::to_string(j + 1) + ", dimension 0"});
    }
    if (!checks.empty()) {
      // Unequal lengths are reported and the loop runs no step.
      FailureOr<Value> equal = checkSizesEqual(rewriter, op, checks);
      if (failed(equal))
        return failure();
      steps = arith::SelectOp::create(rewriter, loc, *equal, length, zero);
    }

    // The stacked outputs start unwritten; every step writes one slice.
    SmallVector<Value> iterInit(op.getInit());
    for (Type stacked : op.getStackedResults().getTypes()) {
      auto type = cast<RankedTensorType>(stacked);
      SmallVector<OpFoldResult> sizes;
      for (int64_t size : type.getShape())
        sizes.push_back(rewriter.getIndexAttr(size));
      sizes[0] = firstSizes[0];
      iterInit.push_back(createEmpty(rewriter, loc, type, sizes));
    }
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto lowered =
        scf::ForOp::create(rewriter, loc, zero, steps, one, iterInit);
    Block *body = lowered.getBody();
    if (!body->empty())
      rewriter.eraseOp(body->getTerminator());
    rewriter.setInsertionPointToStart(body);
    Value index = lowered.getInductionVar();
    size_t carryCount = op.getInit().size();
    SmallVector<Value> arguments(
        lowered.getRegionIterArgs().take_front(carryCount));
    for (Value xs : op.getXs()) {
      SliceAt slice(rewriter, index, getSizes(rewriter, loc, xs));
      auto sliceType = cast<RankedTensorType>(
          op.getBody().getArgument(arguments.size()).getType());
      arguments.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, sliceType, xs, slice.offsets, slice.sizes,
          slice.strides));
    }
    rewriter.mergeBlocks(&op.getBody().front(), body, arguments);
    replaceYield(rewriter, lowered.getRegion(), [&](YieldOp yield) {
      SmallVector<Value> next(yield.getValues().take_front(carryCount));
      for (auto [y, stacked] :
           llvm::zip(yield.getValues().drop_front(carryCount),
                     lowered.getRegionIterArgs().drop_front(carryCount))) {
        SliceAt slice(rewriter, index, getSizes(rewriter, loc, stacked));
        next.push_back(tensor::InsertSliceOp::create(
            rewriter, yield.getLoc(), y, stacked, slice.offsets, slice.sizes,
            slice.strides));
      }
      scf::YieldOp::create(rewriter, yield.getLoc(), next);
    });
    rewriter.replaceOp(op, lowered.getResults());
    return success();
  }
};

} // namespace

void kiln::populateControlFlowLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<IfLowering, ForLowering, WhileLowering, ScanLowering>(
      patterns.getContext());
}
