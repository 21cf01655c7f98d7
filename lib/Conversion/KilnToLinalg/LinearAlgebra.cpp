//===- LinearAlgebra.cpp - Lower kiln.matmul to linalg --------------------===//
//
// numpy.matmul on linalg's named ops: 1-D operands become 1xK / Kx1 matrices
// (and the unit dim is dropped from the result), a batched lhs times a
// matrix is one `linalg.matmul` on the flattened rows, and other batched
// products broadcast their batch dims and use `linalg.batch_matmul`. A rhs
// that is a transpose of its last two dims is read through a transposed
// indexing map (no copy; the runtime's GEMM packs from strided operands). The
// named ops promote mixed operand types to the accumulator type themselves:
// the result type, or f32 for f16/bf16 results (rounded once at the end, as
// eager mode does).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Conversion/DynamicDims.h"
#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

RankedTensorType withShape(Value value, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
}

/// The reassociation grouping dims [0, split] and then each later dim alone.
SmallVector<ReassociationIndices> groupLeading(int64_t split, int64_t rank) {
  SmallVector<ReassociationIndices> groups = {
      llvm::to_vector(llvm::seq<int64_t>(0, split + 1))};
  for (int64_t d = split + 1; d < rank; ++d)
    groups.push_back({d});
  return groups;
}

/// The tensor that `v` is with its last two dimensions swapped (by a
/// kiln.transpose or its lowering), if `v` is one; else null. A matmul reads
/// it through a transposed indexing map instead of a copy.
Value sourceOfLastTwoSwapped(Value v) {
  Value source;
  ArrayRef<int64_t> perm;
  if (auto transpose = v.getDefiningOp<TransposeOp>()) {
    source = transpose.getInput();
    perm = transpose.getPerm();
  } else if (auto transpose = v.getDefiningOp<linalg::TransposeOp>()) {
    source = transpose.getInput();
    perm = transpose.getPermutation();
  } else {
    return {};
  }
  int64_t rank = perm.size();
  if (rank < 2 || perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
    return {};
  for (int64_t d = 0; d + 2 < rank; ++d)
    if (perm[d] != d)
      return {};
  return source;
}

/// kiln.matmul -> linalg.matmul / linalg.batch_matmul plus reshapes.
struct MatmulLowering : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Value lhs = op.getLhs(), rhs = op.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    Type elementType = op.getType().getElementType();
    bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
    if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "expects operands of rank >= 1");

    // Shapes after 1-D operands are made matrices.
    SmallVector<int64_t> lhsShape(lhsType.getShape());
    SmallVector<int64_t> rhsShape(rhsType.getShape());
    if (lhsVector)
      lhsShape.insert(lhsShape.begin(), 1);
    if (rhsVector)
      rhsShape.push_back(1);
    ArrayRef<int64_t> lhsBatch = ArrayRef(lhsShape).drop_back(2);
    ArrayRef<int64_t> rhsBatch = ArrayRef(rhsShape).drop_back(2);
    ShapeResult batchRule =
        broadcastShapes(Shape(lhsBatch.begin(), lhsBatch.end()),
                        Shape(rhsBatch.begin(), rhsBatch.end()));
    if (!batchRule)
      return rewriter.notifyMatchFailure(op, batchRule.error());
    SmallVector<int64_t> batch(batchRule->begin(), batchRule->end());
    bool flattenRows = rhsBatch.empty() && !lhsBatch.empty();
    bool needsBroadcast = !flattenRows && (ArrayRef(batch) != lhsBatch ||
                                           ArrayRef(batch) != rhsBatch);
    if (needsBroadcast && (!ShapedType::isStaticShape(lhsBatch) ||
                           !ShapedType::isStaticShape(rhsBatch)))
      return rewriter.notifyMatchFailure(
          op, "broadcasting dynamic batch dimensions is not supported");
    // A dynamic size paired with another size must equal it at run time
    // (the contracted sizes; batch sizes other than a static 1, which
    // broadcasts): the host checks those that come from the arguments (the
    // op is then `kiln.checked_dims`), the others are checked here.
    Location loc = op.getLoc();
    SmallVector<SizeCheck> checks;
    if (!op->hasAttr(kCheckedDimsAttr)) {
      auto sizeOf = [&](Value v, int64_t dim) -> Value {
        return tensor::DimOp::create(rewriter, loc, v, dim);
      };
      auto mayDiffer = [](int64_t a, int64_t b) {
        return (ShapedType::isDynamic(a) || ShapedType::isDynamic(b)) &&
               a != 1 && b != 1;
      };
      int64_t lhsK = lhsShape.back(), rhsK = rhsShape[rhsShape.size() - 2];
      if (ShapedType::isDynamic(lhsK) || ShapedType::isDynamic(rhsK))
        checks.push_back({sizeOf(lhs, lhsType.getRank() - 1),
                          sizeOf(rhs, rhsVector ? 0 : rhsType.getRank() - 2),
                          "the contracted dimension"});
      int64_t common = std::min(lhsBatch.size(), rhsBatch.size());
      for (int64_t j = 1; j <= common; ++j)
        if (mayDiffer(lhsBatch[lhsBatch.size() - j],
                      rhsBatch[rhsBatch.size() - j]))
          checks.push_back(
              {sizeOf(lhs, lhsBatch.size() - j),
               sizeOf(rhs, rhsBatch.size() - j),
               "batch dimension " +
                   std::to_string(std::max(lhsBatch.size(), rhsBatch.size()) -
                                  j)});
    }
    // The result's sizes, for a result left unwritten when checked sizes
    // differ: batch sizes from the operand that is not 1 there, then M and N.
    SmallVector<OpFoldResult> resultSizes;
    if (!checks.empty()) {
      RankedTensorType resultType = op.getType();
      SmallVector<OpFoldResult> lhsOriginal = getSizes(rewriter, loc, lhs);
      SmallVector<OpFoldResult> rhsOriginal = getSizes(rewriter, loc, rhs);
      int64_t nb = batch.size();
      for (int64_t j = 0; j < nb; ++j) {
        int64_t l = j - (nb - static_cast<int64_t>(lhsBatch.size()));
        int64_t r = j - (nb - static_cast<int64_t>(rhsBatch.size()));
        if (!resultType.isDynamicDim(j))
          resultSizes.push_back(
              rewriter.getIndexAttr(resultType.getDimSize(j)));
        else if (l >= 0 && lhsBatch[l] != 1)
          resultSizes.push_back(lhsOriginal[l]);
        else
          resultSizes.push_back(rhsOriginal[r]);
      }
      if (!lhsVector)
        resultSizes.push_back(lhsOriginal[lhsOriginal.size() - 2]);
      if (!rhsVector)
        resultSizes.push_back(rhsOriginal.back());
    }

    auto build = [&]() -> Value {
      // 1-D operands -> 1xK and Kx1 matrices.
      if (lhsVector)
        lhs = tensor::ExpandShapeOp::create(
            rewriter, loc, withShape(lhs, lhsShape), lhs,
            SmallVector<ReassociationIndices>{{0, 1}});
      if (rhsVector)
        rhs = tensor::ExpandShapeOp::create(
            rewriter, loc, withShape(rhs, rhsShape), rhs,
            SmallVector<ReassociationIndices>{{0, 1}});
      SmallVector<OpFoldResult> lhsSizes = getSizes(rewriter, loc, lhs);
      SmallVector<OpFoldResult> rhsSizes = getSizes(rewriter, loc, rhs);
      OpFoldResult m = lhsSizes[lhsSizes.size() - 2], n = rhsSizes.back();
      int64_t mDim = lhsShape[lhsShape.size() - 2], nDim = rhsShape.back();
      // 16-bit floats accumulate in f32; `narrow` rounds the product once.
      Type accType = accumulatorType(elementType);
      Value zero = scalarConstant(rewriter, loc, accType, 0);
      auto zeros = [&](ArrayRef<int64_t> shape, ArrayRef<OpFoldResult> sizes) {
        return createFilled(rewriter, loc,
                            RankedTensorType::get(shape, accType), sizes, zero);
      };
      auto narrow = [&](Value product) {
        return convertElements(rewriter, loc, product, elementType);
      };

      // A rhs transposed in its last two dims is read in place (B[n, k]),
      // by linalg's transpose-B forms of the matmuls.
      Value rhsSource = rhsVector ? Value() : sourceOfLastTwoSwapped(rhs);
      bool transposedRhs = false;
      auto matmul = [&](Value a, Value init) -> Value {
        if (transposedRhs)
          return linalg::MatmulTransposeBOp::create(rewriter, loc,
                                                    ValueRange{a, rhs}, init)
              .getResult(0);
        return linalg::MatmulOp::create(rewriter, loc, ValueRange{a, rhs}, init)
            .getResult(0);
      };

      Value result;
      int64_t nb = batch.size();
      if (nb == 0) {
        // Matrix times matrix.
        Value init = zeros({mDim, nDim}, {m, n});
        if ((transposedRhs = bool(rhsSource)))
          rhs = rhsSource;
        result = narrow(matmul(lhs, init));
      } else if (flattenRows) {
        // (batch..., M, K) x (K, N): one matmul on the (batch * M) rows.
        int64_t rows = ShapedType::kDynamic;
        if (ShapedType::isStaticShape(ArrayRef(lhsShape).drop_back()))
          rows = ShapedType::getNumElements(ArrayRef(lhsShape).drop_back());
        Value flat = tensor::CollapseShapeOp::create(
            rewriter, loc, withShape(lhs, {rows, lhsShape.back()}), lhs,
            groupLeading(nb, nb + 2));
        Value rowSize = tensor::DimOp::create(rewriter, loc, flat, 0);
        Value init = zeros({rows, nDim}, {rowSize, n});
        if ((transposedRhs = bool(rhsSource)))
          rhs = rhsSource;
        Value product = narrow(matmul(flat, init));
        SmallVector<int64_t> shape(lhsShape.begin(), lhsShape.end() - 1);
        shape.push_back(nDim);
        SmallVector<OpFoldResult> sizes(lhsSizes.begin(), lhsSizes.end() - 1);
        sizes.push_back(n);
        result = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get(shape, elementType), product,
            groupLeading(nb, nb + 2), sizes);
      } else {
        // Broadcast the batch dims (static) and flatten them into one.
        auto broadcastTo = [&](Value v, ArrayRef<int64_t> shape) -> Value {
          if (cast<RankedTensorType>(v.getType()).getShape() == shape)
            return v;
          return *buildElementwise(
              rewriter, op, v, {}, withShape(v, shape),
              [](OpBuilder &, Location, ValueRange args) { return args[0]; });
        };
        SmallVector<int64_t> lhsFull(batch), rhsFull(batch);
        lhsFull.append({mDim, lhsShape.back()});
        rhsFull.append({rhsShape[rhsShape.size() - 2], nDim});
        lhs = broadcastTo(lhs, lhsFull);
        transposedRhs =
            rhsSource && ArrayRef(rhsShape).drop_back(2) == ArrayRef(batch);
        rhs = transposedRhs ? rhsSource : broadcastTo(rhs, rhsFull);
        auto flatten = [&](Value v) -> Value {
          if (nb == 1)
            return v;
          auto shape = cast<RankedTensorType>(v.getType()).getShape();
          int64_t b = ShapedType::isStaticShape(shape.drop_back(2))
                          ? ShapedType::getNumElements(shape.drop_back(2))
                          : ShapedType::kDynamic;
          return tensor::CollapseShapeOp::create(
              rewriter, loc, withShape(v, {b, shape[nb], shape[nb + 1]}), v,
              groupLeading(nb - 1, nb + 2));
        };
        Value lhs3 = flatten(lhs), rhs3 = flatten(rhs);
        auto lhs3Type = cast<RankedTensorType>(lhs3.getType());
        Value batchSize = tensor::DimOp::create(rewriter, loc, lhs3, 0);
        Value init =
            zeros({lhs3Type.getDimSize(0), mDim, nDim}, {batchSize, m, n});
        SmallVector<Value, 2> operands{lhs3, rhs3};
        result = narrow(transposedRhs ? linalg::BatchMatmulTransposeBOp::create(
                                            rewriter, loc, operands, init)
                                            .getResult(0)
                                      : linalg::BatchMatmulOp::create(
                                            rewriter, loc, operands, init)
                                            .getResult(0));
        if (nb > 1) {
          SmallVector<int64_t> shape(batch);
          shape.append({mDim, nDim});
          SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, lhs);
          sizes.back() = n;
          result = tensor::ExpandShapeOp::create(
              rewriter, loc, RankedTensorType::get(shape, elementType), result,
              groupLeading(nb - 1, nb + 2), sizes);
        }
      }

      // Drop the unit dims that stood for 1-D operands.
      if (lhsVector || rhsVector) {
        auto type = cast<RankedTensorType>(result.getType());
        int64_t rank = type.getRank();
        SmallVector<int64_t> unitDims;
        if (lhsVector)
          unitDims.push_back(rank - 2);
        if (rhsVector)
          unitDims.push_back(rank - 1);
        SmallVector<int64_t> shape;
        for (int64_t d = 0; d < rank; ++d)
          if (!llvm::is_contained(unitDims, d))
            shape.push_back(type.getDimSize(d));
        result = tensor::CollapseShapeOp::create(
            rewriter, loc, RankedTensorType::get(shape, elementType), result,
            unitDimReassociation(rank, unitDims));
      }
      return castToType(rewriter, loc, result, op.getType());
    };
    if (checks.empty()) {
      rewriter.replaceOp(op, build());
      return success();
    }
    FailureOr<Value> guarded = buildIfSizesEqual(
        rewriter, op, checks, op.getType(), resultSizes, build);
    if (failed(guarded))
      return failure();
    rewriter.replaceOp(op, *guarded);
    return success();
  }
};

} // namespace

void kiln::populateLinearAlgebraLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering>(patterns.getContext());
}
