//===- TestUtil.h - Helpers for the runtime's unit tests --------*- C++ -*-===//

#ifndef KILN_TEST_UNIT_RUNTIME_TESTUTIL_H
#define KILN_TEST_UNIT_RUNTIME_TESTUTIL_H

#include "kiln/Runtime/Runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace ktest {

using namespace kiln;

/// Expects `t` to have `shape`, `dtype` and elements close to `expected`
/// (relative and absolute tolerance `tol`; NaNs must match NaNs).
inline void expectValues(const Tensor &t, const Shape &shape, DType dtype,
                         const std::vector<double> &expected, double tol = 0) {
  ASSERT_TRUE(t.defined());
  EXPECT_EQ(t.shape(), shape);
  EXPECT_EQ(dtypeName(t.dtype()), dtypeName(dtype));
  std::vector<double> got = t.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i;
      continue;
    }
    if (tol == 0)
      EXPECT_EQ(got[i], expected[i]) << "element " << i;
    else
      EXPECT_NEAR(got[i], expected[i], tol * (1 + std::fabs(expected[i])))
          << "element " << i;
  }
}

/// Expects `f()` to throw kiln::Error whose message contains `substring`.
template <typename F> void expectError(F &&f, const std::string &substring) {
  try {
    f();
    ADD_FAILURE() << "expected kiln::Error containing: " << substring;
  } catch (const Error &e) {
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(substring));
  }
}

/// Expects `f()` to throw kiln::Error with exactly `message`.
template <typename F>
void expectErrorExactly(F &&f, const std::string &message) {
  try {
    f();
    ADD_FAILURE() << "expected kiln::Error: " << message;
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

/// Every dtype, and the numeric ones.
inline const std::vector<DType> &allDTypes() {
  static const std::vector<DType> all = {DType::Bool, DType::I32,  DType::I64,
                                         DType::F16,  DType::BF16, DType::F32,
                                         DType::F64};
  return all;
}
inline const std::vector<DType> &numericDTypes() {
  static const std::vector<DType> all = {DType::I32,  DType::I64, DType::F16,
                                         DType::BF16, DType::F32, DType::F64};
  return all;
}
inline const std::vector<DType> &floatDTypes() {
  static const std::vector<DType> all = {DType::F16, DType::BF16, DType::F32,
                                         DType::F64};
  return all;
}

/// Tolerance for results computed in `dtype`.
inline double tolFor(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return 2e-3;
  case DType::BF16:
    return 1.6e-2;
  case DType::F32:
    return 1e-5;
  case DType::F64:
    return 1e-12;
  default:
    return 0;
  }
}

} // namespace ktest

#endif // KILN_TEST_UNIT_RUNTIME_TESTUTIL_H
