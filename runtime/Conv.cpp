//===- Conv.cpp - conv, conv_transpose, max_pool, avg_pool ----------------===//
//
// Convolution and pooling over N x C x D1 x ... x Dk tensors (channels
// first, k >= 1 spatial dimensions):
//
//   conv            an op of its own (kiln.conv): an implicit GEMM on the
//                   runtime's micro-kernel (ConvGemm.cpp), which compiled
//                   code calls too;
//   conv_transpose  composed of kiln ops: the input dilated by the strides
//                   (zeros between elements), padded, then a conv with the
//                   kernel flipped and its channels swapped;
//   max_pool,       composed of kiln ops: the maximum, or the sum divided by
//   avg_pool        the window's count, of the taps' slices.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>

namespace kiln {
using namespace detail;

namespace {

/// A sliding window over the spatial dimensions (2..rank): kernel, strides,
/// dilations, padding at each end, and the output's spatial size.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, padLow, padHigh, output;
  size_t rank() const { return kernel.size(); }
  int64_t extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
};

/// `values`, or `k` copies of `otherwise` when empty; an error naming
/// `what` when its length is not k.
std::vector<int64_t> perDimension(std::string_view op, const char *what,
                                  const std::vector<int64_t> &values, size_t k,
                                  int64_t otherwise, int64_t least,
                                  const Tensor &x) {
  if (values.empty())
    return std::vector<int64_t>(k, otherwise);
  if (values.size() != k)
    fail(op,
         std::string(what) + " has " + std::to_string(values.size()) +
             " values for " + std::to_string(k) + " spatial dimensions",
         {&x});
  for (int64_t v : values)
    if (v < least)
      fail(op,
           std::string(what) + " must be at least " + std::to_string(least) +
               ", got " + std::to_string(v),
           {&x});
  return values;
}

/// The window over `x` (rank k + 2). `ceilMode` rounds the output size up;
/// the last window then still starts inside the input or its low padding,
/// and padHigh grows to cover it.
Window windowOf(std::string_view op, const Tensor &x,
                const std::vector<int64_t> &kernel,
                const std::vector<int64_t> &strides,
                const std::vector<int64_t> &padsBegin,
                const std::vector<int64_t> &padsEnd,
                const std::vector<int64_t> &dilations, bool ceilMode) {
  size_t k = kernel.size();
  if (k == 0 || x.rank() != static_cast<int64_t>(k) + 2)
    fail(op,
         "expects an N x C x D1 x ... x Dk input for a window of " +
             std::to_string(k) + " spatial dimensions",
         {&x});
  Window w;
  w.kernel = perDimension(op, "the window", kernel, k, 1, 1, x);
  w.strides = perDimension(op, "strides", strides, k, 1, 1, x);
  w.dilations = perDimension(op, "dilations", dilations, k, 1, 1, x);
  w.padLow = perDimension(op, "pads_begin", padsBegin, k, 0, 0, x);
  w.padHigh = perDimension(op, "pads_end", padsEnd, k, 0, 0, x);
  for (size_t i = 0; i < k; ++i) {
    int64_t size = x.shape()[i + 2];
    if (isDynamic(size))
      fail(op, "dynamic spatial dimensions are not supported", {&x});
    int64_t span = size + w.padLow[i] + w.padHigh[i] - w.extent(i);
    if (span < 0)
      fail(op,
           "the window (extent " + std::to_string(w.extent(i)) +
               ") is larger than spatial dimension " + std::to_string(i) +
               " with its padding (" +
               std::to_string(size + w.padLow[i] + w.padHigh[i]) + ")",
           {&x});
    int64_t out = (ceilMode ? (span + w.strides[i] - 1) / w.strides[i]
                            : span / w.strides[i]) +
                  1;
    if (ceilMode && (out - 1) * w.strides[i] >= size + w.padLow[i])
      --out;
    w.output.push_back(out);
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
  std::vector<int64_t> padLow(rank, 0), padHigh(rank, 0);
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
  std::vector<int64_t> begin(rank, 0), end(y.shape());
  for (size_t i = 0; i < low.size(); ++i) {
    begin[i + 2] = std::max<int64_t>(-low[i], 0);
    end[i + 2] -= std::max<int64_t>(-high[i], 0);
  }
  return slice(y, begin, end);
}

/// The window's taps over the padded input `xp`: for each kernel offset, in
/// row-major order, the N x C x O1 x ... x Ok slice it reads.
std::vector<Tensor> taps(const Tensor &xp, const Window &w) {
  size_t k = w.rank();
  int64_t count = numElements(w.kernel);
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

void checkConvOperands(std::string_view op, const Tensor &x, const Tensor &w,
                       const std::optional<Tensor> &bias) {
  checkDefined(op, x);
  checkDefined(op, w);
  if (bias)
    checkDefined(op, *bias);
  if (!isFloating(x.dtype()) || !isFloating(w.dtype()) ||
      (bias && !isFloating(bias->dtype())))
    fail(op, "expects floating-point operands",
         {&x, &w, bias ? &*bias : nullptr});
}

} // namespace

Tensor conv(const Tensor &x, const Tensor &w, const std::optional<Tensor> &bias,
            const ConvOptions &options, SourceLoc loc) {
  trace::CallSite site("conv", loc);
  checkConvOperands("conv", x, w, bias);
  DType dtype = promoteTypes(x.dtype(), w.dtype());
  if (bias)
    dtype = promoteTypes(dtype, bias->dtype());
  // 16-bit floats compute in float32 and round once.
  if (dtype == DType::F16 || dtype == DType::BF16) {
    std::optional<Tensor> wideBias;
    if (bias)
      wideBias = cast(*bias, DType::F32);
    return cast(
        conv(cast(x, DType::F32), cast(w, DType::F32), wideBias, options),
        dtype);
  }
  Tensor xs = x.dtype() == dtype ? x : cast(x, dtype);
  Tensor ws = w.dtype() == dtype ? w : cast(w, dtype);
  std::optional<Tensor> bs;
  if (bias)
    bs = bias->dtype() == dtype ? *bias : cast(*bias, dtype);
  size_t k = x.rank() > 2 ? static_cast<size_t>(x.rank()) - 2 : 0;
  auto orDefault = [&](const std::vector<int64_t> &values, int64_t value) {
    return values.empty() ? std::vector<int64_t>(k, value) : values;
  };
  std::vector<int64_t> strides = orDefault(options.strides, 1),
                       padsBegin = orDefault(options.pads_begin, 0),
                       padsEnd = orDefault(options.pads_end, 0),
                       dilations = orDefault(options.dilations, 1);
  std::optional<Shape> biasShape;
  if (bs)
    biasShape = bs->shape();
  Shape shape =
      checkShape("conv",
                 convShape(xs.shape(), ws.shape(), biasShape, strides,
                           padsBegin, padsEnd, dilations, options.groups),
                 {&x, &w});
  if (trace::Recorder *recorder =
          trace::recorderFor({&xs, &ws, bs ? &*bs : nullptr})) {
    std::vector<Tensor> operands{xs, ws};
    if (bs)
      operands.push_back(*bs);
    return recorder->record({"conv",
                             operands,
                             {{"strides", strides},
                              {"pads_begin", padsBegin},
                              {"pads_end", padsEnd},
                              {"dilations", dilations},
                              {"groups", options.groups},
                              {"has_bias", bs.has_value()}},
                             shape,
                             dtype});
  }
  Tensor result = Tensor::empty(shape, dtype);
  detail::convInto(xs, ws, bs ? &*bs : nullptr, nullptr, false, strides,
                   padsBegin, dilations, options.groups, result);
  return result;
}

Tensor conv_transpose(const Tensor &x, const Tensor &w,
                      const std::optional<Tensor> &bias,
                      const ConvOptions &options, SourceLoc loc) {
  trace::CallSite site("conv_transpose", loc);
  checkConvOperands("conv_transpose", x, w, bias);
  if (x.rank() < 3 || w.rank() != x.rank())
    fail("conv_transpose",
         "expects an N x C x D1 x ... x Dk input and a weight of the same "
         "rank",
         {&x, &w});
  int64_t groups = options.groups, c = x.shape()[1];
  if (groups <= 0 || w.shape()[0] != c || c % groups != 0)
    fail("conv_transpose",
         "the weight must be C x M/groups x K..., with C a multiple of groups "
         "(" +
             std::to_string(groups) + ")",
         {&x, &w});
  int64_t m = w.shape()[1] * groups;
  size_t k = static_cast<size_t>(x.rank()) - 2;
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  auto strides =
      perDimension("conv_transpose", "strides", options.strides, k, 1, 1, x);
  auto dilations = perDimension("conv_transpose", "dilations",
                                options.dilations, k, 1, 1, x);
  auto padsBegin = perDimension("conv_transpose", "pads_begin",
                                options.pads_begin, k, 0, 0, x);
  auto padsEnd =
      perDimension("conv_transpose", "pads_end", options.pads_end, k, 0, 0, x);
  auto outputPadding = perDimension("conv_transpose", "output_padding",
                                    options.output_padding, k, 0, 0, x);
  // The dilated input, padded (or cropped) so that a stride-1 conv with the
  // flipped kernel gives the output.
  Tensor xd = x;
  for (size_t i = 0; i < k; ++i) {
    int64_t axis = static_cast<int64_t>(i) + 2, s = strides[i];
    if (s == 1)
      continue;
    int64_t size = xd.shape()[axis];
    Tensor t = expand_dims(xd, axis + 1);
    std::vector<int64_t> low(t.rank(), 0), high(t.rank(), 0);
    high[axis + 1] = s - 1;
    t = pad(t, low, high, 0);
    Shape merged = xd.shape();
    merged[axis] = size * s;
    t = reshape(t, merged);
    std::vector<int64_t> begin(t.rank(), 0), end(t.shape());
    end[axis] = (size - 1) * s + 1;
    xd = slice(t, begin, end);
  }
  std::vector<int64_t> low(k), high(k);
  for (size_t i = 0; i < k; ++i) {
    int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    low[i] = extent - 1 - padsBegin[i];
    high[i] = extent - 1 - padsEnd[i] + outputPadding[i];
  }
  xd = padSpatial(xd, low, high, 0);
  // [C, M/groups, K...] -> [M, C/groups, K...], flipped.
  Shape grouped = {groups, c / groups, m / groups};
  grouped.insert(grouped.end(), kernel.begin(), kernel.end());
  std::vector<int64_t> perm = {0, 2, 1};
  for (size_t i = 0; i < k; ++i)
    perm.push_back(static_cast<int64_t>(i) + 3);
  Tensor wt = reshape(transpose(reshape(w, grouped), perm),
                      withSpatial({m, c / groups}, kernel));
  for (size_t i = 0; i < k; ++i)
    wt = gather(wt, arange(kernel[i] - 1, int64_t{-1}, int64_t{-1}),
                static_cast<int64_t>(i) + 2);
  ConvOptions stride1;
  stride1.dilations = dilations;
  stride1.groups = groups;
  return conv(xd, wt, bias, stride1);
}

namespace {

Tensor pool(std::string_view op, const Tensor &x, const PoolOptions &options) {
  checkDefined(op, x);
  bool isMax = op == "max_pool";
  if (isMax ? isBool(x.dtype()) : !isFloating(x.dtype()))
    fail(op,
         isMax ? "expects a numeric input" : "expects a floating-point input",
         {&x});
  Window window =
      windowOf(op, x, options.window, options.strides, options.pads_begin,
               options.pads_end, options.dilations, options.ceil_mode);
  // max_pool pads with the lowest value of the dtype.
  Scalar lowest = isFloating(x.dtype())
                      ? Scalar(-INFINITY)
                      : visitDType(x.dtype(), [](auto tag) {
                          using T = typename decltype(tag)::type;
                          return Scalar(static_cast<int64_t>(
                              std::numeric_limits<T>::min()));
                        });
  Tensor xp =
      padSpatial(x, window.padLow, window.padHigh, isMax ? lowest : Scalar(0));
  std::vector<Tensor> slices = taps(xp, window);
  Tensor y = slices[0];
  for (size_t t = 1; t < slices.size(); ++t)
    y = isMax ? maximum(y, slices[t]) : y + slices[t];
  if (isMax)
    return y;
  // The number of elements each window averages: those inside the input,
  // or (count_include_pad) inside the input and its pads, never the extra
  // room of ceil mode. Separable: a product over dimensions.
  std::vector<int64_t> padsEnd =
      perDimension(op, "pads_end", options.pads_end, window.rank(), 0, 0, x);
  Tensor count;
  for (size_t i = 0; i < window.rank(); ++i) {
    int64_t size = x.shape()[i + 2], out = window.output[i];
    int64_t lo = options.count_include_pad ? -window.padLow[i] : 0;
    int64_t hi = options.count_include_pad ? size + padsEnd[i] : size;
    std::vector<double> counts(out);
    for (int64_t o = 0; o < out; ++o) {
      int64_t start = o * window.strides[i] - window.padLow[i];
      int64_t first = std::max(start, lo),
              last = std::min(start + window.extent(i), hi);
      counts[o] = static_cast<double>(std::max<int64_t>(last - first, 1));
    }
    Shape shape(x.rank(), 1);
    shape[i + 2] = out;
    Tensor c = constant(counts, shape, x.dtype());
    count = i == 0 ? c : count * c;
  }
  return y / count;
}

} // namespace

Tensor max_pool(const Tensor &x, const PoolOptions &options, SourceLoc loc) {
  trace::CallSite site("max_pool", loc);
  return pool("max_pool", x, options);
}

Tensor avg_pool(const Tensor &x, const PoolOptions &options, SourceLoc loc) {
  trace::CallSite site("avg_pool", loc);
  if (!options.dilations.empty())
    for (int64_t d : options.dilations)
      if (d != 1)
        fail("avg_pool", "dilations are not supported", {&x});
  return pool("avg_pool", x, options);
}

} // namespace kiln
