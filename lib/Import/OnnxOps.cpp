//===- OnnxOps.cpp - ONNX ops as eager ops on traced tensors -------------===//
//
// The elementwise, shape, indexing and reduction ops of ONNX: each node
// calls the eager op (or the few eager ops) with ONNX's semantics. Values
// that decide a shape (Reshape's shape, Slice's bounds, axes) must be known
// at import time: constants, or graph inputs bound to values.
//
//===----------------------------------------------------------------------===//

#include "OnnxNode.h"

#include "kiln/Runtime/Ops.h"

#include <algorithm>
#include <map>
#include <numeric>

using namespace kiln;
using namespace kiln::onnx_import;

namespace {

Tensor foldInputs(const Node &node,
                  Tensor (*op)(const Tensor &, const Tensor &, SourceLoc)) {
  Tensor result = node.input(0);
  for (size_t i = 1; i < node.inputCount(); ++i)
    result = op(result, node.input(i), SourceLoc::current());
  return result;
}

/// The reduction axes of a Reduce* node: the `axes` attribute, or (ReduceSum
/// from opset 13) the second input; none means all axes unless
/// noop_with_empty_axes.
std::optional<std::vector<int64_t>> reductionAxes(const Node &node) {
  std::vector<int64_t> axes;
  if (node.hasInput(1))
    axes = node.constantInts(1);
  else if (auto attr = node.intsAttr("axes"))
    axes = *attr;
  if (axes.empty() && node.intAttr("noop_with_empty_axes", 0))
    return std::nullopt;
  return axes;
}

Tensor reduce(const Node &node,
              Tensor (*op)(const Tensor &, const std::vector<int64_t> &, bool,
                           SourceLoc)) {
  std::optional<std::vector<int64_t>> axes = reductionAxes(node);
  if (!axes)
    return node.input(0);
  return op(node.input(0), *axes, node.intAttr("keepdims", 1) != 0,
            SourceLoc::current());
}

/// `x` as a matrix: the dimensions before `axis` (negative counts from the
/// end) make the rows, the others the columns (Flatten, and Softmax before
/// opset 13).
Tensor flattenAt(const Tensor &x, int64_t axis) {
  if (axis < 0)
    axis += x.rank();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < x.rank(); ++d)
    (d < axis ? outer : inner) *= x.shape()[d];
  return reshape(x, {outer, inner});
}

/// Softmax and LogSoftmax: one axis from opset 13; before, the input is
/// flattened to 2-D at `axis` (default 1) and normalized over the second.
Tensor softmaxLike(const Node &node, bool logarithm) {
  const Tensor &x = node.input(0);
  auto apply = [&](const Tensor &t, int64_t axis) {
    return logarithm ? log_softmax(t, axis) : softmax(t, axis);
  };
  if (node.opset() >= 13)
    return apply(x, node.intAttr("axis", -1));
  return reshape(apply(flattenAt(x, node.intAttr("axis", 1)), 1), x.shape());
}

Tensor sliceNode(const Node &node) {
  const Tensor &x = node.input(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (node.opset() < 10) {
    starts = node.intsAttr("starts").value_or(std::vector<int64_t>{});
    ends = node.intsAttr("ends").value_or(std::vector<int64_t>{});
    axes = node.intsAttr("axes").value_or(std::vector<int64_t>{});
  } else {
    starts = node.constantInts(1);
    ends = node.constantInts(2);
    if (node.hasInput(3))
      axes = node.constantInts(3);
    if (node.hasInput(4))
      steps = node.constantInts(4);
  }
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  axes = normalized(axes, x.rank());
  std::vector<int64_t> begin(x.rank(), 0), end(x.shape()), stride(x.rank(), 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i], size = x.shape()[axis];
    int64_t step = steps.empty() ? 1 : steps[i];
    if (step <= 0)
      node.fail("negative or zero steps are not supported");
    auto clamp = [&](int64_t v) {
      if (v < 0)
        v += size;
      return std::clamp<int64_t>(v, 0, size);
    };
    begin[axis] = clamp(starts[i]);
    end[axis] = std::max(begin[axis], clamp(ends[i]));
    stride[axis] = step;
  }
  return kiln::slice(x, begin, end, stride);
}

} // namespace

std::vector<int64_t> onnx_import::normalized(std::vector<int64_t> axes,
                                             int64_t rank) {
  for (int64_t &axis : axes)
    if (axis < 0)
      axis += rank;
  return axes;
}

std::optional<Outputs> onnx_import::importNode(const Node &node) {
  const std::string &type = node.type();
  auto in = [&](size_t i) { return node.input(i); };
  auto one = [](Tensor t) { return std::optional<Outputs>(Outputs{t}); };
  using Binary = Tensor (*)(const Tensor &, const Tensor &, SourceLoc);
  using Unary = Tensor (*)(const Tensor &, SourceLoc);
  static const std::map<std::string, Binary> binaries = {
      {"Add", add},      {"Sub", sub},           {"Mul", mul},
      {"Equal", eq},     {"Less", lt},           {"LessOrEqual", le},
      {"Greater", gt},   {"GreaterOrEqual", ge}, {"And", logical_and},
      {"Or", logical_or}};
  static const std::map<std::string, Unary> unaries = {
      {"Neg", neg},        {"Abs", abs},
      {"Relu", relu},      {"Sign", sign},
      {"Exp", exp},        {"Log", log},
      {"Sqrt", sqrt},      {"Reciprocal", reciprocal},
      {"Tanh", tanh},      {"Sigmoid", sigmoid},
      {"Erf", erf},        {"Sin", sin},
      {"Cos", cos},        {"Floor", floor},
      {"Ceil", ceil},      {"Round", round},
      {"Not", logical_not}};
  if (auto it = binaries.find(type); it != binaries.end())
    return one(it->second(in(0), in(1), SourceLoc::current()));
  if (auto it = unaries.find(type); it != unaries.end())
    return one(it->second(in(0), SourceLoc::current()));

  if (type == "Pow") {
    // ONNX's result has the base's type; eager pow promotes.
    Tensor result = pow(in(0), in(1));
    return one(result.dtype() == in(0).dtype() ? result
                                               : cast(result, in(0).dtype()));
  }
  if (type == "Div") {
    // ONNX's integer division truncates toward zero; Kiln's floors, as
    // numpy's. They differ on operands of different signs.
    if (!isFloating(in(0).dtype()) && !isFloating(in(1).dtype()))
      node.fail("integer division is not supported (ONNX truncates toward "
                "zero, Kiln floors)");
    return one(div(in(0), in(1)));
  }
  if (type == "Max")
    return one(foldInputs(node, maximum));
  if (type == "Min")
    return one(foldInputs(node, minimum));
  if (type == "Sum")
    return one(foldInputs(node, add));
  if (type == "Mean")
    return one(foldInputs(node, add) / static_cast<double>(node.inputCount()));
  if (type == "Where")
    return one(select(in(0), in(1), in(2)));
  if (type == "Identity" || type == "Dropout") {
    if (type == "Dropout" && node.hasInput(2))
      node.fail("training-mode dropout is not supported");
    return one(in(0));
  }
  if (type == "Cast") {
    std::optional<DType> to = dtypeOf(static_cast<int>(node.intAttr("to", 0)));
    if (!to)
      node.fail("cast to " +
                onnxTypeName(static_cast<int>(node.intAttr("to", 0))) +
                " is not supported");
    return one(cast(in(0), *to));
  }
  if (type == "Reshape") {
    std::vector<int64_t> shape = node.opset() < 5
                                     ? node.intsAttr("shape").value()
                                     : node.constantInts(1);
    bool allowZero = node.intAttr("allowzero", 0) != 0;
    for (size_t d = 0; d < shape.size(); ++d)
      if (shape[d] == 0 && !allowZero)
        shape[d] = in(0).shape().at(d);
    return one(reshape(in(0), shape));
  }
  if (type == "Flatten")
    return one(flattenAt(in(0), node.intAttr("axis", 1)));
  if (type == "Transpose") {
    std::vector<int64_t> perm(in(0).rank());
    std::iota(perm.rbegin(), perm.rend(), 0);
    return one(transpose(in(0), node.intsAttr("perm").value_or(perm)));
  }
  if (type == "Expand") {
    // Bidirectional: the result is the broadcast of both shapes.
    std::vector<int64_t> shape = node.constantInts(1);
    Shape target = in(0).shape();
    size_t rank = std::max(target.size(), shape.size());
    Shape result(rank, 1);
    for (size_t d = 0; d < rank; ++d) {
      int64_t a =
          d + target.size() >= rank ? target[d + target.size() - rank] : 1;
      int64_t b = d + shape.size() >= rank ? shape[d + shape.size() - rank] : 1;
      result[d] = a == 1 ? b : a;
    }
    return one(broadcast_to(in(0), result));
  }
  if (type == "Unsqueeze") {
    std::vector<int64_t> axes = node.opset() >= 13
                                    ? node.constantInts(1)
                                    : node.intsAttr("axes").value();
    int64_t rank = in(0).rank() + static_cast<int64_t>(axes.size());
    axes = normalized(axes, rank);
    std::sort(axes.begin(), axes.end());
    Tensor x = in(0);
    for (int64_t axis : axes)
      x = expand_dims(x, axis);
    return one(x);
  }
  if (type == "Squeeze") {
    std::vector<int64_t> axes;
    if (node.opset() >= 13 && node.hasInput(1))
      axes = node.constantInts(1);
    else if (auto attr = node.intsAttr("axes"))
      axes = *attr;
    return one(squeeze(in(0), axes));
  }
  if (type == "Concat") {
    std::vector<Tensor> xs;
    for (size_t i = 0; i < node.inputCount(); ++i)
      xs.push_back(in(i));
    return one(concat(xs, node.intAttr("axis", 0)));
  }
  if (type == "Slice")
    return one(sliceNode(node));
  if (type == "Pad") {
    if (node.stringAttr("mode", "constant") != "constant")
      node.fail("pad mode '" + node.stringAttr("mode", "") +
                "' is not supported");
    std::vector<int64_t> pads = node.opset() >= 11
                                    ? node.constantInts(1)
                                    : node.intsAttr("pads").value();
    if (node.opset() >= 18 || node.hasInput(3))
      node.fail("pads along a subset of axes are not supported");
    size_t rank = pads.size() / 2;
    std::vector<int64_t> low(pads.begin(), pads.begin() + rank),
        high(pads.begin() + rank, pads.end());
    for (int64_t p : pads)
      if (p < 0)
        node.fail("negative pads are not supported");
    double value = node.opset() >= 11
                       ? (node.hasInput(2) ? in(2).item<double>() : 0.0)
                       : node.floatAttr("value", 0.0);
    Scalar fill = isFloating(in(0).dtype())
                      ? Scalar(value)
                      : Scalar(static_cast<int64_t>(value));
    return one(pad(in(0), low, high, fill));
  }
  if (type == "Gather")
    return one(gather(in(0), in(1), node.intAttr("axis", 0)));
  if (type == "ReduceSum")
    return one(reduce(node, reduce_sum));
  if (type == "ReduceMean")
    return one(reduce(node, reduce_mean));
  if (type == "ReduceMax")
    return one(reduce(node, reduce_max));
  if (type == "ReduceMin")
    return one(reduce(node, reduce_min));
  if (type == "ReduceProd")
    return one(reduce(node, reduce_prod));
  if (type == "ArgMax" || type == "ArgMin") {
    if (node.intAttr("select_last_index", 0))
      node.fail("select_last_index is not supported");
    bool keep = node.intAttr("keepdims", 1) != 0;
    int64_t axis = node.intAttr("axis", 0);
    return one(type == "ArgMax" ? argmax(in(0), axis, keep)
                                : argmin(in(0), axis, keep));
  }
  if (type == "MatMul")
    return one(matmul(in(0), in(1)));
  if (type == "Gemm") {
    Tensor a = node.intAttr("transA", 0) ? transpose(in(0)) : in(0);
    Tensor b = node.intAttr("transB", 0) ? transpose(in(1)) : in(1);
    double alpha = node.floatAttr("alpha", 1.0),
           beta = node.floatAttr("beta", 1.0);
    Tensor y = matmul(a, b);
    if (alpha != 1.0)
      y = y * alpha;
    if (node.hasInput(2))
      y = y + (beta != 1.0 ? in(2) * beta : in(2));
    return one(y);
  }
  if (type == "Softmax")
    return one(softmaxLike(node, false));
  if (type == "LogSoftmax")
    return one(softmaxLike(node, true));
  if (type == "LayerNormalization") {
    const Tensor &x = in(0);
    int64_t axis = node.intAttr("axis", -1);
    if (axis < 0)
      axis += x.rank();
    std::vector<int64_t> axes;
    for (int64_t d = axis; d < x.rank(); ++d)
      axes.push_back(d);
    std::optional<Tensor> bias;
    if (node.hasInput(2))
      bias = in(2);
    double epsilon = node.floatAttr("epsilon", 1e-5);
    Tensor y = layer_norm(x, axes, epsilon, in(1), bias);
    // The optional Mean and InvStdDev outputs, in the stash type (float32
    // unless stash_type says otherwise), with the normalized axes kept.
    int64_t stash = node.intAttr("stash_type", 1);
    std::optional<DType> stashType = dtypeOf(static_cast<int>(stash));
    if (!stashType || !isFloating(*stashType))
      node.fail("stash_type " + std::to_string(stash) + " is not supported");
    Tensor xs = x.dtype() == *stashType ? x : cast(x, *stashType);
    Tensor mean = reduce_mean(xs, axes, /*keepdims=*/true);
    Tensor centered = xs - mean;
    Tensor invStdDev =
        rsqrt(reduce_mean(centered * centered, axes, true) + epsilon);
    return Outputs{y, mean, invStdDev};
  }
  if (type == "ConstantOfShape") {
    std::vector<int64_t> shape = node.constantInts(0);
    Tensor value = constant(Scalar(0.0), DType::F32);
    if (const onnx::AttributeProto *a = node.attribute("value"))
      value = reshape(toTensor(a->t(), node.describe()), {});
    return one(broadcast_to(value, shape).contiguous());
  }
  if (type == "LeakyRelu") {
    double alpha = node.floatAttr("alpha", 0.01);
    return one(select(in(0) >= 0.0, in(0), in(0) * alpha));
  }
  if (type == "Shape") {
    // Static shapes: a constant.
    Shape shape = in(0).shape();
    for (int64_t d : shape)
      if (isDynamic(d))
        node.fail("the shape of a tensor with dynamic dimensions is not "
                  "supported");
    int64_t rank = static_cast<int64_t>(shape.size());
    int64_t start = node.intAttr("start", 0), end = node.intAttr("end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
    return one(constant(dims, {static_cast<int64_t>(dims.size())}));
  }
  if (type == "Size")
    return one(constant(Scalar(in(0).size()), DType::I64));
  return importNNNode(node);
}
