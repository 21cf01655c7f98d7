//===- Control.cpp - The checks of kiln::cond and the loops ---------------===//

#include "kiln/Runtime/Control.h"

#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"

#include <algorithm>

using namespace kiln;

namespace {

/// " (at file.cpp:12)", or nothing for a site of no C++ call (a graph op
/// that the interpreter runs names its location itself).
std::string at(const trace::ControlSite &site) {
  if (site.location.line() == 0)
    return "";
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

int64_t detail::scanLength(const trace::ControlSite &site,
                           const std::vector<TensorSpec> &xs) {
  if (xs.empty())
    throw Error(std::string(site.op) +
                ": needs at least one tensor to scan over" + at(site));
  int64_t length = kDynamic;
  for (const TensorSpec &type : xs) {
    if (type.shape.empty())
      throw Error(std::string(site.op) +
                  ": scans over tensors of rank 1 or more, got " +
                  formatShape(type.shape) + " " +
                  std::string(dtypeName(type.dtype)) + at(site));
    if (type.shape[0] == kDynamic)
      continue;
    if (length != kDynamic && length != type.shape[0])
      throw Error(std::string(site.op) +
                  ": the tensors it scans over differ in their first "
                  "dimension: " +
                  describeAll(xs) + at(site));
    length = type.shape[0];
  }
  return length;
}

std::vector<Tensor>
detail::runScan(const trace::ControlSite &site, const std::vector<Tensor> &init,
                const std::vector<Tensor> &xs, const trace::RegionBody &step,
                const std::function<std::vector<TensorSpec>()> &emptyOutputs) {
  int64_t length = scanLength(site, typesOf(xs));
  std::vector<TensorSpec> carryTypes = typesOf(init);
  std::vector<Tensor> carry = init;
  // outputs[k][i]: output k of step i, with a new first axis.
  std::vector<std::vector<Tensor>> outputs;
  std::vector<TensorSpec> outputTypes;
  for (int64_t i = 0; i < length; ++i) {
    std::vector<Tensor> arguments = carry;
    for (const Tensor &x : xs) {
      std::vector<int64_t> start(x.rank(), 0), limit(x.shape());
      start[0] = i;
      limit[0] = i + 1;
      arguments.push_back(squeeze(slice(x, start, limit), {0}));
    }
    std::vector<Tensor> results = step(arguments);
    if (results.size() < carry.size())
      throw Error(std::string(site.op) + ": fn returned " +
                  std::to_string(results.size()) + " tensors for a carry of " +
                  std::to_string(carry.size()) + at(site));
    std::vector<Tensor> next(results.begin(), results.begin() + carry.size());
    std::vector<Tensor> ys(results.begin() + carry.size(), results.end());
    checkSameTypes(site, "fn returns the carry", typesOf(next), "the carry is",
                   carryTypes);
    if (i == 0) {
      outputTypes = typesOf(ys);
      outputs.resize(ys.size());
    }
    checkSameTypes(site, "fn returns the outputs", typesOf(ys),
                   "its first step returned", outputTypes);
    for (size_t k = 0; k < ys.size(); ++k)
      outputs[k].push_back(expand_dims(ys[k], 0));
    carry = std::move(next);
  }
  std::vector<Tensor> results = carry;
  if (length > 0) {
    for (const std::vector<Tensor> &slices : outputs)
      results.push_back(concat(slices, 0));
    return results;
  }
  // No step: empty stacks of the outputs' slice types.
  if (emptyOutputs) {
    outputTypes = emptyOutputs();
  } else {
    std::vector<Tensor> arguments = carry;
    for (const Tensor &x : xs) {
      Shape shape(x.shape().begin() + 1, x.shape().end());
      arguments.push_back(zeros(shape, x.dtype()));
    }
    std::vector<Tensor> probe = step(arguments);
    outputTypes = typesOf(std::vector<Tensor>(
        probe.begin() + std::min(probe.size(), carry.size()), probe.end()));
  }
  for (const TensorSpec &type : outputTypes) {
    Shape shape = {0};
    shape.insert(shape.end(), type.shape.begin(), type.shape.end());
    results.push_back(zeros(shape, type.dtype));
  }
  return results;
}
