//===- FunctionTest.cpp - kiln::function: trace, compile, cache, call -----===//

#include "kiln/kiln.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

using namespace kiln;
using ::testing::HasSubstr;

namespace {

std::string str(const Tensor &t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

TEST(FunctionTest, SeedExample) {
  Tensor a = constant(2), b = constant(3);
  EXPECT_EQ(str(a + b), "kiln.Tensor(5, shape=(), dtype=int32)");
  auto add = function([](Tensor x, Tensor y) { return x + y; });
  EXPECT_EQ(str(add(a, b)), "kiln.Tensor(5, shape=(), dtype=int32)");
  EXPECT_EQ(add.trace_count(), 1);
}

TEST(FunctionTest, ElementwiseChainMatchesEager) {
  auto f = function([](Tensor a, Tensor b, Tensor c, Tensor d) {
    return relu(a * b + c) * sigmoid(d);
  });
  Shape shape = {4, 33};
  Tensor a = random_normal(shape, 1), b = random_normal(shape, 2),
         c = random_normal(shape, 3), d = random_normal(shape, 4);
  Tensor traced = f(a, b, c, d);
  Tensor eager = relu(a * b + c) * sigmoid(d);
  std::vector<float> t = traced.to_vector<float>(), e = eager.to_vector<float>();
  ASSERT_EQ(t.size(), e.size());
  for (size_t i = 0; i < t.size(); ++i)
    EXPECT_NEAR(t[i], e[i], 1e-5f * std::max(1.0f, std::abs(e[i]))) << i;
}

TEST(FunctionTest, CachesBySignatureAndExplainsRetraces) {
  auto f = function([](Tensor x, int n) {
    for (int i = 0; i < n; ++i)
      x = x * 2.0f;
    return x;
  });
  Tensor x = ones({3, 4});
  EXPECT_EQ(f(x, 2).to_vector<float>(), std::vector<float>(12, 4.0f));
  EXPECT_EQ(f(x, 2).to_vector<float>(), std::vector<float>(12, 4.0f));
  EXPECT_EQ(f.trace_count(), 1);
  EXPECT_EQ(f(x, 3).to_vector<float>(), std::vector<float>(12, 8.0f));
  EXPECT_EQ(f.trace_count(), 2);
  EXPECT_EQ(f.last_retrace_reason(), "arg 1: value 2 -> 3");
  f(ones({5, 4}), 3);
  EXPECT_EQ(f.last_retrace_reason(), "arg 0: shape (3, 4) -> (5, 4)");
  EXPECT_EQ(f.cache_size(), 3u);
}

TEST(FunctionTest, LowerShowsEveryStage) {
  auto f = function([](Tensor a, Tensor b) { return exp(a) + b; });
  Tensor a = ones({8}), b = ones({8});
  Lowered lowered = f.lower(a, b);
  EXPECT_THAT(lowered.ir(Stage::Kiln), HasSubstr("kiln.exp"));
  EXPECT_THAT(lowered.ir(Stage::Linalg), HasSubstr("linalg.generic"));
  EXPECT_THAT(lowered.ir(Stage::LLVM), HasSubstr("llvm.func"));
  EXPECT_THAT(lowered.ir(Stage::LLVMIR), HasSubstr("define"));
  EXPECT_FALSE(lowered.ir(Stage::Asm).empty());
}

TEST(FunctionTest, ShapeErrorsNameTheOp) {
  auto f = function([](Tensor a, Tensor b) { return a + b; });
  try {
    f(ones({3, 4}), ones({5}));
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("add: shapes (3, 4) and (5) are not "
                                    "broadcastable"));
  }
}

} // namespace
