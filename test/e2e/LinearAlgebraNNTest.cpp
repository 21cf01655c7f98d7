//===- LinearAlgebraNNTest.cpp - e2e: matmul, softmax, layer_norm ---------===//

#include "DifferentialTesting.h"

#include <cmath>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// A dot product of k terms, each |a_i b_i| <= maxA * maxB, summed in any
/// order (see summationBound).
Bound dotBound(int64_t k, const Tensor &a, const Tensor &b, DType dtype) {
  return summationBound(k, double(k) * maxAbs(a) * maxAbs(b), dtype);
}

TEST(MatmulE2E, RanksAndBatchBroadcasting) {
  // 16-bit floats accumulate in f32 on both sides; bool matmul cannot be
  // traced (reported).
  for (DType dtype : {DType::F16, DType::BF16, DType::F32, DType::F64,
                      DType::I32, DType::I64}) {
    SCOPED_TRACE(str(dtype));
    Tensor m = uniform({5, 6}, 181, -3, 3, dtype);
    Tensor n = uniform({6, 4}, 182, -3, 3, dtype);
    Tensor u = uniform({6}, 183, -3, 3, dtype);
    Tensor v = uniform({5}, 184, -3, 3, dtype);
    Tensor batched = uniform({2, 1, 5, 6}, 185, -3, 3, dtype);
    Tensor stack = uniform({3, 6, 4}, 186, -3, 3, dtype);
    Bound bound = isFloating(dtype) ? dotBound(6, m, n, dtype) : kExact;
    runThreeWays(
        [](Tensor m, Tensor n, Tensor u, Tensor v, Tensor batched,
           Tensor stack) {
          return std::vector{
              matmul(m, n),     matmul(u, n),       matmul(m, u),
              matmul(u, u),     matmul(v, m),       matmul(batched, stack),
              matmul(u, stack), matmul(batched, n), matmul(m, stack)};
        },
        bound, m, n, u, v, batched, stack);
  }
}

// A rhs transposed in its last two dims is read in place through a
// transposed indexing map (and a strided view for the runtime's GEMM): a
// matrix, a batched lhs times a matrix, batched products, and f64 and i32
// (whose loops read the map directly).
TEST(MatmulE2E, TransposedRhsIsReadInPlace) {
  for (DType dtype : {DType::F32, DType::F64, DType::I32}) {
    SCOPED_TRACE(str(dtype));
    Tensor m = uniform({5, 6}, 201, -3, 3, dtype);
    Tensor w = uniform({4, 6}, 202, -3, 3, dtype);
    Tensor x = uniform({2, 3, 6}, 203, -3, 3, dtype);
    Tensor q = uniform({2, 3, 5, 6}, 204, -3, 3, dtype);
    Tensor k = uniform({2, 3, 7, 6}, 205, -3, 3, dtype);
    Bound bound = isFloating(dtype) ? dotBound(6, m, w, dtype) : kExact;
    runThreeWays(
        [](Tensor m, Tensor w, Tensor x, Tensor q, Tensor k) {
          return std::vector{matmul(m, transpose(w)), matmul(x, transpose(w)),
                             matmul(q, transpose(k, {0, 1, 3, 2}))};
        },
        bound, m, w, x, q, k);
  }
}

TEST(MatmulE2E, MixedDTypes) {
  Tensor i = uniform({4, 7}, 191, -5, 5, DType::I32);
  Tensor f = normal({7, 3}, 192, DType::F32);
  Tensor l = uniform({7, 3}, 193, -5, 5, DType::I64);
  Tensor h = normal({7}, 194, DType::F64);
  Tensor t = uniform({4, 7}, 195, 0, 1, DType::Bool);
  runThreeWays(
      [](Tensor i, Tensor f, Tensor l, Tensor h, Tensor t) {
        return std::vector{matmul(i, f), matmul(i, l), matmul(t, f),
                           matmul(t, l), matmul(i, h)};
      },
      {dotBound(7, i, f, DType::F32), kExact, dotBound(7, t, f, DType::F32),
       kExact, dotBound(7, i, h, DType::F64)},
      i, f, l, h, t);
}

// softmax and log_softmax: exp has the 1e-6 relative bound of the
// elementwise suite (polynomial approximations on both sides); normalizing
// by a sum of n <= 9 positive terms adds n ulp, log of the sum ~1 ulp.
// log_softmax = x - max - log(sum): an absolute bound relative to |x - max|.
TEST(NNE2E, SoftmaxAndLogSoftmax) {
  for (DType dtype :
       {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I32}) {
    SCOPED_TRACE(str(dtype));
    Tensor x = uniform({4, 9}, 201, -8, 8, dtype);
    bool narrow = dtype == DType::F16 || dtype == DType::BF16;
    Bound soft = dtype == DType::F64 ? Bound{16, 0, 0}
                 : narrow            ? Bound{1, 0, 0}
                                     : Bound{0, 2e-6, 1e-12};
    Bound logSoft = dtype == DType::F64 ? Bound{16, 0, 1e-14}
                    : narrow            ? Bound{1, 0, 0}
                                        : Bound{0, 2e-6, 4e-6};
    runThreeWays(
        [](Tensor x) {
          return std::vector{softmax(x), softmax(x, 0), log_softmax(x),
                             log_softmax(x, -2)};
        },
        {soft, soft, logSoft, logSoft}, x);
  }
  // Infinities and NaN.
  Tensor edge =
      constant(std::vector<double>{1.0, -INFINITY, 2.0, INFINITY, 0.0, NAN},
               {2, 3}, DType::F32);
  runThreeWays(
      [](Tensor x) {
        return std::vector{softmax(x), log_softmax(x)};
      },
      Bound{0, 2e-6, 0}, edge);
}

// layer_norm: mean and variance are sums of n = 8 or 24 terms (summation
// bound ~n ulp relative to the normalized magnitude), then a correctly
// rounded rsqrt or sqrt and division: 1e-5 absolute on values of size ~1
// for f32.
TEST(NNE2E, LayerNorm) {
  for (DType dtype : {DType::F16, DType::BF16, DType::F32, DType::F64}) {
    SCOPED_TRACE(str(dtype));
    Tensor x = uniform({2, 3, 8}, 211, -4, 4, dtype);
    Tensor scale = uniform({8}, 212, 0.5, 2, dtype);
    Tensor bias = uniform({8}, 213, -1, 1, dtype);
    Tensor scale2 = uniform({3, 8}, 214, 0.5, 2, dtype);
    double eps = epsilonOf(dtype);
    Bound bound{2, 0, 64 * eps};
    runThreeWays(
        [](Tensor x, Tensor s, Tensor b, Tensor s2) {
          return std::vector{layer_norm(x, {-1}), layer_norm(x, {2}, 1e-3, s),
                             layer_norm(x, {-1}, 1e-5, std::nullopt, b),
                             layer_norm(x, {-1}, 1e-5, s, b),
                             layer_norm(x, {1, 2}, 1e-5, s2, b)};
        },
        bound, x, scale, bias, scale2);
  }
}

} // namespace
