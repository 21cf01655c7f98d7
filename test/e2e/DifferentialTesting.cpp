//===- DifferentialTesting.cpp - Run a traced function three ways ---------===//

#include "DifferentialTesting.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include <unistd.h>

namespace kiln::e2e {

namespace {

int mantissaBits(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return 10;
  case DType::BF16:
    return 7;
  case DType::F32:
    return 23;
  default:
    return 52;
  }
}

int minExponent(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return -14;
  case DType::F64:
    return -1022;
  default:
    return -126;
  }
}

/// The spacing of `dtype` values around `x` (subnormal spacing near zero).
double ulpOf(double x, DType dtype) {
  int exponent = x == 0 ? minExponent(dtype) : std::ilogb(x);
  return std::ldexp(1.0, std::max(exponent, minExponent(dtype)) -
                             mantissaBits(dtype));
}

std::string printElement(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

bool floatsAgree(double actual, double expected, Bound bound, DType dtype) {
  if (std::isnan(expected) || std::isnan(actual))
    return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual))
    return actual == expected;
  if (bound.ulps == 0 && bound.rel == 0 && bound.abs == 0)
    return actual == expected && std::signbit(actual) == std::signbit(expected);
  double allowed = std::max({bound.ulps * ulpOf(expected, dtype),
                             bound.rel * std::abs(expected), bound.abs});
  return std::abs(actual - expected) <= allowed;
}

} // namespace

double epsilonOf(DType dtype) { return std::ldexp(1.0, -mantissaBits(dtype)); }

Bound summationBound(int64_t n, double sumOfAbs, DType dtype) {
  Bound bound;
  bound.ulps = 1;
  bound.abs = 2.0 * static_cast<double>(std::max<int64_t>(n - 1, 1)) *
              epsilonOf(dtype) * sumOfAbs;
  return bound;
}

::testing::AssertionResult allClose(const Tensor &actual,
                                    const Tensor &expected, Bound bound) {
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape())
    return ::testing::AssertionFailure()
           << "got shape " << formatShape(actual.shape()) << " "
           << dtypeName(actual.dtype()) << ", expected "
           << formatShape(expected.shape()) << " "
           << dtypeName(expected.dtype());
  std::ostringstream mismatches;
  int count = 0;
  auto report = [&](int64_t i, const std::string &a, const std::string &e) {
    if (count++ < 8)
      mismatches << "\n  [" << i << "] got " << a << ", expected " << e;
  };
  if (isFloating(expected.dtype())) {
    std::vector<double> a = actual.toDoubleVector(),
                        e = expected.toDoubleVector();
    for (size_t i = 0; i < a.size(); ++i)
      if (!floatsAgree(a[i], e[i], bound, expected.dtype()))
        report(static_cast<int64_t>(i), printElement(a[i]), printElement(e[i]));
  } else {
    std::vector<int64_t> a = actual.toInt64Vector(),
                         e = expected.toInt64Vector();
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i] != e[i])
        report(static_cast<int64_t>(i), std::to_string(a[i]),
               std::to_string(e[i]));
  }
  if (count == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << count << " of " << expected.size() << " elements of "
         << dtypeName(expected.dtype()) << formatShape(expected.shape())
         << " differ (bound: " << bound.ulps << " ulp, rel " << bound.rel
         << ", abs " << bound.abs << "):" << mismatches.str();
}

namespace detail {

void checkOutputs(const char *way, const std::vector<Tensor> &actual,
                  const std::vector<Tensor> &eager,
                  const std::vector<Bound> &bounds) {
  ASSERT_EQ(actual.size(), eager.size()) << way << ": number of outputs";
  for (size_t i = 0; i < eager.size(); ++i) {
    Bound bound =
        bounds.empty() ? kExact : bounds[std::min(i, bounds.size() - 1)];
    EXPECT_TRUE(allClose(actual[i], eager[i], bound))
        << way << " vs eager, output " << i;
  }
}

void checkGraphFile(const std::function<void(const std::string &)> &save,
                    const std::vector<Tensor> &inputs,
                    const std::vector<Tensor> &eager,
                    const std::vector<Bound> &bounds) {
  static std::atomic<int> counter{0};
  std::string path = ::testing::TempDir() + "kiln_e2e_" +
                     std::to_string(::getpid()) + "_" +
                     std::to_string(counter++) + ".mlir";
  save(path);
  Graph graph = load(path);
  std::remove(path.c_str());
  checkOutputs("interpreted", graph.interpret(inputs), eager, bounds);
  checkOutputs("loaded graph", graph(inputs), eager, bounds);
}

} // namespace detail

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

std::vector<DType> allDTypes() {
  return {DType::Bool, DType::I32, DType::I64, DType::F16,
          DType::BF16, DType::F32, DType::F64};
}

std::vector<DType> floatDTypes() {
  return {DType::F16, DType::BF16, DType::F32, DType::F64};
}

std::vector<DType> numericDTypes() {
  return {DType::I32,  DType::I64, DType::F16,
          DType::BF16, DType::F32, DType::F64};
}

Tensor uniform(const Shape &shape, uint64_t seed, double low, double high,
               DType dtype) {
  Tensor x = random_uniform(shape, seed, low, high, DType::F64);
  if (dtype == DType::Bool)
    return x >= (low + high) / 2;
  if (!isFloating(dtype))
    x = floor(x);
  return cast(x, dtype);
}

Tensor normal(const Shape &shape, uint64_t seed, DType dtype) {
  return cast(random_normal(shape, seed, 0.0, 1.0, DType::F64), dtype);
}

Tensor withEdges(const std::vector<double> &values, int64_t size, uint64_t seed,
                 double low, double high, DType dtype) {
  Tensor edges = constant(values, {static_cast<int64_t>(values.size())}, dtype);
  int64_t rest = size - static_cast<int64_t>(values.size());
  if (rest <= 0)
    return edges;
  return concat({edges, uniform({rest}, seed, low, high, dtype)}, 0);
}

std::vector<double> floatEdges() {
  double inf = std::numeric_limits<double>::infinity();
  return {std::nan(""), inf,  -inf, 0.0,  -0.0, 0.5,  -0.5, 1.5,
          2.5,          -2.5, 1.0,  -1.0, 3.0,  -7.0, 1e-3, 123.456};
}

double maxAbs(const Tensor &t) {
  double m = 0;
  for (double v : t.toDoubleVector())
    if (std::isfinite(v))
      m = std::max(m, std::abs(v));
  return m;
}

} // namespace kiln::e2e
