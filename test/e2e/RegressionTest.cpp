//===- RegressionTest.cpp - e2e: defects found by random testing ----------===//
//
// Each test reproduces one defect that differential testing found in
// compiled code, as the smallest program that showed it, and runs it three
// ways (eager, traced, graph file through the interpreter and the JIT).
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <limits>

using namespace kiln;
using namespace kiln::e2e;

namespace {

// A rank-0 reduction (a generic with no loops that reads its output) fused
// into a broadcasting consumer accumulated across the consumer's loop: the
// JIT gave [2 4 6 8] for y + sum(x) with x = 2, y = 0.
TEST(RegressionE2E, RankZeroReductionIntoBroadcast) {
  runThreeWays([](Tensor x, Tensor y) { return y + reduce_sum(x); }, kExact,
               constant(2.0f), zeros({4}, DType::F32));
  runThreeWays([](Tensor x, Tensor y) { return y * reduce_prod(x); }, kExact,
               constant(3), ones({2, 3}, DType::I32));
}

// softmax's normalization overwrites its exp buffer in place; fused into a
// consumer that broadcasts it, the update ran once per consumer row.
TEST(RegressionE2E, SoftmaxIntoBroadcast) {
  Tensor x = constant({0.0f, 1.0f, 2.0f}, {3});
  Tensor y = zeros({2, 1}, DType::F32);
  Bound bound{0, 2e-6, 1e-7};
  runThreeWays([](Tensor x, Tensor y) { return softmax(x, 0) + y; }, bound, x,
               y);
  runThreeWays([](Tensor x, Tensor y) { return exp(log_softmax(x, 0)) * y; },
               bound, x, ones({2, 1}, DType::F32));
  // Through a unary op, along an inner axis of a 2-D softmax.
  runThreeWays([](Tensor x, Tensor y) { return neg(softmax(x, -1)) + y; },
               bound, normal({2, 5}, 11, DType::F32),
               zeros({3, 1, 1}, DType::F32));
}

// Copies into strided views of a concat or pad lowered to a call of MLIR's
// `memrefCopy`, which the JIT does not link ("Symbols not found").
TEST(RegressionE2E, ConcatAndPadWithOtherUsers) {
  Tensor a = normal({2, 3}, 12, DType::F32);
  runThreeWays(
      [](Tensor a) {
        Tensor e = exp(a);
        return std::vector{concat({a, e}, 1), e};
      },
      Bound{0, 2e-6, 0}, a);
  runThreeWays(
      [](Tensor a) {
        Tensor e = a * 2.0f;
        return std::vector{pad(e, {0, 1}, {0, 2}, 1.5f), e};
      },
      kExact, a);
}

// An empty slice at the end of a dimension failed at the LLVM stage.
TEST(RegressionE2E, EmptySliceAtTheEnd) {
  runThreeWays([](Tensor a) { return slice(a, {4}, {4}, {1}) + 1.0f; }, kExact,
               normal({4}, 13, DType::F32));
  runThreeWays(
      [](Tensor a) {
        return slice(a, {0, 3}, {2, 3});
      },
      kExact, normal({2, 3}, 14, DType::F32));
}

// Integer pow of a scalar by a vector of 32 exponents made LLVM's loop
// vectorizer run forever on the unrolled squaring loop.
TEST(RegressionE2E, IntegerPowCompiles) {
  std::vector<int64_t> exponents;
  for (int64_t i = -2; i < 30; ++i)
    exponents.push_back(i);
  runThreeWays([](Tensor b, Tensor e) { return pow(b, e); }, kExact,
               constant(3), constant(exponents, {32}, DType::I32));
  runThreeWays([](Tensor b, Tensor e) { return pow(b, e); }, kExact,
               constant(std::vector<int64_t>{-1, 2, 0, 7}, {4}, DType::I64),
               constant(exponents, {32, 1}, DType::I64));
}

// Float -> int64 casts saturate at the int64 range (NaN gives 0), as the
// int32 ones do, eagerly and compiled.
TEST(RegressionE2E, CastToInt64Saturates) {
  const double inf = std::numeric_limits<double>::infinity();
  Tensor x = constant({9.3e18, 1e20, inf, -9.3e18, -1e20, -inf,
                       std::numeric_limits<double>::quiet_NaN(), 1.5e18},
                      {8}, DType::F64);
  Tensor expected = constant(
      std::vector<int64_t>{INT64_MAX, INT64_MAX, INT64_MAX, INT64_MIN,
                           INT64_MIN, INT64_MIN, 0, 1500000000000000000},
      {8}, DType::I64);
  EXPECT_TRUE(allClose(cast(x, DType::I64), expected, kExact));
  runThreeWays([](Tensor x) { return cast(x, DType::I64); }, kExact, x);
  runThreeWays([](Tensor x) { return cast(x, DType::I64); }, kExact,
               cast(x, DType::F32));
  // Factories convert out-of-range values the same way.
  EXPECT_EQ(full({}, 1e20, DType::I64).item<int64_t>(), INT64_MAX);
}

// A compiled sum of 10^7 terms accumulated into a few vector lanes:
// 998501.4 where eager (chunked) gives 1000020.8 and the exact sum of the
// f32 value 0.1f is 1000000.015. Compiled sums are now blocked like eager
// ones, so both stay within eager's error.
TEST(RegressionE2E, LongSumsAreAccurate) {
  const int64_t n = 10'000'000;
  Tensor x = full({n}, 0.1f, DType::F32);
  double exact = n * static_cast<double>(0.1f);
  double eager = reduce_sum(x).item<float>();
  auto sum = kiln::function([](Tensor x) { return reduce_sum(x); });
  double traced = sum(x).item<float>();
  double eagerError = std::abs(eager - exact);
  EXPECT_LE(std::abs(traced - exact), std::max(eagerError, 1.0))
      << "traced " << traced << ", eager " << eager;
  // Row sums of a long row, and a mean.
  Tensor rows = full({2, n / 2}, 0.1f, DType::F32);
  auto rowSums = kiln::function([](Tensor x) { return reduce_sum(x, {1}); });
  Tensor r = rowSums(rows);
  for (int64_t i = 0; i < 2; ++i)
    EXPECT_NEAR(r.to_vector<float>()[i], exact / 2, std::max(eagerError, 1.0));
}

// log_softmax of large equal values: eager computed x - (m + log(sum)),
// which rounds the shift to the precision of m.
TEST(RegressionE2E, LogSoftmaxOfLargeValues) {
  Tensor x = constant({1000.0f, 1000.0f}, {2});
  EXPECT_FLOAT_EQ(log_softmax(x).to_vector<float>()[0], -0.6931472f);
  runThreeWays([](Tensor x) { return log_softmax(x); }, Bound{1, 0, 0}, x);
}

// Integer matmul wraps in two's complement, as every integer op does.
TEST(RegressionE2E, IntegerMatmulWraps) {
  Tensor a = full({2, 3}, int64_t{1} << 40, DType::I64);
  Tensor b = full({3, 2}, int64_t{1} << 30, DType::I64);
  Tensor product = matmul(a, b);
  // 3 * 2^70 mod 2^64 = 3 * 2^6 * 2^64 mod 2^64 = 0.
  EXPECT_EQ(product.to_vector<int64_t>()[0], 0);
  runThreeWays([](Tensor a, Tensor b) { return matmul(a, b); }, kExact, a, b);
  Tensor c = full({2, 2}, 65536, DType::I32);
  runThreeWays([](Tensor a, Tensor b) { return matmul(a, b); }, kExact, c, c);
}

} // namespace
