//===- KilnFold.cpp - Folders and canonicalization of kiln ops ------------===//
//
// Algebraic folds (`x + 0`, `x * 1`, `x - x`, `x * 0`), removal of no-op
// shape ops and casts, and the canonicalization patterns that merge chains of
// shape ops. Constant folding of elementwise ops on constant operands lives in
// ConstantFold.cpp.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace kiln;

namespace {

/// True if `attr` is a splat of integer `value` (for integer tensors only).
bool isIntegerSplat(Attribute attr, int64_t value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat || !isa<IntegerType>(splat.getElementType()) ||
      splat.getElementType().isInteger(1))
    return false;
  return splat.getSplatValue<APInt>().getSExtValue() == value;
}

/// True if `attr` is a splat of floating-point `value`.
bool isFloatSplat(Attribute attr, double value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat || !isa<FloatType>(splat.getElementType()))
    return false;
  return splat.getSplatValue<APFloat>().convertToDouble() == value;
}

/// `value` itself when it already has the op's result type: a fold may only
/// drop an op that neither broadcasts nor promotes.
OpFoldResult sameTypeOrNull(Value value, Type resultType) {
  return value.getType() == resultType ? OpFoldResult(value) : OpFoldResult();
}

/// True if the op computes in an integer element type: the algebraic identities
/// below hold exactly for integers only (an integer constant operand may still
/// be promoted to a float result).
bool hasIntegerResult(Type resultType) {
  return isa<IntegerType>(getElementTypeOrSelf(resultType));
}

/// True if `type` is static and equal to `input`'s type: a shape op whose
/// result type only matches its input's because both are dynamic may still
/// change the shape at run time.
bool isStaticAndSame(Value input, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && input.getType() == type;
}

bool isIdentityPermutation(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (p != static_cast<int64_t>(i))
      return false;
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor adaptor) { return getValue(); }

// Gradients are built when a graph is traced or differentiated, before
// canonicalization; after that the barrier is the identity.
OpFoldResult StopGradientOp::fold(FoldAdaptor adaptor) { return getInput(); }

// cast(x : T -> T) -> x
OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  return sameTypeOrNull(getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Algebraic folds
//===----------------------------------------------------------------------===//

// x + 0 -> x, for integers (for floats, -0.0 + 0.0 is +0.0)
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (hasIntegerResult(getType()) && isIntegerSplat(adaptor.getRhs(), 0))
    return sameTypeOrNull(getLhs(), getType());
  return {};
}

// x - x -> 0, for integers (for floats, inf - inf is NaN)
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (getLhs() != getRhs() || !getType().hasStaticShape())
    return {};
  auto elementType = dyn_cast<IntegerType>(getType().getElementType());
  if (!elementType)
    return {};
  return DenseElementsAttr::get(getType(), IntegerAttr::get(elementType, 0));
}

// x * 1 -> x (exact for floats too); x * 0 -> 0, for integers
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  Attribute rhs = adaptor.getRhs();
  if (isIntegerSplat(rhs, 1) || isFloatSplat(rhs, 1.0))
    return sameTypeOrNull(getLhs(), getType());
  if (hasIntegerResult(getType()) && isIntegerSplat(rhs, 0) &&
      getType().hasStaticShape())
    return DenseElementsAttr::get(
        getType(), IntegerAttr::get(getType().getElementType(), 0));
  return {};
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

// reshape(x : T -> T) -> x for a static T; reshape(constant) -> constant
OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (isStaticAndSame(getInput(), getType()))
    return getInput();
  auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput());
  if (dense && getType().hasStaticShape())
    return dense.reshape(getType());
  return {};
}

namespace {
// reshape(reshape(x)) -> reshape(x)
struct MergeReshapes final : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(producer.getInput()); });
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<MergeReshapes>(context);
}

// transpose(x, identity) -> x
OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (isIdentityPermutation(getPerm()))
    return sameTypeOrNull(getInput(), getType());
  return {};
}

namespace {
// transpose(transpose(x, p), q) -> transpose(x, p∘q), which then folds to x
// when the composition is the identity
struct MergeTransposes final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<TransposeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    // Result dim i is op input dim q[i], which is producer input dim p[q[i]].
    ArrayRef<int64_t> p = producer.getPerm(), q = op.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t i : q)
      composed.push_back(p[i]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(),
                                             producer.getInput(), composed);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<MergeTransposes>(context);
}

// broadcast_to(x : T -> T) -> x for a static T; broadcast_to(splat) -> splat
OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (isStaticAndSame(getInput(), getType()))
    return getInput();
  auto splat = dyn_cast_if_present<SplatElementsAttr>(adaptor.getInput());
  if (splat && getType().hasStaticShape())
    return splat.resizeSplat(getType());
  return {};
}

namespace {
// broadcast_to(broadcast_to(x, s1), s2) -> broadcast_to(x, s2)
struct MergeBroadcasts final : OpRewritePattern<BroadcastToOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastToOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<BroadcastToOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a broadcast_to");
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(producer.getInput()); });
    return success();
  }
};
} // namespace

void BroadcastToOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *context) {
  patterns.add<MergeBroadcasts>(context);
}

// slice(x) that takes every element of a static x -> x
OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (!isStaticAndSame(getInput(), getType()))
    return {};
  for (int64_t start : getStart())
    if (start != 0)
      return {};
  for (int64_t stride : getStride())
    if (stride != 1)
      return {};
  return getInput();
}

// pad(x) with no padding -> x
OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  for (int64_t pad : llvm::concat<const int64_t>(getLow(), getHigh()))
    if (pad != 0)
      return {};
  return sameTypeOrNull(getInput(), getType());
}
