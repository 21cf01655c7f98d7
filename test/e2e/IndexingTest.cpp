//===- IndexingTest.cpp - Sorting, scattering and random numbers ----------===//
//
// argsort, sort, topk, the gathers and scatters, and the random ops keyed by
// a seed tensor: eager results against values written out by their
// definitions, then traced, JIT-compiled and interpreted against eager.
// argsort and scatter_nd run the runtime's kernels in every mode, and the
// generator computes the same bits, so the results are bit-equal.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <gmock/gmock.h>

#include <cmath>
#include <limits>

namespace kiln::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<int64_t> ints(const Tensor &t) { return t.toInt64Vector(); }

TEST(IndexingE2E, ArgsortIsStableInBothDirections) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = constant({3.0, 1.0, nan, 1.0, -2.0, 3.0}, {6}, DType::F32);
  EXPECT_EQ(ints(argsort(x)), (std::vector<int64_t>{4, 1, 3, 0, 5, 2}));
  EXPECT_EQ(ints(argsort(x, 0, /*descending=*/true)),
            (std::vector<int64_t>{2, 0, 5, 1, 3, 4}));
  runThreeWays([](const Tensor &x) { return argsort(x); }, kExact, x);
  runThreeWays([](const Tensor &x) { return argsort(x, -1, true); }, kExact, x);
}

TEST(IndexingE2E, ArgsortAndSortOfEveryDType) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    // Few distinct values: many ties.
    Tensor x = uniform({5, 7, 3}, 11, -3, 3, dtype);
    for (int64_t axis : {0, 1, -1}) {
      Tensor order = argsort(x, axis);
      Tensor sorted = sort(x, axis);
      // Sorted along the axis, and ties in index order.
      std::vector<double> v = sorted.toDoubleVector();
      std::vector<int64_t> o = ints(order);
      int64_t a = axis < 0 ? axis + 3 : axis;
      Shape strides = Tensor::contiguousStrides(x.shape());
      for (size_t i = 0; i < v.size(); ++i) {
        int64_t position =
            (static_cast<int64_t>(i) / strides[a]) % x.shape()[a];
        if (position == 0)
          continue;
        size_t previous = i - static_cast<size_t>(strides[a]);
        ASSERT_LE(v[previous], v[i]) << "element " << i;
        if (v[previous] == v[i])
          ASSERT_LT(o[previous], o[i]) << "tie at element " << i;
      }
      runThreeWays([axis](const Tensor &x) { return argsort(x, axis, true); },
                   kExact, x);
      runThreeWays([axis](const Tensor &x) { return sort(x, axis); }, kExact,
                   x);
    }
  }
}

TEST(IndexingE2E, TopkPicksTheLargestWithLowerIndicesFirst) {
  Tensor x =
      constant({1.0, 5.0, 3.0, 5.0, 2.0, 9.0, 9.0, 0.0}, {2, 4}, DType::F32);
  auto [values, indices] = topk(x, 2);
  EXPECT_EQ(values.toDoubleVector(), (std::vector<double>{5, 5, 9, 9}));
  EXPECT_EQ(ints(indices), (std::vector<int64_t>{1, 3, 1, 2}));
  auto [small, smallIndices] = topk(x, 3, 1, /*largest=*/false);
  EXPECT_EQ(small.toDoubleVector(), (std::vector<double>{1, 3, 5, 0, 2, 9}));
  EXPECT_EQ(ints(smallIndices), (std::vector<int64_t>{0, 2, 1, 3, 0, 1}));
  Tensor y = uniform({6, 9}, 3, -1, 1, DType::F64);
  runThreeWays([](const Tensor &y) { return topk(y, 4, 0); }, kExact, y);
  runThreeWays([](const Tensor &y) { return topk(y, 9, 1, false); }, kExact, y);
  EXPECT_THAT([&] { topk(x, 5); },
              ThrowsMessage<Error>(HasSubstr("topk: k = 5 is outside [0, 4]")));
}

TEST(IndexingE2E, TakeAlongAxisAndGatherNd) {
  Tensor x = constant({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3}, DType::F64);
  Tensor picks = constant({2, 0, -1, 1}, {2, 2}, DType::I64);
  EXPECT_EQ(take_along_axis(x, picks, 1).toDoubleVector(),
            (std::vector<double>{3, 1, 6, 5}));
  Tensor vectors = constant({1, 2, 0, -3}, {2, 2}, DType::I32);
  EXPECT_EQ(gather_nd(x, vectors).toDoubleVector(),
            (std::vector<double>{6, 1}));
  runThreeWays(
      [](const Tensor &x, const Tensor &i) { return take_along_axis(x, i, 1); },
      kExact, x, picks);
  runThreeWays([](const Tensor &x, const Tensor &i) { return gather_nd(x, i); },
               kExact, x, vectors);
  // Batch dimensions: one index vector per row.
  Tensor rows = constant({2, 0}, {2, 1}, DType::I64);
  EXPECT_EQ(gather_nd(x, rows, 1).toDoubleVector(),
            (std::vector<double>{3, 4}));
  // An index out of range along one axis must not read another row.
  Tensor beyond = constant({3, 0}, {1, 2}, DType::I64);
  EXPECT_THAT([&] { take_along_axis(x, beyond, 1); },
              ThrowsMessage<Error>(
                  HasSubstr("index 3 is out of range for axis 0 of size 3")));
  auto traced = function([](const Tensor &x, const Tensor &i) {
    return take_along_axis(x, i, 1);
  });
  EXPECT_THAT([&] { traced(x, beyond); },
              ThrowsMessage<Error>(HasSubstr("out of range")));
}

/// scatter_nd by its definition, in double rounded to float32 after each
/// step for float32 tensors (integer values stay small).
std::vector<double> referenceScatter(const Tensor &x, const Tensor &indices,
                                     const Tensor &updates,
                                     ScatterReduction reduction) {
  bool single = x.dtype() == DType::F32;
  std::vector<double> out = x.toDoubleVector(), u = updates.toDoubleVector();
  std::vector<int64_t> idx = ints(indices);
  int64_t rows = x.shape()[0], width = x.size() / rows;
  for (size_t v = 0; v < idx.size(); ++v) {
    int64_t row = idx[v] < 0 ? idx[v] + rows : idx[v];
    for (int64_t j = 0; j < width; ++j) {
      double &e = out[row * width + j];
      double n = u[v * width + j];
      switch (reduction) {
      case ScatterReduction::None:
        e = n;
        break;
      case ScatterReduction::Add:
        e += n;
        break;
      case ScatterReduction::Mul:
        e *= n;
        break;
      case ScatterReduction::Max:
        e = std::max(e, n);
        break;
      case ScatterReduction::Min:
        e = std::min(e, n);
        break;
      }
      if (single)
        e = static_cast<float>(e);
    }
  }
  return out;
}

TEST(IndexingE2E, ScatterNdWithEveryReduction) {
  for (DType dtype : {DType::F32, DType::F64, DType::I32, DType::I64}) {
    Tensor x = uniform({5, 3}, 1, -4, 4, dtype);
    Tensor updates = uniform({4, 3}, 2, -4, 4, dtype);
    // Row 1 twice, and -1 (row 4).
    Tensor indices = constant({1, 3, 1, -1}, {4, 1}, DType::I64);
    for (ScatterReduction reduction :
         {ScatterReduction::None, ScatterReduction::Add, ScatterReduction::Mul,
          ScatterReduction::Max, ScatterReduction::Min}) {
      SCOPED_TRACE(str(dtype) + " " +
                   std::string(scatterReductionName(reduction)));
      Tensor y = scatter_nd(x, indices, updates, reduction);
      EXPECT_EQ(y.toDoubleVector(),
                referenceScatter(x, indices, updates, reduction));
      runThreeWays(
          [reduction](const Tensor &x, const Tensor &i, const Tensor &u) {
            return scatter_nd(x, i, u, reduction);
          },
          kExact, x, indices, updates);
      // int32 indices, and the indices a constant of the graph.
      Tensor narrow = cast(indices, DType::I32);
      runThreeWays(
          [reduction, narrow](const Tensor &x, const Tensor &u) {
            return scatter_nd(x, narrow, u, reduction);
          },
          kExact, x, updates);
    }
  }
}

TEST(IndexingE2E, ScatterNdOfElementsAndOfBlocks) {
  // Index vectors of length 2 into a [3, 4, 2] tensor: each names a row of
  // 2; of length 3, single elements.
  Tensor x = uniform({3, 4, 2}, 5, -1, 1, DType::F32);
  Tensor pairs = constant({0, 1, 2, 3, -1, -4}, {3, 2}, DType::I64);
  Tensor rows = uniform({3, 2}, 6, -1, 1, DType::F32);
  runThreeWays([](const Tensor &x, const Tensor &i,
                  const Tensor &u) { return scatter_nd(x, i, u); },
               kExact, x, pairs, rows);
  Tensor y = scatter_nd(x, pairs, rows);
  EXPECT_EQ(slice(y, {2, 0, 0}, {3, 1, 2}).toDoubleVector(),
            slice(rows, {2, 0}, {3, 2}).toDoubleVector());
  Tensor triples = constant({0, 0, 1, 2, 3, 0}, {2, 3}, DType::I64);
  Tensor values = constant({10.0f, 20.0f}, {2});
  Tensor z = scatter_nd(x, triples, values, ScatterReduction::Add);
  EXPECT_FLOAT_EQ(z.toDoubleVector()[1], x.toDoubleVector()[1] + 10.0);
  EXPECT_FLOAT_EQ(z.toDoubleVector()[22], x.toDoubleVector()[22] + 20.0);
  runThreeWays(
      [](const Tensor &x, const Tensor &i, const Tensor &u) {
        return scatter_nd(x, i, u, ScatterReduction::Add);
      },
      kExact, x, triples, values);
}

TEST(IndexingE2E, ScatterElementsIsTheInverseOfTakeAlongAxis) {
  Tensor data = constant({1.0f, 2.0f, 3.0f, 4.0f, 5.0f}, {1, 5});
  Tensor indices = constant({1, 3}, {1, 2}, DType::I64);
  Tensor updates = constant({1.1f, 2.1f}, {1, 2});
  EXPECT_EQ(scatter_elements(data, indices, updates, 1).toDoubleVector(),
            (std::vector<double>{1, float(1.1), 3, float(2.1), 5}));
  Tensor x = uniform({4, 3}, 7, -1, 1, DType::F64);
  Tensor where = constant({3, 0, 1, 1, 2, -1}, {2, 3}, DType::I64);
  Tensor u = uniform({2, 3}, 8, -1, 1, DType::F64);
  Tensor y = scatter_elements(x, where, u, 0, ScatterReduction::Add);
  EXPECT_EQ(take_along_axis(y, where, 0).toDoubleVector(),
            (take_along_axis(x, where, 0) + u).toDoubleVector());
  runThreeWays(
      [](const Tensor &x, const Tensor &i, const Tensor &u) {
        return scatter_elements(x, i, u, 0, ScatterReduction::Add);
      },
      kExact, x, where, u);
}

TEST(IndexingE2E, ScatterIndexErrorsAreEagerModesInEveryMode) {
  Tensor x = zeros({5, 2});
  Tensor indices = constant({1, 7}, {2, 1}, DType::I64);
  Tensor updates = zeros({2, 2});
  const char *message = "scatter_nd: index 7 is out of range for axis 0 of "
                        "size 5";
  EXPECT_THAT([&] { scatter_nd(x, indices, updates); },
              ThrowsMessage<Error>(HasSubstr(message)));
  auto f = function([](const Tensor &x, const Tensor &i, const Tensor &u) {
    return scatter_nd(x, i, u);
  });
  EXPECT_THAT([&] { f(x, indices, updates); },
              ThrowsMessage<Error>(HasSubstr(message)));
  // Still usable after the error.
  Tensor good = constant({1, 4}, {2, 1}, DType::I64);
  EXPECT_TRUE(all_equal(f(x, good, updates), scatter_nd(x, good, updates)));
  EXPECT_THAT(
      [&] {
        scatter_nd(x, good, zeros({2, 3}));
      },
      ThrowsMessage<Error>(HasSubstr("do not match")));
  EXPECT_THAT(
      [&] {
        scatter_nd(x, good, zeros({2, 2}, DType::F64));
      },
      ThrowsMessage<Error>(HasSubstr("dtype")));
}

TEST(IndexingE2E, RandomNumbersFollowTheSeedArgumentWithoutRetracing) {
  auto f = function([](const Tensor &seed) {
    return random_uniform({64, 33}, seed, -1.0, 2.0, DType::F32);
  });
  std::vector<Tensor> draws;
  for (int64_t seed : {0, 1, -5, 123456789}) {
    SCOPED_TRACE(seed);
    Tensor s = constant(Scalar(seed), DType::I64);
    Tensor compiled = f(s);
    EXPECT_TRUE(all_equal(compiled, random_uniform({64, 33}, s, -1.0, 2.0)));
    // The factory of Tensor.h, with the seed as a number.
    EXPECT_TRUE(all_equal(
        compiled,
        random_uniform({64, 33}, static_cast<uint64_t>(seed), -1.0, 2.0)));
    std::vector<double> v = compiled.toDoubleVector();
    EXPECT_GE(*std::min_element(v.begin(), v.end()), -1.0);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 2.0);
    for (const Tensor &other : draws)
      EXPECT_FALSE(all_equal(other, compiled));
    draws.push_back(compiled);
  }
  EXPECT_EQ(f.trace_count(), 1);
}

TEST(IndexingE2E, RandomOpsOfEveryFloatDType) {
  for (DType dtype : floatDTypes()) {
    SCOPED_TRACE(str(dtype));
    for (DType seedType : {DType::I32, DType::I64}) {
      Tensor seed = constant(Scalar(-42), seedType);
      runThreeWays(
          [dtype](const Tensor &s) {
            return random_uniform({3, 50, 7}, s, 0.5, 4.0, dtype);
          },
          kExact, seed);
      // Compiled code calls the C library's float64 log, sin and cos, as
      // eager mode does.
      runThreeWays(
          [dtype](const Tensor &s) {
            return random_normal({4, 25}, s, 1.0, 3.0, dtype);
          },
          kExact, seed);
    }
  }
  // Large samples have the distributions' moments.
  Tensor seed = constant(Scalar(int64_t{7}), DType::I64);
  auto moments = [](const Tensor &t) {
    Tensor d = cast(t, DType::F64);
    double mean = reduce_mean(d).item<double>();
    double var = reduce_mean((d - mean) * (d - mean)).item<double>();
    return std::pair{mean, var};
  };
  auto [uMean, uVar] = moments(random_uniform({100000}, seed));
  EXPECT_NEAR(uMean, 0.5, 0.005);
  EXPECT_NEAR(uVar, 1.0 / 12, 0.002);
  auto [nMean, nVar] = moments(random_normal({100000}, seed, 2.0, 0.5));
  EXPECT_NEAR(nMean, 2.0, 0.01);
  EXPECT_NEAR(nVar, 0.25, 0.005);
}

TEST(IndexingE2E, DropoutMaskChangesWithTheSeed) {
  Tensor x = uniform({100, 100}, 9, 1, 2, DType::F32);
  auto f = function([](const Tensor &x, const Tensor &seed) {
    return dropout(x, 0.25, seed);
  });
  Tensor first, second;
  for (int64_t s : {3, 4}) {
    Tensor seed = constant(Scalar(s), DType::I64);
    Tensor y = f(x, seed);
    EXPECT_TRUE(all_equal(y, dropout(x, 0.25, seed)));
    std::vector<double> xv = x.toDoubleVector(), yv = y.toDoubleVector();
    int64_t zeros = 0;
    for (size_t i = 0; i < yv.size(); ++i) {
      if (yv[i] == 0)
        ++zeros;
      else
        ASSERT_EQ(yv[i], float(float(xv[i]) * float(1 / 0.75)));
    }
    EXPECT_NEAR(zeros / 10000.0, 0.25, 0.02);
    (s == 3 ? first : second) = y;
  }
  EXPECT_FALSE(all_equal(first, second));
  EXPECT_EQ(f.trace_count(), 1);
  EXPECT_THAT(
      [&] { dropout(x, 1.0, constant(Scalar(int64_t{1}), DType::I64)); },
      ThrowsMessage<Error>(HasSubstr("outside [0, 1)")));
  EXPECT_THAT([&] { random_uniform({2}, zeros({2}, DType::I64)); },
              ThrowsMessage<Error>(HasSubstr("rank 0")));
}

} // namespace
} // namespace kiln::e2e
