//===- ReductionTest.cpp - e2e: reductions and arg reductions -------------===//
//
// Every reduction over one axis, a negative axis, several axes and all axes,
// with and without keepdims, for every dtype. Integer and bool results and
// max/min/argmax/argmin are exact; float sums and means may add in another
// order on each side and get the summation bound.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <cmath>

using namespace kiln;
using namespace kiln::e2e;

namespace {

const Shape kShape = {3, 5, 7};

/// The reduced axis sets and keepdims flags every reduction is run with.
struct Reduced {
  std::vector<int64_t> axes;
  bool keepdims;
};
// Each set is distinct: outputs that CSE merges into one buffer returned
// twice crash the JIT pipeline (BufferResultsToOutParams; see
// ProgramTest.cpp).
const std::vector<Reduced> kReduced = {
    {{}, false},  {{}, true},      {{0}, false},     {{-1}, true},
    {{1}, false}, {{0, 2}, false}, {{-3, -2}, true}, {{2, -2}, true}};

using ReduceFn = Tensor (*)(const Tensor &, const std::vector<int64_t> &, bool,
                            SourceLoc);

std::vector<Tensor> reduceAll(ReduceFn fn, const Tensor &x) {
  std::vector<Tensor> results;
  for (const Reduced &r : kReduced)
    results.push_back(fn(x, r.axes, r.keepdims, SourceLoc::current()));
  return results;
}

/// Inputs in [-2, 2) (products stay finite and sums are of magnitude ~n).
Tensor reductionInput(DType dtype, uint64_t seed) {
  return uniform(kShape, seed, -2, 2, dtype);
}

/// Dtypes whose sums and products are checked: both sides accumulate 16-bit
/// floats in f32 and round once.
std::vector<DType> accumulatingDTypes() {
  return {DType::Bool, DType::I32, DType::I64, DType::F16,
          DType::BF16, DType::F32, DType::F64};
}

TEST(ReductionE2E, SumAndMean) {
  for (DType dtype : accumulatingDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = reductionInput(dtype, 141);
    // The sum of every |x| bounds the |x| of each partial sum, and all n
    // elements bound the number of terms (16-bit results use their own,
    // larger, epsilon whatever precision each side accumulates in). A mean
    // divides a sum of at least 3 terms by their count.
    double sumOfAbs = reduce_sum(abs(cast(x, DType::F64))).item<double>();
    int64_t n = x.size();
    DType sumType = dtype == DType::Bool ? DType::I32 : dtype;
    DType meanType = isFloating(dtype) ? dtype : DType::F32;
    Bound sum =
        isFloating(sumType) ? summationBound(n, sumOfAbs, sumType) : kExact;
    Bound mean = summationBound(n, sumOfAbs / 3, meanType);
    runThreeWays([](Tensor x) { return reduceAll(reduce_sum, x); }, sum, x);
    runThreeWays([](Tensor x) { return reduceAll(reduce_mean, x); }, mean, x);
  }
}

TEST(ReductionE2E, Cumsum) {
  for (DType dtype : accumulatingDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = reductionInput(dtype, 143);
    // Each prefix sum adds the same terms in the same order on every side
    // (one running sum per slab element), but float sums are bounded as
    // reductions are, in case either side reassociates.
    double sumOfAbs = reduce_sum(abs(cast(x, DType::F64))).item<double>();
    DType sumType = dtype == DType::Bool ? DType::I32 : dtype;
    Bound bound = isFloating(sumType)
                      ? summationBound(x.size(), sumOfAbs, sumType)
                      : kExact;
    // Every axis and flag in float32; the first and last axis, inclusive
    // and forward, in the other dtypes.
    for (int64_t axis = 0; axis < x.rank(); ++axis)
      for (bool exclusive : {false, true})
        for (bool reverse : {false, true})
          if (dtype == DType::F32 ||
              ((axis == 0 || axis == x.rank() - 1) && !exclusive && !reverse))
            runThreeWays(
                [=](Tensor x) { return cumsum(x, axis, exclusive, reverse); },
                bound, x);
  }
}

TEST(ReductionE2E, MaxMinProd) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = reductionInput(dtype, 151);
    runThreeWays([](Tensor x) { return reduceAll(reduce_max, x); }, kExact, x);
    runThreeWays([](Tensor x) { return reduceAll(reduce_min, x); }, kExact, x);
    // A product of n factors rounds n-1 times on each side, in any order.
    Bound prod = isFloating(dtype)
                     ? Bound{0, 2.0 * double(x.size()) * epsilonOf(dtype), 0}
                     : kExact;
    runThreeWays([](Tensor x) { return reduceAll(reduce_prod, x); }, prod, x);
  }
}

TEST(ReductionE2E, NaNPropagatesThroughMaxMin) {
  Tensor x = reshape(withEdges({1, NAN, -INFINITY, 2, INFINITY, -0.0, 0.0, 3},
                               24, 161, -1, 1, DType::F32),
                     {3, 8});
  runThreeWays(
      [](Tensor x) {
        return std::vector{reduce_max(x, {1}), reduce_min(x, {0}),
                           reduce_max(x), reduce_min(x, {-1}, true)};
      },
      kExact, x);
}

TEST(ReductionE2E, ArgMaxArgMinWithTiesAndNaN) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    // Few distinct values: ties are everywhere, and the first index wins.
    Tensor x = uniform(kShape, 171, -2, 2, dtype);
    runThreeWays(
        [](Tensor x) {
          return std::vector{argmax(x, 0),       argmin(x, 0),
                             argmax(x, -1),      argmin(x, -1, true),
                             argmax(x, 1, true), argmin(x, -2)};
        },
        kExact, x);
  }
  Tensor x = reshape(withEdges({1, NAN, 3, 3, -1, -1, NAN, 0, 2, 2, 2, 2}, 12,
                               172, 0, 1, DType::F32),
                     {3, 4});
  runThreeWays(
      [](Tensor x) {
        return std::vector{argmax(x, 1), argmin(x, 1), argmax(x, 0),
                           argmin(x, 0)};
      },
      kExact, x);
}

} // namespace
