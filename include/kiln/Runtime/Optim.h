//===- Optim.h - Optimizers as plain functions of tensors ------*- C++ -*-===//
//
// SGD (with momentum) and Adam as functions of (parameters, gradients,
// state) that return the new parameters and the new state, all tensors, so
// that they run eagerly or inside a traced train step alike:
//
//   auto state = kiln::optim::adam_init(params);
//   auto [loss, grads] = kiln::value_and_grad(loss_fn, {1, 2})(x, w, b);
//   std::tie(params, state) = kiln::optim::adam(params, grads, state);
//
// In a kiln::function, pass the state's tensors as arguments and return the
// new ones (AdamState::tensors and AdamState::from; examples/train-mlp).
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_OPTIM_H
#define KILN_RUNTIME_OPTIM_H

#include "kiln/Runtime/Tensor.h"

#include <utility>
#include <vector>

namespace kiln::optim {

struct SgdOptions {
  double learning_rate = 0.01;
  /// v = momentum * v + g; p -= learning_rate * v (PyTorch's form).
  double momentum = 0.0;
  /// p -= learning_rate * (g + momentum * v) instead.
  bool nesterov = false;
};

/// The velocity of each parameter (zeros at first).
struct SgdState {
  std::vector<Tensor> velocity;
};

SgdState sgd_init(const std::vector<Tensor> &params);

/// One step of stochastic gradient descent. Throws kiln::Error when the
/// lists' lengths or a gradient's shape or dtype do not match.
std::pair<std::vector<Tensor>, SgdState> sgd(const std::vector<Tensor> &params,
                                             const std::vector<Tensor> &grads,
                                             const SgdState &state,
                                             const SgdOptions &options = {});

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

/// The step count (a scalar of the parameters' dtype) and the first and
/// second moment estimates of each parameter.
struct AdamState {
  Tensor step;
  std::vector<Tensor> m;
  std::vector<Tensor> v;

  /// step, m..., v...: the state as a flat list of tensors, for the
  /// arguments and results of a traced train step.
  std::vector<Tensor> tensors() const;
  /// The state of `count` parameters from `tensors()`'s list starting at
  /// `first`.
  static AdamState from(const std::vector<Tensor> &tensors, size_t first,
                        size_t count);
};

AdamState adam_init(const std::vector<Tensor> &params);

/// One step of Adam (Kingma and Ba, with bias correction). Throws
/// kiln::Error as sgd does.
std::pair<std::vector<Tensor>, AdamState>
adam(const std::vector<Tensor> &params, const std::vector<Tensor> &grads,
     const AdamState &state, const AdamOptions &options = {});

} // namespace kiln::optim

#endif // KILN_RUNTIME_OPTIM_H
