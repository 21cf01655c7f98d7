//===- Optim.cpp - Optimizers as plain functions of tensors ---------------===//

#include "kiln/Runtime/Optim.h"

#include "Internal.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"

namespace kiln::optim {

namespace {

/// Throws unless `grads` (and each list of `state`) fit `params`.
void checkFit(const char *op, const std::vector<Tensor> &params,
              const std::vector<Tensor> &grads, const char *what) {
  if (grads.size() != params.size())
    throw Error(std::string(op) + ": " + std::to_string(params.size()) +
                " parameters and " + std::to_string(grads.size()) + " " + what);
  for (size_t i = 0; i < params.size(); ++i)
    if (!grads[i].defined() || grads[i].shape() != params[i].shape() ||
        grads[i].dtype() != params[i].dtype())
      throw Error(std::string(op) + ": parameter " + std::to_string(i) +
                  " is " + detail::describe(params[i]) + ", its " + what + " " +
                  (grads[i].defined() ? detail::describe(grads[i])
                                      : std::string("is undefined")));
}

std::vector<Tensor> zerosLike(const std::vector<Tensor> &params) {
  std::vector<Tensor> result;
  for (const Tensor &p : params)
    result.push_back(zeros(p.shape(), p.dtype()));
  return result;
}

} // namespace

SgdState sgd_init(const std::vector<Tensor> &params) {
  return {zerosLike(params)};
}

std::pair<std::vector<Tensor>, SgdState> sgd(const std::vector<Tensor> &params,
                                             const std::vector<Tensor> &grads,
                                             const SgdState &state,
                                             const SgdOptions &options) {
  checkFit("sgd", params, grads, "gradients");
  bool momentum = options.momentum != 0.0;
  if (momentum)
    checkFit("sgd", params, state.velocity, "velocities");
  std::vector<Tensor> updated;
  SgdState next;
  for (size_t i = 0; i < params.size(); ++i) {
    Tensor step = grads[i];
    if (momentum) {
      Tensor v = state.velocity[i] * options.momentum + grads[i];
      next.velocity.push_back(v);
      step = options.nesterov ? grads[i] + v * options.momentum : v;
    }
    updated.push_back(params[i] - step * options.learning_rate);
  }
  return {updated, next};
}

std::vector<Tensor> AdamState::tensors() const {
  std::vector<Tensor> result = {step};
  result.insert(result.end(), m.begin(), m.end());
  result.insert(result.end(), v.begin(), v.end());
  return result;
}

AdamState AdamState::from(const std::vector<Tensor> &tensors, size_t first,
                          size_t count) {
  if (tensors.size() < first + 1 + 2 * count)
    throw Error("AdamState::from: " + std::to_string(tensors.size()) +
                " tensors hold no state of " + std::to_string(count) +
                " parameters from position " + std::to_string(first));
  auto begin = tensors.begin() + static_cast<std::ptrdiff_t>(first) + 1;
  auto count_ = static_cast<std::ptrdiff_t>(count);
  return {tensors[first], std::vector<Tensor>(begin, begin + count_),
          std::vector<Tensor>(begin + count_, begin + 2 * count_)};
}

AdamState adam_init(const std::vector<Tensor> &params) {
  DType dtype = params.empty() ? DType::F32 : params[0].dtype();
  return {zeros({}, dtype), zerosLike(params), zerosLike(params)};
}

std::pair<std::vector<Tensor>, AdamState>
adam(const std::vector<Tensor> &params, const std::vector<Tensor> &grads,
     const AdamState &state, const AdamOptions &options) {
  checkFit("adam", params, grads, "gradients");
  checkFit("adam", params, state.m, "first moments");
  checkFit("adam", params, state.v, "second moments");
  if (!state.step.defined() || state.step.rank() != 0)
    throw Error("adam: the step count must be a scalar");
  AdamState next;
  next.step = state.step + 1.0;
  DType dtype = state.step.dtype();
  // The learning rate with both bias corrections folded in.
  Tensor correction1 =
      1.0 - pow(constant(Scalar(options.beta1), dtype), next.step);
  Tensor correction2 =
      1.0 - pow(constant(Scalar(options.beta2), dtype), next.step);
  Tensor rate = sqrt(correction2) / correction1 * options.learning_rate;
  std::vector<Tensor> updated;
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor &g = grads[i];
    Tensor m = state.m[i] * options.beta1 + g * (1.0 - options.beta1);
    Tensor v = state.v[i] * options.beta2 + g * g * (1.0 - options.beta2);
    next.m.push_back(m);
    next.v.push_back(v);
    Tensor r =
        params[i].dtype() == dtype ? rate : cast(rate, params[i].dtype());
    updated.push_back(params[i] - r * m / (sqrt(v) + options.epsilon));
  }
  return {updated, next};
}

} // namespace kiln::optim
