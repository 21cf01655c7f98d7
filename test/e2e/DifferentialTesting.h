//===- DifferentialTesting.h - Run a traced function three ways -*- C++ -*-===//
//
// The e2e suite's harness: `runThreeWays(callable, bound, args...)` runs the
// callable eagerly (the reference), as a kiln::function (traced, lowered and
// JIT-compiled), and from the graph file `Function::save` writes, loaded back
// with kiln::load and run both by the graph interpreter and by the JIT. Every
// output must have the eager dtype and shape; integer and bool elements must
// be equal, floating elements within `bound` of the eager value.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_E2E_DIFFERENTIALTESTING_H
#define KILN_TEST_E2E_DIFFERENTIALTESTING_H

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace kiln::e2e {

//===----------------------------------------------------------------------===//
// Bounds
//===----------------------------------------------------------------------===//

/// How far a floating element may be from the eager one: the largest of
/// `ulps` units in the last place of the eager value (in the result's
/// dtype), `rel * |eager|` and `abs`. All zero means bit-equal: the sign of
/// zero must match too. NaN must meet NaN and an infinity the same infinity
/// whatever the bound.
struct Bound {
  double ulps = 0;
  double rel = 0;
  double abs = 0;
};

/// Bit-equal: ops that are exact or correctly rounded in IEEE arithmetic on
/// both sides (+ - * /, sqrt, min/max, rounding, casts, data movement).
inline constexpr Bound kExact{};

/// Machine epsilon (2^-mantissa bits) of a floating dtype.
double epsilonOf(DType dtype);

/// The bound of a sum of `n` terms whose absolute values add up to at most
/// `sumOfAbs`, evaluated in any order on each side: each side is within
/// (n-1)·eps·Σ|x| of the exact sum (Higham, Accuracy and Stability, 4.2),
/// so the two are within twice that, plus rounding of the result.
Bound summationBound(int64_t n, double sumOfAbs, DType dtype);

/// Checks that `actual` has the dtype and shape of `expected` and elements
/// within `bound` of it (exactly equal for integer and bool dtypes).
::testing::AssertionResult allClose(const Tensor &actual,
                                    const Tensor &expected, Bound bound);

//===----------------------------------------------------------------------===//
// Running a callable three ways
//===----------------------------------------------------------------------===//

namespace detail {

/// Saves the graph traced for `inputs`, loads it back and runs it with the
/// interpreter and the JIT; checks both against `eager`.
void checkGraphFile(const std::function<void(const std::string &)> &save,
                    const std::vector<Tensor> &inputs,
                    const std::vector<Tensor> &eager,
                    const std::vector<Bound> &bounds);

/// Checks the outputs of one way of running against the eager ones.
void checkOutputs(const char *way, const std::vector<Tensor> &actual,
                  const std::vector<Tensor> &eager,
                  const std::vector<Bound> &bounds);

template <typename T> void collectTensor(std::vector<Tensor> &out, const T &v) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>)
    out.push_back(v);
}

} // namespace detail

/// Runs `callable(args...)` eagerly, traced and JIT-compiled, and from its
/// saved graph file through the interpreter and the JIT; output `i` is
/// checked against the eager one with `bounds[i]` (or the last bound when
/// there are fewer bounds than outputs). Tensor arguments become graph
/// inputs; the others are baked into the graph as constants.
template <typename F, typename... Args>
void runThreeWays(F callable, std::vector<Bound> bounds, const Args &...args) {
  using R = std::decay_t<std::invoke_result_t<F &, const Args &...>>;
  std::vector<Tensor> eager =
      kiln::detail::Outputs<R>::flatten(callable(args...));
  auto traced = kiln::function(callable, "e2e");
  std::vector<Tensor> compiled =
      kiln::detail::Outputs<R>::flatten(traced(args...));
  detail::checkOutputs("traced", compiled, eager, bounds);

  std::vector<Tensor> inputs;
  (detail::collectTensor(inputs, args), ...);
  detail::checkGraphFile(
      [&](const std::string &path) { traced.save(path, args...); }, inputs,
      eager, bounds);
}

template <typename F, typename... Args>
void runThreeWays(F callable, Bound bound, const Args &...args) {
  runThreeWays(std::move(callable), std::vector<Bound>{bound}, args...);
}

//===----------------------------------------------------------------------===//
// Inputs (fixed seeds)
//===----------------------------------------------------------------------===//

/// The name of `dtype`, for traces: "float32".
inline std::string str(DType dtype) { return std::string(dtypeName(dtype)); }

/// The dtypes of Kiln, and the floating ones.
std::vector<DType> allDTypes();
std::vector<DType> floatDTypes();
std::vector<DType> numericDTypes(); // all but bool

/// Uniform values in [low, high) of `dtype` (floats rounded from float64,
/// integers floored from it, bool as value >= (low + high) / 2).
Tensor uniform(const Shape &shape, uint64_t seed, double low, double high,
               DType dtype);

/// Standard normal values of a floating dtype.
Tensor normal(const Shape &shape, uint64_t seed, DType dtype);

/// `values` as a 1-D tensor of `dtype` followed by uniform values in
/// [low, high) up to `size` elements: edge cases first, then random ones.
Tensor withEdges(const std::vector<double> &values, int64_t size, uint64_t seed,
                 double low, double high, DType dtype);

/// The floating edge cases: NaN, +-inf, +-0, ties for round, small and large
/// magnitudes.
std::vector<double> floatEdges();

/// Largest absolute element as a double (NaN and inf skipped).
double maxAbs(const Tensor &t);

} // namespace kiln::e2e

#endif // KILN_TEST_E2E_DIFFERENTIALTESTING_H
