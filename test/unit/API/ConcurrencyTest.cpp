//===- ConcurrencyTest.cpp - Many threads, many Functions, racing compiles ===//
//
// Hosts call Kiln from many threads at once: traced Functions shared between
// threads (racing first calls compile each signature once), Functions
// created and destroyed on each thread, eager ops and compiled calls that
// both use the runtime's thread pool, loaded graphs run by the JIT and the
// interpreter side by side, and the global switches flipped while calls run.
// Every result is checked. The ThreadSanitizer configuration
// (scripts/test-sanitizers.sh thread) runs this suite for data races.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace kiln;

namespace {

/// The largest absolute difference of two float32 tensors of one shape.
float maxDifference(const Tensor &a, const Tensor &b) {
  std::vector<float> x = a.to_vector<float>(), y = b.to_vector<float>();
  float most = x.size() == y.size() ? 0.0f : INFINITY;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    most = std::max(most, std::abs(x[i] - y[i]));
  return most;
}

/// Runs `body(t)` on `threads` threads at once and joins them.
template <typename F> void onThreads(int threads, F body) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back(body, t);
  for (std::thread &thread : pool)
    thread.join();
}

TEST(ConcurrencyTest, SharedFunctionsRaceToCompile) {
  auto square = function([](Tensor x) { return x * x; }, "square");
  auto shifted =
      function([](Tensor x) { return softmax(x + 1.0f, -1); }, "shifted");
  std::atomic<int> wrong{0};
  onThreads(6, [&](int t) {
    for (int i = 0; i < 12; ++i) {
      int64_t n = 1 + (t + i) % 3; // three signatures each
      Tensor x = full({2, n}, float(t));
      Tensor y = square(x);
      for (float v : y.to_vector<float>())
        wrong += v != float(t * t);
      wrong += maxDifference(shifted(x), softmax(x + 1.0f, -1)) > 1e-6f;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(square.trace_count(), 3);
  EXPECT_EQ(shifted.trace_count(), 3);
}

TEST(ConcurrencyTest, FunctionsCreatedAndDestroyedOnEachThread) {
  std::atomic<int> wrong{0};
  onThreads(4, [&](int t) {
    for (int i = 0; i < 4; ++i) {
      auto f = function([t](Tensor x) { return relu(x) + float(t); });
      Tensor x = random_normal({3, 5}, 10 * t + i);
      Tensor expected = relu(x) + float(t);
      wrong += f(x).to_vector<float>() != expected.to_vector<float>();
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ConcurrencyTest, EagerAndCompiledShareTheThreadPool) {
  set_num_threads(2);
  auto f = function([](Tensor x) { return reduce_sum(exp(x), {1}); });
  Tensor big = random_normal({64, 4096}, 5);
  Tensor reference = f(big);
  std::atomic<int> wrong{0};
  onThreads(4, [&](int t) {
    for (int i = 0; i < 5; ++i) {
      if (t % 2) {
        Tensor eager = reduce_sum(exp(big), {1});
        wrong += eager.shape() != Shape{64};
      } else {
        wrong += f(big).to_vector<float>() != reference.to_vector<float>();
      }
    }
  });
  set_num_threads(0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ConcurrencyTest, LoadedGraphsRunByJitAndInterpreterAtOnce) {
  auto f = function([](Tensor x, Tensor w) { return tanh(matmul(x, w)); });
  Tensor x = random_normal({4, 8}, 1), w = random_normal({8, 3}, 2);
  std::string path = ::testing::TempDir() + "/concurrency_graph.mlir";
  f.save(path, x, w);
  Graph g = load(path);
  Tensor expected = g.interpret({x, w})[0];
  std::atomic<int> wrong{0};
  onThreads(4, [&](int t) {
    for (int i = 0; i < 5; ++i) {
      Tensor y = t % 2 ? g(x, w)[0] : g.interpret({x, w})[0];
      wrong += maxDifference(y, expected) > 1e-5f;
    }
  });
  std::remove(path.c_str());
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ConcurrencyTest, SwitchesFlippedWhileCallsRun) {
  auto f = function([](Tensor x) { return x + 1.0f; });
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::thread flipper([&] {
    for (int i = 0; !stop && i < 200; ++i) {
      run_functions_eagerly(i % 2 == 0);
      set_compile_timeout(std::chrono::seconds(60 + i % 2));
    }
  });
  onThreads(3, [&](int t) {
    for (int i = 0; i < 20; ++i)
      wrong += f(full({4}, float(i))).to_vector<float>()[0] != float(i + 1);
  });
  stop = true;
  flipper.join();
  run_functions_eagerly(false);
  set_compile_timeout(std::chrono::seconds(120));
  EXPECT_EQ(wrong.load(), 0);
}

} // namespace
