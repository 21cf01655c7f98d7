//===- Control.h - Control flow that traced functions keep -----*- C++ -*-===//
//
// kiln::cond, kiln::while_loop, kiln::fori_loop and kiln::scan, as
// TensorFlow's tf.cond and tf.while_loop and JAX's lax.cond, while_loop,
// fori_loop and scan:
//
//   Tensor y = kiln::cond(x.sum() > 0.0f,
//                         [](Tensor x) { return kiln::exp(x); },
//                         [](Tensor x) { return -x; }, x);
//   auto [root, steps] = kiln::while_loop(
//       [&](auto carry) { return abs(std::get<0>(carry) * std::get<0>(carry) -
//       a) > 1e-6f; },
//       [&](auto carry) { ... return std::tuple{next, steps + 1}; },
//       std::tuple{a, kiln::constant(0)});
//   auto [h, hs] = kiln::scan(
//       [&](Tensor h, Tensor x) {
//         Tensor next = kiln::tanh(matmul(x, wx) + matmul(h, wh) + b);
//         return std::pair{next, next};
//       },
//       h0, xs);   // xs [steps, batch, features]; hs [steps, batch, hidden]
//
// Eagerly they run as ordinary C++ control flow. Inside a kiln::function's
// trace they become region ops of the graph (kiln.if, kiln.while,
// kiln.for, kiln.scan): each branch or body is traced once, whatever number of
// times it runs, and the tensors it captures from outside are used by the
// region directly. A condition must be a bool scalar; both branches of a cond,
// and a loop body and its carry, must have the same types (shapes and dtypes),
// or a kiln::Error names both and the call site.
//
// A carry (and a branch's result, and what kiln::scan scans over and
// stacks) is a kiln::Tensor, a std::vector<kiln::Tensor>, or a std::tuple or
// std::pair of kiln::Tensor.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CONTROL_H
#define KILN_RUNTIME_CONTROL_H

#include "kiln/Runtime/Tensor.h"
#include "kiln/Runtime/Trace.h"

#include <cstdint>
#include <functional>
#include <source_location>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace kiln {
namespace detail {

/// How a carry or a branch result of C++ type T is a list of tensors.
template <typename T> struct Carry {
  static_assert(sizeof(T) == 0,
                "a carry or a branch result is a kiln::Tensor, a "
                "std::vector<kiln::Tensor>, or a std::tuple or std::pair of "
                "kiln::Tensor");
};
template <> struct Carry<Tensor> {
  static std::vector<Tensor> flatten(const Tensor &t) { return {t}; }
  static Tensor unflatten(const std::vector<Tensor> &v) { return v.at(0); }
};
template <> struct Carry<std::vector<Tensor>> {
  static std::vector<Tensor> flatten(const std::vector<Tensor> &v) { return v; }
  static std::vector<Tensor> unflatten(const std::vector<Tensor> &v) {
    return v;
  }
};
template <typename... Ts> struct Carry<std::tuple<Ts...>> {
  static_assert((std::is_same_v<Ts, Tensor> && ...),
                "a tuple carry holds kiln::Tensor only");
  static std::vector<Tensor> flatten(const std::tuple<Ts...> &t) {
    return std::apply(
        [](const auto &...x) { return std::vector<Tensor>{x...}; }, t);
  }
  static std::tuple<Ts...> unflatten(const std::vector<Tensor> &v) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::tuple<Ts...>{v.at(I)...};
    }
    (std::index_sequence_for<Ts...>{});
  }
};
template <> struct Carry<std::pair<Tensor, Tensor>> {
  static std::vector<Tensor> flatten(const std::pair<Tensor, Tensor> &p) {
    return {p.first, p.second};
  }
  static std::pair<Tensor, Tensor> unflatten(const std::vector<Tensor> &v) {
    return {v.at(0), v.at(1)};
  }
};

/// A tensor with the location of the call it was passed to: the first
/// parameter of kiln::cond, which takes any number of operands after it.
struct LocatedTensor {
  template <typename T>
  requires std::is_convertible_v<T, Tensor>
  LocatedTensor(T &&tensor,
                std::source_location location = std::source_location::current())
      : tensor(std::forward<T>(tensor)), location(location) {}
  Tensor tensor;
  std::source_location location;
};

/// A loop bound: an integer, or an integer scalar tensor (converted to
/// int64).
struct LoopBound {
  LoopBound(std::integral auto value) : tensor(constant(int64_t(value))) {}
  LoopBound(const Tensor &tensor) : tensor(tensor) {}
  Tensor tensor;
};

/// The shapes and dtypes of `tensors` (an undefined tensor has none).
std::vector<TensorSpec> typesOf(const std::vector<Tensor> &tensors);

/// Throws kiln::Error unless `predicate` is a bool scalar.
void checkPredicate(const trace::ControlSite &site, const TensorSpec &predicate,
                    const char *what);
void checkPredicate(const trace::ControlSite &site, const Tensor &predicate,
                    const char *what);
/// Throws kiln::Error, naming both, unless `actual` (what `what` returns)
/// has the types of `expected` (`expectedWhat`).
void checkSameTypes(const trace::ControlSite &site, const char *what,
                    const std::vector<TensorSpec> &actual,
                    const char *expectedWhat,
                    const std::vector<TensorSpec> &expected);
/// `bound` as an int64 scalar; throws kiln::Error unless it is an integer
/// scalar.
Tensor int64Bound(const trace::ControlSite &site, const Tensor &bound);

/// The number of steps of a scan over tensors of types `xs`: their common
/// first dimension (kDynamic if no type knows it). Throws kiln::Error unless
/// there is at least one, each has rank 1 or more, and the static first
/// dimensions agree.
int64_t scanLength(const trace::ControlSite &site,
                   const std::vector<TensorSpec> &xs);

/// Runs a scan eagerly: for each step i, `step` takes the carry and the
/// slices xs[j][i] and returns the next carry and the output slices, which
/// must keep their types from step to step. Returns the last carry and the
/// outputs stacked along a new first axis. With no steps, the types of the
/// output slices are `emptyOutputs()`; without that function they are
/// learned by running `step` once on zeros (its results are discarded).
std::vector<Tensor>
runScan(const trace::ControlSite &site, const std::vector<Tensor> &init,
        const std::vector<Tensor> &xs, const trace::RegionBody &step,
        const std::function<std::vector<TensorSpec>()> &emptyOutputs = {});

/// `fn`'s result {new_carry, y} as a pair or a tuple of two.
template <typename T> struct ScanStep {
  static_assert(sizeof(T) == 0, "kiln::scan: fn(carry, x) must return "
                                "{new_carry, y}, a std::pair or a std::tuple "
                                "of two");
};
template <typename C, typename Y> struct ScanStep<std::pair<C, Y>> {
  using Carry = C;
  using Output = Y;
};
template <typename C, typename Y> struct ScanStep<std::tuple<C, Y>> {
  using Carry = C;
  using Output = Y;
};

} // namespace detail

/// `true_fn(operands...)` if the bool scalar `pred` is true, else
/// `false_fn(operands...)`. Traced, when `pred` is a traced tensor, both
/// branches are traced into a kiln.if.
template <typename TrueFn, typename FalseFn, typename... Operands>
auto cond(detail::LocatedTensor pred, TrueFn &&true_fn, FalseFn &&false_fn,
          const Operands &...operands) {
  using Result =
      std::decay_t<std::invoke_result_t<TrueFn &, const Operands &...>>;
  static_assert(
      std::is_same_v<
          Result,
          std::decay_t<std::invoke_result_t<FalseFn &, const Operands &...>>>,
      "kiln::cond: both branches must return the same C++ type");
  using C = detail::Carry<Result>;
  trace::ControlSite site{"cond", pred.location};
  detail::checkPredicate(site, pred.tensor, "the predicate");
  if (!pred.tensor.is_traced())
    return pred.tensor.template item<bool>() ? Result(true_fn(operands...))
                                             : Result(false_fn(operands...));
  trace::Recorder *recorder = trace::recorderFor({&pred.tensor});
  std::vector<Tensor> results = recorder->recordIf(
      site, pred.tensor,
      [&](const std::vector<Tensor> &) {
        return C::flatten(Result(true_fn(operands...)));
      },
      [&](const std::vector<Tensor> &) {
        return C::flatten(Result(false_fn(operands...)));
      });
  return C::unflatten(results);
}

/// Starting from `init`, `carry = body_fn(carry)` while `cond_fn(carry)`
/// (a bool scalar) is true; returns the last carry. Traced, it is one
/// kiln.while whatever the number of iterations.
template <typename CondFn, typename BodyFn, typename Init>
Init while_loop(
    CondFn &&cond_fn, BodyFn &&body_fn, const Init &init,
    std::source_location location = std::source_location::current()) {
  using C = detail::Carry<Init>;
  trace::ControlSite site{"while_loop", location};
  if (trace::Recorder *recorder = trace::activeRecorder())
    return C::unflatten(recorder->recordWhile(
        site, C::flatten(init),
        [&](const std::vector<Tensor> &carry) {
          return std::vector<Tensor>{Tensor(cond_fn(C::unflatten(carry)))};
        },
        [&](const std::vector<Tensor> &carry) {
          return C::flatten(Init(body_fn(C::unflatten(carry))));
        }));
  Init carry = init;
  while (true) {
    Tensor predicate = cond_fn(carry);
    detail::checkPredicate(site, predicate, "the condition");
    if (!predicate.template item<bool>())
      return carry;
    Init next = body_fn(carry);
    detail::checkSameTypes(site, "the body returns",
                           detail::typesOf(C::flatten(next)), "the carry is",
                           detail::typesOf(C::flatten(carry)));
    carry = std::move(next);
  }
}

/// `carry = body_fn(i, carry)` for i = lower, ..., upper - 1 (an int64
/// scalar tensor), from `init`; returns the last carry. The bounds are
/// integers or integer scalar tensors. Traced, it is one kiln.for.
template <typename BodyFn, typename Init>
Init fori_loop(
    detail::LoopBound lower, detail::LoopBound upper, BodyFn &&body_fn,
    const Init &init,
    std::source_location location = std::source_location::current()) {
  using C = detail::Carry<Init>;
  trace::ControlSite site{"fori_loop", location};
  Tensor lo = detail::int64Bound(site, lower.tensor);
  Tensor hi = detail::int64Bound(site, upper.tensor);
  if (trace::Recorder *recorder = trace::activeRecorder())
    return C::unflatten(recorder->recordFor(
        site, lo, hi, C::flatten(init),
        [&](const std::vector<Tensor> &arguments) {
          std::vector<Tensor> carry(arguments.begin() + 1, arguments.end());
          return C::flatten(Init(body_fn(arguments[0], C::unflatten(carry))));
        }));
  Init carry = init;
  for (int64_t i = lo.template item<int64_t>(),
               end = hi.template item<int64_t>();
       i < end; ++i) {
    Init next = body_fn(constant(i), carry);
    detail::checkSameTypes(site, "the body returns",
                           detail::typesOf(C::flatten(next)), "the carry is",
                           detail::typesOf(C::flatten(carry)));
    carry = std::move(next);
  }
  return carry;
}

/// For each slice x of `xs` along axis 0 in order, `{carry, y} =
/// fn(carry, x)` from `init`; returns `{final_carry, ys}` with the y's stacked
/// along a new axis 0 (as JAX's lax.scan). `xs` and `y` are each a Tensor, a
/// vector, a tuple or a pair of tensors; several tensors scanned together must
/// have the same first dimension. Traced, it is one kiln.scan. With an empty
/// `xs`, eager mode runs `fn` once on zeros to learn the shapes of `y` and
/// discards what it returns.
template <typename Fn, typename Init, typename Xs>
auto scan(Fn &&fn, const Init &init, const Xs &xs,
          std::source_location location = std::source_location::current()) {
  using Step = detail::ScanStep<
      std::decay_t<std::invoke_result_t<Fn &, const Init &, const Xs &>>>;
  static_assert(std::is_same_v<std::decay_t<typename Step::Carry>, Init>,
                "kiln::scan: fn must return the new carry with the C++ type "
                "of init");
  using Y = std::decay_t<typename Step::Output>;
  using C = detail::Carry<Init>;
  using CX = detail::Carry<Xs>;
  using CY = detail::Carry<Y>;
  trace::ControlSite site{"scan", location};
  std::vector<Tensor> carry = C::flatten(init);
  size_t carryCount = carry.size();
  auto step = [&](const std::vector<Tensor> &arguments) {
    std::vector<Tensor> current(arguments.begin(),
                                arguments.begin() + carryCount);
    std::vector<Tensor> x(arguments.begin() + carryCount, arguments.end());
    auto [next, y] = fn(C::unflatten(current), CX::unflatten(x));
    std::vector<Tensor> results = C::flatten(Init(next));
    for (Tensor &output : CY::flatten(Y(y)))
      results.push_back(std::move(output));
    return results;
  };
  std::vector<Tensor> results =
      trace::activeRecorder()
          ? trace::activeRecorder()->recordScan(site, carry, CX::flatten(xs),
                                                step)
          : detail::runScan(site, carry, CX::flatten(xs), step);
  std::vector<Tensor> last(results.begin(), results.begin() + carryCount);
  std::vector<Tensor> stacked(results.begin() + carryCount, results.end());
  return std::pair<Init, Y>{C::unflatten(last), CY::unflatten(stacked)};
}

} // namespace kiln

#endif // KILN_RUNTIME_CONTROL_H
