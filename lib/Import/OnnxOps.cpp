//===- OnnxOps.cpp - ONNX ops as eager ops on traced tensors -------------===//
//
// The elementwise, shape and reduction ops of ONNX: each node
// calls the eager op (or the few eager ops) with ONNX's semantics. Values
// that decide a shape (Reshape's shape, Slice's bounds, axes) must be known
// at import time: constants, or graph inputs bound to values.
//
//===----------------------------------------------------------------------===//

#include "OnnxNode.h"

#include "kiln/Runtime/Ops.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

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

Tensor flattenAt(const Tensor &x, int64_t axis);

/// The Reduce* ops that are a sum of a function of x, then maybe a function
/// of the sum: ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum,
/// ReduceLogSumExp. Integer inputs give integer results, as in ONNX.
std::optional<Tensor> composedReduction(const Node &node) {
  const std::string &type = node.type();
  if (type != "ReduceL1" && type != "ReduceL2" && type != "ReduceSumSquare" &&
      type != "ReduceLogSum" && type != "ReduceLogSumExp")
    return std::nullopt;
  const Tensor &x = node.input(0);
  std::optional<std::vector<int64_t>> axes = reductionAxes(node);
  bool keep = node.intAttr("keepdims", 1) != 0;
  auto sum = [&](const Tensor &t) {
    return axes ? reduce_sum(t, *axes, keep) : t;
  };
  Tensor result;
  if (type == "ReduceL1")
    result = sum(abs(x));
  else if (type == "ReduceL2")
    result = sqrt(sum(x * x));
  else if (type == "ReduceSumSquare")
    result = sum(x * x);
  else if (type == "ReduceLogSum")
    result = log(sum(x));
  else if (!axes)
    result = x;
  else {
    // log(sum(exp(x - max))) + max, so large elements do not overflow; an
    // all -inf slice gives -inf rather than NaN.
    Tensor max = reduce_max(x, *axes, /*keepdims=*/true);
    max = select(abs(max) == INFINITY, constant(Scalar(0.0), max.dtype()), max);
    Tensor shifted =
        log(reduce_sum(exp(x - max), *axes, /*keepdims=*/true)) + max;
    result = keep ? shifted : squeeze(shifted, normalized(*axes, x.rank()));
    if (axes->empty())
      result = keep ? shifted : reshape(shifted, {});
  }
  return result.dtype() == x.dtype() ? result : cast(result, x.dtype());
}

/// `x` reversed along `axis`.
Tensor reversed(const Tensor &x, int64_t axis) {
  int64_t n = x.shape()[axis];
  return gather(x, arange(n - 1, int64_t{-1}, int64_t{-1}), axis);
}

/// ArgMax and ArgMin; select_last_index takes the first of the reversed
/// input.
Tensor argReduction(const Node &node) {
  const Tensor &x = node.input(0);
  bool keep = node.intAttr("keepdims", 1) != 0;
  int64_t axis = node.intAttr("axis", 0);
  if (axis < 0)
    axis += x.rank();
  auto op = node.type() == "ArgMax" ? argmax : argmin;
  if (!node.intAttr("select_last_index", 0))
    return op(x, axis, keep, SourceLoc::current());
  Tensor last = op(reversed(x, axis), axis, keep, SourceLoc::current());
  return (x.shape()[axis] - 1) - last;
}

/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere (before
/// opset 13, over the input flattened to 2-D at the axis).
Tensor hardmax(const Node &node) {
  const Tensor &x = node.input(0);
  auto oneHotOfMax = [](const Tensor &t, int64_t axis) {
    if (axis < 0)
      axis += t.rank();
    Tensor index = argmax(t, axis, /*keepdims=*/true);
    return cast(index == iotaAlong(t.shape()[axis], axis, t.rank()), t.dtype());
  };
  if (node.opset() >= 13)
    return oneHotOfMax(x, node.intAttr("axis", -1));
  return reshape(oneHotOfMax(flattenAt(x, node.intAttr("axis", 1)), 1),
                 x.shape());
}

/// Split: along `axis` into the sizes of the `split` input (attribute before
/// opset 13), else into equal parts, one per output.
Outputs split(const Node &node) {
  const Tensor &x = node.input(0);
  int64_t axis = node.intAttr("axis", 0);
  if (axis < 0)
    axis += x.rank();
  std::vector<int64_t> sizes;
  if (node.opset() >= 13 && node.hasInput(1))
    sizes = node.constantInts(1);
  else if (auto attr = node.intsAttr("split"))
    sizes = *attr;
  else {
    int64_t parts = node.outputCount(), size = x.shape()[axis];
    if (parts == 0 || size % parts != 0)
      node.fail("dimension " + std::to_string(axis) + " of size " +
                std::to_string(size) + " does not split into " +
                std::to_string(parts) + " equal parts");
    sizes.assign(parts, size / parts);
  }
  Outputs outputs;
  std::vector<int64_t> begin(x.rank(), 0), end(x.shape());
  for (int64_t size : sizes) {
    end[axis] = begin[axis] + size;
    outputs.push_back(slice(x, begin, end));
    begin[axis] = end[axis];
  }
  return outputs;
}

/// Tile: x as [1, d0, 1, d1, ...] broadcast to [r0, d0, r1, d1, ...] and
/// merged.
Tensor tile(const Node &node) {
  const Tensor &x = node.input(0);
  std::vector<int64_t> repeats = node.constantInts(1);
  if (static_cast<int64_t>(repeats.size()) != x.rank())
    node.fail(std::to_string(repeats.size()) + " repeats for rank " +
              std::to_string(x.rank()));
  Shape interleaved, broadcast, merged;
  for (int64_t d = 0; d < x.rank(); ++d) {
    interleaved.insert(interleaved.end(), {1, x.shape()[d]});
    broadcast.insert(broadcast.end(), {repeats[d], x.shape()[d]});
    merged.push_back(repeats[d] * x.shape()[d]);
  }
  return reshape(broadcast_to(reshape(x, interleaved), broadcast), merged);
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth on NCHW.
Tensor depthSpace(const Node &node) {
  const Tensor &x = node.input(0);
  int64_t s = node.intAttr("blocksize", 0);
  if (x.rank() != 4 || s <= 0)
    node.fail("needs a 4-D input and a positive blocksize");
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2],
          w = x.shape()[3];
  if (node.type() == "SpaceToDepth") {
    Tensor t = reshape(x, {n, c, h / s, s, w / s, s});
    t = transpose(t, {0, 3, 5, 1, 2, 4});
    return reshape(t, {n, c * s * s, h / s, w / s});
  }
  bool crd = node.stringAttr("mode", "DCR") == "CRD";
  Tensor t = crd ? transpose(reshape(x, {n, c / (s * s), s, s, h, w}),
                             {0, 1, 4, 2, 5, 3})
                 : transpose(reshape(x, {n, s, s, c / (s * s), h, w}),
                             {0, 3, 4, 1, 5, 2});
  return reshape(t, {n, c / (s * s), h * s, w * s});
}

/// The elementwise activations of ONNX that compose from kiln ops, with
/// ONNX's default attributes.
std::optional<Tensor> activation(const Node &node) {
  const std::string &type = node.type();
  auto attr = [&](const char *name, double otherwise) {
    return node.floatAttr(name, otherwise);
  };
  if (type == "Elu" || type == "Selu" || type == "Celu" ||
      type == "HardSigmoid" || type == "HardSwish" || type == "Softplus" ||
      type == "Softsign" || type == "ThresholdedRelu" || type == "Shrink" ||
      type == "PRelu") {
    const Tensor &x = node.input(0);
    Tensor zero = constant(Scalar(0), x.dtype());
    if (type == "Elu") {
      double alpha = attr("alpha", 1.0);
      return select(x >= 0, x, (exp(x) - 1) * alpha);
    }
    if (type == "Selu") {
      double alpha = attr("alpha", 1.67326319217681884765625),
             gamma = attr("gamma", 1.05070102214813232421875);
      return select(x > 0, x * gamma, (exp(x) * alpha - alpha) * gamma);
    }
    if (type == "Celu") {
      double alpha = attr("alpha", 1.0);
      return relu(x) + minimum(zero, (exp(x / alpha) - 1) * alpha);
    }
    if (type == "HardSigmoid")
      return maximum(zero, minimum(x * attr("alpha", 0.2) + attr("beta", 0.5),
                                   constant(Scalar(1), x.dtype())));
    if (type == "HardSwish")
      return x * maximum(zero, minimum(x / 6.0 + 0.5,
                                       constant(Scalar(1), x.dtype())));
    if (type == "Softplus") // log(1 + e^x), without overflow
      return relu(x) + log(exp(-abs(x)) + 1);
    if (type == "Softsign")
      return x / (abs(x) + 1);
    if (type == "ThresholdedRelu")
      return select(x > attr("alpha", 1.0), x, zero);
    if (type == "Shrink") {
      double lambd = attr("lambd", 0.5), bias = attr("bias", 0.0);
      return select(x < -lambd, x + bias, select(x > lambd, x - bias, zero));
    }
    if (type == "PRelu")
      return select(x < 0, x * node.input(1), x);
  }
  return std::nullopt;
}

/// Integer division truncating toward zero (ONNX's), from Kiln's floor
/// division: one more where the remainder is non-zero and the signs differ.
Tensor truncatedDiv(const Tensor &a, const Tensor &b) {
  Tensor q = div(a, b);
  Tensor r = a - q * b;
  Tensor signsDiffer = (a < 0) != (b < 0);
  return select(logical_and(r != 0, signsDiffer), q + 1, q);
}

/// Mod: the remainder with the divisor's sign (fmod 0, integers only) or
/// the dividend's (fmod 1, C's fmod).
Tensor mod(const Node &node) {
  const Tensor &a = node.input(0), &b = node.input(1);
  bool fmod = node.intAttr("fmod", 0) != 0;
  if (isFloating(a.dtype()) || isFloating(b.dtype())) {
    if (!fmod)
      node.fail("fmod 0 is for integers; floating-point inputs need fmod 1");
    Tensor q = a / b;
    Tensor truncated = select(q < 0, ceil(q), floor(q));
    return a - truncated * b;
  }
  if (fmod)
    return a - truncatedDiv(a, b) * b;
  return a - div(a, b) * b;
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
  // Axes with a negative step: the indices they pick, gathered after the
  // slice of the others.
  std::vector<std::pair<int64_t, std::vector<int64_t>>> backwards;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i], size = x.shape()[axis];
    int64_t step = steps.empty() ? 1 : steps[i];
    if (step == 0)
      node.fail("a step of 0 is not valid");
    if (step < 0) {
      // start clamps to [0, size - 1], end to [-1, size - 1].
      int64_t s = starts[i] < 0 ? starts[i] + size : starts[i];
      int64_t e =
          ends[i] < 0 ? std::max<int64_t>(ends[i], -size - 1) + size : ends[i];
      s = std::clamp<int64_t>(s, 0, size - 1);
      e = std::clamp<int64_t>(e, -1, size - 1);
      std::vector<int64_t> picked;
      for (int64_t at = s; at > e; at += step)
        picked.push_back(at);
      backwards.push_back({axis, picked});
      continue;
    }
    auto clamp = [&](int64_t v) {
      if (v < 0)
        v += size;
      return std::clamp<int64_t>(v, 0, size);
    };
    begin[axis] = clamp(starts[i]);
    end[axis] = std::max(begin[axis], clamp(ends[i]));
    stride[axis] = step;
  }
  Tensor y = kiln::slice(x, begin, end, stride);
  for (const auto &[axis, picked] : backwards)
    y = gather(y, constant(picked, {static_cast<int64_t>(picked.size())}),
               axis);
  return y;
}

} // namespace

std::vector<int64_t> onnx_import::normalized(std::vector<int64_t> axes,
                                             int64_t rank) {
  for (int64_t &axis : axes)
    if (axis < 0)
      axis += rank;
  return axes;
}

Tensor onnx_import::iotaAlong(int64_t n, int64_t axis, int64_t rank) {
  Shape shape(rank, 1);
  shape[axis] = n;
  return reshape(arange(int64_t{0}, n), shape);
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
      {"Neg", neg},     {"Abs", abs},
      {"Relu", relu},   {"Sign", sign},
      {"Exp", exp},     {"Log", log},
      {"Sqrt", sqrt},   {"Reciprocal", reciprocal},
      {"Tanh", tanh},   {"Sigmoid", sigmoid},
      {"Erf", erf},     {"Sin", sin},
      {"Cos", cos},     {"Tan", tan},
      {"Asin", asin},   {"Acos", acos},
      {"Atan", atan},   {"Sinh", sinh},
      {"Cosh", cosh},   {"Asinh", asinh},
      {"Acosh", acosh}, {"Atanh", atanh},
      {"Floor", floor}, {"Ceil", ceil},
      {"Round", round}, {"Not", logical_not}};
  // Before opset 7, binary ops broadcast only with broadcast=1, and an
  // `axis` aligned the second operand with the first from that dimension,
  // which numpy's rule does not do.
  if (node.opset() < 7 && node.intAttr("broadcast", 0) != 0 &&
      node.attribute("axis"))
    node.fail("broadcasting along an axis (broadcast and axis, before opset "
              "7) is not supported");
  if (auto it = binaries.find(type); it != binaries.end())
    return one(it->second(in(0), in(1), SourceLoc::current()));
  if (auto it = unaries.find(type); it != unaries.end())
    return one(it->second(in(0), SourceLoc::current()));

  if (type == "Xor")
    return one(ne(cast(in(0), DType::Bool), cast(in(1), DType::Bool)));
  if (type == "BitShift") {
    std::string direction = node.stringAttr("direction", "");
    if (direction != "LEFT" && direction != "RIGHT")
      node.fail("direction '" + direction + "' must be LEFT or RIGHT");
    return one(direction == "LEFT" ? left_shift(in(0), in(1))
                                   : right_shift(in(0), in(1)));
  }
  if (type == "IsNaN")
    return one(in(0) != in(0));
  if (type == "IsInf") {
    const Tensor &x = in(0);
    bool positive = node.intAttr("detect_positive", 1) != 0,
         negative = node.intAttr("detect_negative", 1) != 0;
    Tensor none = broadcast_to(constant(false), x.shape());
    return one(logical_or(positive ? x == INFINITY : none,
                          negative ? x == -INFINITY : none));
  }
  if (auto y = activation(node))
    return one(*y);
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
      return one(truncatedDiv(in(0), in(1)));
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
  if (type == "Identity")
    return one(in(0));
  if (type == "Dropout") {
    // Inference: the identity, and a mask of ones. Training mode (before
    // opset 7, is_test 0) needs random numbers.
    bool training = node.opset() < 7
                        ? node.intAttr("is_test", 0) == 0
                        : node.hasInput(2) && node.constantInts(2).at(0) != 0;
    if (training)
      node.fail("training-mode dropout is not supported");
    Outputs outputs{in(0)};
    if (node.hasOutput(1))
      outputs.push_back(broadcast_to(constant(true), in(0).shape()));
    return outputs;
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
    std::string mode = node.stringAttr("mode", "constant");
    if (mode != "constant" && mode != "edge" && mode != "reflect")
      node.fail("pad mode '" + mode + "' is not supported");
    std::vector<int64_t> pads = node.opset() >= 11
                                    ? node.constantInts(1)
                                    : node.intsAttr("pads").value();
    if (node.opset() >= 18 || node.hasInput(3))
      node.fail("pads along a subset of axes are not supported");
    size_t rank = pads.size() / 2;
    if (static_cast<int64_t>(rank) != in(0).rank() || pads.size() % 2)
      node.fail(std::to_string(pads.size()) + " pads for rank " +
                std::to_string(in(0).rank()));
    std::vector<int64_t> low(pads.begin(), pads.begin() + rank),
        high(pads.begin() + rank, pads.end());
    // Negative pads crop.
    Tensor x = in(0);
    std::vector<int64_t> begin(rank, 0), end(x.shape());
    bool crop = false;
    for (size_t d = 0; d < rank; ++d) {
      if (low[d] < 0)
        begin[d] = -std::exchange(low[d], 0), crop = true;
      if (high[d] < 0)
        end[d] += std::exchange(high[d], 0), crop = true;
    }
    if (crop)
      x = slice(x, begin, end);
    if (mode != "constant") {
      // Per padded axis, a gather of the edge element (edge) or of the
      // mirror image without the edge repeated (reflect).
      for (size_t d = 0; d < rank; ++d) {
        int64_t n = x.shape()[d];
        if (low[d] == 0 && high[d] == 0)
          continue;
        if (n == 0)
          node.fail("cannot pad an empty dimension in mode '" + mode + "'");
        std::vector<int64_t> picked;
        for (int64_t j = -low[d]; j < n + high[d]; ++j) {
          int64_t k = j;
          if (mode == "edge" || n == 1) {
            k = std::clamp<int64_t>(k, 0, n - 1);
          } else {
            int64_t period = 2 * (n - 1);
            k = ((k % period) + period) % period;
            if (k >= n)
              k = period - k;
          }
          picked.push_back(k);
        }
        x = gather(x, constant(picked, {static_cast<int64_t>(picked.size())}),
                   static_cast<int64_t>(d));
      }
      return one(x);
    }
    if (node.opset() >= 11 && node.hasInput(2) && in(2).is_traced()) {
      // A fill value computed at run time: pad with zeros, then select the
      // value where a padded mask of trues has falses.
      Tensor inside =
          pad(broadcast_to(constant(true), x.shape()), low, high, false);
      return one(select(inside, pad(x, low, high), reshape(in(2), {})));
    }
    double value = node.opset() >= 11
                       ? (node.hasInput(2) ? in(2).item<double>() : 0.0)
                       : node.floatAttr("value", 0.0);
    Scalar fill = isFloating(x.dtype()) ? Scalar(value)
                                        : Scalar(static_cast<int64_t>(value));
    return one(pad(x, low, high, fill));
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
  if (auto y = composedReduction(node))
    return one(*y);
  if (type == "ArgMax" || type == "ArgMin")
    return one(argReduction(node));
  if (type == "Hardmax")
    return one(hardmax(node));
  if (auto outputs = importIndexingNode(node))
    return outputs;
  if (auto outputs = importQuantizeNode(node))
    return outputs;
  if (type == "Split")
    return split(node);
  if (type == "Tile")
    return one(tile(node));
  if (type == "DepthToSpace" || type == "SpaceToDepth")
    return one(depthSpace(node));
  if (type == "Mod")
    return one(mod(node));
  if (type == "CumSum")
    return one(cumsum(in(0), node.constantInts(1).at(0),
                      node.intAttr("exclusive", 0) != 0,
                      node.intAttr("reverse", 0) != 0));
  if (type == "CastLike")
    return one(cast(in(0), in(1).dtype()));
  if (type == "Clip") {
    Tensor y = in(0);
    if (node.opset() < 11) {
      y = maximum(y, node.floatAttr("min", -INFINITY));
      y = minimum(y, node.floatAttr("max", INFINITY));
      return one(y);
    }
    if (node.hasInput(1))
      y = maximum(y, in(1));
    if (node.hasInput(2))
      y = minimum(y, in(2));
    return one(y);
  }
  if (type == "Range") {
    auto scalar = [&](size_t i) {
      return node.constantInput(i).toDoubleVector().at(0);
    };
    DType dtype = in(0).dtype();
    double start = scalar(0), limit = scalar(1), delta = scalar(2);
    if (delta == 0)
      node.fail("delta is 0");
    // ONNX's count: max(ceil((limit - start) / delta), 0).
    int64_t count = std::max<int64_t>(
        static_cast<int64_t>(std::ceil((limit - start) / delta)), 0);
    Tensor t = Tensor::empty({count}, DType::F64);
    for (int64_t i = 0; i < count; ++i)
      t.data<double>()[i] = start + static_cast<double>(i) * delta;
    return one(cast(t, dtype));
  }
  if (type == "EyeLike") {
    const Tensor &x = in(0);
    if (x.rank() != 2)
      node.fail("the input has rank " + std::to_string(x.rank()) +
                "; EyeLike needs 2");
    DType dtype = x.dtype();
    if (const onnx::AttributeProto *a = node.attribute("dtype")) {
      std::optional<DType> d = dtypeOf(static_cast<int>(a->i()));
      if (!d)
        node.fail("dtype " + onnxTypeName(static_cast<int>(a->i())) +
                  " is not supported");
      dtype = *d;
    }
    int64_t k = node.intAttr("k", 0);
    Tensor diagonal =
        iotaAlong(x.shape()[1], 1, 2) - iotaAlong(x.shape()[0], 0, 2) == k;
    return one(cast(diagonal, dtype));
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
