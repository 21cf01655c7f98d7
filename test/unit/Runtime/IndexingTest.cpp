//===- IndexingTest.cpp - argsort, the scatters and the seeded random ops -===//
//
// The eager kernels' corner cases: 16-bit floats and NaN in argsort, bool
// and NaN in the scatter reductions, strided operands, and the errors.
// (test/e2e/IndexingTest.cpp checks the same ops traced and compiled.)
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <limits>

using namespace kiln;
using namespace ktest;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Argsort, SixteenBitFloatsAndNaN) {
  for (DType dtype : {DType::F16, DType::BF16, DType::F32, DType::F64}) {
    SCOPED_TRACE(dtypeName(dtype));
    Tensor x = constant({0.5, kNaN, -1.0, 0.5, kNaN, 2.0}, {6}, dtype);
    EXPECT_EQ(argsort(x).toInt64Vector(),
              (std::vector<int64_t>{2, 0, 3, 5, 1, 4}));
    EXPECT_EQ(argsort(x, 0, true).toInt64Vector(),
              (std::vector<int64_t>{1, 4, 5, 0, 3, 2}));
  }
}

TEST(Argsort, StridedInputAndBool) {
  // A transposed view: lines along axis 1 are strided in memory.
  Tensor x = transpose(constant({3, 1, 2, 9, 8, 7}, {3, 2}, DType::I32));
  EXPECT_EQ(argsort(x, 1).toInt64Vector(),
            (std::vector<int64_t>{1, 0, 2, 0, 2, 1}));
  Tensor b = constant({1, 0, 1, 0}, {4}, DType::Bool);
  EXPECT_EQ(argsort(b).toInt64Vector(), (std::vector<int64_t>{1, 3, 0, 2}));
  EXPECT_EQ(argsort(zeros({0, 3})).shape(), (Shape{0, 3}));
  expectError(
      [] {
        argsort(zeros({2, 3}), 2);
      },
      "argsort: axis 2 is out of range for rank 2");
}

TEST(ScatterNd, ReductionsOfBoolAndNaN) {
  Tensor flags = constant({0, 1, 0}, {3}, DType::Bool);
  Tensor at = constant({0, 0, 1}, {3, 1}, DType::I64);
  Tensor values = constant({1, 0, 0}, {3}, DType::Bool);
  EXPECT_EQ(
      scatter_nd(flags, at, values, ScatterReduction::Add).toInt64Vector(),
      (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(
      scatter_nd(flags, at, values, ScatterReduction::Min).toInt64Vector(),
      (std::vector<int64_t>{0, 0, 0}));
  Tensor x = constant({1.0, 2.0}, {2}, DType::F32);
  Tensor one = constant({0}, {1, 1}, DType::I64);
  Tensor nan = constant({kNaN}, {1}, DType::F32);
  EXPECT_TRUE(std::isnan(
      scatter_nd(x, one, nan, ScatterReduction::Max).toDoubleVector()[0]));
  // The input is never modified, even when it is a view.
  Tensor base = constant({1.0, 2.0, 3.0, 4.0}, {2, 2}, DType::F64);
  Tensor y = scatter_nd(transpose(base), one,
                        constant({9.0, 9.0}, {1, 2}, DType::F64));
  expectValues(y, {2, 2}, DType::F64, {9, 9, 2, 4});
  expectValues(base, {2, 2}, DType::F64, {1, 2, 3, 4});
}

TEST(ScatterNd, Errors) {
  Tensor x = zeros({4, 3});
  expectError(
      [&] {
        scatter_nd(x, constant({-5}, {1, 1}, DType::I64), zeros({1, 3}));
      },
      "scatter_nd: index -5 is out of range for axis 0 of size 4");
  expectError(
      [&] {
        scatter_nd(x, constant({0.0}, {1, 1}, DType::F32), zeros({1, 3}));
      },
      "scatter_nd: indices must be int32 or int64, got float32");
  expectError([&] { scatter_nd(x, zeros({}, DType::I64), zeros({3})); },
              "indices must have rank >= 1");
  expectError(
      [&] {
        scatter_elements(x, constant({0, 1}, {1, 2}, DType::I64), zeros({2, 1}),
                         0);
      },
      "scatter_elements: indices and updates must have one shape");
  EXPECT_EQ(parseScatterReduction("max"), ScatterReduction::Max);
  EXPECT_EQ(parseScatterReduction("sum"), std::nullopt);
}

TEST(SeededRandom, IsTheFactorysGenerator) {
  Tensor seed = constant(Scalar(int32_t{-3}), DType::I32);
  EXPECT_TRUE(all_equal(random_uniform({5, 4}, seed, 1.0, 3.0, DType::BF16),
                        random_uniform({5, 4}, static_cast<uint64_t>(-3), 1.0,
                                       3.0, DType::BF16)));
  EXPECT_TRUE(all_equal(
      random_normal({9}, seed, 0.0, 2.0, DType::F64),
      random_normal({9}, static_cast<uint64_t>(-3), 0.0, 2.0, DType::F64)));
  expectError([&] { random_uniform({2}, seed, 0.0, 1.0, DType::I32); },
              "random_uniform: dtype must be floating, got int32");
  expectError([&] { random_normal({-1}, seed); }, "negative dimension");
  expectError([&] { random_normal({2}, constant(Scalar(1.5), DType::F32)); },
              "the seed must be an int32 or int64 scalar");
  expectError([&] { dropout(zeros({2}, DType::I32), 0.5, seed); },
              "dropout: the input must be floating");
  Tensor x = full({3}, Scalar(2.0), DType::F32);
  EXPECT_TRUE(all_equal(dropout(x, 0.0, seed), x));
}

} // namespace
