//===- ShapeTest.cpp - e2e: shape ops, traced vs eager --------------------===//
//
// Data movement is exact: every shape op must agree bit for bit, for every
// dtype, with negative axes, strided slices, padding values, gathers with
// int32/int64 and negative indices (in range: out-of-range indices are
// clamped by compiled code and rejected eagerly, see kiln.gather).
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <cmath>

using namespace kiln;
using namespace kiln::e2e;

namespace {

TEST(ShapeE2E, ViewsEveryDType) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = uniform({2, 3, 4}, 111, -9, 9, dtype);
    runThreeWays(
        [](Tensor x) {
          return std::vector{
              reshape(x, {4, -1}),
              reshape(x, {24}),
              reshape(transpose(x), {-1, 2}),
              transpose(x, {1, 0, 2}),
              transpose(x),
              transpose(x, {2, 0, 1}),
              broadcast_to(reshape(x, {2, 1, 12}), {5, 2, 3, 12}),
              expand_dims(x, 0),
              expand_dims(x, -1),
              expand_dims(x, 2),
              squeeze(expand_dims(expand_dims(x, 1), -1)),
              squeeze(reshape(x, {1, 2, 1, 12, 1}), {0, -1}),
              slice(x, {0, 1, 0}, {2, 3, 4}),
              slice(x, {1, 0, 1}, {2, 3, 4}, {1, 2, 2})};
        },
        kExact, x);
  }
}

TEST(ShapeE2E, ConcatPadGather) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor x = uniform({3, 4}, 121, -9, 9, dtype);
    Tensor y = uniform({3, 2}, 122, -9, 9, dtype);
    Tensor i32 = constant({2, 0, -1, 1, -3, 2}, {2, 3});
    Tensor i64 = constant({int64_t{3}, int64_t{-4}, int64_t{0}}, {3});
    runThreeWays(
        [](Tensor x, Tensor y, Tensor i32, Tensor i64) {
          return std::vector{concat({x, y, x}, 1),   concat({x, x}, -2),
                             pad(x, {1, 0}, {2, 3}), pad(x, {0, 2}, {1, 0}, 1),
                             gather(x, i32, 0),      gather(x, i64, 1),
                             gather(x, i32, -1)};
        },
        kExact, x, y, i32, i64);
  }
}

TEST(ShapeE2E, ConcatPromotesAndPadsFloats) {
  Tensor a = uniform({2, 3}, 131, -9, 9, DType::I32);
  Tensor b = uniform({1, 3}, 132, -9, 9, DType::F16);
  Tensor c = uniform({2, 3}, 133, 0, 1, DType::Bool);
  Tensor d = withEdges(floatEdges(), 6, 134, -1, 1, DType::F32);
  runThreeWays(
      [](Tensor a, Tensor b, Tensor c, Tensor d) {
        return std::vector{concat({a, b, c}, 0), concat({c, a}, 0),
                           pad(d, {2}, {1}, -0.5), pad(d, {0}, {3}, NAN)};
      },
      kExact, a, b, c, d);
}

} // namespace
