//===- ShapeOps.cpp - Views and data movement -----------------------------===//
//
// transpose, broadcast_to, expand_dims, squeeze, slice and reshape of
// contiguous data return views that share the operand's storage (only the
// shape, strides and offset change). concat, pad and gather copy. The shapes
// always come from the rules of Shape.h.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cstring>

namespace kiln {

using namespace detail;

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

Tensor reshape(const Tensor &x, const std::vector<int64_t> &shape,
               SourceLoc loc) {
  trace::CallSite site("reshape", loc);
  checkDefined("reshape", x);
  Shape out = checkShape("reshape", reshapeShape(x.shape(), shape), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"reshape", {x}, {{"shape", shape}}, out, x.dtype()});
  Tensor c = x.contiguous();
  return makeView(c, out, Tensor::contiguousStrides(out), c.offset());
}

Tensor transpose(const Tensor &x, const std::vector<int64_t> &perm,
                 SourceLoc loc) {
  trace::CallSite site("transpose", loc);
  checkDefined("transpose", x);
  Shape out = checkShape("transpose", transposeShape(x.shape(), perm), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"transpose", {x}, {{"perm", perm}}, out, x.dtype()});
  Shape strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    strides[i] = x.strides()[perm[i]];
  return makeView(x, out, strides, x.offset());
}

Tensor transpose(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("transpose", loc);
  checkDefined("transpose", x);
  std::vector<int64_t> perm(x.rank());
  for (int64_t i = 0; i < x.rank(); ++i)
    perm[i] = x.rank() - 1 - i;
  return transpose(x, perm);
}

Tensor broadcast_to(const Tensor &x, const Shape &shape, SourceLoc loc) {
  trace::CallSite site("broadcast_to", loc);
  checkDefined("broadcast_to", x);
  for (int64_t d : shape)
    if (d < 0)
      fail("broadcast_to",
           "invalid target shape " + formatShape(shape) +
               " (dimensions must be non-negative)",
           {&x});
  Shape out =
      checkShape("broadcast_to", broadcastToShape(x.shape(), shape), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"broadcast_to", {x}, {{"shape", shape}}, out, x.dtype()});
  return makeView(x, out, broadcastStrides(x, out), x.offset());
}

Tensor expand_dims(const Tensor &x, int64_t axis, SourceLoc loc) {
  trace::CallSite site("expand_dims", loc);
  checkDefined("expand_dims", x);
  Shape out = checkShape("expand_dims", expandDimsShape(x.shape(), axis), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"expand_dims", {x}, {{"axis", axis}}, out, x.dtype()});
  int64_t a = axis < 0 ? axis + x.rank() + 1 : axis;
  Shape strides = x.strides();
  // Any stride is valid for a size-1 dim; use the row-major one.
  int64_t s = a < x.rank() ? x.strides()[a] * x.shape()[a] : 1;
  strides.insert(strides.begin() + a, s);
  return makeView(x, out, strides, x.offset());
}

Tensor squeeze(const Tensor &x, const std::vector<int64_t> &axes,
               SourceLoc loc) {
  trace::CallSite site("squeeze", loc);
  checkDefined("squeeze", x);
  Shape out = checkShape("squeeze", squeezeShape(x.shape(), axes), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({"squeeze", {x}, {{"axes", axes}}, out, x.dtype()});
  auto norm = normalizeAxes(axes, x.rank());
  Shape strides;
  for (int64_t i = 0; i < x.rank(); ++i) {
    bool dropped =
        axes.empty() ? x.shape()[i] == 1
                     : std::find(norm->begin(), norm->end(), i) != norm->end();
    if (!dropped)
      strides.push_back(x.strides()[i]);
  }
  return makeView(x, out, strides, x.offset());
}

Tensor slice(const Tensor &x, const std::vector<int64_t> &start,
             const std::vector<int64_t> &limit,
             const std::vector<int64_t> &stride, SourceLoc loc) {
  trace::CallSite site("slice", loc);
  checkDefined("slice", x);
  std::vector<int64_t> steps =
      stride.empty() ? std::vector<int64_t>(x.rank(), 1) : stride;
  Shape out =
      checkShape("slice", sliceShape(x.shape(), start, limit, steps), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"slice",
         {x},
         {{"start", start}, {"limit", limit}, {"stride", steps}},
         out,
         x.dtype()});
  Shape strides(x.rank());
  int64_t offset = x.offset();
  for (int64_t i = 0; i < x.rank(); ++i) {
    strides[i] = x.strides()[i] * steps[i];
    if (out[i] > 0)
      offset += start[i] * x.strides()[i];
  }
  return makeView(x, out, strides, offset);
}

//===----------------------------------------------------------------------===//
// Copies
//===----------------------------------------------------------------------===//

namespace {
/// Copies `src` into the same-shaped view `dst` (which may be strided).
void copyInto(const Tensor &dst, const Tensor &src) {
  size_t es = dtypeSize(dst.dtype());
  LoopNest<2> nest(dst.shape(), {byteStrides(dst.strides(), dst.dtype()),
                                 byteStrides(src.strides(), src.dtype())});
  nest.runParallel(
      {static_cast<char *>(dst.rawData()), static_cast<char *>(src.rawData())},
      kElementwiseGrain,
      [&](const std::array<char *, 2> &p, const std::array<int64_t, 2> &s,
          int64_t n) {
        if (s[0] == int64_t(es) && s[1] == int64_t(es)) {
          std::memcpy(p[0], p[1], n * es);
          return;
        }
        for (int64_t i = 0; i < n; ++i)
          std::memcpy(p[0] + i * s[0], p[1] + i * s[1], es);
      });
}
} // namespace

Tensor concat(const std::vector<Tensor> &xs, int64_t axis, SourceLoc loc) {
  trace::CallSite site("concat", loc);
  std::vector<Shape> shapes;
  for (const Tensor &x : xs) {
    checkDefined("concat", x);
    shapes.push_back(x.shape());
  }
  auto shape = concatShape(shapes, axis);
  if (!shape)
    failWithDTypes("concat", shape.error(), xs);
  DType dtype = xs[0].dtype();
  for (const Tensor &x : xs)
    dtype = promoteTypes(dtype, x.dtype());
  if (trace::Recorder *recorder = trace::recorderFor(xs))
    return recorder->record({"concat", xs, {{"axis", axis}}, *shape, dtype});
  Tensor out = Tensor::empty(*shape, dtype);
  int64_t a = axis < 0 ? axis + out.rank() : axis;
  int64_t at = 0;
  for (const Tensor &x : xs) {
    int64_t len = x.shape()[a];
    Shape start(out.rank(), 0), limit = out.shape();
    start[a] = at;
    limit[a] = at + len;
    copyInto(slice(out, start, limit), castIfNeeded(x, dtype));
    at += len;
  }
  return out;
}

Tensor pad(const Tensor &x, const std::vector<int64_t> &low,
           const std::vector<int64_t> &high, Scalar value, SourceLoc loc) {
  trace::CallSite site("pad", loc);
  checkDefined("pad", x);
  Shape shape = checkShape("pad", padShape(x.shape(), low, high), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"pad",
         {x},
         {{"low", low}, {"high", high}, {"value", value.toDouble()}},
         shape,
         x.dtype()});
  Tensor out = full(shape, value, x.dtype());
  Shape limit(x.rank());
  for (int64_t i = 0; i < x.rank(); ++i)
    limit[i] = low[i] + x.shape()[i];
  copyInto(slice(out, low, limit), x);
  return out;
}

Tensor gather(const Tensor &x, const Tensor &indices, int64_t axis,
              SourceLoc loc) {
  trace::CallSite site("gather", loc);
  checkDefined("gather", x);
  checkDefined("gather", indices);
  if (!isIndexDType(indices.dtype()))
    fail("gather",
         "indices must be int32 or int64, got " +
             std::string(dtypeName(indices.dtype())),
         {&x, &indices});
  Shape shape = checkShape(
      "gather", gatherShape(x.shape(), indices.shape(), axis), {&x, &indices});
  if (trace::Recorder *recorder = trace::recorderFor({&x, &indices}))
    return recorder->record(
        {"gather", {x, indices}, {{"axis", axis}}, shape, x.dtype()});
  int64_t a = axis < 0 ? axis + x.rank() : axis;
  int64_t size = x.shape()[a];
  std::vector<int64_t> idx = indices.toInt64Vector();
  for (int64_t &i : idx) {
    if (i < -size || i >= size)
      fail("gather",
           "index " + std::to_string(i) + " is out of range for axis " +
               std::to_string(axis) + " of size " + std::to_string(size),
           {&x, &indices});
    if (i < 0)
      i += size;
  }
  // out[outer, j, inner] = x[outer, idx[j], inner]: copy one slice of x per
  // index, each a view of x with the gathered axis removed.
  Tensor out = Tensor::empty(shape, x.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < a; ++i)
    outer *= x.shape()[i];
  for (int64_t i = a + 1; i < x.rank(); ++i)
    inner *= x.shape()[i];
  int64_t n = static_cast<int64_t>(idx.size());
  // View out as (outer, n, inner) and x's slices as (outer, 1, inner).
  Tensor out3 = makeView(out, {outer, n, inner},
                         Tensor::contiguousStrides({outer, n, inner}), 0);
  Tensor x3 = reshape(x, {outer, size, inner});
  for (int64_t j = 0; j < n; ++j)
    copyInto(slice(out3, {0, j, 0}, {outer, j + 1, inner}),
             slice(x3, {0, idx[j], 0}, {outer, idx[j] + 1, inner}));
  return out;
}

} // namespace kiln
