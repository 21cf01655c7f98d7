//===- ReductionTest.cpp - Reductions and argmax/argmin -------------------===//

#include "TestUtil.h"

#include <cmath>
#include <functional>

using namespace kiln;
using namespace ktest;

namespace {

/// Reference reduction of a row-major (2, 3, 4) array over `axes`.
std::vector<double>
referenceReduce(const std::vector<double> &v, const std::vector<int> &axes,
                double init, const std::function<double(double, double)> &f) {
  int dims[3] = {2, 3, 4};
  bool red[3] = {false, false, false};
  for (int a : axes)
    red[a] = true;
  int outDims[3];
  for (int d = 0; d < 3; ++d)
    outDims[d] = red[d] ? 1 : dims[d];
  std::vector<double> out(outDims[0] * outDims[1] * outDims[2], init);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) {
        int oi = red[0] ? 0 : i, oj = red[1] ? 0 : j, ok = red[2] ? 0 : k;
        double &o = out[(oi * outDims[1] + oj) * outDims[2] + ok];
        o = f(o, v[(i * 3 + j) * 4 + k]);
      }
  return out;
}

Shape reducedShape(const std::vector<int> &axes, bool keepdims) {
  Shape dims = {2, 3, 4}, out;
  for (int d = 0; d < 3; ++d) {
    bool r = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!r)
      out.push_back(dims[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

TEST(Reduction, EveryAxisSubsetAndDType) {
  std::vector<double> v;
  for (int i = 0; i < 24; ++i)
    v.push_back((i * 7) % 11 - 4); // small mixed-sign integers
  std::vector<std::vector<int>> subsets = {{0},    {1},    {2},      {0, 1},
                                           {0, 2}, {1, 2}, {0, 1, 2}};
  for (DType t : numericDTypes()) {
    Tensor x = constant(v, {2, 3, 4}, t);
    for (const auto &axes : subsets) {
      std::vector<int64_t> ax(axes.begin(), axes.end());
      for (bool keep : {false, true}) {
        SCOPED_TRACE(std::string(dtypeName(t)) + " axes " + formatList(ax) +
                     (keep ? " keepdims" : ""));
        Shape shape = reducedShape(axes, keep);
        double tol = tolFor(t);
        expectValues(reduce_sum(x, ax, keep), shape, t,
                     referenceReduce(v, axes, 0, std::plus<double>()), tol);
        expectValues(reduce_max(x, ax, keep), shape, t,
                     referenceReduce(v, axes, -1e300, [](double a, double b) {
                       return std::max(a, b);
                     }));
        expectValues(reduce_min(x, ax, keep), shape, t,
                     referenceReduce(v, axes, 1e300, [](double a, double b) {
                       return std::min(a, b);
                     }));
        int count = 1;
        for (int a : axes)
          count *= (Shape{2, 3, 4})[a];
        std::vector<double> mean =
            referenceReduce(v, axes, 0, std::plus<double>());
        for (double &m : mean)
          m /= count;
        DType meanType = isFloating(t) ? t : DType::F32;
        expectValues(reduce_mean(x, ax, keep), shape, meanType, mean,
                     std::max(tolFor(meanType), 1e-6));
      }
    }
    // Products of small values stay exact.
    Tensor p = constant({1, -2, 3, 2, 2, -1}, {2, 3}, t);
    expectValues(reduce_prod(p, {1}), {2}, t, {-6, -4});
    expectValues(reduce_prod(p, {0}), {3}, t, {2, -4, -3});
  }
}

TEST(Reduction, DefaultsAndDTypes) {
  Tensor x = reshape(arange(6), {2, 3});
  expectValues(reduce_sum(x), {}, DType::I32, {15});
  expectValues(reduce_sum(x, {}, true), {1, 1}, DType::I32, {15});
  expectValues(reduce_sum(x, {-1}), {2}, DType::I32, {3, 12});
  Tensor b = constant({true, true, false, true}, {2, 2});
  expectValues(reduce_sum(b), {}, DType::I32, {3}); // bool -> int32
  expectValues(reduce_prod(b, {1}), {2}, DType::I32, {1, 0});
  expectValues(reduce_max(b, {1}), {2}, DType::Bool, {1, 1}); // any
  expectValues(reduce_min(b, {1}), {2}, DType::Bool, {1, 0}); // all
  expectValues(reduce_mean(b), {}, DType::F32, {0.75});
  expectValues(reduce_mean(constant({1, 2})), {}, DType::F32, {1.5});
  expectValues(reduce_sum(zeros({0, 3})), {}, DType::F32, {0});
  expectValues(reduce_sum(zeros({0, 3}), {0}), {3}, DType::F32, {0, 0, 0});
  expectValues(reduce_prod(zeros({0})), {}, DType::F32, {1});
  expectValues(reduce_mean(zeros({0})), {}, DType::F32, {NAN});
  expectValues(reduce_max(zeros({3, 0}), {0}), {0}, DType::F32, {});
  expectValues(reduce_sum(constant(5)), {}, DType::I32, {5});
}

TEST(Reduction, NanPropagates) {
  Tensor x = constant({1.0f, NAN, 3.0f, 4.0f}, {2, 2});
  expectValues(reduce_max(x, {1}), {2}, DType::F32, {NAN, 4});
  expectValues(reduce_min(x, {0}), {2}, DType::F32, {1, NAN});
  expectValues(reduce_sum(x, {1}), {2}, DType::F32, {NAN, 7});
}

TEST(Reduction, StridedAndLarge) {
  // A transposed operand, reduced both ways.
  Tensor x = transpose(reshape(arange(12), {3, 4}));
  expectValues(reduce_sum(x, {0}), {3}, DType::I32, {6, 22, 38});
  expectValues(reduce_sum(x, {1}), {4}, DType::I32, {12, 15, 18, 21});
  // Big enough for the parallel paths: a full reduction split into chunks
  // and a leading-axis reduction.
  int64_t n = 1 << 20;
  Tensor ones1 = ones({n}, DType::F64);
  expectValues(reduce_sum(ones1), {}, DType::F64, {double(n)});
  Tensor big = reshape(arange(int64_t{0}, n, int64_t{1}), {1024, 1024});
  Tensor s0 = reduce_sum(cast(big, DType::I64), {0});
  std::vector<int64_t> got = s0.to_vector<int64_t>();
  for (int64_t j = 0; j < 1024; j += 111)
    EXPECT_EQ(got[j], 1024 * j + 1024 * 1023 / 2 * 1024);
  Tensor m1 = reduce_max(big, {1});
  EXPECT_EQ(m1.to_vector<int64_t>()[5], 5 * 1024 + 1023);
  // Deterministic regardless of the thread count.
  Tensor r = random_uniform({1 << 18}, 5);
  set_num_threads(1);
  Tensor one = reduce_sum(r);
  set_num_threads(0);
  EXPECT_TRUE(all_equal(one, reduce_sum(r)));
}

TEST(Reduction, ArgMaxArgMin) {
  Tensor x = constant({3, 7, 7, 1, 0, 9}, {2, 3});
  expectValues(argmax(x, 1), {2}, DType::I64, {1, 2}); // first of ties
  expectValues(argmin(x, 1), {2}, DType::I64, {0, 1});
  expectValues(argmax(x, 0), {3}, DType::I64, {0, 0, 1});
  expectValues(argmax(x, -1, true), {2, 1}, DType::I64, {1, 2});
  for (DType t : allDTypes()) {
    Tensor y = constant({0, 1, 1, 0}, {4}, t);
    expectValues(argmax(y, 0), {}, DType::I64, {1});
    expectValues(argmin(y, 0), {}, DType::I64, {0});
  }
  expectValues(argmax(constant({1.0f, NAN, 5.0f}), 0), {}, DType::I64, {1});
  expectValues(argmin(constant({1.0f, NAN, -5.0f}), 0), {}, DType::I64, {1});
  expectValues(argmax(transpose(x), 0), {2}, DType::I64, {1, 2});
}

TEST(Reduction, Cumsum) {
  Tensor x = constant({1, 2, 3, 4, 5, 6}, {2, 3});
  expectValues(cumsum(x, 1), {2, 3}, DType::I32, {1, 3, 6, 4, 9, 15});
  expectValues(cumsum(x, 0), {2, 3}, DType::I32, {1, 2, 3, 5, 7, 9});
  expectValues(cumsum(x, -1, /*exclusive=*/true), {2, 3}, DType::I32,
               {0, 1, 3, 0, 4, 9});
  expectValues(cumsum(x, 1, false, /*reverse=*/true), {2, 3}, DType::I32,
               {6, 5, 3, 15, 11, 6});
  expectValues(cumsum(x, 1, true, true), {2, 3}, DType::I32,
               {5, 3, 0, 11, 6, 0});
  for (DType t : floatDTypes())
    expectValues(cumsum(constant({0.5, 0.25, -1.0}, {3}, t), 0), {3}, t,
                 {0.5, 0.75, -0.25});
  // bool sums are int32, as reduce_sum's; integers wrap.
  expectValues(cumsum(constant({true, true, false}), 0), {3}, DType::I32,
               {1, 2, 2});
  int32_t big = std::numeric_limits<int32_t>::max();
  expectValues(cumsum(constant({big, 1}), 0), {2}, DType::I32,
               {double(big), double(std::numeric_limits<int32_t>::min())});
  expectValues(cumsum(transpose(x), 0), {3, 2}, DType::I32,
               {1, 4, 3, 9, 6, 15});
  expectErrorExactly([&] { cumsum(x, 2); },
                     "cumsum: axis 2 is out of range for rank 2 (expected -2 "
                     "<= axis < 2); operand: (2, 3) int32");
}

TEST(Reduction, Errors) {
  Tensor x = zeros({3, 4});
  expectErrorExactly([&] { reduce_sum(x, {2}); },
                     "reduce_sum: axis 2 is out of range for rank 2 (expected "
                     "-2 <= axis < 2); operand: (3, 4) float32");
  expectError(
      [&] {
        reduce_mean(x, {0, -2});
      },
      "reduce_mean: axis -2 is repeated in [0, -2]");
  expectError(
      [&] {
        reduce_max(zeros({2, 0}), {1});
      },
      "reduce_max: cannot reduce an empty axis");
  expectError([&] { reduce_min(zeros({0})); }, "reduce_min: cannot reduce");
  expectErrorExactly(
      [&] {
        argmax(zeros({2, 0}), 1);
      },
      "argmax: cannot reduce the empty axis 1 of shape (2, 0); "
      "operand: (2, 0) float32");
  expectError([&] { argmin(constant(1), 0); },
              "argmin: axis 0 is out of range for a scalar");
}

} // namespace
