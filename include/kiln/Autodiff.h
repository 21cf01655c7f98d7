//===- Autodiff.h - GradientTape, grad, value_and_grad ----------*- C++ -*-===//
//
// Reverse-mode gradients, eagerly and in traced functions (docs/autodiff.md):
//
//   kiln::GradientTape tape;                 // records eager ops, as
//   tape.watch(w);                           // tf.GradientTape does
//   kiln::Tensor loss = kiln::reduce_mean(kiln::matmul(x, w) * 2.0f);
//   kiln::Tensor dw = tape.gradient(loss, w);
//
//   auto dloss = kiln::grad(loss_fn);                 // d loss_fn / d arg 0
//   auto [value, grads] = kiln::value_and_grad(loss_fn, {1, 2})(x, w, b);
//   auto step = kiln::function(kiln::value_and_grad(loss_fn, {1, 2}));
//
// Every way ends in the same rules (kiln/Trace/Gradients.h): the tape
// records the eager ops into a kiln graph and differentiates it, and inside
// a kiln::function the gradient's ops go into the traced graph after the
// forward ops, compiled and fused with them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_AUTODIFF_H
#define KILN_AUTODIFF_H

#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"
#include "kiln/Runtime/Tensor.h"

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace kiln {

/// Records the eager ops computed from watched tensors, from its
/// construction until its first `gradient` call (or its destruction, for a
/// persistent tape), and differentiates them. Inside a traced function it
/// differentiates the graph being traced instead. Tapes nest; each records
/// the ops of the thread that made it. Neither copyable nor movable.
class GradientTape {
public:
  explicit GradientTape(bool persistent = false);
  ~GradientTape();
  GradientTape(const GradientTape &) = delete;
  GradientTape &operator=(const GradientTape &) = delete;

  /// Records the ops computed from `x` from now on.
  void watch(const Tensor &x);
  void watch(const std::vector<Tensor> &xs);

  /// The gradient of `target` (of the sum of its elements if it is not a
  /// scalar) with respect to each of `sources`, watched tensors or tensors
  /// computed from them, each of its source's shape and dtype. A source the
  /// target does not depend on gets zeros. Throws kiln::Error for a source
  /// that is not on the tape, a target that is not floating-point, an op
  /// without a gradient, or a second call of a tape that is not persistent.
  std::vector<Tensor> gradient(const Tensor &target,
                               const std::vector<Tensor> &sources);
  Tensor gradient(const Tensor &target, const Tensor &source);

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};

namespace detail {

/// The value of `f(args...)` (a floating-point scalar) and its gradient
/// with respect to the arguments at `argnums` (each a Tensor).
template <typename F, typename... Args>
std::pair<Tensor, std::vector<Tensor>>
valueAndGrad(const F &f, const std::vector<size_t> &argnums, const char *what,
             const Args &...args) {
  GradientTape tape;
  std::vector<Tensor> sources(argnums.size());
  size_t position = 0;
  auto collect = [&](const auto &arg) {
    for (size_t i = 0; i < argnums.size(); ++i) {
      if (argnums[i] != position)
        continue;
      if constexpr (std::is_same_v<std::decay_t<decltype(arg)>, Tensor>) {
        tape.watch(arg);
        sources[i] = arg;
      } else {
        throw Error(std::string(what) + ": argument " +
                    std::to_string(position) +
                    " is not a kiln::Tensor and has no gradient");
      }
    }
    ++position;
  };
  (collect(args), ...);
  for (size_t index : argnums)
    if (index >= sizeof...(Args))
      throw Error(std::string(what) + ": the function was called with " +
                  std::to_string(sizeof...(Args)) +
                  " arguments; there is no "
                  "argument " +
                  std::to_string(index));
  Tensor value = f(args...);
  if (value.rank() != 0 || !isFloating(value.dtype()))
    throw Error(std::string(what) + ": the function returns " +
                formatShape(value.shape()) + " " +
                std::string(dtypeName(value.dtype())) +
                "; it must return a floating-point scalar (for the gradient "
                "of a sum, use a GradientTape)");
  return {value, tape.gradient(value, sources)};
}

} // namespace detail

/// A callable that returns the gradient of `f`'s scalar result with respect
/// to its first argument, of that argument's shape and dtype (jax.grad).
template <typename F> auto grad(F f) {
  return [f = std::move(f)](const auto &...args) {
    return detail::valueAndGrad(f, {0}, "grad", args...).second[0];
  };
}

/// The same with respect to the arguments at `argnums`: the callable
/// returns one gradient per index, in order.
template <typename F> auto grad(F f, std::vector<size_t> argnums) {
  return [f = std::move(f), argnums = std::move(argnums)](const auto &...args) {
    return detail::valueAndGrad(f, argnums, "grad", args...).second;
  };
}

/// A callable that returns `{value, gradient}`: `f`'s scalar result and its
/// gradient with respect to the first argument (jax.value_and_grad).
template <typename F> auto value_and_grad(F f) {
  return [f = std::move(f)](const auto &...args) {
    auto [value, grads] =
        detail::valueAndGrad(f, {0}, "value_and_grad", args...);
    return std::pair<Tensor, Tensor>{value, grads[0]};
  };
}

/// `{value, gradients}` with respect to the arguments at `argnums`.
template <typename F> auto value_and_grad(F f, std::vector<size_t> argnums) {
  return [f = std::move(f), argnums = std::move(argnums)](const auto &...args) {
    return detail::valueAndGrad(f, argnums, "value_and_grad", args...);
  };
}

} // namespace kiln

#endif // KILN_AUTODIFF_H
