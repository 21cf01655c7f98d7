//===- NN.cpp - Lower softmax, log_softmax, layer_norm and conv -----------===//
//
// The neural-network composites become a few `linalg.generic`s: reductions
// over the normalized axes and one elementwise generic that reads the
// reduced tensors through broadcasting maps. Fusion at the Linalg stage then
// sees every piece. f16 and bf16 compute in f32 and round once at the end,
// as eager mode does. kiln.conv is a call of the runtime's kernel, with the
// add and relu that consume it as its epilogue.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Runtime/CAbi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// A `tensor.empty` of the shape of `like` with elements of `elementType`.
Value emptyLike(OpBuilder &b, Location loc, Value like, Type elementType) {
  auto type = cast<RankedTensorType>(like.getType()).clone(elementType);
  return createEmpty(b, loc, type, getSizes(b, loc, like));
}

/// An all-parallel generic writing into `init` (of the full shape), reading
/// `inputs` with `maps` and yielding `body` of their scalars followed by
/// `init`'s.
Value buildMap(OpBuilder &b, Location loc, Value init, ValueRange inputs,
               ArrayRef<AffineMap> maps, ScalarBuilder body) {
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, allMaps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        linalg::YieldOp::create(nested, loc, body(nested, loc, args));
      });
  return generic.getResult(0);
}

/// softmax and log_softmax in the stable form, over one axis:
///   m = max(x);  e = exp(x - m);  s = sum(e);
///   softmax = e * (1 / s);  log_softmax = (x - m) - log(s).
/// softmax materializes e, which the sum and the normalization both read, so
/// that exp runs once per element. 16-bit floats compute in f32 and round
/// once at the end, as eager mode does.
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    FailureOr<SmallVector<int64_t>> axes =
        normalizeAxes(rewriter, op, {op.getAxisAttr().getInt()}, type.getRank(),
                      /*emptyMeansAll=*/false);
    if (failed(axes))
      return failure();
    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    if (!isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "expects a float input");
    Type computeType = accumulatorType(elementType);
    // The max is exact in the element type; everything after it widens.
    Value max =
        buildReduction(rewriter, loc, x, {}, *axes,
                       lowestValue(rewriter, loc, elementType),
                       [](OpBuilder &b, Location loc, ValueRange args) {
                         return SmallVector<Value>{arith::MaximumFOp::create(
                             b, loc, args[0], args[1])};
                       })
            .front();
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    AffineMap reduced =
        reducedMap(rewriter.getContext(), type.getRank(), *axes);
    // x - m, in the compute type.
    auto shifted = [&](OpBuilder &b, Location loc, Value x, Value m) -> Value {
      return arith::SubFOp::create(b, loc,
                                   convertScalar(b, loc, x, computeType),
                                   convertScalar(b, loc, m, computeType));
    };
    Value zero = scalarConstant(rewriter, loc, computeType, 0);

    if constexpr (IsLog) {
      Value sum =
          buildReduction(rewriter, loc, x, max, *axes, zero,
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           Value e = math::ExpOp::create(
                               b, loc, shifted(b, loc, args[0], args[1]));
                           return SmallVector<Value>{arith::AddFOp::create(
                               b, loc, args[2], e, reassociableCombiner())};
                         })
              .front();
      Value result =
          buildMap(rewriter, loc, emptyLike(rewriter, loc, x, elementType),
                   {x, max, sum}, {identity, reduced, reduced},
                   [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                     Value y = arith::SubFOp::create(
                         b, loc, shifted(b, loc, args[0], args[1]),
                         math::LogOp::create(b, loc, args[2]));
                     return convertScalar(b, loc, y, elementType);
                   });
      rewriter.replaceOp(op, result);
      return success();
    }

    // e = exp(x - m), materialized: fusion leaves a producer with two users.
    Value e = buildMap(rewriter, loc, emptyLike(rewriter, loc, x, computeType),
                       {x, max}, {identity, reduced},
                       [&](OpBuilder &b, Location loc, ValueRange args) {
                         return Value(math::ExpOp::create(
                             b, loc, shifted(b, loc, args[0], args[1])));
                       });
    Value sum =
        buildReduction(rewriter, loc, e, {}, *axes, zero,
                       [](OpBuilder &b, Location loc, ValueRange args) {
                         return SmallVector<Value>{arith::AddFOp::create(
                             b, loc, args[1], args[0], reassociableCombiner())};
                       })
            .front();
    // e / s as e * (1 / s), as eager mode computes it: LLVM hoists the
    // reciprocal out of the row.
    auto normalize = [](OpBuilder &b, Location loc, Value e, Value s) {
      return arith::DivFOp::create(b, loc, e, s, arith::FastMathFlags::arcp);
    };
    Value result;
    if (computeType == elementType) {
      // In place: the normalization overwrites e, which it alone reads last.
      result = buildMap(rewriter, loc, e, {sum}, {reduced},
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          return Value(normalize(b, loc, args[1], args[0]));
                        });
    } else {
      result = buildMap(rewriter, loc, emptyLike(rewriter, loc, x, elementType),
                        {e, sum}, {identity, reduced},
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          return convertScalar(
                              b, loc, normalize(b, loc, args[0], args[1]),
                              elementType);
                        });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The map reading `param` broadcast (numpy rules) into `type`'s space, or
/// failure if a dynamic dim of `param` might broadcast.
FailureOr<AffineMap> paramMap(PatternRewriter &rewriter, Operation *op,
                              Value param, RankedTensorType type) {
  auto shape = cast<RankedTensorType>(param.getType()).getShape();
  int64_t offset = type.getRank() - static_cast<int64_t>(shape.size());
  SmallVector<AffineExpr> exprs;
  for (auto [j, dim] : llvm::enumerate(shape)) {
    int64_t d = offset + j;
    if (ShapedType::isDynamic(dim) && type.getDimSize(d) != 1)
      return rewriter.notifyMatchFailure(
          op, "a dynamic dimension of scale or bias might broadcast");
    exprs.push_back(dim == 1 && type.getDimSize(d) != 1
                        ? rewriter.getAffineConstantExpr(0)
                        : rewriter.getAffineDimExpr(d));
  }
  return AffineMap::get(type.getRank(), 0, exprs, rewriter.getContext());
}

/// layer_norm, two-pass (mean, then the biased variance of x - mean):
///   y = (x - mean) * rsqrt(var + eps) [* scale] [+ bias];
/// 16-bit floats compute in f32 and round once.
struct LayerNormLowering : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    FailureOr<SmallVector<int64_t>> axes =
        normalizeAxes(rewriter, op, op.getAxes(), type.getRank(),
                      /*emptyMeansAll=*/false);
    if (failed(axes))
      return failure();
    if (axes->empty())
      return rewriter.notifyMatchFailure(op, "expects at least one axis");
    SmallVector<Value> params;
    SmallVector<AffineMap> paramMaps;
    for (Value param : {op.getScale(), op.getBias()}) {
      if (!param)
        continue;
      FailureOr<AffineMap> map = paramMap(rewriter, op, param, type);
      if (failed(map))
        return failure();
      params.push_back(param);
      paramMaps.push_back(*map);
    }

    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    if (!isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "expects a float input");
    // 16-bit floats compute in f32 and round once at the end, as eager does.
    Type computeType = accumulatorType(elementType);
    auto widen = [&](OpBuilder &b, Location loc, Value v) {
      return convertScalar(b, loc, v, computeType);
    };
    Value count = reductionCount(rewriter, loc, x, *axes, computeType);
    Value zero = scalarConstant(rewriter, loc, computeType, 0);
    Value epsilon = scalarConstant(rewriter, loc, computeType,
                                   op.getEpsilonAttr().getValueAsDouble());
    Value sum =
        buildReduction(rewriter, loc, x, {}, *axes, zero,
                       [&](OpBuilder &b, Location loc, ValueRange args) {
                         return SmallVector<Value>{arith::AddFOp::create(
                             b, loc, widen(b, loc, args[0]), args[1],
                             reassociableCombiner())};
                       })
            .front();
    Value squares =
        buildReduction(
            rewriter, loc, x, sum, *axes, zero,
            [&](OpBuilder &b, Location loc, ValueRange args) {
              Value mean = arith::DivFOp::create(b, loc, args[1], count);
              Value d =
                  arith::SubFOp::create(b, loc, widen(b, loc, args[0]), mean);
              Value sq = arith::MulFOp::create(b, loc, d, d,
                                               arith::FastMathFlags::contract);
              return SmallVector<Value>{arith::AddFOp::create(
                  b, loc, args[2], sq, reassociableCombiner())};
            })
            .front();
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    AffineMap reduced =
        reducedMap(rewriter.getContext(), type.getRank(), *axes);
    SmallVector<Value> inputs = {x, sum, squares};
    inputs.append(params);
    SmallVector<AffineMap> maps = {identity, reduced, reduced};
    maps.append(paramMaps);
    bool hasScale = static_cast<bool>(op.getScale());
    bool hasBias = static_cast<bool>(op.getBias());
    Value result = buildMap(
        rewriter, loc, emptyLike(rewriter, loc, x, elementType), inputs, maps,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value mean = arith::DivFOp::create(b, loc, args[1], count);
          Value var = arith::DivFOp::create(b, loc, args[2], count);
          Value rstd = math::RsqrtOp::create(
              b, loc, arith::AddFOp::create(b, loc, var, epsilon));
          Value y = arith::MulFOp::create(
              b, loc,
              arith::SubFOp::create(b, loc, widen(b, loc, args[0]), mean),
              rstd);
          unsigned next = 3;
          if (hasScale)
            y = arith::MulFOp::create(b, loc, y, widen(b, loc, args[next++]));
          if (hasBias)
            y = arith::AddFOp::create(b, loc, y, widen(b, loc, args[next++]));
          return convertScalar(b, loc, y, elementType);
        });
    rewriter.replaceOp(op, castToType(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// Whether `op` runs on the runtime's conv kernel: static shapes, f32 or
/// f64.
bool runsOnConvKernel(ConvOp op) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  RankedTensorType resultType = op.getType();
  Type elementType = resultType.getElementType();
  return inputType.hasStaticShape() && weightType.hasStaticShape() &&
         resultType.hasStaticShape() &&
         (elementType.isF32() || elementType.isF64());
}

/// What the runtime's conv kernel applies to each tile of the result after
/// the bias, in place of the ops that consume the conv: a residual added
/// (`add(conv, r)` of r with the result's type) and a relu. `last` is the
/// last of those ops, whose result the kernel's result replaces.
struct ConvEpilogue {
  Value residual;
  AddOp add;
  ReluOp relu;
  Operation *last = nullptr;
};

/// The epilogue of `op`'s lowering: the sole user of its result if it is
/// such an add (then the add's sole user if it is a relu) or a relu.
ConvEpilogue convEpilogueOf(ConvOp op) {
  ConvEpilogue epilogue;
  epilogue.last = op;
  if (!runsOnConvKernel(op) || !op->hasOneUse())
    return epilogue;
  Operation *user = *op->getUsers().begin();
  if (auto add = dyn_cast<AddOp>(user)) {
    Value other = add.getOperand(0) == op.getResult() ? add.getOperand(1)
                                                      : add.getOperand(0);
    if (other == op.getResult() || other.getType() != op.getType() ||
        add.getType() != op.getType())
      return epilogue;
    epilogue.residual = other;
    epilogue.add = add;
    epilogue.last = add;
    if (!add->hasOneUse())
      return epilogue;
    user = *add->getUsers().begin();
  }
  if (auto relu = dyn_cast<ReluOp>(user);
      relu && relu.getType() == op.getType()) {
    epilogue.relu = relu;
    epilogue.last = relu;
  }
  return epilogue;
}

/// The weights of `op` packed for the runtime's kernel (packConvWeights,
/// flattened), when they are a constant of a conv of one group whose output
/// channels fill panels of convPanelWidth; null otherwise. The kernel then
/// runs the GEMM with the output channels as B's columns, taking the packed
/// weights as they are, instead of packing the input on every call.
Value packedConvWeights(ConvOp op, PatternRewriter &rewriter) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  Type elementType = weightType.getElementType();
  DType dtype = elementType.isF32() ? DType::F32 : DType::F64;
  ElementsAttr weights;
  if (op.getGroups() != 1 ||
      weightType.getDimSize(0) % convPanelWidth(dtype) != 0 ||
      !matchPattern(op.getWeight(), mlir::m_Constant(&weights)))
    return {};
  DenseElementsAttr packed =
      toElementsAttr(packConvWeights(toTensor(weights)), rewriter.getContext());
  return arith::ConstantOp::create(
      rewriter, op.getLoc(),
      packed.reshape(
          RankedTensorType::get({packed.getNumElements()}, elementType)));
}

/// kiln.conv, static shapes, f32 or f64: a call of the runtime's kernel,
/// kiln_rt_conv_<type>, the one eager mode runs (runtime/ConvGemm.cpp: an
/// implicit GEMM that packs the GEMM's panels straight from the input, or
/// for a depthwise conv the taps added up along lines of the output). It
/// adds the bias, then the residual and the relu of the ops that consume the
/// conv (convEpilogueOf), which the call replaces: a ResNet block's
/// relu(conv(x) + shortcut) is one pass.
struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!runsOnConvKernel(op))
      return rewriter.notifyMatchFailure(op,
                                         "expects static shapes, f32 or f64");
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> w =
        cast<RankedTensorType>(op.getWeight().getType()).getShape();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    int64_t k = inputType.getRank() - 2;
    int64_t m = w[0], groups = op.getGroups();
    int64_t cg = inputType.getDimSize(1) / groups;
    Value bias = op.getBias();
    ConvEpilogue epilogue = convEpilogueOf(op);
    // The call goes where the last fused op is, after the residual.
    rewriter.setInsertionPoint(epilogue.last);
    // The weight as [M, C/G * K] (a constant weight folds to that shape: LLVM
    // handles one array per row much faster than one per row of each tap), the
    // bias as [M] or [0], the attributes as [groups, strides, pads_begin,
    // dilations, kernel, relu, packed]; the residual as the result's shape
    // or [0].
    // A constant weight of a conv of one group is packed instead
    // (packedConvWeights).
    Value weight = packedConvWeights(op, rewriter);
    bool packed = static_cast<bool>(weight);
    if (!packed) {
      SmallVector<ReassociationIndices> weightGroups = {{0}, {}};
      for (int64_t d = 1; d < k + 2; ++d)
        weightGroups[1].push_back(d);
      weight = tensor::CollapseShapeOp::create(
          rewriter, loc,
          RankedTensorType::get(
              {m, cg * ShapedType::getNumElements(w.drop_front(2))},
              elementType),
          op.getWeight(), weightGroups);
    }
    auto none = [&] {
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get({0}, elementType),
                                 ArrayRef<Attribute>{}));
    };
    if (!bias)
      bias = none();
    Value residual = epilogue.residual ? epilogue.residual : none();
    SmallVector<int64_t> params = {groups};
    llvm::append_range(params, op.getStrides());
    llvm::append_range(params, op.getPadsBegin());
    llvm::append_range(params, op.getDilations());
    llvm::append_range(params, w.drop_front(2));
    params.push_back(epilogue.relu ? 1 : 0);
    params.push_back(packed ? 1 : 0);
    auto paramsType = RankedTensorType::get(
        {static_cast<int64_t>(params.size())}, rewriter.getI64Type());
    Value paramsTensor = arith::ConstantOp::create(
        rewriter, loc, DenseIntElementsAttr::get(paramsType, params));
    Value result = callKernel(rewriter, op,
                              elementType.isF32() ? "kiln_rt_conv_f32"
                                                  : "kiln_rt_conv_f64",
                              resultType, op.getInput(),
                              {unrankedBuffer(rewriter, loc, op.getInput()),
                               unrankedBuffer(rewriter, loc, weight),
                               unrankedBuffer(rewriter, loc, bias)},
                              {unrankedBuffer(rewriter, loc, paramsTensor),
                               unrankedBuffer(rewriter, loc, residual)});
    rewriter.replaceOp(epilogue.last, result);
    if (epilogue.relu && epilogue.add)
      rewriter.eraseOp(epilogue.add);
    if (epilogue.last != op.getOperation())
      rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

bool kiln::lowering::fusedIntoConv(Operation *op) {
  if (!isa<AddOp, ReluOp>(op))
    return false;
  auto fuses = [&](Value v) {
    auto conv = v.getDefiningOp<ConvOp>();
    if (!conv)
      return false;
    ConvEpilogue epilogue = convEpilogueOf(conv);
    return epilogue.add == op || epilogue.relu == op;
  };
  for (Value operand : op->getOperands()) {
    if (fuses(operand))
      return true;
    if (auto add = operand.getDefiningOp<AddOp>(); add && isa<ReluOp>(op))
      if (fuses(add.getOperand(0)) || fuses(add.getOperand(1)))
        return true;
  }
  return false;
}

void kiln::populateNNLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering<SoftmaxOp, /*IsLog=*/false>,
               SoftmaxLowering<LogSoftmaxOp, /*IsLog=*/true>, LayerNormLowering,
               ConvLowering>(patterns.getContext());
}
