//===- MatmulTest.cpp - numpy.matmul semantics and the blocked GEMM -------===//

#include "TestUtil.h"

#include <array>

using namespace kiln;
using namespace ktest;

namespace {

/// Reference: C[m, n] = sum_k A[m, k] B[k, n] over row-major vectors.
std::vector<double> refMatmul(const std::vector<double> &a,
                              const std::vector<double> &b, int64_t m,
                              int64_t k, int64_t n) {
  std::vector<double> c(m * n, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j)
        c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

TEST(Matmul, SmallEveryDType) {
  std::vector<double> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
  for (DType t : numericDTypes()) {
    Tensor r = matmul(constant(a, {2, 3}, t), constant(b, {3, 2}, t));
    expectValues(r, {2, 2}, t, {58, 64, 139, 154}, tolFor(t));
  }
  Tensor ba = constant({true, false, false, false}, {2, 2});
  Tensor bb = constant({false, true, true, false}, {2, 2});
  expectValues(matmul(ba, bb), {2, 2}, DType::Bool, {0, 1, 0, 0});
  // Mixed dtypes promote.
  EXPECT_EQ(matmul(constant({1, 2}), constant({0.5f, 0.5f})).dtype(),
            DType::F32);
}

TEST(Matmul, SizesAroundTheBlocking) {
  // Sizes that are not multiples of the micro-tile or cache blocks, with
  // K > KC so the accumulation over K blocks is exercised.
  for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{
           {1, 1, 1}, {7, 300, 37}, {75, 513, 70}, {130, 20, 3}}) {
    for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64}) {
      Tensor a = cast(random_uniform({m, k}, 1, -2, 2, DType::F64) * 4.0, t);
      Tensor b = cast(random_uniform({k, n}, 2, -2, 2, DType::F64) * 4.0, t);
      std::vector<double> ref =
          refMatmul(a.to_vector<double>(), b.to_vector<double>(), m, k, n);
      double tol = t == DType::F32 ? 1e-5 * k : tolFor(t);
      expectValues(matmul(a, b), {m, n}, t, ref, tol);
    }
  }
}

TEST(Matmul, OneDimensionalOperands) {
  Tensor v = constant({1.0f, 2.0f, 3.0f});
  Tensor m = reshape(arange(6.0f, 12.0f, 1.0f), {3, 2});
  expectValues(matmul(v, v), {}, DType::F32, {14});
  expectValues(matmul(v, m), {2}, DType::F32, {6 + 16 + 30, 7 + 18 + 33});
  Tensor mt = transpose(m); // (2, 3), a strided view
  expectValues(matmul(mt, v), {2}, DType::F32, {6 + 16 + 30, 7 + 18 + 33});
  expectValues(matmul(v, zeros({4, 3, 2})), {4, 2}, DType::F32,
               std::vector<double>(8, 0));
}

TEST(Matmul, BatchBroadcasting) {
  Tensor a = reshape(arange(12.0, 0.0, -1.0, DType::F64), {2, 1, 2, 3});
  Tensor b = reshape(arange(0.0, 18.0, 1.0, DType::F64), {3, 3, 2});
  Tensor r = matmul(a, b);
  EXPECT_EQ(r.shape(), (Shape{2, 3, 2, 2}));
  std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>();
  std::vector<double> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      std::vector<double> ai(av.begin() + i * 6, av.begin() + i * 6 + 6);
      std::vector<double> bj(bv.begin() + j * 6, bv.begin() + j * 6 + 6);
      for (double c : refMatmul(ai, bj, 2, 3, 2))
        expected.push_back(c);
    }
  expectValues(r, {2, 3, 2, 2}, DType::F64, expected);
}

TEST(Matmul, LargeParallel) {
  int64_t n = 192;
  Tensor a = random_uniform({n, n}, 3), b = random_uniform({n, n}, 4);
  std::vector<double> ref =
      refMatmul(a.to_vector<double>(), b.to_vector<double>(), n, n, n);
  expectValues(matmul(a, b), {n, n}, DType::F32, ref, 1e-4);
  // Transposed operands read through strides give the same result.
  Tensor at = transpose(transpose(a).contiguous());
  expectValues(matmul(at, b), {n, n}, DType::F32, ref, 1e-4);
  // f16 computes in f32 and rounds once.
  Tensor h = matmul(cast(a, DType::F16), cast(b, DType::F16));
  EXPECT_EQ(h.dtype(), DType::F16);
  expectValues(h, {n, n}, DType::F16, ref, 2e-2);
}

TEST(Matmul, SameBitsOnAnyThreadCount) {
  // On several threads a product with enough columns splits them over the
  // threads, each packing its own B and all of A (Matmul.cpp:
  // runColumnsPerThread); fewer columns take the shared-B path; one panel's
  // worth of columns reads A where it is, rows split over the threads
  // (runOnePanel), unless A's rows are strided. Each sum runs over the same
  // K blocks either way: the bits do not depend on the thread count. Column
  // counts that do not fill the panels or split evenly, K over one block,
  // strided operands, float64.
  for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{{70, 300, 290},
                                                            {5, 600, 1000},
                                                            {200, 40, 3100},
                                                            {64, 64, 96},
                                                            {256, 1024, 10},
                                                            {71, 300, 16},
                                                            {3, 700, 1}}) {
    for (DType t : {DType::F32, DType::F64}) {
      Tensor a = random_uniform({m, k}, 5, -1, 1, t);
      Tensor at = transpose(transpose(a).contiguous()); // strided rows
      Tensor b = random_uniform({k, n}, 6, -1, 1, t);
      Tensor bt = transpose(transpose(b).contiguous()); // strided view
      set_num_threads(1);
      Tensor expected = matmul(a, b);
      expectValues(
          expected, {m, n}, t,
          refMatmul(a.to_vector<double>(), b.to_vector<double>(), m, k, n),
          t == DType::F32 ? 1e-5 * k : 1e-12 * k);
      for (int threads : {2, 3, 4}) {
        set_num_threads(threads);
        EXPECT_TRUE(all_equal(matmul(a, b), expected))
            << m << "x" << k << "x" << n << ", " << threads << " threads";
        EXPECT_TRUE(all_equal(matmul(a, bt), expected))
            << m << "x" << k << "x" << n << ", " << threads
            << " threads, strided B";
        EXPECT_TRUE(all_equal(matmul(at, b), expected))
            << m << "x" << k << "x" << n << ", " << threads
            << " threads, strided A";
      }
    }
  }
  set_num_threads(0);
}

TEST(Matmul, OneRowIsARowOfTheBlockedProduct) {
  // A product of one row reads B in place, row by row (Matmul.cpp:
  // runRowVector), where more rows pack it: each row of the result has the
  // same bits either way, on any thread count. Column counts that do not
  // fill the kernel's width, K over one block (300, 1280 > 256), a row read
  // through strides, a 1-D left operand, float64 and int32 (wrapping).
  for (auto [k, n] : std::vector<std::array<int64_t, 2>>{
           {1280, 1000}, {300, 70}, {40, 33}, {600, 65}}) {
    for (DType t : {DType::F32, DType::F64, DType::I32}) {
      auto values = [t](const Shape &shape, uint64_t seed) {
        return t == DType::I32
                   ? cast(random_uniform(shape, seed, -50, 50), DType::I32)
                   : random_uniform(shape, seed, -1, 1, t);
      };
      Tensor a = values({3, k}, 7);
      Tensor at = transpose(transpose(a).contiguous()); // strided rows
      Tensor b = values({k, n}, 8);
      set_num_threads(1);
      Tensor all = matmul(a, b);
      for (int threads : {1, 2, 3}) {
        set_num_threads(threads);
        for (int64_t i = 0; i < 3; ++i) {
          Tensor expected = slice(all, {i, 0}, {i + 1, n});
          std::string where = std::to_string(k) + "x" + std::to_string(n) +
                              " " + std::string(dtypeName(t)) + ", row " +
                              std::to_string(i) + ", " +
                              std::to_string(threads) + " threads";
          Tensor row = slice(a, {i, 0}, {i + 1, k});
          EXPECT_TRUE(all_equal(matmul(row, b), expected)) << where;
          EXPECT_TRUE(
              all_equal(matmul(slice(at, {i, 0}, {i + 1, k}), b), expected))
              << where << ", strided";
          EXPECT_TRUE(
              all_equal(matmul(reshape(row, {k}), b), reshape(expected, {n})))
              << where << ", 1-D";
        }
      }
    }
  }
  set_num_threads(0);
}

TEST(Matmul, EmptyAndErrors) {
  expectValues(matmul(zeros({2, 0}), zeros({0, 3})), {2, 3}, DType::F32,
               std::vector<double>(6, 0));
  expectValues(matmul(zeros({0, 4}), zeros({4, 3})), {0, 3}, DType::F32, {});
  expectErrorExactly(
      [] {
        matmul(zeros({2, 3}), zeros({4, 5}));
      },
      "matmul: contraction dimensions differ: shapes (2, 3) "
      "and (4, 5) (3 vs 4) (float32, float32)");
  expectError(
      [] {
        matmul(zeros({2, 2, 3}), zeros({3, 3, 4}));
      },
      "matmul: batch dimensions of shapes (2, 2, 3) and (3, 3, 4) are "
      "not broadcastable");
  expectError([] { matmul(constant(1.0f), zeros({3})); },
              "matmul: operands must have rank >= 1, got shapes () and (3)");
}

} // namespace
