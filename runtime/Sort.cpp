//===- Sort.cpp - argsort, sort and topk ----------------------------------===//
//
// argsort is the kernel: a stable sort of each line along the axis, lines
// in parallel. Compiled code calls the same kernel (kiln_rt_argsort_*,
// CAbi.cpp): no linalg op expresses a sort, and a comparison sort's
// branches would not vectorize anyway. sort and topk are compositions of
// argsort, slice and take_along_axis, so that their traces need no op of
// their own and their gradients come from take_along_axis's.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "kiln/Runtime/ThreadPool.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiln {

using namespace detail;

namespace {

/// The value a comparison sees: 16-bit floats as float, the rest as is.
template <typename T> auto key(T v) {
  if constexpr (isHalfType<T>())
    return static_cast<float>(v);
  else
    return v;
}

/// a < b in the order of argsort: NaN above every number.
template <typename K> bool lessWithNaN(K a, K b) {
  if constexpr (std::is_floating_point_v<K>) {
    if (std::isnan(a))
      return false;
    if (std::isnan(b))
      return true;
  }
  return a < b;
}

} // namespace

void detail::argsortInto(const Tensor &x, int64_t axis, bool descending,
                         Tensor &out) {
  int64_t rank = x.rank();
  int64_t n = x.shape()[axis], outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    if (d < axis)
      outer *= x.shape()[d];
    else if (d > axis)
      inner *= x.shape()[d];
  Tensor cx = x.contiguous();
  int64_t *dst = out.data<int64_t>();
  visitDType(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T *src = static_cast<const T *>(cx.rawData());
    // One task per line; lines are independent.
    int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n));
    parallel_for(0, outer * inner, grain, [&](int64_t begin, int64_t end) {
      using K = decltype(key(T{}));
      std::vector<K> line(static_cast<size_t>(n));
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t l = begin; l < end; ++l) {
        int64_t o = l / inner, i = l % inner;
        const T *first = src + o * n * inner + i;
        for (int64_t j = 0; j < n; ++j)
          line[j] = key(first[j * inner]);
        std::iota(order.begin(), order.end(), int64_t{0});
        // Ties broken by index: a strict total order, so that std::sort
        // gives the stable order without a stable sort's buffer.
        std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
          K first = line[descending ? b : a], second = line[descending ? a : b];
          if (lessWithNaN(first, second))
            return true;
          return !lessWithNaN(second, first) && a < b;
        });
        int64_t *written = dst + o * n * inner + i;
        for (int64_t j = 0; j < n; ++j)
          written[j * inner] = order[j];
      }
    });
  });
}

Tensor argsort(const Tensor &x, int64_t axis, bool descending, SourceLoc loc) {
  trace::CallSite site("argsort", loc);
  checkDefined("argsort", x);
  auto normalized = normalizeAxis(axis, x.rank());
  if (!normalized)
    fail("argsort", normalized.error(), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({"argsort",
                             {x},
                             {{"axis", axis}, {"descending", descending}},
                             x.shape(),
                             DType::I64});
  Tensor out = Tensor::empty(x.shape(), DType::I64);
  if (x.size() > 0)
    argsortInto(x, *normalized, descending, out);
  return out;
}

Tensor sort(const Tensor &x, int64_t axis, bool descending, SourceLoc loc) {
  trace::CallSite site("sort", loc);
  return take_along_axis(x, argsort(x, axis, descending, loc), axis, loc);
}

std::pair<Tensor, Tensor> topk(const Tensor &x, int64_t k, int64_t axis,
                               bool largest, SourceLoc loc) {
  trace::CallSite site("topk", loc);
  checkDefined("topk", x);
  auto normalized = normalizeAxis(axis, x.rank());
  if (!normalized)
    fail("topk", normalized.error(), {&x});
  int64_t n = x.shape()[*normalized];
  if (k < 0 || k > n)
    fail("topk",
         "k = " + std::to_string(k) + " is outside [0, " + std::to_string(n) +
             "], the size of axis " + std::to_string(axis),
         {&x});
  Tensor order = argsort(x, axis, largest, loc);
  if (k < n) {
    std::vector<int64_t> start(x.rank(), 0), limit = x.shape();
    limit[*normalized] = k;
    order = slice(order, start, limit, {}, loc);
  }
  return {take_along_axis(x, order, axis, loc), order};
}

} // namespace kiln
