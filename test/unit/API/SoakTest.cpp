//===- SoakTest.cpp - Resident memory stays flat over many calls ----------===//
//
// 10^5 cached calls of a traced function, 10^5 eager ops, and traced
// Functions created and destroyed in rounds: the resident set size after a
// warm-up must not grow by more than a small allowance, however many calls
// are made. A leak of one tensor per call (>= 64 bytes) would add >= 6 MB;
// a compiled signature that is not freed with its Function keeps ~850 kB.
//
// Resident memory is what the allocator keeps, so the bounds are generous
// against its caching and tight against per-call or per-Function leaks. The
// sanitizer configuration does not run this suite: ASan's quarantine keeps
// freed memory resident on purpose.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

using namespace kiln;

namespace {

/// Resident set size of this process in bytes (/proc/self/statm).
int64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

constexpr int64_t kMiB = 1 << 20;

TEST(SoakTest, CachedCallsKeepMemoryFlat) {
  auto f = function([](Tensor x, Tensor y) { return relu(x * y + 1.0f); });
  Tensor x = random_normal({16}, 1), y = random_normal({16}, 2);
  for (int i = 0; i < 1000; ++i)
    f(x, y);
  int64_t before = residentBytes();
  for (int i = 0; i < 100'000; ++i)
    f(x, y);
  int64_t growth = residentBytes() - before;
  EXPECT_LT(growth, 2 * kMiB) << "resident memory grew by " << growth
                              << " bytes over 10^5 cached calls";
  EXPECT_EQ(f.trace_count(), 1);
}

TEST(SoakTest, EagerOpsKeepMemoryFlat) {
  Tensor x = random_normal({16}, 3);
  Tensor acc = zeros({16}, DType::F32);
  for (int i = 0; i < 1000; ++i)
    acc = acc * 0.5f + x;
  int64_t before = residentBytes();
  for (int i = 0; i < 100'000; ++i)
    acc = acc * 0.5f + x;
  int64_t growth = residentBytes() - before;
  EXPECT_LT(growth, 2 * kMiB) << "resident memory grew by " << growth
                              << " bytes over 2 * 10^5 eager ops";
}

TEST(SoakTest, DestroyedFunctionsReturnTheirMemory) {
  Tensor x = random_normal({4, 8}, 4);
  auto round = [&] {
    for (int i = 0; i < 20; ++i) {
      auto f = function([i](Tensor x) { return tanh(x) * float(i); });
      f(x);
    }
  };
  round();
  round();
  int64_t before = residentBytes();
  round();
  round();
  int64_t growth = residentBytes() - before;
  // 40 leaked signatures would keep ~34 MB.
  EXPECT_LT(growth, 8 * kMiB) << "resident memory grew by " << growth
                              << " bytes over 40 Functions created and "
                                 "destroyed";
}

// A compiled loop of 10^6 iterations frees or reuses what each iteration
// allocates: the carry is 4 KiB, so a buffer kept per iteration would add
// 4 GB of resident memory during the call.
TEST(SoakTest, CompiledLoopsKeepMemoryFlat) {
  auto f = function([](Tensor x) {
    return fori_loop(
        0, 1'000'000,
        [](const Tensor &, const Tensor &c) { return c * 0.5f + 0.25f; }, x);
  });
  Tensor x = random_normal({1024}, 6);
  f(x);
  int64_t before = residentBytes();
  Tensor y = f(x);
  int64_t growth = residentBytes() - before;
  EXPECT_LT(growth, 2 * kMiB) << "resident memory grew by " << growth
                              << " bytes over a loop of 10^6 iterations";
  // The fixed point of c -> c / 2 + 1/4.
  EXPECT_FLOAT_EQ(y.to_vector<float>()[0], 0.5f);
}

// The same for a kiln.scan of 10^6 steps: each step's carry (1 KiB) and its
// slices are freed or reused, and the stacked output is written in place.
TEST(SoakTest, CompiledScansKeepMemoryFlat) {
  auto f = function([](Tensor c, Tensor xs) {
    return scan(
        [](const Tensor &c, const Tensor &x) {
          Tensor next = c * 0.5f + x;
          return std::pair{next, reduce_sum(next)};
        },
        c, xs);
  });
  Tensor c = random_normal({256}, 7);
  Tensor xs = full({1'000'000}, 0.25f);
  f(c, xs);
  int64_t before = residentBytes();
  auto [last, sums] = f(c, xs);
  int64_t growth = residentBytes() - before;
  EXPECT_LT(growth, 2 * kMiB) << "resident memory grew by " << growth
                              << " bytes over a scan of 10^6 steps";
  // The fixed point of c -> c / 2 + 1/4, and the sum of its 256 elements.
  EXPECT_FLOAT_EQ(last.to_vector<float>()[0], 0.5f);
  EXPECT_FLOAT_EQ(sums.to_vector<float>().back(), 128.0f);
}

} // namespace
