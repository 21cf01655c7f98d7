//===- CAbiTest.cpp - The runtime functions compiled code calls -----------===//

#include "TestUtil.h"

#include "kiln/Runtime/CAbi.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

using namespace kiln;

namespace {

bool alignedTo(void *p, uintptr_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

TEST(CAbiAlloc, BlocksAreAlignedWritableAndDistinct) {
  for (uint64_t bytes : {uint64_t(0), uint64_t(1), uint64_t(100),
                         uint64_t(1) << 20, (uint64_t(3) << 20) + 5}) {
    void *a = kiln_rt_alloc(bytes), *b = kiln_rt_alloc(bytes);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    EXPECT_TRUE(alignedTo(a, 64) && alignedTo(b, 64)) << bytes;
    std::memset(a, 0x5a, bytes);
    std::memset(b, 0xa5, bytes);
    if (bytes)
      EXPECT_EQ(static_cast<unsigned char *>(a)[bytes - 1], 0x5a);
    kiln_rt_free(a);
    kiln_rt_free(b);
  }
  kiln_rt_free(nullptr);
}

TEST(CAbiAlloc, LargerAlignmentsAreHonoured) {
  for (uint64_t alignment : {16, 64, 128, 4096, 1 << 20}) {
    void *p = kiln_rt_aligned_alloc(alignment, 1000);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(alignedTo(p, alignment)) << alignment;
    std::memset(p, 1, 1000);
    kiln_rt_free(p);
  }
}

TEST(CAbiAlloc, LargeBlocksAreReusedAfterFree) {
  // A large temporary freed by one call is handed to the next call that
  // asks for the same size: its pages are already mapped.
  const uint64_t bytes = uint64_t(5) << 20;
  void *first = kiln_rt_alloc(bytes);
  ASSERT_NE(first, nullptr);
  std::memset(first, 7, bytes);
  kiln_rt_free(first);
  void *second = kiln_rt_alloc(bytes);
  EXPECT_EQ(second, first);
  kiln_rt_free(second);
}

TEST(CAbiAlloc, ExhaustionAndBadAlignmentsGiveNull) {
  EXPECT_EQ(kiln_rt_alloc(UINT64_MAX - 10), nullptr);
  EXPECT_EQ(kiln_rt_aligned_alloc(96, 1000), nullptr);
  EXPECT_EQ(kiln_rt_aligned_alloc(uint64_t(1) << 40, 1000), nullptr);
}

/// A rank-3 descriptor viewing `data` with the given sizes and strides.
KilnMemRefF32x3 view(std::vector<float> &data, std::array<int64_t, 3> sizes,
                     std::array<int64_t, 3> strides) {
  KilnMemRefF32x3 m;
  m.allocated = m.aligned = data.data();
  m.offset = 0;
  for (int i = 0; i < 3; ++i) {
    m.sizes[i] = sizes[i];
    m.strides[i] = strides[i];
  }
  return m;
}

TEST(CAbiBatchMatmul, ManySmallProductsWithTransposedOperand) {
  // 64 products of [8, 5] x [5, 6]: more batches than threads, so they run
  // one per task; b is read through a transposed view ([6, 5] rows).
  const int64_t batches = 64, m = 8, k = 5, n = 6;
  std::vector<float> a(batches * m * k), bT(batches * n * k);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(int(i * 7 % 11) - 5);
  for (size_t i = 0; i < bT.size(); ++i)
    bT[i] = float(int(i * 5 % 13) - 6);
  std::vector<float> expected(batches * m * n, 0.0f);
  for (int64_t bt = 0; bt < batches; ++bt)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          expected[(bt * m + i) * n + j] +=
              a[(bt * m + i) * k + p] * bT[(bt * n + j) * k + p];

  KilnMemRefF32x3 ma = view(a, {batches, m, k}, {m * k, k, 1});
  KilnMemRefF32x3 mb = view(bT, {batches, k, n}, {n * k, 1, k});
  std::vector<float> c(batches * m * n, 100.0f);
  KilnMemRefF32x3 mc = view(c, {batches, m, n}, {m * n, n, 1});
  _mlir_ciface_kiln_rt_batch_matmul_set_f32(&ma, &mb, &mc);
  EXPECT_EQ(c, expected);

  // The accumulating variant adds to what is there.
  _mlir_ciface_kiln_rt_batch_matmul_f32(&ma, &mb, &mc);
  for (float &e : expected)
    e *= 2;
  EXPECT_EQ(c, expected);
}

/// A rank-2 descriptor viewing `data` as rows x cols, row-major.
KilnMemRefF32x2 matrix(std::vector<float> &data, int64_t rows, int64_t cols) {
  KilnMemRefF32x2 m;
  m.allocated = m.aligned = data.data();
  m.offset = 0;
  m.sizes[0] = rows;
  m.sizes[1] = cols;
  m.strides[0] = cols;
  m.strides[1] = 1;
  return m;
}

/// What the epilogue of CAbiMatmulEpilogue saw.
struct EpilogueRecord {
  const std::vector<float> *c, *expected;
  int64_t cols;
  std::mutex mutex;
  std::vector<int> calls; // per row
  bool sawUnfinishedRow = false;
};

void recordRows(int64_t begin, int64_t end, void *context) {
  auto *record = static_cast<EpilogueRecord *>(context);
  std::lock_guard<std::mutex> lock(record->mutex);
  for (int64_t r = begin; r < end; ++r) {
    ++record->calls[r];
    for (int64_t j = 0; j < record->cols; ++j)
      if ((*record->c)[r * record->cols + j] !=
          (*record->expected)[r * record->cols + j])
        record->sawUnfinishedRow = true;
  }
}

TEST(CAbiMatmulEpilogue, RunsOnceOnEveryFinishedRow) {
  // Shapes where the GEMM's blocks span whole rows (the epilogue runs block
  // by block), where they are split into column ranges or c is wider than
  // one block of columns (it runs at the end), and an empty k.
  for (auto [m, k, n] : {std::array<int64_t, 3>{300, 700, 96},
                         std::array<int64_t, 3>{40, 64, 512},
                         std::array<int64_t, 3>{150, 20, 3100},
                         std::array<int64_t, 3>{17, 0, 5}}) {
    SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(k) + "x" +
                 std::to_string(n));
    std::vector<float> a(m * k), b(k * n), c(m * n, -1.0f),
        expected(m * n, 0.0f);
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = float(int(i * 7 % 5) - 2);
    for (size_t i = 0; i < b.size(); ++i)
      b[i] = float(int(i * 3 % 7) - 3);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p)
        for (int64_t j = 0; j < n; ++j)
          expected[i * n + j] += a[i * k + p] * b[p * n + j];
    EpilogueRecord record{&c, &expected, n};
    record.calls.assign(m, 0);
    KilnMemRefF32x2 ma = matrix(a, m, k), mb = matrix(b, k, n),
                    mc = matrix(c, m, n);
    _mlir_ciface_kiln_rt_matmul_set_epilogue_f32(&ma, &mb, &mc, recordRows,
                                                 &record);
    EXPECT_EQ(c, expected);
    EXPECT_FALSE(record.sawUnfinishedRow);
    EXPECT_EQ(record.calls, std::vector<int>(m, 1));
  }
}

#if defined(__x86_64__)
// Regression: compiled code's functions have no -fsanitize=function prologue
// (the type hash clang puts before its own functions), and UBSan's check of
// an indirect call read the 8 bytes before the callee: a JIT function at the
// start of a page that follows an unmapped one crashed the sanitizer build
// (test_maxpool_3d_default, intermittently). The runtime calls compiled
// code without that check; this places a body (a bare `ret`) right after an
// inaccessible page and calls it through kiln_rt_parallel_for.
TEST(CAbi, CallsCompiledCodeAtTheStartOfAPage) {
  long page = sysconf(_SC_PAGESIZE);
  void *mapping = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapping, MAP_FAILED);
  auto *bytes = static_cast<unsigned char *>(mapping);
  bytes[page] = 0xC3; // ret
  ASSERT_EQ(mprotect(bytes, page, PROT_NONE), 0);
  ASSERT_EQ(mprotect(bytes + page, page, PROT_READ | PROT_EXEC), 0);
  KilnParallelBody body = nullptr;
  void *entry = bytes + page;
  std::memcpy(&body, &entry, sizeof(body));
  kiln_rt_parallel_for(1, 1, body, nullptr);  // one chunk: a direct call
  kiln_rt_parallel_for(64, 1, body, nullptr); // chunks on the pool
  munmap(mapping, 2 * page);
}
#endif

} // namespace
