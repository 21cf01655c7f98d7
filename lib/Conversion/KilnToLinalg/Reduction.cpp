//===- Reduction.cpp - Lower kiln's reductions to linalg ------------------===//
//
// reduce_sum/mean/max/min/prod and argmax/argmin become `linalg.generic`s
// with reduction iterators over the reduced axes (so that elementwise
// producers can fuse into them); `keepdims` adds a `tensor.expand_shape`.
// Sums and products of f16/bf16 accumulate in f32 and round once, as eager
// mode does.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// Re-inserts the reduced dims as size-1 dims when the op keeps them, and
/// casts to the op's (possibly refined) result type.
Value finishReduction(PatternRewriter &rewriter, Location loc, Value reduced,
                      ArrayRef<int64_t> axes, bool keepdims,
                      RankedTensorType resultType, int64_t inputRank) {
  if (keepdims) {
    auto reducedType = cast<RankedTensorType>(reduced.getType());
    SmallVector<int64_t> shape;
    for (int64_t d = 0, k = 0; d < inputRank; ++d)
      shape.push_back(
          llvm::is_contained(axes, d) ? 1 : reducedType.getDimSize(k++));
    auto keptType = RankedTensorType::get(shape, reducedType.getElementType());
    reduced =
        tensor::ExpandShapeOp::create(rewriter, loc, keptType, reduced,
                                      unitDimReassociation(inputRank, axes));
  }
  return castToType(rewriter, loc, reduced, resultType);
}

enum class Combiner { Sum, Mean, Max, Min, Prod };

/// The reduction's initial value: its combiner's identity.
Value identityOf(OpBuilder &b, Location loc, Combiner combiner, Type type) {
  switch (combiner) {
  case Combiner::Sum:
  case Combiner::Mean:
    return scalarConstant(b, loc, type, 0);
  case Combiner::Prod:
    return scalarConstant(b, loc, type, 1);
  case Combiner::Max:
    return lowestValue(b, loc, type);
  case Combiner::Min:
    return highestValue(b, loc, type);
  }
  llvm_unreachable("unknown combiner");
}

/// acc <combiner> x; max and min propagate NaN. Float sums and products may
/// be reassociated: the loops then vectorize into partial results, whose
/// error bound is no worse than the sequential one's.
Value combine(OpBuilder &b, Location loc, Combiner combiner, Value x,
              Value acc) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (combiner) {
  case Combiner::Sum:
  case Combiner::Mean:
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, acc,
                                                 reassociableCombiner()))
                   : Value(arith::AddIOp::create(b, loc, x, acc));
  case Combiner::Prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, acc,
                                                 reassociableCombiner()))
                   : Value(arith::MulIOp::create(b, loc, x, acc));
  case Combiner::Max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, x, acc))
                   : Value(arith::MaxSIOp::create(b, loc, x, acc));
  case Combiner::Min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, x, acc))
                   : Value(arith::MinSIOp::create(b, loc, x, acc));
  }
  llvm_unreachable("unknown combiner");
}

/// kiln.reduce_<c> -> linalg.generic reducing `axes` (mean: then / count);
/// 16-bit float sums and products accumulate in f32 and round once.
template <typename OpTy, Combiner TheCombiner>
struct ReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    FailureOr<SmallVector<int64_t>> axes =
        normalizeAxes(rewriter, op, op.getAxes(), inputType.getRank(),
                      /*emptyMeansAll=*/true);
    if (failed(axes))
      return failure();
    Location loc = op.getLoc();
    Type elementType = inputType.getElementType();
    // Max and min are exact in any precision: only sums and products widen.
    constexpr bool widens =
        TheCombiner != Combiner::Max && TheCombiner != Combiner::Min;
    Type accType = widens ? accumulatorType(elementType) : elementType;
    Value init = identityOf(rewriter, loc, TheCombiner, accType);
    Value reduced =
        buildReduction(rewriter, loc, op.getInput(), {}, *axes, init,
                       [&](OpBuilder &b, Location loc, ValueRange args) {
                         Value x = convertScalar(b, loc, args[0], accType);
                         return SmallVector<Value>{
                             combine(b, loc, TheCombiner, x, args[1])};
                       })
            .front();
    auto reducedType = cast<RankedTensorType>(reduced.getType());
    if constexpr (TheCombiner == Combiner::Mean) {
      // mean = sum / count, one more elementwise generic on the small result
      // (which also rounds a widened sum back to the element type).
      Value count =
          reductionCount(rewriter, loc, op.getInput(), *axes, accType);
      FailureOr<Value> mean = buildElementwise(
          rewriter, op, reduced, {}, reducedType.clone(elementType),
          [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
            return arith::DivFOp::create(b, loc, args[0], count);
          });
      if (failed(mean))
        return failure();
      reduced = *mean;
    } else {
      reduced = convertElements(rewriter, loc, reduced, elementType);
    }
    rewriter.replaceOp(op, finishReduction(rewriter, loc, reduced, *axes,
                                           op.getKeepdims(), op.getType(),
                                           inputType.getRank()));
    return success();
  }
};

/// kiln.argmax/argmin -> linalg.generic carrying (best value, its index);
/// the first index wins ties and NaN counts as the extreme (numpy). The
/// update rule is order-independent, so any loop order gives that answer.
template <typename OpTy, bool IsMax>
struct ArgReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    FailureOr<SmallVector<int64_t>> axes = normalizeAxes(
        rewriter, op, {op.getAxisAttr().getInt()}, inputType.getRank(),
        /*emptyMeansAll=*/false);
    if (failed(axes))
      return failure();
    int64_t axis = axes->front();
    Location loc = op.getLoc();
    Type elementType = inputType.getElementType();
    Value initValue = IsMax ? lowestValue(rewriter, loc, elementType)
                            : highestValue(rewriter, loc, elementType);
    Value initIndex = scalarConstant(rewriter, loc, rewriter.getI64Type(), 0);
    SmallVector<Value> results = buildReduction(
        rewriter, loc, op.getInput(), {}, *axes, {initValue, initIndex},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, axis));
          Value earlier = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::slt, index, bestIndex);
          Value better, equal;
          if (isa<FloatType>(elementType)) {
            better = arith::CmpFOp::create(b, loc,
                                           IsMax ? arith::CmpFPredicate::OGT
                                                 : arith::CmpFPredicate::OLT,
                                           x, best);
            equal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                          best);
            // A NaN beats any number, and an earlier NaN a later one.
            Value xNaN =
                arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
            Value bestNumber = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::ORD, best, best);
            Value nanWins = arith::AndIOp::create(
                b, loc, xNaN,
                arith::OrIOp::create(b, loc, bestNumber, earlier));
            better = arith::OrIOp::create(b, loc, better, nanWins);
          } else {
            better = arith::CmpIOp::create(b, loc,
                                           IsMax ? arith::CmpIPredicate::sgt
                                                 : arith::CmpIPredicate::slt,
                                           x, best);
            equal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x,
                                          best);
          }
          Value tieEarlier = arith::AndIOp::create(b, loc, equal, earlier);
          Value take = arith::OrIOp::create(b, loc, better, tieEarlier);
          return SmallVector<Value>{
              arith::SelectOp::create(b, loc, take, x, best),
              arith::SelectOp::create(b, loc, take, index, bestIndex)};
        });
    rewriter.replaceOp(op, finishReduction(rewriter, loc, results[1], *axes,
                                           op.getKeepdims(), op.getType(),
                                           inputType.getRank()));
    return success();
  }
};

} // namespace

namespace {

/// kiln.cumsum -> an scf.for over the axis carrying the running sum of the
/// slabs (the input without the axis) and the result: each step adds a slab
/// to the sum (one all-parallel generic, vectorized over the slab) and
/// writes the sum before (exclusive) or after the addition. 16-bit floats
/// sum in f32 and round each element once, as eager mode does.
struct CumsumLowering : OpRewritePattern<CumsumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CumsumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType(),
         accType = accumulatorType(elementType);
    int64_t rank = type.getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, axis.error());
    int64_t a = *axis;
    SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, input);
    SmallVector<int64_t> slabShape;
    SmallVector<OpFoldResult> slabSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (d != a) {
        slabShape.push_back(type.getDimSize(d));
        slabSizes.push_back(sizes[d]);
      }
    auto slabType = [&](Type element) {
      return RankedTensorType::get(slabShape, element);
    };
    Value zero = scalarConstant(rewriter, loc, accType, 0);
    Value acc0 =
        createFilled(rewriter, loc, slabType(accType), slabSizes, zero);
    Value out0 = createEmpty(rewriter, loc, type, sizes);
    Value lower = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value count = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[a]);
    int64_t slabRank = rank - 1;
    auto identity = rewriter.getMultiDimIdentityMap(slabRank);
    SmallVector<utils::IteratorType> parallel(slabRank,
                                              utils::IteratorType::parallel);
    bool isFloat = isa<FloatType>(elementType);
    auto loop = scf::ForOp::create(
        rewriter, loc, lower, count, one, ValueRange{acc0, out0},
        [&](OpBuilder &b, Location loc, Value step, ValueRange carried) {
          Value index = step;
          if (op.getReverse()) {
            Value last = arith::SubIOp::create(b, loc, count, one);
            index = arith::SubIOp::create(b, loc, last, step);
          }
          SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
              windowSizes(sizes), strides(rank, b.getIndexAttr(1));
          offsets[a] = index;
          windowSizes[a] = b.getIndexAttr(1);
          Value slab = tensor::ExtractSliceOp::create(
              b, loc, slabType(elementType), input, offsets, windowSizes,
              strides);
          auto add = linalg::GenericOp::create(
              b, loc, TypeRange{slabType(accType)},
              ValueRange{slab, carried[0]},
              ValueRange{createEmpty(b, loc, slabType(accType), slabSizes)},
              SmallVector<AffineMap>{identity, identity, identity}, parallel,
              [&](OpBuilder &nb, Location loc, ValueRange args) {
                Value x = convertScalar(nb, loc, args[0], accType);
                Value sum =
                    isFloat ? Value(arith::AddFOp::create(nb, loc, x, args[1]))
                            : Value(arith::AddIOp::create(nb, loc, x, args[1]));
                linalg::YieldOp::create(nb, loc, sum);
              });
          Value sum = add.getResult(0);
          Value written = op.getExclusive() ? carried[0] : sum;
          if (accType != elementType) {
            auto narrow = linalg::GenericOp::create(
                b, loc, TypeRange{slabType(elementType)}, ValueRange{written},
                ValueRange{
                    createEmpty(b, loc, slabType(elementType), slabSizes)},
                SmallVector<AffineMap>{identity, identity}, parallel,
                [&](OpBuilder &nb, Location loc, ValueRange args) {
                  linalg::YieldOp::create(
                      nb, loc, convertScalar(nb, loc, args[0], elementType));
                });
            written = narrow.getResult(0);
          }
          Value out = tensor::InsertSliceOp::create(
              b, loc, written, carried[1], offsets, windowSizes, strides);
          scf::YieldOp::create(b, loc, ValueRange{sum, out});
        });
    rewriter.replaceOp(op, loop.getResult(1));
    return success();
  }
};

} // namespace

void kiln::populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<CumsumLowering>(patterns.getContext());
  patterns.add<ReduceLowering<ReduceSumOp, Combiner::Sum>,
               ReduceLowering<ReduceMeanOp, Combiner::Mean>,
               ReduceLowering<ReduceMaxOp, Combiner::Max>,
               ReduceLowering<ReduceMinOp, Combiner::Min>,
               ReduceLowering<ReduceProdOp, Combiner::Prod>,
               ArgReduceLowering<ArgmaxOp, /*IsMax=*/true>,
               ArgReduceLowering<ArgminOp, /*IsMax=*/false>>(
      patterns.getContext());
}
