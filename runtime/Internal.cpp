//===- Internal.cpp - Helpers shared by the eager kernels -----------------===//

#include "Internal.h"

namespace kiln::detail {

std::string describe(const Tensor &t) {
  if (!t.defined())
    return "undefined";
  return formatShape(t.shape()) + " " + std::string(dtypeName(t.dtype()));
}

namespace {
template <typename Range> std::string dtypeList(const Range &args) {
  std::string s;
  for (const auto &a : args) {
    if (!s.empty())
      s += ", ";
    s += std::string(dtypeName(a.dtype()));
  }
  return s;
}
} // namespace

void failWithDTypes(std::string_view op, const std::string &msg,
                    const std::vector<Tensor> &args) {
  throw Error(std::string(op) + ": " + msg + " (" + dtypeList(args) + ")");
}

void failWithDTypes(std::string_view op, const std::string &msg,
                    std::initializer_list<const Tensor *> args) {
  std::vector<Tensor> v;
  for (const Tensor *t : args)
    v.push_back(*t);
  failWithDTypes(op, msg, v);
}

void fail(std::string_view op, const std::string &msg,
          std::initializer_list<const Tensor *> args) {
  std::string s = std::string(op) + ": " + msg;
  s += args.size() == 1 ? "; operand: " : "; operands: ";
  bool first = true;
  for (const Tensor *t : args) {
    if (!first)
      s += ", ";
    first = false;
    s += describe(*t);
  }
  throw Error(s);
}

void checkDefined(std::string_view op, const Tensor &t) {
  if (!t.defined())
    throw Error(std::string(op) + ": operand is an undefined tensor");
}

Shape checkShape(std::string_view op, const ShapeResult &r,
                 std::initializer_list<const Tensor *> args) {
  if (!r)
    fail(op, r.error(), args);
  return r.value();
}

Shape broadcastStrides(const Tensor &t, const Shape &to) {
  Shape strides(to.size(), 0);
  size_t lead = to.size() - t.shape().size();
  for (size_t i = 0; i < t.shape().size(); ++i)
    strides[lead + i] = t.shape()[i] == 1 ? 0 : t.strides()[i];
  return strides;
}

VectorIsa hostVectorIsa() {
  static const VectorIsa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw"))
      return VectorIsa::Avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      return VectorIsa::Avx2;
    return VectorIsa::Baseline;
  }();
  return isa;
}

} // namespace kiln::detail
