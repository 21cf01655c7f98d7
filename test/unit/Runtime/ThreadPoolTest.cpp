//===- ThreadPoolTest.cpp - The runtime's thread pool ---------------------===//

#include "TestUtil.h"

#include <atomic>
#include <stdexcept>
#include <thread>

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

TEST(ThreadPool, EachThreadRunsItsOwnIndex) {
  set_num_threads(3);
  // Index 0 runs on the caller, every index once, and an index names the
  // same thread in every call (kernels rely on it to find the data they
  // wrote in the last call in their core's caches).
  std::vector<std::thread::id> first(3);
  std::vector<std::atomic<int>> hits(3);
  for (int call = 0; call < 20; ++call) {
    parallel_for_each_thread(3, [&](int t) {
      hits[t]++;
      if (call == 0)
        first[t] = std::this_thread::get_id();
      else
        EXPECT_EQ(first[t], std::this_thread::get_id()) << "index " << t;
    });
  }
  EXPECT_EQ(first[0], std::this_thread::get_id());
  EXPECT_NE(first[1], first[0]);
  EXPECT_NE(first[2], first[1]);
  for (auto &h : hits)
    EXPECT_EQ(h.load(), 20);
  // More indices than threads: the rest run on the caller.
  std::vector<std::atomic<int>> more(5);
  std::vector<std::thread::id> who(5);
  parallel_for_each_thread(5, [&](int t) {
    more[t]++;
    who[t] = std::this_thread::get_id();
  });
  for (int t = 0; t < 5; ++t)
    EXPECT_EQ(more[t].load(), 1) << t;
  EXPECT_EQ(who[3], std::this_thread::get_id());
  EXPECT_EQ(who[4], std::this_thread::get_id());
  // Nested in a parallel region: inline, in order.
  std::atomic<int> nestedTotal{0};
  parallel_for(0, 4, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      std::vector<int> order;
      parallel_for_each_thread(3, [&](int t) { order.push_back(t); });
      EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
      nestedTotal += static_cast<int>(order.size());
    }
  });
  EXPECT_EQ(nestedTotal.load(), 12);
  // Exceptions reach the caller.
  EXPECT_THROW(parallel_for_each_thread(2,
                                        [](int t) {
                                          if (t == 1)
                                            throw std::runtime_error("boom");
                                        }),
               std::runtime_error);
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
