//===- ElementwiseTest.cpp - e2e: elementwise ops, traced vs eager --------===//
//
// Every binary, comparison, logical and unary op and select, for every dtype
// the op takes, with broadcasting, scalar overloads and edge values (NaN,
// infinities, signed zeros, ties, integer extremes, zero divisors).
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <cmath>
#include <limits>

using namespace kiln;
using namespace kiln::e2e;

namespace {

constexpr int64_t kSize = 48;

/// A (3, kSize) and a (kSize) operand of `dtype` suited to `op`, so that
/// the (3, kSize) x (kSize) broadcast covers edge values against each other.
std::pair<Tensor, Tensor> binaryOperands(const std::string &op, DType dtype,
                                         uint64_t seed) {
  if (dtype == DType::Bool)
    return {uniform({3, kSize}, seed, 0, 1, dtype),
            uniform({kSize}, seed + 1, 0, 1, dtype)};
  if (!isFloating(dtype)) {
    double big = dtype == DType::I32
                     ? double(std::numeric_limits<int32_t>::max())
                     : 9.2e18;
    if (op == "pow")
      return {uniform({3, kSize}, seed, -6, 7, dtype),
              withEdges({-3, -2, -1, 0, 1, 2, 31, 63}, kSize, seed + 1, -3, 12,
                        dtype)};
    // Extremes (wrapping), negative operands (floor division) and zero
    // divisors.
    Tensor a = reshape(withEdges({big, -big - 1, -7, 7, -1, 0}, 3 * kSize, seed,
                                 -100, 100, dtype),
                       {3, kSize});
    Tensor b =
        withEdges({0, -1, 2, -2, 1, 3, 0, -3}, kSize, seed + 1, -9, 10, dtype);
    return {a, b};
  }
  if (op == "pow")
    return {reshape(withEdges({0, -0.0, -2, -1, 1, INFINITY, NAN, 0.5},
                              3 * kSize, seed, -3, 3, dtype),
                    {3, kSize}),
            withEdges({0, 2, 3, -1, 0.5, -2.5, INFINITY, NAN}, kSize, seed + 1,
                      -3, 3, dtype)};
  return {reshape(withEdges(floatEdges(), 3 * kSize, seed, -10, 10, dtype),
                  {3, kSize}),
          withEdges(floatEdges(), kSize, seed + 1, -10, 10, dtype)};
}

using BinaryFn = Tensor (*)(const Tensor &, const Tensor &);

struct NamedBinary {
  std::string name;
  BinaryFn fn;
};

std::vector<NamedBinary> arithmeticOps() {
  return {{"add", [](const Tensor &a, const Tensor &b) { return a + b; }},
          {"sub", [](const Tensor &a, const Tensor &b) { return a - b; }},
          {"mul", [](const Tensor &a, const Tensor &b) { return a * b; }},
          {"div", [](const Tensor &a, const Tensor &b) { return a / b; }},
          {"pow", [](const Tensor &a, const Tensor &b) { return pow(a, b); }},
          {"maximum",
           [](const Tensor &a, const Tensor &b) { return maximum(a, b); }},
          {"minimum",
           [](const Tensor &a, const Tensor &b) { return minimum(a, b); }}};
}

std::vector<NamedBinary> predicateOps() {
  return {{"eq", [](const Tensor &a, const Tensor &b) { return a == b; }},
          {"ne", [](const Tensor &a, const Tensor &b) { return a != b; }},
          {"lt", [](const Tensor &a, const Tensor &b) { return a < b; }},
          {"le", [](const Tensor &a, const Tensor &b) { return a <= b; }},
          {"gt", [](const Tensor &a, const Tensor &b) { return a > b; }},
          {"ge", [](const Tensor &a, const Tensor &b) { return a >= b; }},
          {"logical_and",
           [](const Tensor &a, const Tensor &b) { return logical_and(a, b); }},
          {"logical_or",
           [](const Tensor &a, const Tensor &b) { return logical_or(a, b); }}};
}

//===----------------------------------------------------------------------===//
// Binary arithmetic
//===----------------------------------------------------------------------===//

// + - * / min max are exact or correctly rounded on both sides (16-bit
// floats compute in f32 and round once on both sides), so they must agree
// bit for bit. pow calls the same libm powf/pow on both sides.
TEST(ElementwiseE2E, BinaryArithmeticEveryNumericDType) {
  for (const NamedBinary &op : arithmeticOps()) {
    for (DType dtype : numericDTypes()) {
      SCOPED_TRACE(op.name + " " + str(dtype));
      auto [a, b] = binaryOperands(op.name, dtype, 11);
      runThreeWays(op.fn, kExact, a, b);
    }
  }
}

TEST(ElementwiseE2E, BinaryArithmeticMixedDTypes) {
  const std::pair<DType, DType> pairs[] = {
      {DType::I32, DType::F32},  {DType::I64, DType::F64},
      {DType::I32, DType::I64},  {DType::F16, DType::F32},
      {DType::BF16, DType::F16}, {DType::Bool, DType::I32},
      {DType::Bool, DType::F32}, {DType::F32, DType::F64}};
  for (const NamedBinary &op : arithmeticOps()) {
    for (auto [lhs, rhs] : pairs) {
      SCOPED_TRACE(op.name + " " + str(lhs) + " " + str(rhs));
      Tensor a = uniform({4, 1, 6}, 21, -5, 5, lhs);
      Tensor b = uniform({3, 1}, 22, 1, 5, rhs);
      runThreeWays(op.fn, kExact, a, b);
    }
  }
}

TEST(ElementwiseE2E, IntegerDivisionByZeroAndNegativePowers) {
  Tensor a = constant({7, -7, 0, 1, -1, -1, 2, -2, 0}, {9}),
         b = constant({0, 0, 0, -3, -3, -4, -1, -2, -1}, {9});
  runThreeWays(
      [](Tensor x, Tensor y) {
        return std::vector{x / y, pow(x, y)};
      },
      kExact, a, b);
  runThreeWays(
      [](Tensor x, Tensor y) {
        return std::vector{x / y, pow(x, y)};
      },
      kExact, cast(a, DType::I64), cast(b, DType::I64));
}

//===----------------------------------------------------------------------===//
// Comparison and logical ops
//===----------------------------------------------------------------------===//

TEST(ElementwiseE2E, PredicatesEveryDType) {
  for (const NamedBinary &op : predicateOps()) {
    for (DType dtype : allDTypes()) {
      SCOPED_TRACE(op.name + " " + str(dtype));
      // Few distinct values, so that equal pairs are common.
      Tensor a = reshape(
          withEdges(isFloating(dtype) ? floatEdges() : std::vector<double>{},
                    3 * kSize, 31, -3, 3, dtype),
          {3, kSize});
      Tensor b =
          withEdges(isFloating(dtype) ? floatEdges() : std::vector<double>{},
                    kSize, 32, -3, 3, dtype);
      runThreeWays(op.fn, kExact, a, b);
    }
  }
}

TEST(ElementwiseE2E, PredicatesMixedDTypes) {
  Tensor i = uniform({5, 8}, 41, -4, 4, DType::I32);
  Tensor f = withEdges({NAN, 0.5, -0.0, 2}, 8, 42, -4, 4, DType::F32);
  Tensor l = uniform({8}, 43, -4, 4, DType::I64);
  Tensor t = uniform({5, 1}, 44, 0, 1, DType::Bool);
  for (const NamedBinary &op : predicateOps()) {
    SCOPED_TRACE(op.name);
    runThreeWays(
        [&](Tensor x, Tensor y, Tensor z, Tensor w) {
          return std::vector{op.fn(x, y), op.fn(x, z), op.fn(w, y),
                             op.fn(z, w)};
        },
        kExact, i, f, l, t);
  }
}

TEST(ElementwiseE2E, LogicalNot) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = withEdges(isFloating(dtype) ? floatEdges()
                                           : std::vector<double>{0, 1, -1},
                         kSize, 51, -2, 2, dtype);
    runThreeWays([](Tensor x) { return logical_not(x); }, kExact, x);
  }
}

//===----------------------------------------------------------------------===//
// select
//===----------------------------------------------------------------------===//

TEST(ElementwiseE2E, SelectBroadcastsAndPromotes) {
  Tensor cond = uniform({4, 1, 6}, 61, 0, 1, DType::Bool);
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor a = uniform({3, 6}, 62, -9, 9, dtype);
    Tensor b = uniform({4, 3, 1}, 63, -9, 9, dtype);
    runThreeWays([](Tensor c, Tensor x, Tensor y) { return select(c, x, y); },
                 kExact, cond, a, b);
  }
  // Conditions of any dtype are truth values (NaN is true); branches of
  // different dtypes are promoted.
  Tensor fcond = withEdges({NAN, 0, -0.0, 1}, 6, 64, -1, 1, DType::F32);
  Tensor icond = uniform({6}, 65, -1, 2, DType::I64);
  Tensor x = uniform({6}, 66, -9, 9, DType::I32);
  Tensor y = uniform({2, 6}, 67, -9, 9, DType::F16);
  runThreeWays(
      [](Tensor fc, Tensor ic, Tensor x, Tensor y) {
        return std::vector{select(fc, x, y), select(ic, y, x)};
      },
      kExact, fcond, icond, x, y);
}

//===----------------------------------------------------------------------===//
// Scalar overloads
//===----------------------------------------------------------------------===//

TEST(ElementwiseE2E, ScalarOperandsAreWeaklyTyped) {
  for (DType dtype : numericDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = withEdges(isFloating(dtype) ? floatEdges()
                                           : std::vector<double>{0, -7, 7},
                         kSize, 71, -10, 10, dtype);
    runThreeWays(
        [](Tensor x) {
          return std::vector{
              x * 2.0f,      2 + x,     x - 1,     10 / x,
              x / 3,         pow(x, 2), pow(2, x), maximum(x, 0.0f),
              minimum(1, x), x > 0.5f,  x <= 2,    x == 0,
              x != 1.5,      x * 2.5f,  x + true,  3.0 - x};
        },
        kExact, x);
  }
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

TEST(ElementwiseE2E, ExactUnaryOps) {
  for (DType dtype : numericDTypes()) {
    SCOPED_TRACE(str(dtype));
    double big = dtype == DType::I32 ? 2147483647.0 : -2147483648.0;
    Tensor x = withEdges(isFloating(dtype) ? floatEdges()
                                           : std::vector<double>{0, -1, big},
                         kSize, 81, -10, 10, dtype);
    runThreeWays(
        [](Tensor x) {
          return std::vector{-x,       abs(x),  sign(x), relu(x),
                             floor(x), ceil(x), round(x)};
        },
        kExact, x);
  }
  // abs, sign, relu, floor, ceil and round on bool.
  runThreeWays(
      [](Tensor x) {
        return std::vector{abs(x),   sign(x), relu(x),
                           floor(x), ceil(x), round(x)};
      },
      kExact, uniform({9}, 82, 0, 1, DType::Bool));
}

/// A floating-math unary op and its bound for f32 (f64 and 16-bit results
/// use `wide` and `narrow`).
struct MathOp {
  std::string name;
  Tensor (*fn)(const Tensor &);
  double lo, hi;
  Bound f32, f64, narrow;
};

std::vector<MathOp> mathOps() {
  // sqrt and reciprocal are correctly rounded on both sides. rsqrt is
  // 1 / sqrt(x) eagerly (two roundings, < 1 ulp) and math.rsqrt compiled.
  // exp, tanh, erf and log use polynomial approximations in compiled f32
  // code (ApproximateMath pass, a few ulp by upstream's tests) and a
  // Cody-Waite expf (1 ulp) or libm eagerly: 1e-6 relative is ~8 ulp of f32.
  // sigmoid = 1 / (1 + exp(-x)) inherits exp's error. sin, cos and the
  // other trigonometric and hyperbolic functions call libm on both sides. Every
  // f64 op calls libm on both sides. 16-bit floats compute in f32 and round
  // once on both sides, so an f32 difference of a few ulp can flip the final
  // 16-bit rounding: 1 ulp.
  Bound libm{1, 0, 0}, approx{0, 1e-6, 0}, narrow{1, 0, 0};
  return {
      {"exp", [](const Tensor &x) { return exp(x); }, -20, 20, approx, libm,
       narrow},
      {"log", [](const Tensor &x) { return log(x); }, 0, 100, approx, libm,
       narrow},
      {"sqrt", [](const Tensor &x) { return sqrt(x); }, 0, 100, kExact, kExact,
       kExact},
      {"rsqrt", [](const Tensor &x) { return rsqrt(x); }, 0, 100, libm, libm,
       narrow},
      {"tanh", [](const Tensor &x) { return tanh(x); }, -6, 6, approx, libm,
       narrow},
      {"sigmoid", [](const Tensor &x) { return sigmoid(x); }, -20, 20, approx,
       libm, narrow},
      {"erf", [](const Tensor &x) { return erf(x); }, -4, 4, approx, libm,
       narrow},
      {"sin", [](const Tensor &x) { return sin(x); }, -10, 10, libm, libm,
       narrow},
      {"cos", [](const Tensor &x) { return cos(x); }, -10, 10, libm, libm,
       narrow},
      {"tan", [](const Tensor &x) { return tan(x); }, -1.5, 1.5, libm, libm,
       narrow},
      {"asin", [](const Tensor &x) { return asin(x); }, -1, 1, libm, libm,
       narrow},
      {"acos", [](const Tensor &x) { return acos(x); }, -1, 1, libm, libm,
       narrow},
      {"atan", [](const Tensor &x) { return atan(x); }, -10, 10, libm, libm,
       narrow},
      {"sinh", [](const Tensor &x) { return sinh(x); }, -10, 10, libm, libm,
       narrow},
      {"cosh", [](const Tensor &x) { return cosh(x); }, -10, 10, libm, libm,
       narrow},
      {"asinh", [](const Tensor &x) { return asinh(x); }, -10, 10, libm, libm,
       narrow},
      {"acosh", [](const Tensor &x) { return acosh(x); }, 1, 10, libm, libm,
       narrow},
      {"atanh", [](const Tensor &x) { return atanh(x); }, -1, 1, libm, libm,
       narrow},
      {"reciprocal", [](const Tensor &x) { return reciprocal(x); }, -10, 10,
       kExact, kExact, kExact},
  };
}

TEST(ElementwiseE2E, FloatingMathOps) {
  for (const MathOp &op : mathOps()) {
    for (DType dtype : allDTypes()) {
      SCOPED_TRACE(op.name + " " + str(dtype));
      Bound bound = dtype == DType::F64                           ? op.f64
                    : dtype == DType::F16 || dtype == DType::BF16 ? op.narrow
                                                                  : op.f32;
      std::vector<double> edges;
      if (isFloating(dtype))
        edges = floatEdges();
      Tensor x = withEdges(edges, 256, 91, op.lo, op.hi, dtype);
      runThreeWays(op.fn, bound, x);
    }
  }
}

} // namespace
