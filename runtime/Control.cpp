//===- Control.cpp - The checks of kiln::cond and the loops ---------------===//

#include "kiln/Runtime/Control.h"

#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"

using namespace kiln;

namespace {

/// " (at file.cpp:12)".
std::string at(const trace::ControlSite &site) {
  return " (at " + std::string(site.location.file_name()) + ":" +
         std::to_string(site.location.line()) + ")";
}

std::string describeAll(const std::vector<TensorSpec> &types) {
  std::string text;
  for (const TensorSpec &type : types)
    text += (text.empty() ? "" : ", ") + formatShape(type.shape) + " " +
            std::string(dtypeName(type.dtype));
  return "[" + text + "]";
}

} // namespace

std::vector<TensorSpec> detail::typesOf(const std::vector<Tensor> &tensors) {
  std::vector<TensorSpec> types;
  for (const Tensor &tensor : tensors) {
    if (!tensor.defined())
      throw Error("control flow: an undefined tensor was returned or carried");
    types.push_back({tensor.shape(), tensor.dtype()});
  }
  return types;
}

void detail::checkPredicate(const trace::ControlSite &site,
                            const TensorSpec &predicate, const char *what) {
  if (predicate.dtype != DType::Bool || !predicate.shape.empty())
    throw Error(std::string(site.op) + ": " + what +
                " must be a bool scalar, got " + formatShape(predicate.shape) +
                " " + std::string(dtypeName(predicate.dtype)) + at(site));
}

void detail::checkPredicate(const trace::ControlSite &site,
                            const Tensor &predicate, const char *what) {
  if (!predicate.defined())
    throw Error(std::string(site.op) + ": " + what + " is undefined" +
                at(site));
  checkPredicate(site, TensorSpec(predicate.shape(), predicate.dtype()), what);
}

void detail::checkSameTypes(const trace::ControlSite &site, const char *what,
                            const std::vector<TensorSpec> &actual,
                            const char *expectedWhat,
                            const std::vector<TensorSpec> &expected) {
  bool same = actual.size() == expected.size();
  for (size_t i = 0; same && i < actual.size(); ++i)
    same = actual[i].dtype == expected[i].dtype &&
           actual[i].shape == expected[i].shape;
  if (!same)
    throw Error(std::string(site.op) + ": " + what + " " + describeAll(actual) +
                ", " + expectedWhat + " " + describeAll(expected) + at(site));
}

Tensor detail::int64Bound(const trace::ControlSite &site, const Tensor &bound) {
  if (!bound.defined() || !bound.shape().empty() ||
      (bound.dtype() != DType::I64 && bound.dtype() != DType::I32))
    throw Error(std::string(site.op) +
                ": a bound must be an integer or an integer scalar tensor, "
                "got " +
                (bound.defined() ? formatShape(bound.shape()) + " " +
                                       std::string(dtypeName(bound.dtype()))
                                 : std::string("an undefined tensor")) +
                at(site));
  return bound.dtype() == DType::I64 ? bound : cast(bound, DType::I64);
}
