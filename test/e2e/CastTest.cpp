//===- CastTest.cpp - e2e: cast between every pair of dtypes --------------===//
//
// Conversions are exact or correctly rounded, so traced and eager casts must
// agree bit for bit, including float -> int saturation and NaN -> 0.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <cmath>
#include <limits>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// Values that probe each conversion: saturation, NaN, signed zeros,
/// truncation toward zero, 16-bit overflow and rounding, integers that f32
/// cannot hold, and values that round differently through f32 than directly
/// to a 16-bit float.
std::vector<double> castEdges(DType dtype) {
  if (dtype == DType::Bool)
    return {0, 1, 1, 0};
  if (dtype == DType::I32)
    return {2147483647.0, -2147483648.0, 0,     -1,   1,
            16777217,     -16777217,     65520, 2049, 257};
  if (dtype == DType::I64)
    return {9223372036854775807.0,
            -9223372036854775808.0,
            9007199254740993.0,
            -1,
            16777217,
            4294967296.0,
            65520,
            2049,
            257};
  std::vector<double> edges = floatEdges();
  edges.insert(edges.end(),
               {3e9, -3e9, 2147483520.0, -2147483904.0, 1e19, -1e19, 9.3e18,
                -0.9, 0.999, -1.5, 65504, 65520, 1e5, 6e-8, 1e-40, 300.5,
                // 1 + 2^-11 + 2^-40: rounds up to f16 directly but to a
                // tie (then even, down) through f32.
                1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)});
  return edges;
}

TEST(CastE2E, EveryPairOfDTypes) {
  for (DType from : allDTypes()) {
    SCOPED_TRACE(std::string("from ") + str(from));
    Tensor x = withEdges(castEdges(from), 64, 101, -300, 300, from);
    runThreeWays(
        [](Tensor x) {
          std::vector<Tensor> casts;
          for (DType to : allDTypes())
            casts.push_back(cast(x, to));
          return casts;
        },
        kExact, x);
  }
}

} // namespace
