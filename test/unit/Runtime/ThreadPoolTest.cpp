//===- ThreadPoolTest.cpp - The runtime's thread pool ---------------------===//

#include "TestUtil.h"

#include <atomic>
#include <stdexcept>

using namespace kiln;

namespace {

TEST(ThreadPool, DefaultAndSetting) {
  EXPECT_GE(default_num_threads(), 1);
  EXPECT_EQ(get_num_threads(), default_num_threads());
  set_num_threads(3);
  EXPECT_EQ(get_num_threads(), 3);
  set_num_threads(0);
  EXPECT_EQ(get_num_threads(), default_num_threads());
}

TEST(ThreadPool, ParallelForCoversTheRangeOnce) {
  set_num_threads(4);
  std::vector<std::atomic<int>> hits(10007);
  parallel_for(0, 10007, 100, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      hits[i]++;
  });
  for (auto &h : hits)
    EXPECT_EQ(h.load(), 1);
  // Nested calls run inline.
  std::atomic<int64_t> total{0};
  parallel_for(0, 8, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      parallel_for(0, 100, 1, [&](int64_t a, int64_t b) { total += b - a; });
  });
  EXPECT_EQ(total.load(), 800);
  set_num_threads(0);
}

TEST(ThreadPool, ExceptionsReachTheCaller) {
  set_num_threads(2);
  EXPECT_THROW(parallel_for(0, 1000, 1,
                            [](int64_t lo, int64_t) {
                              if (lo > 500)
                                throw std::runtime_error("boom");
                            }),
               std::runtime_error);
  // The pool still works afterwards.
  std::atomic<int> n{0};
  parallel_for(0, 100, 1, [&](int64_t lo, int64_t hi) { n += hi - lo; });
  EXPECT_EQ(n.load(), 100);
  set_num_threads(0);
}

TEST(ThreadPool, ResultsDoNotDependOnThreadCount) {
  Tensor a = random_uniform({300, 200}, 9), b = random_uniform({200, 100}, 10);
  set_num_threads(1);
  Tensor m1 = matmul(a, b), s1 = softmax(a), e1 = exp(a) + a;
  set_num_threads(2);
  EXPECT_TRUE(all_equal(m1, matmul(a, b)));
  EXPECT_TRUE(all_equal(s1, softmax(a)));
  EXPECT_TRUE(all_equal(e1, exp(a) + a));
  set_num_threads(0);
}

} // namespace
