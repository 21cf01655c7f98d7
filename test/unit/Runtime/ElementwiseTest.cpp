//===- ElementwiseTest.cpp - Binary ops, comparisons, logic, select -------===//

#include "TestUtil.h"

#include <cmath>
#include <functional>
#include <limits>

using namespace kiln;
using namespace ktest;

namespace {

/// Reference: applies `f` to every broadcast pair of a (2, 3) and a (3)
/// operand, in double.
std::vector<double> reference(const std::vector<double> &a,
                              const std::vector<double> &b,
                              const std::function<double(double, double)> &f) {
  std::vector<double> out;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      out.push_back(f(a[i * 3 + j], b[j]));
  return out;
}

TEST(Elementwise, ArithmeticEveryNumericDType) {
  std::vector<double> av = {1, -2, 3, 4, 5, -6}, bv = {2, 4, -1};
  for (DType t : numericDTypes()) {
    Tensor a = constant(av, {2, 3}, t), b = constant(bv, {3}, t);
    double tol = tolFor(t);
    expectValues(add(a, b), {2, 3}, t,
                 reference(av, bv, [](double x, double y) { return x + y; }),
                 tol);
    expectValues(sub(a, b), {2, 3}, t,
                 reference(av, bv, [](double x, double y) { return x - y; }),
                 tol);
    expectValues(mul(a, b), {2, 3}, t,
                 reference(av, bv, [](double x, double y) { return x * y; }),
                 tol);
    bool isInt = isInteger(t);
    expectValues(div(a, b), {2, 3}, t,
                 reference(av, bv,
                           [&](double x, double y) {
                             return isInt ? std::floor(x / y) : x / y;
                           }),
                 tol);
    expectValues(
        maximum(a, b), {2, 3}, t,
        reference(av, bv, [](double x, double y) { return std::max(x, y); }));
    expectValues(
        minimum(a, b), {2, 3}, t,
        reference(av, bv, [](double x, double y) { return std::min(x, y); }));
    Tensor e = constant({2, 3, 0}, {3}, t);
    expectValues(pow(a, e), {2, 3}, t,
                 reference(av, {2, 3, 0},
                           [](double x, double y) { return std::pow(x, y); }),
                 tol);
  }
}

TEST(Elementwise, IntegerDivisionIsFloorDivision) {
  Tensor a = constant({7, -7, 7, -7, 0}), b = constant({2, 2, -2, -2, 3});
  expectValues(div(a, b), {5}, DType::I32, {3, -4, -4, 3, 0});
  expectValues(a / 2, {5}, DType::I32, {3, -4, 3, -4, 0});
  // INT_MIN / -1 wraps instead of trapping.
  Tensor m = constant({std::numeric_limits<int32_t>::min()});
  expectValues(div(m, constant({-1})), {1}, DType::I32,
               {double(std::numeric_limits<int32_t>::min())});
  // Integer division by zero gives 0, as compiled code does (kiln.div).
  expectValues(div(a, constant({1, 0, 1, 1, 1})), {5}, DType::I32,
               {7, 0, 7, -7, 0});
  expectValues(div(constant({int64_t{5}}), constant({int64_t{0}})), {1},
               DType::I64, {0});
  // A negative integer exponent gives the truncated real power (kiln.pow).
  expectValues(
      pow(constant({1, -1, -1, 2, -2, 0}), constant({-3, -3, -2, -1, -1, -1})),
      {6}, DType::I32, {1, -1, 1, 0, 0, 0});
  // Floats follow IEEE.
  Tensor z = div(constant({1.0f, -1.0f, 0.0f}), constant({0.0f, 0.0f, 0.0f}));
  expectValues(z, {3}, DType::F32, {INFINITY, -INFINITY, NAN});
}

TEST(Elementwise, IntegerOverflowWraps) {
  int32_t big = std::numeric_limits<int32_t>::max();
  expectValues(add(constant({big}), constant({1})), {1}, DType::I32,
               {double(std::numeric_limits<int32_t>::min())});
  expectValues(pow(constant({2}), constant({31})), {1}, DType::I32,
               {double(std::numeric_limits<int32_t>::min())});
}

TEST(Elementwise, Promotion) {
  Tensor i32 = constant({1, 2}), f32 = constant({0.5f, 0.25f});
  Tensor i64 = constant({1, 2}, {2}, DType::I64);
  Tensor f16 = constant({1, 2}, {2}, DType::F16);
  Tensor bf16 = constant({1, 2}, {2}, DType::BF16);
  Tensor f64 = constant({1, 2}, {2}, DType::F64);
  Tensor b = constant({true, false});
  EXPECT_EQ((i32 + f32).dtype(), DType::F32);
  EXPECT_EQ((i32 + i64).dtype(), DType::I64);
  EXPECT_EQ((f16 + bf16).dtype(), DType::F32);
  EXPECT_EQ((f16 + i64).dtype(), DType::F16);
  EXPECT_EQ((f32 + f64).dtype(), DType::F64);
  EXPECT_EQ((b + i32).dtype(), DType::I32);
  expectValues(i32 + f32, {2}, DType::F32, {1.5, 2.25});
  expectValues(b + i32, {2}, DType::I32, {2, 2});
  expectValues(f16 + bf16, {2}, DType::F32, {2, 4});
}

TEST(Elementwise, WeakScalars) {
  Tensor f32 = constant({1.0f, 2.0f}), i32 = constant({1, 2});
  Tensor f16 = constant({1, 2}, {2}, DType::F16);
  Tensor i64 = constant({1, 2}, {2}, DType::I64);
  expectValues(f32 * 2.0, {2}, DType::F32, {2, 4});
  expectValues(2 + f32, {2}, DType::F32, {3, 4});
  expectValues(i32 * 2, {2}, DType::I32, {2, 4});
  expectValues(i32 * 2.5f, {2}, DType::F32, {2.5, 5});
  expectValues(i64 * 3, {2}, DType::I64, {3, 6});
  expectValues(f16 * 2.0, {2}, DType::F16, {2, 4});
  expectValues(1.0 - i32, {2}, DType::F32, {0, -1});
  expectValues(10 / i32, {2}, DType::I32, {10, 5});
  expectValues(constant({true, false}) + 1, {2}, DType::I32, {2, 1});
  expectValues(maximum(constant({-1.0f, 3.0f}), 0), {2}, DType::F32, {0, 3});
  expectValues(pow(2, i32), {2}, DType::I32, {2, 4});
  expectValues(-f32, {2}, DType::F32, {-1, -2});
}

TEST(Elementwise, ComparisonsAreElementwise) {
  Tensor a = constant({1, 2, 3}), b = constant({3, 2, 1});
  expectValues(a == b, {3}, DType::Bool, {0, 1, 0});
  expectValues(a != b, {3}, DType::Bool, {1, 0, 1});
  expectValues(a < b, {3}, DType::Bool, {1, 0, 0});
  expectValues(a <= b, {3}, DType::Bool, {1, 1, 0});
  expectValues(a > b, {3}, DType::Bool, {0, 0, 1});
  expectValues(a >= b, {3}, DType::Bool, {0, 1, 1});
  expectValues(a == 2, {3}, DType::Bool, {0, 1, 0});
  expectValues(2.5 < a, {3}, DType::Bool, {0, 0, 1}); // compared in float
  expectValues(eq(constant({NAN, 1.0f}), constant({NAN, 1.0f})), {2},
               DType::Bool, {0, 1});
  for (DType t : allDTypes()) {
    Tensor x = constant({0, 1}, {2}, t), y = constant({1, 1}, {2}, t);
    expectValues(lt(x, y), {2}, DType::Bool, {1, 0});
    expectValues(ge(x, y), {2}, DType::Bool, {0, 1});
    expectValues(eq(x, y), {2}, DType::Bool, {0, 1});
  }
}

TEST(Elementwise, NanPropagatesThroughMaxMin) {
  Tensor a = constant({NAN, 1.0f, 2.0f}), b = constant({1.0f, NAN, 1.0f});
  expectValues(maximum(a, b), {3}, DType::F32, {NAN, NAN, 2});
  expectValues(minimum(a, b), {3}, DType::F32, {NAN, NAN, 1});
}

TEST(Elementwise, BoolOps) {
  Tensor t = constant({true, true, false, false});
  Tensor f = constant({true, false, true, false});
  expectValues(logical_and(t, f), {4}, DType::Bool, {1, 0, 0, 0});
  expectValues(logical_or(t, f), {4}, DType::Bool, {1, 1, 1, 0});
  expectValues(logical_not(t), {4}, DType::Bool, {0, 0, 1, 1});
  // Other dtypes are read as truth values.
  expectValues(logical_and(constant({2, 0}), constant({0.5f, 3.0f})), {2},
               DType::Bool, {1, 0});
  expectValues(logical_not(constant({0.0, 2.0})), {2}, DType::Bool, {1, 0});
  expectValues(maximum(t, f), {4}, DType::Bool, {1, 1, 1, 0});
  expectValues(minimum(t, f), {4}, DType::Bool, {1, 0, 0, 0});
  expectError([&] { add(t, f); },
              "add: bool operands are not supported (cast them to a numeric "
              "dtype); operands: (4) bool, (4) bool");
  expectError([&] { t * true; }, "mul: bool operands are not supported");
}

TEST(Elementwise, Select) {
  Tensor c = constant({true, false, true});
  expectValues(select(c, constant({1, 2, 3}), constant({10, 20, 30})), {3},
               DType::I32, {1, 20, 3});
  // Broadcasting of all three and promotion of a, b.
  Tensor cond = constant({true, false}, {2, 1});
  Tensor r = select(cond, constant({1.5f, 2.5f, 3.5f}), constant(0));
  expectValues(r, {2, 3}, DType::F32, {1.5, 2.5, 3.5, 0, 0, 0});
  expectValues(select(constant({0, 5}), constant({1, 1}), constant({2, 2})),
               {2}, DType::I32, {2, 1});
  expectError(
      [] {
        select(constant({true, false}), zeros({3}), zeros({3}));
      },
      "select: shapes (2), (3) and (3) are not broadcastable (bool, float32, "
      "float32)");
}

TEST(Elementwise, BroadcastingAndStridedOperands) {
  Tensor col = reshape(arange(3), {3, 1}), row = arange(4);
  Tensor s = col * 10 + row;
  expectValues(s, {3, 4}, DType::I32,
               {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  // A transposed (strided) operand against a contiguous one.
  Tensor t = transpose(s);
  Tensor u = t - reshape(arange(12), {4, 3});
  std::vector<double> expected;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      expected.push_back((j * 10 + i) - (i * 3 + j));
  expectValues(u, {4, 3}, DType::I32, expected);
  // Scalars and empty shapes.
  expectValues(constant(2.0f) * constant({1.0f, 2.0f}), {2}, DType::F32,
               {2, 4});
  expectValues(zeros({0, 3}) + ones({3}), {0, 3}, DType::F32, {});
  // A large operand runs on several threads.
  Tensor big = reshape(arange(300000.0, 0.0, -1.0, DType::F64), {600, 500});
  Tensor copy = transpose(big).contiguous(); // (500, 600)
  EXPECT_TRUE(all_equal(big + transpose(copy), big * 2));
}

TEST(Elementwise, Errors) {
  Tensor a = zeros({3, 4}), b = zeros({5});
  expectErrorExactly([&] { add(a, b); },
                     "add: shapes (3, 4) and (5) are not broadcastable "
                     "(float32, float32)");
  expectErrorExactly(
      [&] {
        a *constant({1, 2});
      },
      "mul: shapes (3, 4) and (2) are not broadcastable "
      "(float32, int32)");
  expectError([&] { eq(a, b); }, "eq: shapes (3, 4) and (5)");
  expectError([&] { logical_or(a, b); }, "logical_or: shapes (3, 4) and (5)");
  // Operands are untouched by a failing op.
  Tensor x = constant({1, 2, 3});
  expectError([&] { div(x, constant({1, 2})); }, "are not broadcastable");
  EXPECT_EQ(x.to_vector<int>(), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(all_equal(x, constant({1, 2, 3})));
  EXPECT_FALSE(all_equal(x, constant({1, 2, 3}, {3}, DType::I64)));
}

} // namespace
