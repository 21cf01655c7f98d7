//===- UnaryTest.cpp - Unary math ops and cast ----------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <functional>
#include <limits>

using namespace kiln;
using namespace ktest;

namespace {

struct MathCase {
  const char *name;
  std::function<Tensor(const Tensor &)> op;
  std::function<double(double)> ref;
  std::vector<double> inputs;
};

TEST(Unary, FloatMathEveryFloatDType) {
  std::vector<double> general = {-2.5, -1.0, -0.5, 0.0, 0.25, 1.0, 3.0};
  std::vector<double> positive = {0.25, 0.5, 1.0, 2.0, 10.0};
  std::vector<double> unit = {-1.0, -0.5, 0.0, 0.25, 1.0};
  std::vector<MathCase> cases = {
      {"exp", [](const Tensor &x) { return exp(x); },
       [](double v) { return std::exp(v); }, general},
      {"log", [](const Tensor &x) { return log(x); },
       [](double v) { return std::log(v); }, positive},
      {"sqrt", [](const Tensor &x) { return sqrt(x); },
       [](double v) { return std::sqrt(v); }, positive},
      {"rsqrt", [](const Tensor &x) { return rsqrt(x); },
       [](double v) { return 1 / std::sqrt(v); }, positive},
      {"tanh", [](const Tensor &x) { return tanh(x); },
       [](double v) { return std::tanh(v); }, general},
      {"sigmoid", [](const Tensor &x) { return sigmoid(x); },
       [](double v) { return 1 / (1 + std::exp(-v)); }, general},
      {"erf", [](const Tensor &x) { return erf(x); },
       [](double v) { return std::erf(v); }, general},
      {"sin", [](const Tensor &x) { return sin(x); },
       [](double v) { return std::sin(v); }, general},
      {"cos", [](const Tensor &x) { return cos(x); },
       [](double v) { return std::cos(v); }, general},
      {"tan", [](const Tensor &x) { return tan(x); },
       [](double v) { return std::tan(v); }, general},
      {"asin", [](const Tensor &x) { return asin(x); },
       [](double v) { return std::asin(v); }, unit},
      {"acos", [](const Tensor &x) { return acos(x); },
       [](double v) { return std::acos(v); }, unit},
      {"atan", [](const Tensor &x) { return atan(x); },
       [](double v) { return std::atan(v); }, general},
      {"sinh", [](const Tensor &x) { return sinh(x); },
       [](double v) { return std::sinh(v); }, general},
      {"cosh", [](const Tensor &x) { return cosh(x); },
       [](double v) { return std::cosh(v); }, general},
      {"asinh", [](const Tensor &x) { return asinh(x); },
       [](double v) { return std::asinh(v); }, general},
      {"acosh",
       [](const Tensor &x) { return acosh(x); },
       [](double v) { return std::acosh(v); },
       {1.0, 1.5, 2.0, 10.0}},
      {"atanh",
       [](const Tensor &x) { return atanh(x); },
       [](double v) { return std::atanh(v); },
       {-0.75, -0.5, 0.0, 0.25, 0.5}},
      {"reciprocal", [](const Tensor &x) { return reciprocal(x); },
       [](double v) { return 1 / v; }, positive},
  };
  for (const MathCase &c : cases) {
    for (DType t : floatDTypes()) {
      SCOPED_TRACE(std::string(c.name) + " " + std::string(dtypeName(t)));
      Tensor x = constant(c.inputs, {(int64_t)c.inputs.size()}, t);
      // The reference is computed on the input as stored in dtype t.
      std::vector<double> expected;
      for (double v : x.to_vector<double>())
        expected.push_back(c.ref(v));
      expectValues(c.op(x), x.shape(), t, expected, 2 * tolFor(t));
    }
    // Integers compute in float32 (1 and 2, where both are in the domain).
    if (!std::isfinite(c.ref(1)) || !std::isfinite(c.ref(2)))
      continue;
    Tensor i = constant({1, 2});
    Tensor r = c.op(i);
    EXPECT_EQ(r.dtype(), DType::F32) << c.name;
    expectValues(r, {2}, DType::F32, {c.ref(1), c.ref(2)}, 1e-6);
  }
}

TEST(Unary, ExpAccuracyOverTheFloatRange) {
  // The vectorized float32 exp against double exp, including overflow,
  // subnormal results and non-finite inputs.
  std::vector<double> xs;
  for (double v = -110; v <= 90; v += 0.37)
    xs.push_back(v);
  xs.insert(xs.end(), {88.72, 88.73, -87.3, -103.9, -104.5, INFINITY, -INFINITY,
                       NAN, 0.0});
  Tensor x = constant(xs, {(int64_t)xs.size()}, DType::F32);
  std::vector<float> got = exp(x).to_vector<float>();
  std::vector<float> in = x.to_vector<float>();
  for (size_t i = 0; i < xs.size(); ++i) {
    float want = static_cast<float>(std::exp(static_cast<double>(in[i])));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got[i]));
    } else if (std::isinf(want) || want == 0) {
      EXPECT_EQ(got[i], want) << "exp(" << in[i] << ")";
    } else {
      float ulp = std::nextafter(want, INFINITY) - want;
      EXPECT_LE(std::fabs(got[i] - want), 2 * ulp) << "exp(" << in[i] << ")";
    }
  }
}

TEST(Unary, SignPreservingOps) {
  for (DType t : numericDTypes()) {
    Tensor x = constant({-3, -1, 0, 2}, {4}, t);
    expectValues(neg(x), {4}, t, {3, 1, 0, -2});
    expectValues(abs(x), {4}, t, {3, 1, 0, 2});
    expectValues(sign(x), {4}, t, {-1, -1, 0, 1});
    expectValues(relu(x), {4}, t, {0, 0, 0, 2});
  }
  expectValues(sign(constant({NAN})), {1}, DType::F32, {NAN});
  expectValues(relu(constant({NAN})), {1}, DType::F32, {NAN});
  expectValues(abs(constant({true, false})), {2}, DType::Bool, {1, 0});
  expectError([] { neg(constant({true})); },
              "neg: bool operands are not supported (use logical_not); "
              "operand: (1) bool");
  int32_t mn = std::numeric_limits<int32_t>::min();
  expectValues(neg(constant({mn})), {1}, DType::I32, {double(mn)}); // wraps
}

TEST(Unary, Rounding) {
  std::vector<double> v = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.7, -2.7};
  for (DType t : floatDTypes()) {
    Tensor x = constant(v, {8}, t);
    expectValues(round(x), {8}, t, {-2, -2, -0, 0, 2, 2, 3, -3});
    expectValues(floor(x), {8}, t, {-3, -2, -1, 0, 1, 2, 2, -3});
    expectValues(ceil(x), {8}, t, {-2, -1, -0, 1, 2, 3, 3, -2});
  }
  expectValues(round(constant({7, -3})), {2}, DType::I32, {7, -3});
  expectValues(floor(constant({7}, {1}, DType::I64)), {1}, DType::I64, {7});
}

TEST(Unary, CastEveryPair) {
  std::vector<double> v = {0, 1, 2, 3};
  for (DType from : allDTypes())
    for (DType to : allDTypes()) {
      SCOPED_TRACE(std::string(dtypeName(from)) + " -> " +
                   std::string(dtypeName(to)));
      Tensor x = constant(isBool(from) ? std::vector<double>{0, 1, 1, 0} : v,
                          {2, 2}, from);
      std::vector<double> expected = x.to_vector<double>();
      if (isBool(to))
        for (double &e : expected)
          e = e != 0;
      expectValues(cast(x, to), {2, 2}, to, expected);
    }
}

TEST(Unary, CastEdgeCases) {
  Tensor f = constant({2.7f, -2.7f, 1e10f, -1e10f, NAN, 0.5f});
  expectValues(cast(f, DType::I32), {6}, DType::I32,
               {2, -2, 2147483647.0, -2147483648.0, 0, 0});
  expectValues(cast(f, DType::Bool), {6}, DType::Bool, {1, 1, 1, 1, 1, 1});
  expectValues(cast(constant({0.0f, -0.0f}), DType::Bool), {2}, DType::Bool,
               {0, 0});
  int64_t big = (int64_t{1} << 40) + 3;
  EXPECT_EQ(cast(constant(big), DType::I32).item<int64_t>(), 3); // wraps
  expectValues(cast(constant({70000.0f}), DType::F16), {1}, DType::F16,
               {INFINITY});
  // A strided operand.
  Tensor t = transpose(reshape(arange(6), {2, 3}));
  expectValues(cast(t, DType::F64), {3, 2}, DType::F64, {0, 3, 1, 4, 2, 5});
}

} // namespace
