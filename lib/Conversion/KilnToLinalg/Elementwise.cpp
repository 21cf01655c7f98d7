//===- Elementwise.cpp - Lower kiln's elementwise ops to linalg.generic ---===//
//
// Every elementwise op becomes one `linalg.generic` whose indexing maps
// express numpy broadcasting and whose body converts the operands to the
// op's compute type (type promotion) before computing one element.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Scalar computations
//===----------------------------------------------------------------------===//

/// Computes one element from operands already converted to the compute type.
using ComputeFn = Value (*)(OpBuilder &, Location, ValueRange);

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// Integer division rounding toward -inf; a zero divisor gives 0 and
/// `x / -1` is computed as `0 - x`, so no input can trap (no UB).
Value floorDivInt(OpBuilder &b, Location loc, Value a, Value d) {
  Value zero = constantLike(b, loc, a, 0), one = constantLike(b, loc, a, 1);
  Value minusOne = constantLike(b, loc, a, -1);
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, zero);
  Value isMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, minusOne);
  Value unsafe = arith::OrIOp::create(b, loc, isZero, isMinusOne);
  Value safe = arith::SelectOp::create(b, loc, unsafe, one, d);
  Value q = arith::DivSIOp::create(b, loc, a, safe);
  Value r = arith::RemSIOp::create(b, loc, a, safe);
  // Truncation rounded toward zero: step down when the remainder is non-zero
  // and its sign differs from the divisor's.
  Value rNonZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
  Value rNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
  Value dNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, safe, zero);
  Value adjust = arith::AndIOp::create(
      b, loc, rNonZero, arith::XOrIOp::create(b, loc, rNeg, dNeg));
  q = arith::SubIOp::create(
      b, loc, q, arith::ExtUIOp::create(b, loc, a.getType(), adjust));
  Value negated = arith::SubIOp::create(b, loc, zero, a);
  q = arith::SelectOp::create(b, loc, isMinusOne, negated, q);
  return arith::SelectOp::create(b, loc, isZero, zero, q);
}

/// Integer power by squaring over the exponent's bits. Negative exponents
/// give 1 for base 1, +-1 for base -1 and 0 otherwise (never a trap).
///
/// The loop runs over the exponent's significant bits only, a trip count
/// known at run time: with the constant bit-width count, LLVM 22 unrolls the
/// loop fully and its loop vectorizer then never finishes (an exponential
/// walk over the unrolled chain of squarings) on an elementwise loop of 32
/// elements.
Value intPow(OpBuilder &b, Location loc, Value base, Value exponent) {
  Type type = base.getType();
  Value zero = constantLike(b, loc, base, 0),
        one = constantLike(b, loc, base, 1);
  Value minusOne = constantLike(b, loc, base, -1);
  Value e = arith::MaxSIOp::create(b, loc, exponent, zero);
  Value bits = arith::SubIOp::create(
      b, loc,
      constantLike(b, loc, base,
                   static_cast<int64_t>(type.getIntOrFloatBitWidth())),
      math::CountLeadingZerosOp::create(b, loc, e));
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::IndexCastOp::create(b, loc, b.getIndexType(), bits);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{one, base, e},
      [&](OpBuilder &b, Location loc, Value, ValueRange iter) {
        Value bit = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ne,
            arith::AndIOp::create(b, loc, iter[2], one), zero);
        Value product = arith::MulIOp::create(b, loc, iter[0], iter[1]);
        Value r = arith::SelectOp::create(b, loc, bit, product, iter[0]);
        Value x = arith::MulIOp::create(b, loc, iter[1], iter[1]);
        Value next = arith::ShRUIOp::create(b, loc, iter[2], one);
        scf::YieldOp::create(b, loc, ValueRange{r, x, next});
      });
  Value isNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, exponent, zero);
  Value odd =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                            arith::AndIOp::create(b, loc, exponent, one), zero);
  Value baseIsOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, one);
  Value baseIsMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, minusOne);
  Value minusOnePow = arith::SelectOp::create(b, loc, odd, minusOne, one);
  Value negativeResult = arith::SelectOp::create(
      b, loc, baseIsOne, one,
      arith::SelectOp::create(b, loc, baseIsMinusOne, minusOnePow, zero));
  return arith::SelectOp::create(b, loc, isNegative, negativeResult,
                                 loop.getResult(0));
}

/// `lhs <pred> rhs`: ordered float predicates except `!=` (unordered, so NaN
/// != NaN as in numpy), signed integers, unsigned bools (true > false).
Value compare(OpBuilder &b, Location loc, ValueRange args,
              arith::CmpFPredicate fp, arith::CmpIPredicate sp,
              arith::CmpIPredicate up) {
  if (isFloat(args[0]))
    return arith::CmpFOp::create(b, loc, fp, args[0], args[1]);
  bool isBool = args[0].getType().isInteger(1);
  return arith::CmpIOp::create(b, loc, isBool ? up : sp, args[0], args[1]);
}

#define KILN_COMPARE(name, f, s, u)                                            \
  Value name(OpBuilder &b, Location loc, ValueRange args) {                    \
    return compare(b, loc, args, arith::CmpFPredicate::f,                      \
                   arith::CmpIPredicate::s, arith::CmpIPredicate::u);          \
  }
KILN_COMPARE(computeEq, OEQ, eq, eq)
KILN_COMPARE(computeNe, UNE, ne, ne)
KILN_COMPARE(computeLt, OLT, slt, ult)
KILN_COMPARE(computeLe, OLE, sle, ule)
KILN_COMPARE(computeGt, OGT, sgt, ugt)
KILN_COMPARE(computeGe, OGE, sge, uge)
#undef KILN_COMPARE

/// A float op or an integer op, chosen by the compute type.
template <typename FloatOp, typename IntOp>
Value computeBinary(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return FloatOp::create(b, loc, args[0], args[1]);
  return IntOp::create(b, loc, args[0], args[1]);
}

/// x << y or x >> y (arithmetic), with an amount outside [0, bits) giving
/// 0 or the sign's fill, as eager mode (LLVM's shifts are poison there).
template <bool Left>
Value computeShift(OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0], y = args[1];
  Type type = x.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value zero = scalarConstant(b, loc, type, 0);
  // y < 0 or y >= width in one unsigned comparison.
  Value outside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, y,
                                        scalarConstant(b, loc, type, width));
  Value amount = arith::SelectOp::create(b, loc, outside, zero, y);
  if constexpr (Left)
    return arith::SelectOp::create(b, loc, outside, zero,
                                   arith::ShLIOp::create(b, loc, x, amount));
  Value fill = arith::ShRSIOp::create(b, loc, x,
                                      scalarConstant(b, loc, type, width - 1));
  return arith::SelectOp::create(b, loc, outside, fill,
                                 arith::ShRSIOp::create(b, loc, x, amount));
}

/// ~x (an xor with all ones; logical not for i1).
Value computeBitwiseNot(OpBuilder &b, Location loc, ValueRange args) {
  Value ones = arith::ConstantIntOp::create(
      b, loc, args[0].getType(),
      APInt::getAllOnes(args[0].getType().getIntOrFloatBitWidth()));
  return arith::XOrIOp::create(b, loc, args[0], ones);
}

template <typename MathOp>
Value computeUnaryMath(OpBuilder &b, Location loc, ValueRange args) {
  return MathOp::create(b, loc, args[0]);
}

Value computeDiv(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::DivFOp::create(b, loc, args[0], args[1]);
  return floorDivInt(b, loc, args[0], args[1]);
}

Value computePow(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return math::PowFOp::create(b, loc, args[0], args[1]);
  return intPow(b, loc, args[0], args[1]);
}

Value computeNeg(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::NegFOp::create(b, loc, args[0]);
  return arith::SubIOp::create(b, loc, constantLike(b, loc, args[0], 0),
                               args[0]);
}

Value computeAbs(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return math::AbsFOp::create(b, loc, args[0]);
  return math::AbsIOp::create(b, loc, args[0]);
}

/// max(x, 0); NaN stays NaN (maximumf propagates it).
Value computeRelu(OpBuilder &b, Location loc, ValueRange args) {
  Value zero = constantLike(b, loc, args[0], 0);
  if (isFloat(args[0]))
    return arith::MaximumFOp::create(b, loc, args[0], zero);
  return arith::MaxSIOp::create(b, loc, args[0], zero);
}

/// -1, 0 or 1; float zeros and NaN are returned unchanged.
Value computeSign(OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0], zero = constantLike(b, loc, x, 0);
  if (isFloat(x)) {
    Value pos =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    Value neg =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    Value r =
        arith::SelectOp::create(b, loc, neg, constantLike(b, loc, x, -1), x);
    return arith::SelectOp::create(b, loc, pos, constantLike(b, loc, x, 1), r);
  }
  Value pos = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
  return arith::SubIOp::create(
      b, loc, arith::ExtUIOp::create(b, loc, x.getType(), pos),
      arith::ExtUIOp::create(b, loc, x.getType(), neg));
}

Value computeReciprocal(OpBuilder &b, Location loc, ValueRange args) {
  return arith::DivFOp::create(b, loc, constantLike(b, loc, args[0], 1),
                               args[0]);
}

/// 1 / (1 + exp(-x)).
Value computeSigmoid(OpBuilder &b, Location loc, ValueRange args) {
  Value one = constantLike(b, loc, args[0], 1);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, args[0]));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

Value computeNot(OpBuilder &b, Location loc, ValueRange args) {
  return arith::XOrIOp::create(b, loc, args[0],
                               constantLike(b, loc, args[0], 1));
}

Value computeSelect(OpBuilder &b, Location loc, ValueRange args) {
  return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
}

/// The conversion itself happens when the generic yields the result type.
Value computeIdentity(OpBuilder &, Location, ValueRange args) {
  return args[0];
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// kiln.constant -> arith.constant with the same elements.
struct ConstantLowering : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(Attribute(op.getValue()));
    if (!value)
      return rewriter.notifyMatchFailure(op,
                                         "the value is not a typed attribute");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// kiln.<elementwise> -> linalg.generic computing `compute` per element.
template <typename OpTy> struct ElementwiseLowering : OpRewritePattern<OpTy> {
  ElementwiseLowering(MLIRContext *context, ComputeFn compute)
      : OpRewritePattern<OpTy>(context), compute(compute) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if constexpr (std::is_same_v<OpTy, AddOp> || std::is_same_v<OpTy, ReluOp>)
      if (fusedIntoConv(op))
        return rewriter.notifyMatchFailure(op, "lowered with the conv");
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    SmallVector<Type> operandTypes;
    if constexpr (std::is_same_v<OpTy, SelectOp>) {
      operandTypes = {Type(), elementType, elementType};
    } else if constexpr (!std::is_same_v<OpTy, CastOp>) {
      // Predicates compute in the operands' promoted type, the others in
      // the result's; 16-bit floats compute in f32 and the result is rounded
      // once, as eager does (an f16 `exp(-x)` inside sigmoid would overflow).
      Type computeType = elementType.isInteger(1)
                             ? promoteElementTypes(op->getOperandTypes())
                             : elementType;
      if (!computeType)
        return rewriter.notifyMatchFailure(op, "unsupported element types");
      if (isa<FloatType>(computeType) &&
          computeType.getIntOrFloatBitWidth() < 32)
        computeType = rewriter.getF32Type();
      operandTypes.assign(op->getNumOperands(), computeType);
    }
    ScalarBuilder body = compute;
    // A cast that reads or writes uint8/uint16 (marked by
    // prepareSmallIntegers) converts as unsigned.
    bool fromUnsigned = op->hasAttr("kiln.unsigned_input"),
         toUnsigned = op->hasAttr("kiln.unsigned_result");
    auto unsignedCast = [&](OpBuilder &b, Location loc, ValueRange args) {
      return convertScalar(b, loc, args[0], elementType, fromUnsigned,
                           toUnsigned);
    };
    if (fromUnsigned || toUnsigned)
      body = unsignedCast;
    FailureOr<Value> result = buildElementwise(rewriter, op, op->getOperands(),
                                               operandTypes, resultType, body);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }

  ComputeFn compute;
};

/// kiln.stop_gradient is its input (canonicalization folds it first,
/// unless the lowering runs on a graph as written).
struct StopGradientLowering : OpRewritePattern<StopGradientOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(StopGradientOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

} // namespace

void kiln::populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConstantLowering, StopGradientLowering>(context);
  auto add = [&]<typename OpTy>(ComputeFn compute) {
    patterns.add<ElementwiseLowering<OpTy>>(context, compute);
  };
  add.operator()<CastOp>(computeIdentity);
  // Binary arithmetic.
  add.operator()<AddOp>(computeBinary<arith::AddFOp, arith::AddIOp>);
  add.operator()<SubOp>(computeBinary<arith::SubFOp, arith::SubIOp>);
  add.operator()<MulOp>(computeBinary<arith::MulFOp, arith::MulIOp>);
  add.operator()<DivOp>(computeDiv);
  add.operator()<PowOp>(computePow);
  add.operator()<MaximumOp>(computeBinary<arith::MaximumFOp, arith::MaxSIOp>);
  add.operator()<MinimumOp>(computeBinary<arith::MinimumFOp, arith::MinSIOp>);
  // Comparison, logical and select.
  add.operator()<EqOp>(computeEq);
  add.operator()<NeOp>(computeNe);
  add.operator()<LtOp>(computeLt);
  add.operator()<LeOp>(computeLe);
  add.operator()<GtOp>(computeGt);
  add.operator()<GeOp>(computeGe);
  add.operator()<AndOp>(computeBinary<arith::AndIOp, arith::AndIOp>);
  add.operator()<OrOp>(computeBinary<arith::OrIOp, arith::OrIOp>);
  add.operator()<NotOp>(computeNot);
  // Bitwise (integers, computed in i32 or i64: prepareSmallIntegers).
  add.operator()<BitwiseAndOp>(computeBinary<arith::AndIOp, arith::AndIOp>);
  add.operator()<BitwiseOrOp>(computeBinary<arith::OrIOp, arith::OrIOp>);
  add.operator()<BitwiseXorOp>(computeBinary<arith::XOrIOp, arith::XOrIOp>);
  add.operator()<BitwiseNotOp>(computeBitwiseNot);
  add.operator()<LeftShiftOp>(computeShift</*Left=*/true>);
  add.operator()<RightShiftOp>(computeShift</*Left=*/false>);
  add.operator()<SelectOp>(computeSelect);
  // Unary.
  add.operator()<NegOp>(computeNeg);
  add.operator()<AbsOp>(computeAbs);
  add.operator()<ReluOp>(computeRelu);
  add.operator()<SignOp>(computeSign);
  add.operator()<ExpOp>(computeUnaryMath<math::ExpOp>);
  add.operator()<LogOp>(computeUnaryMath<math::LogOp>);
  add.operator()<SqrtOp>(computeUnaryMath<math::SqrtOp>);
  add.operator()<RsqrtOp>(computeUnaryMath<math::RsqrtOp>);
  add.operator()<TanhOp>(computeUnaryMath<math::TanhOp>);
  add.operator()<SigmoidOp>(computeSigmoid);
  add.operator()<ErfOp>(computeUnaryMath<math::ErfOp>);
  add.operator()<SinOp>(computeUnaryMath<math::SinOp>);
  add.operator()<CosOp>(computeUnaryMath<math::CosOp>);
  add.operator()<TanOp>(computeUnaryMath<math::TanOp>);
  add.operator()<AsinOp>(computeUnaryMath<math::AsinOp>);
  add.operator()<AcosOp>(computeUnaryMath<math::AcosOp>);
  add.operator()<AtanOp>(computeUnaryMath<math::AtanOp>);
  add.operator()<SinhOp>(computeUnaryMath<math::SinhOp>);
  add.operator()<CoshOp>(computeUnaryMath<math::CoshOp>);
  add.operator()<AsinhOp>(computeUnaryMath<math::AsinhOp>);
  add.operator()<AcoshOp>(computeUnaryMath<math::AcoshOp>);
  add.operator()<AtanhOp>(computeUnaryMath<math::AtanhOp>);
  add.operator()<FloorOp>(computeUnaryMath<math::FloorOp>);
  add.operator()<CeilOp>(computeUnaryMath<math::CeilOp>);
  add.operator()<RoundOp>(computeUnaryMath<math::RoundEvenOp>);
  add.operator()<ReciprocalOp>(computeReciprocal);
}
