//===- OnnxNN.cpp - ONNX's neural-network ops -----------------------------===//
//
// Convolution, pooling, normalization and the losses of ONNX, composed of
// kiln ops at import time. Shapes are static at import, so what depends on
// them only (window counts, masks, index arrays) is computed here as
// constants.
//
//   Conv          im2col: the kernel's taps are strided slices of the
//                 padded input, concatenated, then one matmul per group
//                 (the runtime GEMM, parallel) -- or, depthwise, a
//                 product summed over the taps, which fuses into one loop;
//   ConvTranspose the input dilated by the strides (zeros between
//                 elements), then a Conv with the kernel flipped;
//   pooling       the maximum or the sum of the taps' slices.
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

/// The geometry of a sliding window over the spatial dimensions (2..rank)
/// of an N x C x D1 x ... x Dk input: kernel, strides, dilations, padding
/// at each end, and the output's spatial size.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, padLow, padHigh, output;
  size_t rank() const { return kernel.size(); }
  int64_t extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
};

/// The window of a Conv or pooling node over `x`, with `kernel` (spatial
/// sizes). `ceilMode` rounds the output size up (pooling); the last window
/// then still starts inside the input or its low padding, and padHigh
/// grows to cover it.
Window windowOf(const Node &node, const Tensor &x,
                const std::vector<int64_t> &kernel, bool ceilMode) {
  size_t k = kernel.size();
  if (x.rank() != static_cast<int64_t>(k) + 2)
    node.fail("the input has rank " + std::to_string(x.rank()) +
              ", the kernel " + std::to_string(k) + " spatial dimensions");
  Window w;
  w.kernel = kernel;
  w.strides = node.intsAttr("strides").value_or(std::vector<int64_t>(k, 1));
  w.dilations = node.intsAttr("dilations").value_or(std::vector<int64_t>(k, 1));
  std::vector<int64_t> pads =
      node.intsAttr("pads").value_or(std::vector<int64_t>(2 * k, 0));
  if (w.strides.size() != k || w.dilations.size() != k || pads.size() != 2 * k)
    node.fail("strides, dilations and pads do not match the kernel's " +
              std::to_string(k) + " dimensions");
  w.padLow.assign(pads.begin(), pads.begin() + k);
  w.padHigh.assign(pads.begin() + k, pads.end());
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  for (size_t i = 0; i < k; ++i) {
    int64_t size = x.shape()[i + 2];
    if (isDynamic(size))
      node.fail("dynamic spatial dimensions are not supported");
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (size + w.strides[i] - 1) / w.strides[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + w.extent(i) - size);
      int64_t half = total / 2;
      w.padLow[i] = autoPad == "SAME_UPPER" ? half : total - half;
      w.padHigh[i] = total - w.padLow[i];
    } else if (autoPad == "VALID") {
      w.padLow[i] = w.padHigh[i] = 0;
    } else if (autoPad != "NOTSET") {
      node.fail("auto_pad '" + autoPad + "' is not supported");
    }
    int64_t span = size + w.padLow[i] + w.padHigh[i] - w.extent(i);
    if (span < 0)
      node.fail("the window is larger than the padded input");
    int64_t out = (ceilMode ? (span + w.strides[i] - 1) / w.strides[i]
                            : span / w.strides[i]) +
                  1;
    if (ceilMode && (out - 1) * w.strides[i] >= size + w.padLow[i])
      --out;
    w.output.push_back(out);
    // Room for the last window (ceil mode).
    int64_t needed = (out - 1) * w.strides[i] + w.extent(i);
    w.padHigh[i] = std::max(w.padHigh[i], needed - size - w.padLow[i]);
  }
  return w;
}

/// `x` padded (or, for negative amounts, cropped) on its spatial dimensions
/// with `value`.
Tensor padSpatial(const Tensor &x, const std::vector<int64_t> &low,
                  const std::vector<int64_t> &high, Scalar value) {
  int64_t rank = x.rank();
  std::vector<int64_t> padLow(rank, 0), padHigh(rank, 0), begin(rank, 0),
      end(x.shape());
  bool pads = false, crops = false;
  for (size_t i = 0; i < low.size(); ++i) {
    padLow[i + 2] = std::max<int64_t>(low[i], 0);
    padHigh[i + 2] = std::max<int64_t>(high[i], 0);
    pads |= low[i] > 0 || high[i] > 0;
    crops |= low[i] < 0 || high[i] < 0;
  }
  Tensor y = pads ? pad(x, padLow, padHigh, value) : x;
  if (!crops)
    return y;
  end = y.shape();
  for (size_t i = 0; i < low.size(); ++i) {
    begin[i + 2] = std::max<int64_t>(-low[i], 0);
    end[i + 2] -= std::max<int64_t>(-high[i], 0);
  }
  return slice(y, begin, end);
}

/// The window's taps over the padded input `xp`: for each kernel offset (in
/// row-major order), the N x C x O1 x ... x Ok slice it reads.
std::vector<Tensor> taps(const Tensor &xp, const Window &w) {
  size_t k = w.rank();
  int64_t count = std::accumulate(w.kernel.begin(), w.kernel.end(), int64_t{1},
                                  std::multiplies<>());
  std::vector<Tensor> result;
  for (int64_t tap = 0; tap < count; ++tap) {
    std::vector<int64_t> begin(xp.rank(), 0), end(xp.shape()),
        stride(xp.rank(), 1);
    int64_t rest = tap;
    for (size_t i = k; i-- > 0;) {
      int64_t offset = rest % w.kernel[i];
      rest /= w.kernel[i];
      begin[i + 2] = offset * w.dilations[i];
      end[i + 2] = begin[i + 2] + (w.output[i] - 1) * w.strides[i] + 1;
      stride[i + 2] = w.strides[i];
    }
    result.push_back(slice(xp, begin, end, stride));
  }
  return result;
}

Shape withSpatial(Shape leading, const std::vector<int64_t> &spatial) {
  leading.insert(leading.end(), spatial.begin(), spatial.end());
  return leading;
}

/// Conv of x (N x C x D...) with w (M x C/group x K...), plus bias (M).
Tensor convolution(const Node &node, const Tensor &x, const Tensor &w,
                   const std::optional<Tensor> &bias, const Window &window,
                   int64_t group) {
  int64_t n = x.shape()[0], c = x.shape()[1], m = w.shape()[0];
  if (group <= 0 || c % group != 0 || m % group != 0 ||
      w.shape()[1] != c / group)
    node.fail("the weight " + formatShape(w.shape()) + " does not fit " +
              std::to_string(c) + " input channels in " +
              std::to_string(group) + " groups");
  int64_t taps_ = std::accumulate(window.kernel.begin(), window.kernel.end(),
                                  int64_t{1}, std::multiplies<>());
  int64_t positions =
      std::accumulate(window.output.begin(), window.output.end(), int64_t{1},
                      std::multiplies<>());
  Tensor xp = padSpatial(x, window.padLow, window.padHigh, 0);
  std::vector<Tensor> slices = taps(xp, window);
  Tensor y;
  if (m == group && c == group) {
    // Depthwise: sum over the taps of tap * weight, one fused loop.
    Tensor weights = reshape(w, {c, taps_});
    for (int64_t t = 0; t < taps_; ++t) {
      Tensor wt =
          reshape(slice(weights, {0, t}, {c, t + 1}),
                  withSpatial({1, c}, std::vector<int64_t>(window.rank(), 1)));
      Tensor term = slices[t] * wt;
      y = t == 0 ? term : y + term;
    }
  } else {
    // im2col: [N, group, C/group * taps, positions] patches; the weight as
    // [group, M/group, C/group * taps].
    for (Tensor &s : slices)
      s = expand_dims(reshape(s, {n, c, positions}), 2);
    Tensor patches = concat(slices, 2); // [N, C, taps, P]
    patches = reshape(patches, {n, group, (c / group) * taps_, positions});
    Tensor weights = reshape(w, {group, m / group, (c / group) * taps_});
    y = matmul(weights, patches); // [N, group, M/group, P]
    y = reshape(y, withSpatial({n, m}, window.output));
  }
  if (bias)
    y = y + reshape(*bias,
                    withSpatial({m}, std::vector<int64_t>(window.rank(), 1)));
  return y;
}

Tensor conv(const Node &node) {
  const Tensor &x = node.input(0), &w = node.input(1);
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  if (auto shape = node.intsAttr("kernel_shape"); shape && *shape != kernel)
    node.fail("kernel_shape does not match the weight " +
              formatShape(w.shape()));
  Window window = windowOf(node, x, kernel, /*ceilMode=*/false);
  std::optional<Tensor> bias;
  if (node.hasInput(2))
    bias = node.input(2);
  return convolution(node, x, w, bias, window, node.intAttr("group", 1));
}

/// `x` with stride - 1 zeros between its elements along spatial dimension
/// `axis`.
Tensor dilate(const Tensor &x, int64_t axis, int64_t stride) {
  if (stride == 1)
    return x;
  int64_t size = x.shape()[axis];
  Tensor t = expand_dims(x, axis + 1);
  std::vector<int64_t> low(t.rank(), 0), high(t.rank(), 0);
  high[axis + 1] = stride - 1;
  t = pad(t, low, high, 0);
  Shape merged = x.shape();
  merged[axis] = size * stride;
  t = reshape(t, merged);
  std::vector<int64_t> begin(t.rank(), 0), end(t.shape());
  end[axis] = (size - 1) * stride + 1;
  return slice(t, begin, end);
}

/// ConvTranspose: the gradient of Conv with respect to its input. The
/// input dilated by the strides, padded by extent - 1 - pads, convolved
/// with stride 1 and the kernel flipped, its in and out channels swapped.
Tensor convTranspose(const Node &node) {
  const Tensor &x = node.input(0), &w = node.input(1);
  int64_t group = node.intAttr("group", 1);
  size_t k = static_cast<size_t>(x.rank()) - 2;
  int64_t c = x.shape()[1], m = w.shape()[1] * group;
  if (w.rank() != x.rank() || w.shape()[0] != c || c % group != 0)
    node.fail("the weight " + formatShape(w.shape()) +
              " does not fit the "
              "input " +
              formatShape(x.shape()));
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  auto strides = node.intsAttr("strides").value_or(std::vector<int64_t>(k, 1));
  auto dilations =
      node.intsAttr("dilations").value_or(std::vector<int64_t>(k, 1));
  auto outputPadding =
      node.intsAttr("output_padding").value_or(std::vector<int64_t>(k, 0));
  auto pads = node.intsAttr("pads").value_or(std::vector<int64_t>(2 * k, 0));
  if (strides.size() != k || dilations.size() != k ||
      outputPadding.size() != k || pads.size() != 2 * k)
    node.fail("strides, dilations, output_padding and pads do not match the "
              "kernel's " +
              std::to_string(k) + " dimensions");
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  std::optional<std::vector<int64_t>> outputShape =
      node.intsAttr("output_shape");
  for (size_t i = 0; i < k; ++i) {
    int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    int64_t full =
        strides[i] * (x.shape()[i + 2] - 1) + outputPadding[i] + extent;
    int64_t target = -1;
    if (outputShape) {
      target = outputShape->at(outputShape->size() - k + i);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      target = x.shape()[i + 2] * strides[i];
    } else if (autoPad != "NOTSET" && autoPad != "VALID") {
      node.fail("auto_pad '" + autoPad + "' is not supported");
    }
    if (target >= 0) {
      int64_t total = full - target;
      bool lower = autoPad == "SAME_LOWER";
      pads[i] = lower ? total - total / 2 : total / 2;
      pads[i + k] = total - pads[i];
    }
  }
  // The dilated input, padded so that a stride-1 conv gives the output.
  Tensor xd = x;
  for (size_t i = 0; i < k; ++i)
    xd = dilate(xd, static_cast<int64_t>(i) + 2, strides[i]);
  std::vector<int64_t> low(k), high(k);
  for (size_t i = 0; i < k; ++i) {
    int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    low[i] = extent - 1 - pads[i];
    high[i] = extent - 1 - pads[i + k] + outputPadding[i];
  }
  xd = padSpatial(xd, low, high, 0);
  // [C, M/group, K...] -> [M, C/group, K...], flipped.
  Shape grouped = {group, c / group, m / group};
  grouped.insert(grouped.end(), kernel.begin(), kernel.end());
  std::vector<int64_t> perm = {0, 2, 1};
  for (size_t i = 0; i < k; ++i)
    perm.push_back(static_cast<int64_t>(i) + 3);
  Tensor wt = reshape(transpose(reshape(w, grouped), perm),
                      withSpatial({m, c / group}, kernel));
  for (size_t i = 0; i < k; ++i) {
    int64_t size = kernel[i];
    wt = gather(wt, arange(size - 1, int64_t{-1}, int64_t{-1}),
                static_cast<int64_t>(i) + 2);
  }
  Window window;
  window.kernel = kernel;
  window.strides.assign(k, 1);
  window.dilations = dilations;
  window.padLow.assign(k, 0);
  window.padHigh.assign(k, 0);
  for (size_t i = 0; i < k; ++i)
    window.output.push_back(xd.shape()[i + 2] - window.extent(i) + 1);
  std::optional<Tensor> bias;
  if (node.hasInput(2))
    bias = node.input(2);
  return convolution(node, xd, wt, bias, window, group);
}

/// MaxPool and AveragePool.
Tensor pool(const Node &node) {
  const Tensor &x = node.input(0);
  std::optional<std::vector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (!kernel)
    node.fail("kernel_shape is missing");
  if (node.hasOutput(1))
    node.fail("the Indices output is not supported");
  bool ceilMode = node.intAttr("ceil_mode", 0) != 0;
  Window window = windowOf(node, x, *kernel, ceilMode);
  bool isMax = node.type() == "MaxPool";
  if (!isMax && node.attribute("dilations"))
    for (int64_t d : window.dilations)
      if (d != 1)
        node.fail("dilations are not supported for AveragePool");
  Scalar fill =
      isMax ? (isFloating(x.dtype()) ? Scalar(-INFINITY) : Scalar(INT64_MIN))
            : Scalar(0);
  if (isMax && !isFloating(x.dtype()))
    node.fail("integer max pooling is not supported");
  Tensor xp = padSpatial(x, window.padLow, window.padHigh, fill);
  std::vector<Tensor> slices = taps(xp, window);
  Tensor y = slices[0];
  for (size_t t = 1; t < slices.size(); ++t)
    y = isMax ? maximum(y, slices[t]) : y + slices[t];
  if (isMax)
    return y;
  // The number of elements each window averages: those inside the input,
  // or (count_include_pad) inside the input and its explicit pads, never
  // the extra room of ceil mode. Separable: a product over dimensions.
  bool includePad = node.intAttr("count_include_pad", 0) != 0;
  std::vector<int64_t> explicitHigh = node.intsAttr("pads").value_or(
      std::vector<int64_t>(2 * window.rank(), 0));
  Tensor count;
  for (size_t i = 0; i < window.rank(); ++i) {
    int64_t size = x.shape()[i + 2], out = window.output[i];
    int64_t lo = includePad ? -window.padLow[i] : 0;
    int64_t hi = size;
    if (includePad) {
      std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
      int64_t padHigh = autoPad == "NOTSET" ? explicitHigh[i + window.rank()]
                                            : window.padHigh[i];
      hi = size + std::min(padHigh, window.padHigh[i]);
    }
    std::vector<double> counts(out);
    for (int64_t o = 0; o < out; ++o) {
      int64_t start = o * window.strides[i] - window.padLow[i];
      int64_t first = std::max(start, lo),
              last = std::min(start + window.kernel[i], hi);
      counts[o] = static_cast<double>(std::max<int64_t>(last - first, 1));
    }
    Shape shape(x.rank(), 1);
    shape[i + 2] = out;
    Tensor c = constant(counts, shape, x.dtype());
    count = i == 0 ? c : count * c;
  }
  return y / count;
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
    return one(conv(node));
  if (type == "Resize" || type == "Upsample")
    return one(resize(node));
  if (type == "ConvTranspose")
    return one(convTranspose(node));
  if (type == "MaxPool" || type == "AveragePool")
    return one(pool(node));
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
