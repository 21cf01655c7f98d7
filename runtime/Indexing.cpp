//===- Indexing.cpp - take_along_axis, gather_nd and the scatter ops ------===//
//
// take_along_axis and gather_nd are compositions: offsets computed from the
// indices, then one gather from the flattened input, so that they trace to
// ops the compiler already fuses and differentiate through gather's rule.
// scatter_nd is an op with a kernel of its own (shared with compiled code,
// CAbi.cpp): its updates apply one after another in a fixed order, so that
// repeated indices give the same answer in every mode. scatter_elements is
// scatter_nd with index vectors built from the indices and the positions.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cmath>
#include <cstring>

namespace kiln {

using namespace detail;

namespace {

void checkIndexDType(std::string_view op, const Tensor &indices,
                     std::initializer_list<const Tensor *> operands) {
  if (!isIndexDType(indices.dtype()))
    fail(op,
         "indices must be int32 or int64, got " +
             std::string(dtypeName(indices.dtype())),
         operands);
}

/// Throws unless every index is in [-size, size), when the indices are
/// known (not traced): the error names the index and the axis.
void checkIndexRange(std::string_view op, const Tensor &indices,
                     const std::vector<int64_t> &sizes,
                     std::initializer_list<const Tensor *> operands) {
  if (indices.is_traced())
    return;
  std::vector<int64_t> values = indices.toInt64Vector();
  size_t k = sizes.size();
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t size = sizes[i % k], index = values[i];
    if (index < -size || index >= size)
      fail(op,
           "index " + std::to_string(index) + " is out of range for axis " +
               std::to_string(i % k) + " of size " + std::to_string(size),
           operands);
  }
}

/// The positions 0..n-1 along dimension `axis` of a rank-`rank` tensor
/// (size 1 elsewhere), as int64.
Tensor positionsAlong(int64_t n, int64_t axis, int64_t rank) {
  Shape shape(rank, 1);
  shape[axis] = n;
  return reshape(arange(int64_t{0}, n), shape);
}

/// Offsets into a flattened dimension of `flatSize` elements: those of
/// index vectors whose components fail `valid` become `flatSize`, which
/// gather reports as out of range (indices known only at run time).
Tensor guarded(const Tensor &offset, const Tensor &valid, int64_t flatSize) {
  return select(valid, offset, constant(Scalar(flatSize), DType::I64));
}

} // namespace

Tensor take_along_axis(const Tensor &x, const Tensor &indices, int64_t axis,
                       SourceLoc loc) {
  trace::CallSite site("take_along_axis", loc);
  checkDefined("take_along_axis", x);
  checkDefined("take_along_axis", indices);
  checkIndexDType("take_along_axis", indices, {&x, &indices});
  auto normalized = normalizeAxis(axis, x.rank());
  if (!normalized)
    fail("take_along_axis", normalized.error(), {&x, &indices});
  int64_t a = *normalized, rank = x.rank();
  bool fits = indices.rank() == rank;
  for (int64_t d = 0; fits && d < rank; ++d)
    fits = d == a || indices.shape()[d] <= x.shape()[d];
  if (!fits)
    fail("take_along_axis",
         "indices of shape " + formatShape(indices.shape()) +
             " must have the input's rank and, but along axis " +
             std::to_string(axis) + ", no larger dimension than its " +
             formatShape(x.shape()),
         {&x, &indices});
  int64_t n = x.shape()[a];
  checkIndexRange("take_along_axis", indices, {n}, {&x, &indices});
  if (indices.size() == 0)
    return Tensor::empty(indices.shape(), x.dtype());
  Shape strides = Tensor::contiguousStrides(x.shape());
  Tensor index = cast(indices, DType::I64);
  Tensor valid = logical_and(index >= -n, index < n);
  index = select(index < 0, index + n, index);
  Tensor offset = index * strides[a];
  for (int64_t d = 0; d < rank; ++d)
    if (d != a)
      offset =
          offset + positionsAlong(indices.shape()[d], d, rank) * strides[d];
  return gather(reshape(x, {x.size()}), guarded(offset, valid, x.size()), 0);
}

Tensor gather_nd(const Tensor &x, const Tensor &indices, int64_t batch_dims,
                 SourceLoc loc) {
  trace::CallSite site("gather_nd", loc);
  checkDefined("gather_nd", x);
  checkDefined("gather_nd", indices);
  checkIndexDType("gather_nd", indices, {&x, &indices});
  int64_t b = batch_dims, q = indices.rank();
  if (q < 1)
    fail("gather_nd", "indices must have rank >= 1", {&x, &indices});
  int64_t k = indices.shape().back();
  bool ok = b >= 0 && b < q && b + k <= x.rank();
  for (int64_t d = 0; ok && d < b; ++d)
    ok = indices.shape()[d] == x.shape()[d];
  if (!ok)
    fail("gather_nd",
         "index vectors of length " + std::to_string(k) + " after " +
             std::to_string(b) +
             " batch dimensions (shared by the input and the indices, which "
             "has rank > batch_dims) do not fit the input",
         {&x, &indices});
  // x as [batch * picked, rest...].
  int64_t batch = 1, picked = 1;
  Shape rest;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (d < b)
      batch *= x.shape()[d];
    else if (d < b + k)
      picked *= x.shape()[d];
    else
      rest.push_back(x.shape()[d]);
  std::vector<int64_t> dims(x.shape().begin() + b, x.shape().begin() + b + k);
  checkIndexRange("gather_nd", indices, dims, {&x, &indices});
  Shape flat = {batch * picked};
  flat.insert(flat.end(), rest.begin(), rest.end());
  std::vector<int64_t> strides(k, 1);
  for (int64_t j = k - 2; j >= 0; --j)
    strides[j] = strides[j + 1] * dims[j + 1];
  Tensor index = cast(indices, DType::I64);
  Tensor offset, valid;
  if (k == 0) {
    Shape shape(indices.shape().begin(), indices.shape().end() - 1);
    offset = zeros(shape, DType::I64);
    valid = full(shape, Scalar(true), DType::Bool);
  } else {
    Tensor dimsT = constant(dims, {k});
    valid = reduce_min(
                cast(logical_and(index >= -dimsT, index < dimsT), DType::I32),
                {q - 1}) > 0;
    index = select(index < 0, index + dimsT, index);
    offset = reduce_sum(index * constant(strides, {k}), {q - 1});
  }
  if (b > 0) {
    // The batch dimensions lead the indices too.
    Shape batchShape(q - 1, 1);
    std::copy(indices.shape().begin(), indices.shape().begin() + b,
              batchShape.begin());
    offset = offset + reshape(arange(int64_t{0}, batch), batchShape) * picked;
  }
  return gather(reshape(x, flat), guarded(offset, valid, batch * picked), 0);
}

std::string_view scatterReductionName(ScatterReduction reduction) {
  switch (reduction) {
  case ScatterReduction::None:
    return "none";
  case ScatterReduction::Add:
    return "add";
  case ScatterReduction::Mul:
    return "mul";
  case ScatterReduction::Max:
    return "max";
  case ScatterReduction::Min:
    break;
  }
  return "min";
}

std::optional<ScatterReduction> parseScatterReduction(std::string_view name) {
  for (ScatterReduction r :
       {ScatterReduction::None, ScatterReduction::Add, ScatterReduction::Mul,
        ScatterReduction::Max, ScatterReduction::Min})
    if (scatterReductionName(r) == name)
      return r;
  return std::nullopt;
}

namespace {

/// `element` combined with `update` by `reduction`, as eager mode's binary
/// ops compute: integers wrap, a NaN wins max and min, bools are or (add,
/// max) and and (mul, min).
template <typename T>
T combine(ScatterReduction reduction, T element, T update) {
  if constexpr (std::is_same_v<T, bool>) {
    switch (reduction) {
    case ScatterReduction::None:
      return update;
    case ScatterReduction::Add:
    case ScatterReduction::Max:
      return element || update;
    case ScatterReduction::Mul:
    case ScatterReduction::Min:
      break;
    }
    return element && update;
  } else if constexpr (isHalfType<T>()) {
    return T(combine(reduction, static_cast<float>(element),
                     static_cast<float>(update)));
  } else {
    switch (reduction) {
    case ScatterReduction::None:
      return update;
    case ScatterReduction::Add:
      return wrapAdd(element, update);
    case ScatterReduction::Mul:
      return wrapMul(element, update);
    case ScatterReduction::Max:
    case ScatterReduction::Min:
      break;
    }
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(element) || std::isnan(update))
        return std::numeric_limits<T>::quiet_NaN();
    bool max = reduction == ScatterReduction::Max;
    return (max ? element < update : update < element) ? update : element;
  }
}

} // namespace

void detail::scatterInto(std::string_view op, const Tensor &x,
                         const Tensor &indices, const Tensor &updates,
                         ScatterReduction reduction, Tensor &out) {
  const Shape &shape = x.shape();
  int64_t k = indices.shape().back();
  int64_t vectors = 1, sliceSize = 1;
  for (int64_t d = 0; d + 1 < indices.rank(); ++d)
    vectors *= indices.shape()[d];
  for (int64_t d = k; d < x.rank(); ++d)
    sliceSize *= shape[d];
  Tensor cx = x.contiguous();
  if (out.size() > 0)
    std::memcpy(out.rawData(), cx.rawData(),
                static_cast<size_t>(out.size()) * dtypeSize(out.dtype()));
  std::vector<int64_t> index = indices.toInt64Vector();
  Tensor cu = updates.contiguous();
  visitDType(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T *dst = static_cast<T *>(out.rawData());
    const T *src = static_cast<const T *>(cu.rawData());
    for (int64_t v = 0; v < vectors; ++v) {
      int64_t row = 0;
      for (int64_t c = 0; c < k; ++c) {
        int64_t i = index[v * k + c], size = shape[c];
        if (i < -size || i >= size)
          fail(op,
               "index " + std::to_string(i) + " is out of range for axis " +
                   std::to_string(c) + " of size " + std::to_string(size),
               {&x, &indices, &updates});
        row = row * size + (i < 0 ? i + size : i);
      }
      T *target = dst + row * sliceSize;
      const T *update = src + v * sliceSize;
      for (int64_t j = 0; j < sliceSize; ++j)
        target[j] = combine(reduction, target[j], update[j]);
    }
  });
}

Tensor scatter_nd(const Tensor &x, const Tensor &indices, const Tensor &updates,
                  ScatterReduction reduction, SourceLoc loc) {
  trace::CallSite site("scatter_nd", loc);
  for (const Tensor *t : {&x, &indices, &updates})
    checkDefined("scatter_nd", *t);
  checkIndexDType("scatter_nd", indices, {&x, &indices, &updates});
  if (updates.dtype() != x.dtype())
    fail("scatter_nd",
         "updates must have the input's dtype " +
             std::string(dtypeName(x.dtype())) + ", got " +
             std::string(dtypeName(updates.dtype())),
         {&x, &indices, &updates});
  Shape shape = checkShape(
      "scatter_nd", scatterShape(x.shape(), indices.shape(), updates.shape()),
      {&x, &indices, &updates});
  if (trace::Recorder *recorder = trace::recorderFor({&x, &indices, &updates}))
    return recorder->record(
        {"scatter_nd",
         {x, indices, updates},
         {{"reduction", std::string(scatterReductionName(reduction))}},
         shape,
         x.dtype()});
  Tensor out = Tensor::empty(shape, x.dtype());
  scatterInto("scatter_nd", x, indices, updates, reduction, out);
  return out;
}

Tensor scatter_elements(const Tensor &x, const Tensor &indices,
                        const Tensor &updates, int64_t axis,
                        ScatterReduction reduction, SourceLoc loc) {
  trace::CallSite site("scatter_elements", loc);
  for (const Tensor *t : {&x, &indices, &updates})
    checkDefined("scatter_elements", *t);
  checkIndexDType("scatter_elements", indices, {&x, &indices, &updates});
  auto normalized = normalizeAxis(axis, x.rank());
  if (!normalized)
    fail("scatter_elements", normalized.error(), {&x, &indices, &updates});
  int64_t a = *normalized, rank = x.rank();
  bool fits = indices.rank() == rank && updates.shape() == indices.shape();
  for (int64_t d = 0; fits && d < rank; ++d)
    fits = d == a || indices.shape()[d] <= x.shape()[d];
  if (!fits)
    fail("scatter_elements",
         "indices and updates must have one shape, of the input's rank and, "
         "but along axis " +
             std::to_string(axis) + ", no larger dimension than its",
         {&x, &indices, &updates});
  // The index vector of each update: its position, with the index along
  // the axis.
  Tensor index = cast(indices, DType::I64);
  std::vector<Tensor> components;
  for (int64_t d = 0; d < rank; ++d)
    components.push_back(expand_dims(
        d == a ? index
               : broadcast_to(positionsAlong(indices.shape()[d], d, rank),
                              indices.shape()),
        rank));
  return scatter_nd(x, concat(components, rank), updates, reduction, loc);
}

} // namespace kiln
