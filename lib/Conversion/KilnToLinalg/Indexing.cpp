//===- Indexing.cpp - Lowering of argsort, scatter_nd and the random ops --===//
//
// kiln.argsort and kiln.scatter_nd become calls of the runtime's kernels
// (kiln_rt_argsort_<type>, kiln_rt_scatter_nd_<type>; runtime/CAbi.cpp), the
// ones eager mode runs: no linalg op expresses a sort, and a scatter's
// updates must apply one after another in a fixed order for repeated
// indices to give eager mode's answer. Operands are passed as unranked
// memrefs (any layout; the kernel reads the strides), the result as a fresh
// buffer the kernel fills.
//
// kiln.random_uniform and kiln.random_normal become one all-parallel
// linalg.generic computing the runtime's generator (runtime/Tensor.cpp:
// splitmix64 of the seed's key and the element's index) in i64 and f64
// arithmetic, rounded to the result type as eager mode rounds, so that the
// values are eager mode's.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Runtime/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <numbers>

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Runtime kernels
//===----------------------------------------------------------------------===//

struct ArgsortLowering : OpRewritePattern<ArgsortOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ArgsortOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    std::optional<StringRef> suffix =
        runtimeTypeSuffix(inputType.getElementType());
    auto axis = normalizeAxis(op.getAxis(), inputType.getRank());
    if (!suffix || !axis || !op->getParentOfType<ModuleOp>())
      return rewriter.notifyMatchFailure(
          op, "needs a module, a valid axis and a kiln element type");
    Location loc = op.getLoc();
    Value axisValue = arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI64Type(), *axis);
    // An i32, not an i1: a C int parameter.
    Value descending = arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI32Type(), op.getDescending() ? 1 : 0);
    rewriter.replaceOp(
        op, callKernel(rewriter, op, ("kiln_rt_argsort_" + *suffix).str(),
                       op.getType(), op.getInput(),
                       {unrankedBuffer(rewriter, loc, op.getInput())},
                       {axisValue, descending}));
    return success();
  }
};

struct ScatterNdLowering : OpRewritePattern<ScatterNdOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScatterNdOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    std::optional<StringRef> suffix = runtimeTypeSuffix(type.getElementType());
    std::optional<ScatterReduction> reduction =
        parseScatterReduction(op.getReduction().str());
    if (!suffix || !reduction || !op->getParentOfType<ModuleOp>())
      return rewriter.notifyMatchFailure(
          op, "needs a module, a known reduction and a kiln element type");
    Location loc = op.getLoc();
    // The kernel reads int64 indices.
    Value indices =
        convertElements(rewriter, loc, op.getIndices(), rewriter.getI64Type());
    Value reductionValue = arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI32Type(), static_cast<int>(*reduction));
    rewriter.replaceOp(
        op, callKernel(rewriter, op, ("kiln_rt_scatter_nd_" + *suffix).str(),
                       type, op.getInput(),
                       {reductionValue,
                        unrankedBuffer(rewriter, loc, op.getInput()),
                        unrankedBuffer(rewriter, loc, indices),
                        unrankedBuffer(rewriter, loc, op.getUpdates())},
                       {}));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

/// The runtime's generator (runtime/Tensor.cpp) in arith ops.
class Generator {
public:
  Generator(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &builder() { return b; }
  Location location() { return loc; }

  Value i64(uint64_t value) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(),
                                        static_cast<int64_t>(value));
  }
  Value f64(double value) {
    return arith::ConstantFloatOp::create(b, loc, b.getF64Type(),
                                          APFloat(value));
  }

  /// splitmix64: x += golden; two xor-shift-multiplies; a last xor-shift.
  Value splitmix64(Value x) {
    x = arith::AddIOp::create(b, loc, x, i64(0x9e3779b97f4a7c15ull));
    x = arith::MulIOp::create(b, loc, xorShift(x, 30),
                              i64(0xbf58476d1ce4e5b9ull));
    x = arith::MulIOp::create(b, loc, xorShift(x, 27),
                              i64(0x94d049bb133111ebull));
    return xorShift(x, 31);
  }

  /// The uniform double in [0, 1) of element `index` (i64) of the stream
  /// whose key is splitmix64(seed): 53 random bits.
  Value uniformAt(Value key, Value index) {
    Value bits = splitmix64(arith::XOrIOp::create(
        b, loc, key,
        arith::MulIOp::create(b, loc, index, i64(0xd1b54a32d192ed03ull))));
    Value top = arith::ShRUIOp::create(b, loc, bits, i64(11));
    Value asDouble = arith::UIToFPOp::create(b, loc, b.getF64Type(), top);
    return arith::MulFOp::create(b, loc, asDouble, f64(0x1.0p-53));
  }

  /// `value` (f64) rounded to `element` as eager mode's conversion does:
  /// through f32 for the 16-bit types.
  Value round(Value value, Type element) {
    if (element.isF64())
      return value;
    value = arith::TruncFOp::create(b, loc, b.getF32Type(), value);
    if (!element.isF32())
      value = arith::TruncFOp::create(b, loc, element, value);
    return value;
  }

private:
  Value xorShift(Value x, int64_t shift) {
    return arith::XOrIOp::create(b, loc, x,
                                 arith::ShRUIOp::create(b, loc, x, i64(shift)));
  }

  OpBuilder &b;
  Location loc;
};

/// A generic over the result computing `element(generator, key, index)`
/// (the f64 value, before rounding) for each element, from its row-major
/// index.
template <typename RandomOp>
struct RandomLowering : OpRewritePattern<RandomOp> {
  using OpRewritePattern<RandomOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(RandomOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    Location loc = op.getLoc();
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    Generator gen(rewriter, loc);
    // The seed as i64, sign-extended (eager mode's item<int64_t>()), and
    // the stream's key, once.
    Value seed =
        tensor::ExtractOp::create(rewriter, loc, op.getSeed(), ValueRange{});
    if (!seed.getType().isInteger(64))
      seed = arith::ExtSIOp::create(rewriter, loc, rewriter.getI64Type(), seed);
    Value key = gen.splitmix64(seed);
    Value empty = createEmpty(rewriter, loc, type, {});
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{empty}, maps,
        iterators, [&](OpBuilder &b, Location loc, ValueRange) {
          Generator g(b, loc);
          // The row-major index of the element.
          Value index = rank == 0
                            ? Value(arith::ConstantIndexOp::create(b, loc, 0))
                            : Value(linalg::IndexOp::create(b, loc, 0));
          for (int64_t d = 1; d < rank; ++d) {
            Value size =
                arith::ConstantIndexOp::create(b, loc, type.getDimSize(d));
            index = arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, index, size),
                linalg::IndexOp::create(b, loc, d));
          }
          Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
          linalg::YieldOp::create(b, loc, value(op, g, key, i, element));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

private:
  /// random_uniform: low + (high - low) * u, rounded; a value that rounded
  /// up to `high` becomes `low` (rounded through f32), as in eager mode.
  static Value value(RandomUniformOp op, Generator &g, Value key, Value i,
                     Type element) {
    OpBuilder &b = g.builder();
    Location loc = g.location();
    double low = op.getLowAttr().getValueAsDouble(),
           high = op.getHighAttr().getValueAsDouble();
    Value scaled = arith::AddFOp::create(
        b, loc, g.f64(low),
        arith::MulFOp::create(b, loc, g.f64(high - low), g.uniformAt(key, i)));
    Value rounded = g.round(scaled, element);
    if (!(high > low))
      return rounded;
    Value back = rounded;
    if (!element.isF64())
      back = arith::ExtFOp::create(b, loc, b.getF64Type(), rounded);
    Value reached = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE,
                                          back, g.f64(high));
    Value lowValue = g.round(g.f64(static_cast<float>(low)), element);
    return arith::SelectOp::create(b, loc, reached, lowValue, rounded);
  }

  /// random_normal: Box-Muller on the pair (2k, 2k+1) of uniforms: element
  /// i takes the cosine (i even) or the sine (i odd) of pair i / 2.
  static Value value(RandomNormalOp op, Generator &g, Value key, Value i,
                     Type element) {
    OpBuilder &b = g.builder();
    Location loc = g.location();
    double mean = op.getMeanAttr().getValueAsDouble(),
           stddev = op.getStddevAttr().getValueAsDouble();
    Value one = g.i64(1);
    Value first = arith::AndIOp::create(b, loc, i, g.i64(~uint64_t{1}));
    Value second = arith::OrIOp::create(b, loc, first, one);
    Value u1 = arith::SubFOp::create(b, loc, g.f64(1.0),
                                     g.uniformAt(key, first)); // (0, 1]
    Value u2 = g.uniformAt(key, second);
    Value r = math::SqrtOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, g.f64(-2.0),
                              math::LogOp::create(b, loc, u1)));
    Value angle =
        arith::MulFOp::create(b, loc, g.f64(2.0 * std::numbers::pi), u2);
    Value odd =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                              arith::AndIOp::create(b, loc, i, one), g.i64(0));
    Value trig =
        arith::SelectOp::create(b, loc, odd, math::SinOp::create(b, loc, angle),
                                math::CosOp::create(b, loc, angle));
    Value z = arith::MulFOp::create(b, loc, r, trig);
    Value scaled = arith::AddFOp::create(
        b, loc, g.f64(mean), arith::MulFOp::create(b, loc, g.f64(stddev), z));
    return g.round(scaled, element);
  }
};

} // namespace

void kiln::populateIndexingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ArgsortLowering, ScatterNdLowering,
               RandomLowering<RandomUniformOp>, RandomLowering<RandomNormalOp>>(
      patterns.getContext());
}
