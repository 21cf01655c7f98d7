//===- OnnxNN.cpp - ONNX's neural-network ops -----------------------------===//
//
// Convolution, pooling, normalization, resizing and the losses of ONNX.
// Conv, ConvTranspose and the pooling ops call Kiln's (runtime/Conv.cpp);
// the others are composed of kiln ops here. Shapes are static at import, so
// what depends on them only (masks, index and weight arrays) is computed
// here as constants.
//
//===----------------------------------------------------------------------===//

#include "OnnxNode.h"

#include "kiln/Runtime/Ops.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace kiln;
using namespace kiln::onnx_import;

namespace {

/// The strides, dilations and pads of a Conv or pooling node over `x` with
/// a kernel of spatial sizes `kernel`; auto_pad SAME_UPPER/SAME_LOWER pads
/// to an output of ceil(D / stride).
template <typename Options>
void slidingWindow(const Node &node, const Tensor &x,
                   const std::vector<int64_t> &kernel, Options &options) {
  size_t k = kernel.size();
  options.strides = node.intsAttr("strides").value_or(options.strides);
  options.dilations = node.intsAttr("dilations").value_or(options.dilations);
  if (auto pads = node.intsAttr("pads")) {
    if (pads->size() != 2 * k)
      node.fail(std::to_string(pads->size()) + " pads for " +
                std::to_string(k) + " spatial dimensions");
    options.pads_begin.assign(pads->begin(), pads->begin() + k);
    options.pads_end.assign(pads->begin() + k, pads->end());
  }
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    options.pads_begin.assign(k, 0);
    options.pads_end.assign(k, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    options.pads_begin.assign(k, 0);
    options.pads_end.assign(k, 0);
    for (size_t i = 0; i < k && x.rank() == int64_t(k) + 2; ++i) {
      int64_t size = x.shape()[i + 2];
      int64_t stride = options.strides.empty() ? 1 : options.strides.at(i);
      int64_t dilation =
          options.dilations.empty() ? 1 : options.dilations.at(i);
      int64_t out = (size + stride - 1) / stride;
      int64_t extent = (kernel[i] - 1) * dilation + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - size);
      int64_t half = total / 2;
      options.pads_begin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      options.pads_end[i] = total - options.pads_begin[i];
    }
  } else if (autoPad != "NOTSET") {
    node.fail("auto_pad '" + autoPad + "' is not supported");
  }
}

Tensor convNode(const Node &node) {
  const Tensor &x = node.input(0), &w = node.input(1);
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  if (auto shape = node.intsAttr("kernel_shape"); shape && *shape != kernel)
    node.fail("kernel_shape does not match the weight " +
              formatShape(w.shape()));
  ConvOptions options;
  options.groups = node.intAttr("group", 1);
  slidingWindow(node, x, kernel, options);
  std::optional<Tensor> bias;
  if (node.hasInput(2))
    bias = node.input(2);
  return conv(x, w, bias, options);
}

/// ConvTranspose; output_shape and auto_pad decide the pads.
Tensor convTransposeNode(const Node &node) {
  const Tensor &x = node.input(0), &w = node.input(1);
  size_t k = static_cast<size_t>(std::max<int64_t>(x.rank() - 2, 0));
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  ConvOptions options;
  options.groups = node.intAttr("group", 1);
  options.strides = node.intsAttr("strides").value_or(options.strides);
  options.dilations = node.intsAttr("dilations").value_or(options.dilations);
  options.output_padding =
      node.intsAttr("output_padding").value_or(std::vector<int64_t>(k, 0));
  std::vector<int64_t> pads =
      node.intsAttr("pads").value_or(std::vector<int64_t>(2 * k, 0));
  if (pads.size() != 2 * k || kernel.size() != k ||
      options.output_padding.size() != k)
    node.fail("pads, output_padding and the kernel do not match the input's " +
              std::to_string(k) + " spatial dimensions");
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  std::optional<std::vector<int64_t>> outputShape =
      node.intsAttr("output_shape");
  for (size_t i = 0; i < k; ++i) {
    int64_t stride = options.strides.empty() ? 1 : options.strides.at(i);
    int64_t dilation = options.dilations.empty() ? 1 : options.dilations.at(i);
    int64_t extent = (kernel[i] - 1) * dilation + 1;
    int64_t full =
        stride * (x.shape()[i + 2] - 1) + options.output_padding[i] + extent;
    int64_t target = -1;
    if (outputShape)
      target = outputShape->at(outputShape->size() - k + i);
    else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
      target = x.shape()[i + 2] * stride;
    else if (autoPad != "NOTSET" && autoPad != "VALID")
      node.fail("auto_pad '" + autoPad + "' is not supported");
    if (target >= 0) {
      int64_t total = full - target;
      pads[i] = autoPad == "SAME_LOWER" ? total - total / 2 : total / 2;
      pads[i + k] = total - pads[i];
    }
  }
  // A negative end pad (an output_shape beyond the full output) is more
  // output padding.
  for (size_t i = 0; i < k; ++i)
    if (pads[i + k] < 0) {
      options.output_padding[i] -= pads[i + k];
      pads[i + k] = 0;
    }
  options.pads_begin.assign(pads.begin(), pads.begin() + k);
  options.pads_end.assign(pads.begin() + k, pads.end());
  std::optional<Tensor> bias;
  if (node.hasInput(2))
    bias = node.input(2);
  return conv_transpose(x, w, bias, options);
}

/// MaxPool and AveragePool.
Tensor poolNode(const Node &node) {
  std::optional<std::vector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (!kernel)
    node.fail("kernel_shape is missing");
  if (node.hasOutput(1))
    node.fail("the Indices output is not supported");
  PoolOptions options;
  options.window = *kernel;
  slidingWindow(node, node.input(0), *kernel, options);
  options.ceil_mode = node.intAttr("ceil_mode", 0) != 0;
  options.count_include_pad = node.intAttr("count_include_pad", 0) != 0;
  return node.type() == "MaxPool" ? max_pool(node.input(0), options)
                                  : avg_pool(node.input(0), options);
}

/// NegativeLogLikelihoodLoss of log-probabilities `input` (N x C x d...)
/// at `target` (N x d...), weighted by `weight` (C) if given.
Tensor nllLoss(const Node &node, const Tensor &input, const Tensor &target,
               const std::optional<Tensor> &weight) {
  int64_t rank = input.rank(), classes = input.shape()[1];
  if (target.rank() != rank - 1)
    node.fail("the target has rank " + std::to_string(target.rank()) +
              ", the input " + std::to_string(rank));
  std::string reduction = node.stringAttr("reduction", "mean");
  Tensor t = cast(target, DType::I64);
  const onnx::AttributeProto *ignore = node.attribute("ignore_index");
  Tensor valid = broadcast_to(constant(true), t.shape());
  if (ignore) {
    valid = t != ignore->i();
    t = select(valid, t, constant(int64_t{0}));
  }
  Tensor hot = expand_dims(t, 1) == iotaAlong(classes, 1, rank);
  Tensor zero = constant(Scalar(0), input.dtype());
  Tensor picked = reduce_sum(select(hot, input, zero), {1});
  Tensor w = weight
                 ? gather(*weight, t, 0)
                 : broadcast_to(constant(Scalar(1), input.dtype()), t.shape());
  w = select(valid, w, zero);
  Tensor loss = -(picked * w);
  if (reduction == "none")
    return loss;
  if (reduction == "sum")
    return reduce_sum(loss);
  if (reduction == "mean")
    return reduce_sum(loss) / reduce_sum(w);
  node.fail("reduction '" + reduction + "' is not supported");
}

/// One output position's taps along an axis: input indices and weights.
struct Taps {
  std::vector<int64_t> index;
  std::vector<double> weight;
};

/// Resize and Upsample: separable, one axis at a time. Along an axis each
/// output position maps to a coordinate of the input (by the coordinate
/// transformation mode) and reads 1 (nearest), 2 (linear) or 4 (cubic)
/// input positions, clamped to the edges, with weights computed here.
Tensor resize(const Node &node) {
  const Tensor &x = node.input(0);
  int64_t rank = x.rank();
  bool upsample = node.type() == "Upsample";
  std::string mode = node.stringAttr("mode", "nearest");
  // Before opset 11 (and Upsample): asymmetric coordinates, nearest
  // rounding down.
  bool legacy = upsample || node.opset() < 11;
  std::string transform =
      legacy ? "asymmetric"
             : node.stringAttr("coordinate_transformation_mode", "half_pixel");
  std::string nearestMode =
      legacy ? "floor" : node.stringAttr("nearest_mode", "round_prefer_floor");
  double a = node.floatAttr("cubic_coeff_a", -0.75);
  bool excludeOutside = node.intAttr("exclude_outside", 0) != 0;
  double extrapolation = node.floatAttr("extrapolation_value", 0.0);
  if (mode != "nearest" && mode != "linear" && mode != "cubic" &&
      mode != "bilinear")
    node.fail("mode '" + mode + "' is not supported");
  if (mode == "bilinear")
    mode = "linear";

  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (upsample && node.opset() < 9) {
    auto attr = node.floatsAttr("scales");
    if (!attr)
      node.fail("scales is missing");
    scales.assign(attr->begin(), attr->end());
  } else if (legacy) {
    scales = node.constantInput(1).toDoubleVector();
  } else {
    if (node.hasInput(2) && node.constantInput(2).size() > 0)
      scales = node.constantInput(2).toDoubleVector();
    else if (node.hasInput(3))
      sizes = node.constantInts(3);
    else
      node.fail("neither scales nor sizes is given");
  }
  std::vector<double> roi;
  if (transform == "tf_crop_and_resize") {
    if (!node.hasInput(1))
      node.fail("tf_crop_and_resize needs the roi input");
    roi = node.constantInput(1).toDoubleVector();
  }
  if (!scales.empty() && static_cast<int64_t>(scales.size()) != rank)
    node.fail(std::to_string(scales.size()) + " scales for rank " +
              std::to_string(rank));
  if (!sizes.empty() && static_cast<int64_t>(sizes.size()) != rank)
    node.fail(std::to_string(sizes.size()) + " sizes for rank " +
              std::to_string(rank));

  auto cubic = [&](double d) {
    d = std::fabs(d);
    if (d <= 1)
      return ((a + 2) * d - (a + 3)) * d * d + 1;
    if (d < 2)
      return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
    return 0.0;
  };
  Tensor y = x;
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t in = x.shape()[axis];
    int64_t out = sizes.empty()
                      ? static_cast<int64_t>(std::floor(in * scales[axis]))
                      : sizes[axis];
    double scale = sizes.empty()
                       ? scales[axis]
                       : static_cast<double>(out) / static_cast<double>(in);
    if (out == in && scale == 1.0 && transform != "tf_crop_and_resize")
      continue;
    std::vector<Taps> taps(mode == "nearest" ? 1 : mode == "linear" ? 2 : 4);
    std::vector<bool> outside(out, false);
    for (int64_t o = 0; o < out; ++o) {
      double xo = static_cast<double>(o), c;
      if (transform == "half_pixel")
        c = (xo + 0.5) / scale - 0.5;
      else if (transform == "pytorch_half_pixel")
        c = out > 1 ? (xo + 0.5) / scale - 0.5 : 0.0;
      else if (transform == "align_corners")
        // The resized length is in * scale, not rounded, when scales are
        // given.
        c = out == 1 ? 0.0 : xo * (in - 1) / (in * scale - 1);
      else if (transform == "asymmetric")
        c = xo / scale;
      else if (transform == "tf_half_pixel_for_nn")
        c = (xo + 0.5) / scale;
      else if (transform == "tf_crop_and_resize") {
        double start = roi.at(axis), end = roi.at(axis + rank);
        c = out > 1 ? start * (in - 1) + xo * (end - start) * (in - 1) /
                                             static_cast<double>(out - 1)
                    : 0.5 * (start + end) * (in - 1);
        outside[o] = c < 0 || c > in - 1;
      } else
        node.fail("coordinate_transformation_mode '" + transform +
                  "' is not supported");
      auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
      if (mode == "nearest") {
        double r;
        if (nearestMode == "round_prefer_floor")
          r = c == std::floor(c) + 0.5 ? std::floor(c) : std::round(c);
        else if (nearestMode == "round_prefer_ceil")
          r = std::floor(c + 0.5);
        else if (nearestMode == "floor")
          r = std::floor(c);
        else if (nearestMode == "ceil")
          r = std::ceil(c);
        else
          node.fail("nearest_mode '" + nearestMode + "' is not supported");
        taps[0].index.push_back(clamp(static_cast<int64_t>(r)));
        taps[0].weight.push_back(1.0);
        continue;
      }
      int64_t base = static_cast<int64_t>(std::floor(c));
      double ratio = c - static_cast<double>(base);
      if (mode == "linear") {
        taps[0].index.push_back(clamp(base));
        taps[0].weight.push_back(1 - ratio);
        taps[1].index.push_back(clamp(base + 1));
        taps[1].weight.push_back(ratio);
        continue;
      }
      double weights[4], total = 0;
      for (int t = 0; t < 4; ++t) {
        int64_t at = base - 1 + t;
        weights[t] = cubic(ratio + 1 - t);
        if (excludeOutside && (at < 0 || at >= in))
          weights[t] = 0;
        total += weights[t];
      }
      for (int t = 0; t < 4; ++t) {
        taps[t].index.push_back(clamp(base - 1 + t));
        taps[t].weight.push_back(excludeOutside ? weights[t] / total
                                                : weights[t]);
      }
    }
    Shape along(rank, 1);
    along[axis] = out;
    Tensor next;
    for (size_t t = 0; t < taps.size(); ++t) {
      Tensor picked = gather(y, constant(taps[t].index, {out}), axis);
      if (mode != "nearest")
        picked = picked * constant(taps[t].weight, along, x.dtype());
      next = t == 0 ? picked : next + picked;
    }
    if (std::find(outside.begin(), outside.end(), true) != outside.end()) {
      std::vector<int64_t> mask(outside.begin(), outside.end());
      next = select(cast(constant(mask, along), DType::Bool),
                    constant(Scalar(extrapolation), x.dtype()), next);
    }
    y = next;
  }
  return y;
}

} // namespace

std::optional<Outputs> onnx_import::importNNNode(const Node &node) {
  const std::string &type = node.type();
  auto in = [&](size_t i) { return node.input(i); };
  auto one = [](Tensor t) { return std::optional<Outputs>(Outputs{t}); };
  /// A per-channel parameter (C) shaped to broadcast over N x C x D...
  auto perChannel = [](const Tensor &p, int64_t rank) {
    Shape shape(rank - 1, 1);
    shape[0] = p.size();
    return reshape(p, shape);
  };

  if (type == "Conv")
    return one(convNode(node));
  if (type == "Resize" || type == "Upsample")
    return one(resize(node));
  if (type == "ConvTranspose")
    return one(convTransposeNode(node));
  if (type == "MaxPool" || type == "AveragePool")
    return one(poolNode(node));
  if (type == "GlobalAveragePool" || type == "GlobalMaxPool") {
    std::vector<int64_t> axes;
    for (int64_t d = 2; d < in(0).rank(); ++d)
      axes.push_back(d);
    return one(type == "GlobalMaxPool" ? reduce_max(in(0), axes, true)
                                       : reduce_mean(in(0), axes, true));
  }
  if (type == "BatchNormalization") {
    const Tensor &x = in(0);
    int64_t rank = x.rank();
    double epsilon = node.floatAttr("epsilon", 1e-5);
    Tensor scale = perChannel(in(1), rank), bias = perChannel(in(2), rank);
    if (node.intAttr("spatial", 1) == 0) // before opset 9
      node.fail("per-activation statistics (spatial 0) are not supported");
    bool training = node.opset() >= 14 && node.intAttr("training_mode", 0);
    if (node.opset() < 14 && node.outputCount() > 1)
      node.fail("training outputs before opset 14 are not supported");
    if (!training) {
      Tensor mean = perChannel(in(3), rank), var = perChannel(in(4), rank);
      return one((x - mean) * rsqrt(var + epsilon) * scale + bias);
    }
    // Training: normalize with the batch's statistics and update the
    // running ones.
    std::vector<int64_t> axes = {0};
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    Tensor mean = reduce_mean(x, axes, true);
    Tensor centered = x - mean;
    Tensor var = reduce_mean(centered * centered, axes, true);
    Tensor y = centered * rsqrt(var + epsilon) * scale + bias;
    double momentum = node.floatAttr("momentum", 0.9);
    Tensor runningMean =
        in(3) * momentum + reshape(mean, in(3).shape()) * (1 - momentum);
    Tensor runningVar =
        in(4) * momentum + reshape(var, in(4).shape()) * (1 - momentum);
    return Outputs{y, runningMean, runningVar};
  }
  if (type == "InstanceNormalization") {
    const Tensor &x = in(0);
    std::vector<int64_t> axes;
    for (int64_t d = 2; d < x.rank(); ++d)
      axes.push_back(d);
    return one(layer_norm(x, axes, node.floatAttr("epsilon", 1e-5),
                          perChannel(in(1), x.rank()),
                          perChannel(in(2), x.rank())));
  }
  if (type == "LRN") {
    // x / (bias + alpha / size * (sum of squares over `size` channels
    // around each))^beta.
    const Tensor &x = in(0);
    int64_t size = node.intAttr("size", 0);
    if (size <= 0)
      node.fail("size must be positive");
    double alpha = node.floatAttr("alpha", 1e-4),
           beta = node.floatAttr("beta", 0.75),
           bias = node.floatAttr("bias", 1.0);
    std::vector<int64_t> low(x.rank(), 0), high(x.rank(), 0);
    low[1] = (size - 1) / 2;
    high[1] = size - 1 - low[1];
    Tensor squares = pad(x * x, low, high, 0);
    Tensor sum;
    for (int64_t i = 0; i < size; ++i) {
      std::vector<int64_t> begin(x.rank(), 0), end(squares.shape());
      begin[1] = i;
      end[1] = i + x.shape()[1];
      Tensor s = slice(squares, begin, end);
      sum = i == 0 ? s : sum + s;
    }
    return one(x / pow(sum * (alpha / static_cast<double>(size)) + bias,
                       constant(Scalar(beta), x.dtype())));
  }
  if (type == "MeanVarianceNormalization") {
    const Tensor &x = in(0);
    std::vector<int64_t> axes = normalized(
        node.intsAttr("axes").value_or(std::vector<int64_t>{0, 2, 3}),
        x.rank());
    Tensor mean = reduce_mean(x, axes, true);
    Tensor var = reduce_mean(x * x, axes, true) - mean * mean;
    return one((x - mean) / (sqrt(var) + 1e-9));
  }
  if (type == "NegativeLogLikelihoodLoss") {
    std::optional<Tensor> weight;
    if (node.hasInput(2))
      weight = in(2);
    return one(nllLoss(node, in(0), in(1), weight));
  }
  if (type == "SoftmaxCrossEntropyLoss") {
    Tensor logProb = log_softmax(in(0), 1);
    std::optional<Tensor> weight;
    if (node.hasInput(2))
      weight = in(2);
    Outputs outputs{nllLoss(node, logProb, in(1), weight)};
    if (node.hasOutput(1))
      outputs.push_back(logProb);
    return outputs;
  }
  return std::nullopt;
}
