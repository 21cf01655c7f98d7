//===- FunctionTest.cpp - kiln::function: trace, compile, cache, call -----===//

#include "kiln/kiln.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <thread>

using namespace kiln;
using ::testing::HasSubstr;
using ::testing::Not;

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
  std::vector<float> t = traced.to_vector<float>(),
                     e = eager.to_vector<float>();
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
  EXPECT_EQ(f.last_retrace_reason(), "arg 0: dim 0 3 -> 5");
  EXPECT_EQ(f.cache_size(), 3u);
  f(ones({5, 4, 1}), 2);
  EXPECT_EQ(f.last_retrace_reason(), "arg 0: shape (3, 4) -> (5, 4, 1)");
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

// Regression: a Lowered kept after its Function was destroyed used the
// Function's freed MLIR context.
TEST(FunctionTest, LoweredOutlivesItsFunction) {
  Tensor a = ones({8});
  std::optional<Lowered> lowered;
  {
    auto f = function([](Tensor a) { return exp(a) * 2.0f; });
    lowered = f.lower(a);
  }
  EXPECT_THAT(lowered->ir(Stage::Linalg), HasSubstr("linalg.generic"));
  EXPECT_THAT(lowered->ir(Stage::LLVMIR), HasSubstr("define"));
}

TEST(FunctionTest, CompileTimesNameEveryStep) {
  auto f = function([](Tensor a, Tensor b) { return exp(a) + b; });
  Tensor a = ones({8}), b = ones({8});
  std::vector<std::string> steps;
  for (const CompileStep &step : f.lower(a, b).compile_times()) {
    steps.push_back(step.step);
    EXPECT_GE(step.ms, 0.0) << step.step;
  }
  EXPECT_EQ(steps, (std::vector<std::string>{
                       "trace", "kiln", "linalg", "loops", "llvm", "translate",
                       "llvm-optimize", "llvm-codegen", "link"}));
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

TEST(FunctionTest, WarnsAfterRepeatedRetracesNamingTheChange) {
  std::vector<std::string> warnings;
  set_warning_handler(
      [&](const std::string &message) { warnings.push_back(message); });
  auto f = function([](Tensor x) { return x + 1.0f; }, "grow");
  for (int64_t n = 1; n <= 5; ++n)
    f(ones({n, 4}));
  set_warning_handler(nullptr);
  EXPECT_EQ(f.trace_count(), 5);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("function 'grow' has been traced 5 "
                                     "times"));
  EXPECT_THAT(warnings[0], HasSubstr("arg 0: dim 0 4 -> 5"));
  EXPECT_THAT(warnings[0], HasSubstr("pass numbers that change between calls "
                                     "as tensors"));
}

TEST(FunctionTest, RetraceWarningsComeAtTheThresholdThenEveryTenth) {
  std::vector<std::string> warnings;
  set_warning_handler(
      [&](const std::string &message) { warnings.push_back(message); });
  auto f = function([](Tensor x, int n) { return x + float(n); }, "many");
  Tensor x = ones({2});
  for (int n = 1; n <= 26; ++n)
    f(x, n);
  set_warning_handler(nullptr);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_THAT(warnings[0], HasSubstr("traced 5 times"));
  EXPECT_THAT(warnings[1], HasSubstr("traced 15 times"));
  EXPECT_THAT(warnings[2], HasSubstr("traced 25 times"));
  EXPECT_THAT(warnings[2], HasSubstr("arg 1: value 24 -> 25"));
}

TEST(FunctionTest, RetraceReasonsCompareWithTheClosestSignature) {
  auto f = function([](Tensor a, Tensor b) { return a + b; });
  f(ones({8, 4}), ones({4}));
  f(ones({3, 2}, DType::F64), ones({2}, DType::F64));
  // Closest to the first signature, not to the last one.
  f(ones({9, 4}), ones({4}));
  EXPECT_EQ(f.last_retrace_reason(), "arg 0: dim 0 8 -> 9");
  f(ones({9, 2}, DType::F64), ones({2}, DType::F32));
  EXPECT_EQ(f.last_retrace_reason(),
            "arg 0: dim 0 3 -> 9; arg 1: dtype float64 -> float32");
}

TEST(FunctionTest, TheCacheKeepsTheMostRecentlyCalledSignatures) {
  auto f = function([](Tensor x) { return x * 2.0f; });
  EXPECT_EQ(f.cache_limit(), kDefaultCacheLimit);
  f.set_cache_limit(2);
  f(ones({1}));
  f(ones({2}));
  f(ones({1})); // now {2} is the least recently called
  f(ones({3}));
  EXPECT_EQ(f.cache_size(), 2u);
  EXPECT_EQ(f.trace_count(), 3);
  f(ones({1}));
  f(ones({3}));
  EXPECT_EQ(f.trace_count(), 3);
  EXPECT_EQ(f(ones({2})).to_vector<float>(), std::vector<float>(2, 2.0f));
  EXPECT_EQ(f.trace_count(), 4);
  f.set_cache_limit(1);
  EXPECT_EQ(f.cache_size(), 1u);
}

TEST(FunctionTest, ClearCacheReleasesCompiledCode) {
  auto f = function([](Tensor x) { return x + 1.0f; });
  Lowered lowered = f.lower(ones({4}));
  f(ones({5}));
  EXPECT_EQ(f.cache_size(), 2u);
  f.clear_cache();
  EXPECT_EQ(f.cache_size(), 0u);
  // What was handed out stays usable.
  EXPECT_THAT(lowered.ir(Stage::Kiln), HasSubstr("kiln.add"));
  EXPECT_EQ(f(ones({4})).to_vector<float>(), std::vector<float>(4, 2.0f));
  EXPECT_EQ(f.trace_count(), 3);
  EXPECT_THAT(f.last_retrace_reason(),
              HasSubstr("the same signature as an earlier trace"));
}

TEST(FunctionTest, RetraceReasonNamesDTypeChanges) {
  auto f = function([](Tensor x) { return x * 2; });
  f(ones({2}, DType::F32));
  f(ones({2}, DType::I32));
  EXPECT_EQ(f.last_retrace_reason(), "arg 0: dtype float32 -> int32");
}

TEST(FunctionTest, RunFunctionsEagerlySkipsTracing) {
  int calls = 0;
  auto f = function([&](Tensor x) {
    ++calls;
    return x * 3.0f;
  });
  run_functions_eagerly(true);
  Tensor y = f(ones({2}));
  Tensor z = f(ones({2}));
  run_functions_eagerly(false);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(f.trace_count(), 0);
  EXPECT_EQ(z.to_vector<float>(), std::vector<float>({3.0f, 3.0f}));
  // Value-dependent C++ code works eagerly but not in a trace.
  auto g = function([](Tensor x) { return x.item<float>() > 0 ? x : -x; });
  run_functions_eagerly(true);
  EXPECT_EQ(g(constant(-2.0f)).item<float>(), 2.0f);
  run_functions_eagerly(false);
  try {
    g(constant(-2.0f));
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("item: the () float32 tensor is traced"));
  }
}

TEST(FunctionTest, SeveralOutputsAndCapturedTensors) {
  Tensor bias = constant({1.0f, 2.0f, 3.0f}, {3});
  auto f = function([&](Tensor x) {
    Tensor y = x + bias;
    return std::make_tuple(y, reduce_sum(y, {0}), argmax(y, 0));
  });
  auto [y, sum, index] = f(constant({3.0f, 0.0f, -3.0f}, {3}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({4.0f, 2.0f, 0.0f}));
  EXPECT_EQ(sum.item<float>(), 6.0f);
  EXPECT_EQ(index.dtype(), DType::I64);
  EXPECT_EQ(index.item<int64_t>(), 0);
  auto g = function([](Tensor x) { return std::vector<Tensor>{x, -x}; });
  std::vector<Tensor> both = g(constant(1));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].item<int32_t>(), -1);
}

TEST(FunctionTest, ManyThreadsCompileEachSignatureOnce) {
  auto f = function([](Tensor x) { return x * x + 1.0f; });
  const int kThreads = 8, kCalls = 20;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        // Four signatures shared by all threads.
        int64_t n = 1 + (t + i) % 4;
        Tensor x = full({n}, static_cast<float>(t));
        Tensor y = f(x);
        for (float v : y.to_vector<float>())
          failures[t] += v != static_cast<float>(t * t + 1);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(f.trace_count(), 4);
  EXPECT_EQ(f.cache_size(), 4u);
}

TEST(FunctionTest, SaveAndLoadRoundTrip) {
  auto f = function(
      [](Tensor x, Tensor w) { return softmax(matmul(x, w), -1); }, "scores");
  Tensor x = random_normal({3, 4}, 7), w = random_normal({4, 5}, 8);
  std::string path = ::testing::TempDir() + "kiln_save_load.mlir";
  f.save(path, x, w);
  Graph g = load(path);
  EXPECT_EQ(g.name(), "scores");
  Tensor expected = f(x, w);
  for (const std::vector<Tensor> &result : {g(x, w), g.interpret({x, w})}) {
    ASSERT_EQ(result.size(), 1u);
    std::vector<float> a = result[0].to_vector<float>(),
                       b = expected.to_vector<float>();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_NEAR(a[i], b[i], 1e-6f) << i;
  }
  std::remove(path.c_str());
}

TEST(FunctionTest, LoadReportsFileLineColumn) {
  std::string path = ::testing::TempDir() + "kiln_bad_graph.mlir";
  {
    std::ofstream out(path);
    out << "func.func @f(%a: tensor<3xf32>) -> tensor<3xf32> {\n"
        << "  %b = kiln.transpose %a perm = [1, 0] : tensor<3xf32> -> "
           "tensor<3xf32>\n"
        << "  return %b : tensor<3xf32>\n}\n";
  }
  try {
    load(path);
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":2:8: error:"));
    EXPECT_THAT(e.what(), HasSubstr("permutation [1, 0]"));
  }
  std::remove(path.c_str());
  try {
    load(path);
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
  }
}

TEST(FunctionTest, LoadSelectsTheFirstFunctionWithABody) {
  std::string path = ::testing::TempDir() + "kiln_declaration_first.mlir";
  {
    std::ofstream out(path);
    out << "func.func private @external(tensor<2xf32>) -> tensor<2xf32>\n"
        << "func.func @neg(%a: tensor<2xf32>) -> tensor<2xf32> {\n"
        << "  %b = kiln.neg %a : tensor<2xf32>\n"
        << "  return %b : tensor<2xf32>\n}\n";
  }
  Graph g = load(path);
  EXPECT_EQ(g.name(), "neg");
  EXPECT_EQ(g(constant({1.0f, -2.0f}, {2}))[0].to_vector<float>(),
            std::vector<float>({-1.0f, 2.0f}));
  std::remove(path.c_str());
}

TEST(FunctionTest, LoadedGraphChecksInputs) {
  std::string path = ::testing::TempDir() + "kiln_checked.mlir";
  auto f = function([](Tensor x) { return x + 1; }, "inc");
  f.save(path, ones({2, 3}, DType::I32));
  Graph g = load(path);
  try {
    g(ones({3, 2}, DType::I32));
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("inc: argument 0: expected shape (2, 3) "
                                    "int32, got (3, 2) int32"));
  }
  std::remove(path.c_str());
}

TEST(FunctionTest, FunctionsCalledInATraceAreInlined) {
  auto inner = function([](Tensor x) { return x * 2.0f; });
  auto outer = function([&](Tensor x) { return inner(x) + 1.0f; });
  EXPECT_EQ(outer(constant(3.0f)).item<float>(), 7.0f);
  EXPECT_EQ(outer.trace_count(), 1);
  EXPECT_EQ(inner.trace_count(), 0);
  EXPECT_THAT(outer.lower(constant(3.0f)).ir(Stage::Kiln),
              HasSubstr("kiln.mul"));
}

TEST(FunctionTest, RepeatedAndArgumentResultsGetTheirOwnStorage) {
  auto f = function([](Tensor x) {
    Tensor a = abs(x);
    return std::vector<Tensor>{a, abs(x), x, reduce_mean(x, {}),
                               reduce_mean(x, {1, 0})};
  });
  Tensor x = constant({-1.0f, 2.0f, -3.0f, 4.0f}, {2, 2});
  std::vector<Tensor> out = f(x);
  ASSERT_EQ(out.size(), 5u);
  std::vector<float> absValues = {1.0f, 2.0f, 3.0f, 4.0f};
  EXPECT_EQ(out[0].to_vector<float>(), absValues);
  EXPECT_EQ(out[1].to_vector<float>(), absValues);
  EXPECT_EQ(out[2].to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(out[3].item<float>(), 0.5f);
  EXPECT_EQ(out[4].item<float>(), 0.5f);
  EXPECT_NE(out[0].rawData(), out[1].rawData());
  EXPECT_NE(out[2].rawData(), x.rawData());
}

TEST(FunctionTest, EmptyTensors) {
  auto f = function([](Tensor e, Tensor w) {
    return std::make_tuple(e + 1.0f, reduce_sum(e, {0}), matmul(e, w),
                           concat({e, e}, 0));
  });
  auto [plus, sum, product, joined] = f(zeros({0, 3}), ones({3, 2}));
  EXPECT_EQ(plus.shape(), (Shape{0, 3}));
  EXPECT_EQ(sum.to_vector<float>(), std::vector<float>(3, 0.0f));
  EXPECT_EQ(product.shape(), (Shape{0, 2}));
  EXPECT_EQ(joined.shape(), (Shape{0, 3}));
}

TEST(FunctionTest, HugeShapesThrowInsteadOfCrashing) {
  int64_t half = std::numeric_limits<int64_t>::max() / 2;
  auto f = function([=](Tensor x) { return pad(x, {half}, {half}); });
  EXPECT_THROW(f(zeros({0})), Error);
}

TEST(FunctionTest, LoadedGraphWithACallIsRejected) {
  // A recursive func.call overflowed the stack of the JIT-compiled code.
  std::string path = ::testing::TempDir() + "kiln_recursive.mlir";
  {
    std::ofstream out(path);
    out << "func.func @f(%a: tensor<3xf32>) -> tensor<3xf32> {\n"
        << "  %b = func.call @f(%a) : (tensor<3xf32>) -> tensor<3xf32>\n"
        << "  return %b : tensor<3xf32>\n}\n";
  }
  Graph g = load(path);
  try {
    g(ones({3}));
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":2:8: 'func.call' is not a kiln "
                                           "op; the JIT runs kiln graphs"));
  }
  EXPECT_THROW(g.interpret({ones({3})}), Error);
  std::remove(path.c_str());
}

TEST(FunctionTest, TracedOpsCarryTheirCallSite) {
  // The lines of the mul and the pad below.
  const int line = __LINE__ + 3;
  const int padLine = line + 3;
  auto f = function([&](Tensor x) {
    Tensor y = x * 2;
    // An int32 pad value the lowering cannot represent: refused with the
    // op's location.
    return pad(y, {1}, {1}, 1e10);
  });
  Tensor x = ones({3}, DType::I32);
  std::string kiln = f.lower(ones({2}, DType::F32)).ir(Stage::Kiln, true);
  EXPECT_THAT(kiln, HasSubstr("FunctionTest.cpp\":" + std::to_string(line)));
  try {
    f(x);
    FAIL() << "expected kiln::Error";
  } catch (const Error &e) {
    EXPECT_THAT(e.what(),
                HasSubstr("FunctionTest.cpp:" + std::to_string(padLine)));
    EXPECT_THAT(e.what(), HasSubstr("kiln.pad"));
  }
}

TEST(FunctionTest, LinalgStageOfAFusedChainIsOneGeneric) {
  auto f = function([](Tensor a, Tensor b, Tensor c, Tensor d) {
    return relu(a * b + c) * sigmoid(d);
  });
  Tensor x = ones({4, 8});
  std::string linalg = f.lower(x, x, x, x).ir(Stage::Linalg);
  size_t first = linalg.find("linalg.generic");
  ASSERT_NE(first, std::string::npos) << linalg;
  EXPECT_EQ(linalg.find("linalg.generic", first + 1), std::string::npos)
      << linalg;
}

TEST(FunctionTest, CompiledGatherThrowsForAnIndexOutOfRange) {
  // 8192 rows of 64 are enough work for the compiled loop to be split into 8
  // chunks over the pool with 2 threads: the one chunk with the bad index
  // runs on the calling thread or on a worker, and the error must reach the
  // caller either way (repeated so that both happen).
  auto f = function([](Tensor x, Tensor i) { return gather(x, i, 0); });
  Tensor x = reshape(arange<float>(4 * 64), {4, 64});
  std::vector<int64_t> good(8192);
  for (size_t k = 0; k < good.size(); ++k)
    good[k] = static_cast<int64_t>(k % 8) - 4;
  std::vector<int64_t> bad = good;
  bad[5000] = 100;
  Tensor goodIndices = constant(good, {8192}, DType::I64);
  Tensor badIndices = constant(bad, {8192}, DType::I64);
  const std::string message =
      "gather: index 100 is out of range for axis 0 of size 4";
  std::vector<float> expected = gather(x, goodIndices, 0).to_vector<float>();
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads = " + std::to_string(threads));
    set_num_threads(threads);
    try {
      gather(x, badIndices, 0);
      FAIL() << "expected kiln::Error";
    } catch (const Error &e) {
      EXPECT_THAT(e.what(), HasSubstr(message));
    }
    for (int repeat = 0; repeat < 20; ++repeat) {
      try {
        f(x, badIndices);
        FAIL() << "expected kiln::Error";
      } catch (const Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(message)); // the same error as eager
      }
      // No stale error: the next call on the same Function succeeds.
      EXPECT_EQ(f(x, goodIndices).to_vector<float>(), expected);
    }
  }
  EXPECT_EQ(f.trace_count(), 1);

  // Concurrent calls from two host threads do not see each other's errors.
  std::thread failing([&] {
    for (int repeat = 0; repeat < 20; ++repeat)
      EXPECT_THROW(f(x, badIndices), Error);
  });
  for (int repeat = 0; repeat < 20; ++repeat)
    EXPECT_NO_THROW(f(x, goodIndices));
  failing.join();
  set_num_threads(0);
}
// A compile that exceeds the timeout is abandoned with an error, or, if the
// host allows it, the graph runs on the interpreter; a 1 ms limit is far
// below what LLVM needs for any function.
TEST(FunctionTest, CompileTimeoutAbandonsTheCompile) {
  Tensor x = random_normal({8, 8}, 1);
  set_compile_timeout(std::chrono::milliseconds(1));
  auto slow =
      function([](Tensor x) { return tanh(matmul(x, x)) + 1.0f; }, "slow");
  try {
    slow(x);
    ADD_FAILURE() << "the compile was not abandoned";
  } catch (const Error &error) {
    EXPECT_THAT(error.what(), HasSubstr("compile timeout of 1 ms"));
    EXPECT_THAT(error.what(), HasSubstr("'slow'"));
  }

  std::vector<std::string> warnings;
  set_warning_handler(
      [&](const std::string &message) { warnings.push_back(message); });
  set_interpret_on_compile_timeout(true);
  auto fallback =
      function([](Tensor x) { return tanh(matmul(x, x)) + 1.0f; }, "fallback");
  Tensor result = fallback(x);
  set_interpret_on_compile_timeout(false);
  set_compile_timeout(std::chrono::seconds(120));
  set_warning_handler(nullptr);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("running it on the graph interpreter"));
  Tensor eager = tanh(matmul(x, x)) + 1.0f;
  EXPECT_EQ(result.to_vector<float>(), eager.to_vector<float>());
  // With the default limit the same function compiles.
  auto fast = function([](Tensor x) { return tanh(matmul(x, x)) + 1.0f; });
  EXPECT_EQ(fast(x).shape(), (Shape{8, 8}));
}

// An integer scalar that does not fit the dtype it adopts from the tensor
// would wrap silently; it is an error naming the op, as in JAX.
TEST(FunctionTest, WeakScalarThatDoesNotFitIsAnError) {
  Tensor i32 = constant(std::vector<int64_t>{1, 2}, {2}, DType::I32);
  try {
    (void)(i32 + (int64_t{1} << 40));
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_THAT(error.what(), HasSubstr("add: the scalar 1099511627776 does "
                                        "not fit int32"));
  }
  EXPECT_THROW((void)maximum(int64_t{-1} << 33, i32), Error);
  // In range, and for int64 tensors, scalars are fine.
  EXPECT_EQ((i32 + 2147483647).dtype(), DType::I32);
  Tensor i64 = cast(i32, DType::I64);
  EXPECT_EQ((i64 + (int64_t{1} << 40)).to_vector<int64_t>()[0],
            (int64_t{1} << 40) + 1);
  auto f = function([](Tensor x) { return x * (int64_t{1} << 35); });
  EXPECT_THROW(f(i32), Error);
}

// The Kiln stage is the traced graph simplified: x * 1 and a transpose
// undone by another are gone.
TEST(FunctionTest, KilnStageIsSimplified) {
  auto f = function([](Tensor x) {
    return transpose(transpose(x * 1.0f, {1, 0}), {1, 0}) + 2.0f;
  });
  std::string kiln = f.lower(ones({2, 3})).ir(Stage::Kiln);
  EXPECT_THAT(kiln, Not(HasSubstr("kiln.transpose")));
  EXPECT_THAT(kiln, Not(HasSubstr("kiln.mul")));
  EXPECT_THAT(kiln, HasSubstr("kiln.add"));
}

// A graph the lowering cannot compile reports why, at the op's location
// (the reason was lost on the JIT's path, "lowering ... failed:" and
// nothing after it).
TEST(FunctionTest, LoweringFailuresSayWhy) {
  std::string path = ::testing::TempDir() + "/empty_axis_gather.mlir";
  {
    std::ofstream file(path);
    file << "func.func @main(%x: tensor<7x0xf32>, %i: tensor<2xi64>) -> "
            "tensor<7x2xf32> {\n"
            "  %0 = kiln.gather %x, %i axis = -1 : (tensor<7x0xf32>, "
            "tensor<2xi64>) -> tensor<7x2xf32>\n"
            "  return %0 : tensor<7x2xf32>\n}\n";
  }
  Graph g = load(path);
  try {
    g(zeros({7, 0}), constant(std::vector<int64_t>{0, 1}, {2}, DType::I64));
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_THAT(error.what(), HasSubstr("gathers from an empty axis"));
    EXPECT_THAT(error.what(), HasSubstr("empty_axis_gather.mlir:2:"));
  }
  std::remove(path.c_str());
}

} // namespace

namespace {

/// The message of the kiln::Error `f` throws ("" if it throws none).
template <typename F> std::string errorOf(F f) {
  try {
    f();
  } catch (const kiln::Error &e) {
    return e.what();
  }
  return "";
}

} // namespace

// call_into writes the results into the host's tensors, here views of its
// own buffers: the same values as a call, the same buffers every time.
TEST(FunctionTest, CallIntoWritesTheHostsBuffers) {
  auto f = kiln::function(
      [](kiln::Tensor x, kiln::Tensor y) {
        return std::make_tuple(kiln::relu(x * y + 1.0f), kiln::matmul(x, y));
      },
      "two_results");
  kiln::Tensor x = kiln::random_normal({64, 64}, 1),
               y = kiln::random_normal({64, 64}, 2);
  auto [expectedA, expectedB] = f(x, y);
  std::vector<float> a(64 * 64, -7.0f), b(64 * 64, -7.0f);
  std::vector<kiln::Tensor> outputs = {
      kiln::from_blob(a.data(), {64, 64}, kiln::DType::F32),
      kiln::from_blob(b.data(), {64, 64}, kiln::DType::F32)};
  for (int call = 0; call < 3; ++call) {
    f.call_into(outputs, x, y);
    EXPECT_EQ(a, expectedA.to_vector<float>());
    EXPECT_EQ(b, expectedB.to_vector<float>());
  }
  EXPECT_EQ(f.trace_count(), 1);

  // Eagerly, the results are copied in.
  std::fill(a.begin(), a.end(), -7.0f);
  kiln::run_functions_eagerly(true);
  f.call_into(outputs, x, y);
  kiln::run_functions_eagerly(false);
  EXPECT_EQ(a, expectedA.to_vector<float>());
}

TEST(FunctionTest, CallIntoRejectsOutputsThatDoNotFit) {
  auto f = kiln::function([](kiln::Tensor x) { return x * 2.0f; }, "twice");
  kiln::Tensor x = kiln::ones({4, 8});
  EXPECT_THAT(errorOf([&] { f.call_into({}, x); }),
              testing::HasSubstr("'twice' has 1 results, got 0"));
  EXPECT_THAT(errorOf([&] {
                f.call_into({kiln::zeros({8, 4})}, x);
              }),
              testing::HasSubstr("output 0 is (8, 4) float32, the result "
                                 "is (4, 8) float32"));
  EXPECT_THAT(errorOf([&] {
                f.call_into({kiln::zeros({4, 8}, kiln::DType::F64)}, x);
              }),
              testing::HasSubstr("the result is (4, 8) float32"));
  EXPECT_THAT(errorOf([&] {
                f.call_into({kiln::transpose(kiln::zeros({8, 4}))}, x);
              }),
              testing::HasSubstr("output 0 is not contiguous"));
  EXPECT_THAT(errorOf([&] { f.call_into({x}, x); }),
              testing::HasSubstr("output 0 overlaps input 0"));
  EXPECT_THAT(errorOf([&] { f.call_into({kiln::Tensor()}, x); }),
              testing::HasSubstr("output 0 is not a tensor with storage"));
  // Nothing was written by the calls that failed.
  EXPECT_EQ(x.to_vector<float>(), std::vector<float>(32, 1.0f));
}
