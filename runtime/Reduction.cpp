//===- Reduction.cpp - Reductions over any axes and argmax/argmin ---------===//
//
// A reduction splits the operand's dimensions into kept and reduced ones and
// picks one of two loop orders by where the innermost (smallest-stride)
// dimension falls:
//  * reduced innermost: each output element reduces a unit-stride run with
//    several independent accumulators (so the loop vectorizes);
//  * kept innermost: the output row is accumulated elementwise, one reduced
//    index at a time (a unit-stride, vectorizable update).
// Results are deterministic: the split into partial sums never depends on
// the number of threads.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace kiln {

using namespace detail;

namespace {

enum class ReduceKind { Sum, Prod, Max, Min };

template <typename T> struct Reducer {
  ReduceKind kind;

  T identity() const {
    switch (kind) {
    case ReduceKind::Sum:
      return T(0);
    case ReduceKind::Prod:
      return T(1);
    case ReduceKind::Max:
      if constexpr (std::numeric_limits<T>::has_infinity)
        return -std::numeric_limits<T>::infinity();
      else
        return std::numeric_limits<T>::lowest();
    case ReduceKind::Min:
      break;
    }
    if constexpr (std::numeric_limits<T>::has_infinity)
      return std::numeric_limits<T>::infinity();
    else
      return std::numeric_limits<T>::max();
  }
};

/// The combining functions; integers wrap, NaN propagates through max/min.
template <typename T> struct SumOp {
  T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return a || b; // unused: bool sums compute in int32
    } else {
      return wrapAdd(a, b);
    }
  }
};
template <typename T> struct ProdOp {
  T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return a && b; // unused: bool products compute in int32
    } else {
      return wrapMul(a, b);
    }
  }
};
template <typename T> struct MaxOp {
  T operator()(T a, T b) const { return (a > b || a != a) ? a : b; }
};
template <typename T> struct MinOp {
  T operator()(T a, T b) const { return (a < b || a != a) ? a : b; }
};

/// Reduces n elements at byte stride `s`, with 8 independent accumulators
/// when the stride is unit.
template <typename T, typename Op>
T reduceRow(const char *p, int64_t s, int64_t n, T init, Op op) {
  if (s == int64_t(sizeof(T))) {
    const T *x = reinterpret_cast<const T *>(p);
    T acc[8];
    for (T &a : acc)
      a = init;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j)
        acc[j] = op(acc[j], x[i + j]);
    for (; i < n; ++i)
      acc[0] = op(acc[0], x[i]);
    T r = acc[0];
    for (int j = 1; j < 8; ++j)
      r = op(r, acc[j]);
    return r;
  }
  T r = init;
  for (int64_t i = 0; i < n; ++i)
    r = op(r, *reinterpret_cast<const T *>(p + i * s));
  return r;
}

/// Byte offset of the flat index `i` of a nest of `dims` with byte strides.
int64_t offsetOf(int64_t i, const Shape &dims, const Shape &strides) {
  int64_t off = 0;
  for (size_t d = dims.size(); d-- > 0;) {
    off += (i % dims[d]) * strides[d];
    i /= dims[d];
  }
  return off;
}

/// Elements per partial reduction (fixed, so results never depend on the
/// thread count).
constexpr int64_t kReduceChunk = 1 << 14;

template <typename T, typename Op>
void reduceKernel(Tensor &acc, const Tensor &x,
                  const std::vector<bool> &reduced, T init, Op op) {
  Shape keptDims, keptStrides, redDims, redStrides;
  int64_t innermost = -1, smallest = std::numeric_limits<int64_t>::max();
  Shape xs = byteStrides(x.strides(), x.dtype());
  for (int64_t i = 0; i < x.rank(); ++i) {
    (reduced[i] ? redDims : keptDims).push_back(x.shape()[i]);
    (reduced[i] ? redStrides : keptStrides).push_back(xs[i]);
    if (x.shape()[i] > 1 && std::llabs(xs[i]) < smallest) {
      smallest = std::llabs(xs[i]);
      innermost = i;
    }
  }
  const char *base = static_cast<const char *>(x.rawData());
  T *out = static_cast<T *>(acc.rawData());
  int64_t numOut = numElements(keptDims), numRed = numElements(redDims);
  LoopNest<1> redNest(redDims, {redStrides});

  auto reduceOne = [&](const char *p, int64_t lo, int64_t hi) {
    T r = init;
    redNest.run(
        {const_cast<char *>(p)}, lo, hi,
        [&](const std::array<char *, 1> &q, const std::array<int64_t, 1> &s,
            int64_t n) { r = op(r, reduceRow<T>(q[0], s[0], n, init, op)); });
    return r;
  };

  if (innermost < 0 || reduced[innermost]) {
    if (numOut == 1 && numRed > kReduceChunk) {
      // One output: reduce fixed chunks in parallel, then combine in order.
      int64_t chunks = (numRed + kReduceChunk - 1) / kReduceChunk;
      std::vector<T> partial(chunks, init);
      parallel_for(0, chunks, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t c = lo; c < hi; ++c)
          partial[c] = reduceOne(base, c * kReduceChunk,
                                 std::min(numRed, (c + 1) * kReduceChunk));
      });
      T r = init;
      for (T p : partial)
        r = op(r, p);
      out[0] = r;
      return;
    }
    int64_t grain =
        std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(numRed, 1));
    parallel_for(0, numOut, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; ++k)
        out[k] =
            reduceOne(base + offsetOf(k, keptDims, keptStrides), 0, numRed);
    });
    return;
  }

  // The innermost dimension is kept: accumulate output rows.
  for (int64_t k = 0; k < numOut; ++k)
    out[k] = init;
  LoopNest<2> keptNest(
      keptDims, {byteStrides(Tensor::contiguousStrides(keptDims), acc.dtype()),
                 keptStrides});
  int64_t grain =
      std::max<int64_t>(1024, kElementwiseGrain / std::max<int64_t>(numRed, 1));
  parallel_for(0, numOut, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = 0; r < numRed; ++r) {
      const char *p = base + offsetOf(r, redDims, redStrides);
      keptNest.run(
          {reinterpret_cast<char *>(out), const_cast<char *>(p)}, lo, hi,
          [&](const std::array<char *, 2> &q, const std::array<int64_t, 2> &s,
              int64_t n) {
            T *a = reinterpret_cast<T *>(q[0]);
            if (s[1] == int64_t(sizeof(T))) {
              const T *v = reinterpret_cast<const T *>(q[1]);
              for (int64_t i = 0; i < n; ++i)
                a[i] = op(a[i], v[i]);
              return;
            }
            for (int64_t i = 0; i < n; ++i)
              a[i] = op(a[i], *reinterpret_cast<const T *>(q[1] + i * s[1]));
          });
    }
  });
}

Tensor reduce(const char *name, ReduceKind kind, bool mean, const Tensor &x,
              const std::vector<int64_t> &axes, bool keepdims) {
  checkDefined(name, x);
  Shape outShape =
      checkShape(name, reduceShape(x.shape(), axes, keepdims), {&x});
  std::vector<bool> reduced(x.rank(), axes.empty());
  auto norm = normalizeAxes(axes, x.rank());
  for (int64_t a : norm.value())
    reduced[a] = true;
  Shape keptShape;
  int64_t count = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (!reduced[i])
      keptShape.push_back(x.shape()[i]);
    else
      count *= x.shape()[i];
  }
  if ((kind == ReduceKind::Max || kind == ReduceKind::Min) && count == 0 &&
      numElements(keptShape) > 0)
    fail(name,
         "cannot reduce an empty axis (axes " + formatList(axes) +
             " have no elements)",
         {&x});

  DType result = x.dtype();
  if (mean && !isFloating(result))
    result = DType::F32;
  else if (isBool(result) &&
           (kind == ReduceKind::Sum || kind == ReduceKind::Prod))
    result = DType::I32;
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({name,
                             {x},
                             {{"axes", axes}, {"keepdims", keepdims}},
                             outShape,
                             result});
  DType compute = computeType(result);
  Tensor cx = castIfNeeded(x, compute);
  Tensor acc = Tensor::empty(keptShape, compute);
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T init = Reducer<T>{kind}.identity();
    switch (kind) {
    case ReduceKind::Sum:
      reduceKernel<T>(acc, cx, reduced, init, SumOp<T>());
      break;
    case ReduceKind::Prod:
      reduceKernel<T>(acc, cx, reduced, init, ProdOp<T>());
      break;
    case ReduceKind::Max:
      reduceKernel<T>(acc, cx, reduced, init, MaxOp<T>());
      break;
    case ReduceKind::Min:
      reduceKernel<T>(acc, cx, reduced, init, MinOp<T>());
      break;
    }
    if constexpr (std::is_floating_point_v<T>) {
      if (mean) {
        T *p = static_cast<T *>(acc.rawData());
        for (int64_t i = 0; i < acc.size(); ++i)
          p[i] /= static_cast<T>(count);
      }
    }
  });
  Tensor out = makeView(acc, outShape, Tensor::contiguousStrides(outShape), 0);
  return result == compute ? out : cast(out, result);
}

/// argmax (`max` true) or argmin along one axis.
Tensor argReduce(const char *name, bool max, const Tensor &x, int64_t axis,
                 bool keepdims) {
  checkDefined(name, x);
  Shape outShape =
      checkShape(name, argReduceShape(x.shape(), axis, keepdims), {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({name,
                             {x},
                             {{"axis", axis}, {"keepdims", keepdims}},
                             outShape,
                             DType::I64});
  int64_t a = *normalizeAxis(axis, x.rank());
  Tensor cx = castIfNeeded(x, computeType(x.dtype()));
  Tensor out = Tensor::empty(outShape, DType::I64);
  int64_t *o = static_cast<int64_t *>(out.rawData());
  Shape keptDims, keptStrides;
  Shape xs = byteStrides(cx.strides(), cx.dtype());
  for (int64_t i = 0; i < x.rank(); ++i)
    if (i != a) {
      keptDims.push_back(x.shape()[i]);
      keptStrides.push_back(xs[i]);
    }
  int64_t len = x.shape()[a], stride = xs[a];
  const char *base = static_cast<const char *>(cx.rawData());
  visitCompute(cx.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    int64_t grain = std::max<int64_t>(1, kElementwiseGrain / len);
    parallel_for(0, numElements(keptDims), grain, [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; ++k) {
        const char *p = base + offsetOf(k, keptDims, keptStrides);
        T best = *reinterpret_cast<const T *>(p);
        int64_t at = 0;
        for (int64_t i = 0; i < len && best == best; ++i) {
          T v = *reinterpret_cast<const T *>(p + i * stride);
          if (v != v || (max ? v > best : v < best)) {
            best = v;
            at = i;
          }
        }
        o[k] = at;
      }
    });
  });
  return out;
}

} // namespace

Tensor cumsum(const Tensor &x, int64_t axis, bool exclusive, bool reverse,
              SourceLoc loc) {
  trace::CallSite site("cumsum", loc);
  checkDefined("cumsum", x);
  auto normalized = normalizeAxis(axis, x.rank());
  if (!normalized)
    fail("cumsum", normalized.error(), {&x});
  if (isBool(x.dtype()))
    return cumsum(cast(x, DType::I32), axis, exclusive, reverse);
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"cumsum",
         {x},
         {{"axis", axis}, {"exclusive", exclusive}, {"reverse", reverse}},
         x.shape(),
         x.dtype()});
  int64_t a = *normalized, n = x.shape()[a], outer = 1, inner = 1;
  for (int64_t d = 0; d < x.rank(); ++d)
    (d < a ? outer : inner) *= d == a ? 1 : x.shape()[d];
  DType compute = computeType(x.dtype());
  Tensor cx = castIfNeeded(x, compute).contiguous();
  Tensor out = Tensor::empty(x.shape(), compute);
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) { // bools were cast to int32
      const T *src = cx.data<T>();
      T *dst = out.data<T>();
      parallel_for(0, outer, 1, [&](int64_t begin, int64_t end) {
        std::vector<T> acc(static_cast<size_t>(inner));
        for (int64_t o = begin; o < end; ++o) {
          std::fill(acc.begin(), acc.end(), T(0));
          for (int64_t step = 0; step < n; ++step) {
            int64_t i = reverse ? n - 1 - step : step;
            const T *row = src + (o * n + i) * inner;
            T *written = dst + (o * n + i) * inner;
            for (int64_t j = 0; j < inner; ++j) {
              T before = acc[j];
              acc[j] = wrapAdd(acc[j], row[j]);
              written[j] = exclusive ? before : acc[j];
            }
          }
        }
      });
    }
  });
  return castIfNeeded(out, x.dtype());
}

Tensor reduce_sum(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepdims, SourceLoc loc) {
  trace::CallSite site("reduce_sum", loc);
  return reduce("reduce_sum", ReduceKind::Sum, false, x, axes, keepdims);
}
Tensor reduce_mean(const Tensor &x, const std::vector<int64_t> &axes,
                   bool keepdims, SourceLoc loc) {
  trace::CallSite site("reduce_mean", loc);
  return reduce("reduce_mean", ReduceKind::Sum, true, x, axes, keepdims);
}
Tensor reduce_max(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepdims, SourceLoc loc) {
  trace::CallSite site("reduce_max", loc);
  return reduce("reduce_max", ReduceKind::Max, false, x, axes, keepdims);
}
Tensor reduce_min(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepdims, SourceLoc loc) {
  trace::CallSite site("reduce_min", loc);
  return reduce("reduce_min", ReduceKind::Min, false, x, axes, keepdims);
}
Tensor reduce_prod(const Tensor &x, const std::vector<int64_t> &axes,
                   bool keepdims, SourceLoc loc) {
  trace::CallSite site("reduce_prod", loc);
  return reduce("reduce_prod", ReduceKind::Prod, false, x, axes, keepdims);
}
Tensor argmax(const Tensor &x, int64_t axis, bool keepdims, SourceLoc loc) {
  trace::CallSite site("argmax", loc);
  return argReduce("argmax", true, x, axis, keepdims);
}
Tensor argmin(const Tensor &x, int64_t axis, bool keepdims, SourceLoc loc) {
  trace::CallSite site("argmin", loc);
  return argReduce("argmin", false, x, axis, keepdims);
}

} // namespace kiln
