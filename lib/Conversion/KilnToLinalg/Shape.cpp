//===- Shape.cpp - Lower kiln's shape ops to tensor and linalg ------------===//
//
// reshape, expand_dims and squeeze become tensor reshapes; transpose becomes
// `linalg.transpose`; broadcast_to a broadcasting `linalg.generic`; concat,
// slice and pad copy with `linalg.generic`s into and out of
// `tensor.extract_slice` windows (which bufferize in place, with no call into
// a runtime library); gather a `linalg.generic` reading with `tensor.extract`
// that reports out-of-range indices to the runtime.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// `axis` in [-rank, rank) mapped to [0, rank), or a failure with the reason.
FailureOr<int64_t> normalizedAxis(PatternRewriter &rewriter, Operation *op,
                                  int64_t axis, int64_t rank) {
  RuleResult<int64_t> rule = kiln::normalizeAxis(axis, rank);
  if (!rule)
    return rewriter.notifyMatchFailure(op, rule.error());
  return *rule;
}

//===----------------------------------------------------------------------===//
// Reshapes and transposes
//===----------------------------------------------------------------------===//

/// Reshapes a static tensor with collapse/expand (through 1-D when no single
/// reassociation exists).
Value reshapeStatic(OpBuilder &b, Location loc, Value input,
                    RankedTensorType resultType) {
  auto inputType = tensorTypeOf(input);
  if (inputType.getShape() == resultType.getShape())
    return input;
  if (auto reassociation =
          getReassociationIndicesForReshape(inputType, resultType)) {
    if (inputType.getRank() > resultType.getRank())
      return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                             *reassociation);
    return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                         *reassociation);
  }
  auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                        inputType.getElementType());
  auto toFlat = [&](int64_t rank) {
    return rank == 0 ? SmallVector<ReassociationIndices>{}
                     : SmallVector<ReassociationIndices>{
                           llvm::to_vector(llvm::seq<int64_t>(0, rank))};
  };
  Value flat = input;
  if (inputType.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, input, toFlat(0));
  else if (inputType.getRank() > 1)
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, input,
                                           toFlat(inputType.getRank()));
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, flat, toFlat(0));
  if (resultType.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       toFlat(resultType.getRank()));
}

/// kiln.reshape -> collapse/expand_shape (static) or tensor.reshape with a
/// computed shape (dynamic).
struct ReshapeLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = tensorTypeOf(op.getInput());
    RankedTensorType resultType = op.getType();
    Location loc = op.getLoc();
    if (inputType.hasStaticShape() && resultType.hasStaticShape()) {
      rewriter.replaceOp(
          op, reshapeStatic(rewriter, loc, op.getInput(), resultType));
      return success();
    }
    // The one dynamic result dim (from -1) is the element count divided by
    // the product of the static ones.
    if (resultType.getNumDynamicDims() > 1)
      return rewriter.notifyMatchFailure(op,
                                         "more than one dynamic result dim");
    Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (OpFoldResult size : getSizes(rewriter, loc, op.getInput()))
      count = arith::MulIOp::create(
          rewriter, loc, count,
          getValueOrCreateConstantIndexOp(rewriter, loc, size));
    int64_t staticProduct = 1;
    for (int64_t dim : resultType.getShape())
      if (!ShapedType::isDynamic(dim))
        staticProduct *= dim;
    SmallVector<Value> dims;
    for (int64_t dim : resultType.getShape())
      dims.push_back(
          ShapedType::isDynamic(dim)
              ? Value(arith::DivUIOp::create(
                    rewriter, loc, count,
                    arith::ConstantIndexOp::create(
                        rewriter, loc, std::max<int64_t>(staticProduct, 1))))
              : Value(arith::ConstantIndexOp::create(rewriter, loc, dim)));
    Value shape = tensor::FromElementsOp::create(rewriter, loc, dims);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, resultType,
                                                   op.getInput(), shape);
    return success();
  }
};

/// kiln.transpose -> linalg.transpose into a tensor.empty.
struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> inputSizes =
        getSizes(rewriter, loc, op.getInput());
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : op.getPerm())
      sizes.push_back(inputSizes[p]);
    Value empty = createEmpty(rewriter, loc, op.getType(), sizes);
    auto transpose = linalg::TransposeOp::create(rewriter, loc, op.getInput(),
                                                 empty, op.getPermAttr());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

/// kiln.broadcast_to -> linalg.generic copying through a broadcasting map.
struct BroadcastToLowering : OpRewritePattern<BroadcastToOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastToOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<Value> result = buildElementwise(
        rewriter, op, op.getInput(), {}, op.getType(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// kiln.expand_dims -> tensor.expand_shape adding a unit dim.
struct ExpandDimsLowering : OpRewritePattern<ExpandDimsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpandDimsOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = tensorTypeOf(op.getInput());
    int64_t rank = inputType.getRank() + 1;
    FailureOr<int64_t> axis =
        normalizedAxis(rewriter, op, op.getAxisAttr().getInt(), rank);
    if (failed(axis))
      return failure();
    SmallVector<int64_t> shape(inputType.getShape());
    shape.insert(shape.begin() + *axis, 1);
    auto type = RankedTensorType::get(shape, inputType.getElementType());
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, op.getLoc(), type, op.getInput(),
        unitDimReassociation(rank, {*axis}));
    rewriter.replaceOp(
        op, castToType(rewriter, op.getLoc(), expanded, op.getType()));
    return success();
  }
};

/// kiln.squeeze -> tensor.collapse_shape removing unit dims.
struct SqueezeLowering : OpRewritePattern<SqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SqueezeOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = tensorTypeOf(op.getInput());
    FailureOr<SmallVector<int64_t>> axes =
        normalizeAxes(rewriter, op, op.getAxes(), inputType.getRank(),
                      /*emptyMeansAll=*/false);
    if (failed(axes))
      return failure();
    if (axes->empty())
      for (int64_t d = 0; d < inputType.getRank(); ++d)
        if (inputType.getDimSize(d) == 1)
          axes->push_back(d);
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < inputType.getRank(); ++d) {
      if (!llvm::is_contained(*axes, d))
        shape.push_back(inputType.getDimSize(d));
      else if (inputType.getDimSize(d) != 1)
        return rewriter.notifyMatchFailure(
            op, "squeezes dimension " + Twine(d) + ", which is not static 1");
    }
    auto type = RankedTensorType::get(shape, inputType.getElementType());
    Value collapsed = tensor::CollapseShapeOp::create(
        rewriter, op.getLoc(), type, op.getInput(),
        unitDimReassociation(inputType.getRank(), *axes));
    rewriter.replaceOp(
        op, castToType(rewriter, op.getLoc(), collapsed, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Concat, slice, pad
//===----------------------------------------------------------------------===//

/// `source` copied into `dest` (same shape) by `linalg.copy`, which
/// canonicalization keeps (an identity `linalg.generic` would be erased).
Value copyInto(OpBuilder &b, Location loc, Value source, Value dest) {
  return linalg::CopyOp::create(b, loc, source, dest).getResult(0);
}

/// `source` written into a window of `dest` by a copy into the extracted
/// window, which bufferizes in place into dest's buffer. (A plain
/// `tensor.insert_slice` of `source` bufferizes to a strided `memref.copy`,
/// which lowers to a call into MLIR's runtime library.)
Value insertByCopy(OpBuilder &b, Location loc, Value source, Value dest,
                   ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                   ArrayRef<OpFoldResult> strides) {
  // An empty source writes nothing (and an empty window has no offset).
  if (llvm::any_of(sizes, [](OpFoldResult size) {
        return getConstantIntValue(size) == 0;
      }))
    return dest;
  Value window =
      tensor::ExtractSliceOp::create(b, loc, dest, offsets, sizes, strides);
  Value copied = copyInto(b, loc, source, window);
  return tensor::InsertSliceOp::create(b, loc, copied, dest, offsets, sizes,
                                       strides);
}

/// kiln.concat -> tensor.insert_slice of each input into a tensor.empty.
struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    int64_t rank = resultType.getRank();
    FailureOr<int64_t> axis =
        normalizedAxis(rewriter, op, op.getAxisAttr().getInt(), rank);
    if (failed(axis))
      return failure();
    Location loc = op.getLoc();
    // The result's size along `axis` is the sum of the inputs' sizes.
    SmallVector<SmallVector<OpFoldResult>> inputSizes;
    for (Value input : op.getInputs())
      inputSizes.push_back(getSizes(rewriter, loc, input));
    auto add = [&](OpFoldResult a, OpFoldResult b) -> OpFoldResult {
      std::optional<int64_t> x = getConstantIntValue(a),
                             y = getConstantIntValue(b);
      if (x && y)
        return rewriter.getIndexAttr(*x + *y);
      return arith::AddIOp::create(
                 rewriter, loc,
                 getValueOrCreateConstantIndexOp(rewriter, loc, a),
                 getValueOrCreateConstantIndexOp(rewriter, loc, b))
          .getResult();
    };
    SmallVector<OpFoldResult> sizes = inputSizes.front();
    sizes[*axis] = rewriter.getIndexAttr(0);
    for (auto &s : inputSizes)
      sizes[*axis] = add(sizes[*axis], s[*axis]);
    Value result = createEmpty(rewriter, loc, resultType, sizes);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    for (auto [input, s] : llvm::zip(op.getInputs(), inputSizes)) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[*axis] = offset;
      result = insertByCopy(rewriter, loc, input, result, offsets, s, strides);
      offset = add(offset, s[*axis]);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// kiln.slice -> tensor.extract_slice with the op's start and stride.
struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "the result shape is not static");
    auto attrs = [&](ArrayRef<int64_t> values) {
      return getAsIndexOpFoldResult(rewriter.getContext(), values);
    };
    Location loc = op.getLoc();
    // An empty slice reads nothing. (Its start may be the size of the
    // dimension, which memref.subview's verifier rejects as out of bounds.)
    if (resultType.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, resultType, {}));
      return success();
    }
    // The strided window is copied out (see insertByCopy).
    Value window = tensor::ExtractSliceOp::create(
        rewriter, loc, resultType, op.getInput(), attrs(op.getStart()),
        attrs(resultType.getShape()), attrs(op.getStride()));
    Value empty = createEmpty(rewriter, loc, resultType, {});
    rewriter.replaceOp(op, copyInto(rewriter, loc, window, empty));
    return success();
  }
};

/// kiln.pad -> tensor.pad yielding the value converted to the element type.
struct PadLowering : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    Type elementType = op.getType().getElementType();
    double value = op.getValueAttr().getValueAsDouble();
    if (isa<IntegerType>(elementType) && !elementType.isInteger(1)) {
      // Float -> int truncates; values no integer of the type holds fail.
      double truncated = std::trunc(value);
      unsigned width = elementType.getIntOrFloatBitWidth();
      double limit = std::ldexp(1.0, width - 1);
      if (!std::isfinite(value) || truncated < -limit || truncated >= limit)
        return rewriter.notifyMatchFailure(
            op, "pad value " + std::to_string(value) +
                    " does not fit the element type");
      value = truncated;
    } else if (elementType.isInteger(1)) {
      value = value != 0 ? 1 : 0;
    }
    Location loc = op.getLoc();
    Value padValue = elementType.isInteger(1)
                         ? Value(arith::ConstantOp::create(
                               rewriter, loc, rewriter.getBoolAttr(value != 0)))
                         : scalarConstant(rewriter, loc, elementType, value);
    auto attrs = [&](ArrayRef<int64_t> values) {
      return getAsIndexOpFoldResult(rewriter.getContext(), values);
    };
    RankedTensorType resultType = op.getType();
    if (!resultType.hasStaticShape()) {
      rewriter.replaceOpWithNewOp<tensor::PadOp>(op, resultType, op.getInput(),
                                                 attrs(op.getLow()),
                                                 attrs(op.getHigh()), padValue);
      return success();
    }
    // A filled tensor with the input copied into its interior (see
    // insertByCopy).
    Value filled = createFilled(rewriter, loc, resultType, {}, padValue);
    int64_t rank = resultType.getRank();
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    rewriter.replaceOp(op, insertByCopy(rewriter, loc, op.getInput(), filled,
                                        attrs(op.getLow()),
                                        getSizes(rewriter, loc, op.getInput()),
                                        strides));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

/// The runtime function compiled code reports an out-of-range gather index
/// to (runtime/CAbi.cpp); the host throws after the call.
constexpr StringLiteral kReportIndexError = "kiln_rt_report_index_error";

/// The private declaration of `kiln_rt_report_index_error(i64 index, i64 axis,
/// i64 size)` in the module of `op`, created on first use.
FailureOr<func::FuncOp> declareReportIndexError(PatternRewriter &rewriter,
                                                Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(
        op, "needs an enclosing module to declare " + kReportIndexError);
  if (auto existing = module.lookupSymbol<func::FuncOp>(kReportIndexError))
    return existing;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  Type i64 = rewriter.getI64Type();
  auto declaration =
      func::FuncOp::create(rewriter, module.getLoc(), kReportIndexError,
                           rewriter.getFunctionType({i64, i64, i64}, {}));
  declaration.setPrivate();
  return declaration;
}

/// kiln.gather -> linalg.generic over the result reading the input with
/// tensor.extract. Negative indices wrap once, as in eager mode. An index
/// still outside [0, size) calls `kiln_rt_report_index_error` (the API then
/// throws the eager mode's kiln::Error) and reads a clamped element, so that
/// compiled code never reads out of bounds. Without `reportIndexErrors` (code
/// run without the runtime) the clamped element is all that happens.
struct GatherLowering : OpRewritePattern<GatherOp> {
  GatherLowering(MLIRContext *context, bool reportIndexErrors)
      : OpRewritePattern(context), reportIndexErrors(reportIndexErrors) {}

  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput(), indices = op.getIndices();
    auto inputType = tensorTypeOf(input);
    int64_t indexRank = tensorTypeOf(indices).getRank();
    FailureOr<int64_t> axis = normalizedAxis(
        rewriter, op, op.getAxisAttr().getInt(), inputType.getRank());
    if (failed(axis))
      return failure();
    // No index, nothing to read: an empty result, even from an empty axis.
    RankedTensorType resultType = op.getType();
    if (resultType.hasStaticShape() && resultType.getNumElements() == 0) {
      rewriter.replaceOp(op,
                         createEmpty(rewriter, op.getLoc(), resultType, {}));
      return success();
    }
    if (inputType.getDimSize(*axis) == 0)
      return rewriter.notifyMatchFailure(
          op, "gathers from an empty axis (every index is out of range)");
    func::FuncOp report;
    if (reportIndexErrors) {
      FailureOr<func::FuncOp> declared = declareReportIndexError(rewriter, op);
      if (failed(declared))
        return failure();
      report = *declared;
    }
    int64_t rank = resultType.getRank();
    Location loc = op.getLoc();

    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> indexSizes = getSizes(rewriter, loc, indices);
    SmallVector<OpFoldResult> sizes(inputSizes.begin(),
                                    inputSizes.begin() + *axis);
    sizes.append(indexSizes);
    sizes.append(inputSizes.begin() + *axis + 1, inputSizes.end());
    Value empty = createEmpty(rewriter, loc, resultType, sizes);
    Value axisSize =
        getValueOrCreateConstantIndexOp(rewriter, loc, inputSizes[*axis]);

    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t j = 0; j < indexRank; ++j)
      indexExprs.push_back(getAffineDimExpr(*axis + j, context));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, indexExprs, context),
        AffineMap::getMultiDimIdentityMap(rank, context)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, indices, empty, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value index =
              arith::IndexCastOp::create(b, loc, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, loc, 0);
          Value last = arith::SubIOp::create(
              b, loc, axisSize, arith::ConstantIndexOp::create(b, loc, 1));
          Value negative = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::slt, index, zero);
          Value wrapped = arith::SelectOp::create(
              b, loc, negative, arith::AddIOp::create(b, loc, index, axisSize),
              index);
          if (report) {
            // wrapped < 0 or wrapped >= size in one unsigned comparison.
            Value outOfRange = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::uge, wrapped, axisSize);
            scf::IfOp::create(
                b, loc, outOfRange, [&](OpBuilder &b, Location loc) {
                  Type i64 = b.getI64Type();
                  // The index as the user wrote it, as eager mode reports it.
                  Value arguments[] = {
                      arith::IndexCastOp::create(b, loc, i64, index),
                      arith::ConstantIntOp::create(b, loc, i64, *axis),
                      arith::IndexCastOp::create(b, loc, i64, axisSize)};
                  func::CallOp::create(b, loc, report, arguments);
                  scf::YieldOp::create(b, loc);
                });
          }
          Value clamped = arith::MinSIOp::create(
              b, loc, arith::MaxSIOp::create(b, loc, wrapped, zero), last);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < *axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, loc, d));
          coords.push_back(clamped);
          for (int64_t d = *axis + indexRank; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, loc, d));
          Value element = tensor::ExtractOp::create(b, loc, input, coords);
          linalg::YieldOp::create(b, loc, element);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

private:
  bool reportIndexErrors;
};

} // namespace

void kiln::populateShapeLoweringPatterns(RewritePatternSet &patterns,
                                         bool reportIndexErrors) {
  patterns.add<ReshapeLowering, TransposeLowering, BroadcastToLowering,
               ExpandDimsLowering, SqueezeLowering, ConcatLowering,
               SliceLowering, PadLowering>(patterns.getContext());
  patterns.add<GatherLowering>(patterns.getContext(), reportIndexErrors);
}
