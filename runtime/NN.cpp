//===- NN.cpp - softmax, log_softmax and layer_norm -----------------------===//
//
// Each op moves the normalized axes last (a transpose view, copied only if
// not already contiguous) and runs a fused row kernel, parallel over rows:
// one pass for the max, one for the exponentials and their sum, one to scale.
//
//===----------------------------------------------------------------------===//

#include "FastMath.h"
#include "Internal.h"

#include <cmath>
#include <limits>
#include <vector>

namespace kiln {

using namespace detail;

namespace {

template <typename T> [[gnu::always_inline]] inline T expT(T v) {
  if constexpr (std::is_same_v<T, float>)
    return detail::expf(v);
  else
    return std::exp(v);
}

/// The operand as rows: the axes in `axes` (sorted, normalized) moved last,
/// contiguous. `perm` receives the permutation used.
Tensor asRows(const Tensor &x, const std::vector<int64_t> &axes,
              std::vector<int64_t> &perm) {
  perm.clear();
  for (int64_t i = 0; i < x.rank(); ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end())
      perm.push_back(i);
  perm.insert(perm.end(), axes.begin(), axes.end());
  return transpose(x, perm).contiguous();
}

/// Undoes `asRows`: the result in the original dimension order, contiguous.
Tensor fromRows(const Tensor &rows, const std::vector<int64_t> &perm) {
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[perm[i]] = i;
  return transpose(rows, inverse).contiguous();
}

/// Sum and max of a row with 8 independent accumulators, so the loops
/// vectorize without reassociation flags.
template <typename T>
[[gnu::always_inline]] inline T rowSum(const T *x, int64_t n) {
  T acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j)
      acc[j] += x[i + j];
  for (; i < n; ++i)
    acc[0] += x[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
         ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
template <typename T>
[[gnu::always_inline]] inline T rowMax(const T *x, int64_t n) {
  T acc[8];
  for (T &a : acc)
    a = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j)
      acc[j] = x[i + j] > acc[j] ? x[i + j] : acc[j];
  for (; i < n; ++i)
    acc[0] = x[i] > acc[0] ? x[i] : acc[0];
  T m = acc[0];
  for (int j = 1; j < 8; ++j)
    m = acc[j] > m ? acc[j] : m;
  return m;
}

/// Rows per task for row-wise kernels: about kElementwiseGrain elements.
int64_t rowGrain(int64_t len) {
  return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(len, 1));
}

/// Softmax (or log_softmax) of rows [lo, hi) of len elements each.
template <typename T>
[[gnu::always_inline]] inline void softmaxRowRange(const T *x, T *o, int64_t lo,
                                                   int64_t hi, int64_t len,
                                                   bool log) {
  for (int64_t r = lo; r < hi; ++r) {
    const T *xr = x + r * len;
    T *orow = o + r * len;
    // NaNs are skipped by the max and propagate through exp and the sum.
    T m = rowMax(xr, len);
    if (m == -std::numeric_limits<T>::infinity()) // all -inf (or empty)
      m = T(0);
    for (int64_t i = 0; i < len; ++i)
      orow[i] = expT(xr[i] - m);
    T sum = rowSum(orow, len);
    if (log) {
      // (x - m) - log(sum): x - (m + log(sum)) would round the shift to
      // the precision of m (an error of ulp(m), 6e-5 for m = 1000 in f32).
      T logSum = std::log(sum);
      for (int64_t i = 0; i < len; ++i)
        orow[i] = (xr[i] - m) - logSum;
    } else {
      T inv = T(1) / sum;
      for (int64_t i = 0; i < len; ++i)
        orow[i] *= inv;
    }
  }
}

/// The row loop compiled for AVX-512, AVX2 and the baseline ISA: the
/// exponential is branch-free and vectorizes to the widest vectors the CPU
/// has (softmaxRows picks one at run time, as the GEMM picks its
/// micro-kernel).
template <typename T>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))) void
softmaxRowsAvx512(const T *x, T *o, int64_t lo, int64_t hi, int64_t len,
                  bool log) {
  softmaxRowRange(x, o, lo, hi, len, log);
}
template <typename T>
__attribute__((target("avx2,fma"))) void
softmaxRowsAvx2(const T *x, T *o, int64_t lo, int64_t hi, int64_t len,
                bool log) {
  softmaxRowRange(x, o, lo, hi, len, log);
}
template <typename T>
void softmaxRowsBase(const T *x, T *o, int64_t lo, int64_t hi, int64_t len,
                     bool log) {
  softmaxRowRange(x, o, lo, hi, len, log);
}

template <typename T>
void softmaxRows(const T *x, T *o, int64_t rows, int64_t len, bool log) {
  VectorIsa isa = hostVectorIsa();
  auto rowsFn = isa == VectorIsa::Avx512 ? &softmaxRowsAvx512<T>
                : isa == VectorIsa::Avx2 ? &softmaxRowsAvx2<T>
                                         : &softmaxRowsBase<T>;
  parallel_for(0, rows, rowGrain(len),
               [&](int64_t lo, int64_t hi) { rowsFn(x, o, lo, hi, len, log); });
}

Tensor softmaxImpl(const char *name, const Tensor &x, int64_t axis, bool log) {
  checkDefined(name, x);
  auto a = normalizeAxis(axis, x.rank());
  if (!a)
    fail(name, a.error(), {&x});
  DType result = isFloating(x.dtype()) ? x.dtype() : DType::F32;
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({name, {x}, {{"axis", axis}}, x.shape(), result});
  DType compute = computeType(result);
  std::vector<int64_t> perm;
  Tensor rows = asRows(castIfNeeded(x, compute), {*a}, perm);
  Tensor out = Tensor::empty(rows.shape(), compute);
  int64_t len = x.shape()[*a];
  int64_t n = len == 0 ? 0 : rows.size() / len;
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>)
      softmaxRows<T>(static_cast<const T *>(rows.rawData()),
                     static_cast<T *>(out.rawData()), n, len, log);
  });
  Tensor back = fromRows(out, perm);
  return result == compute ? back : cast(back, result);
}

template <typename T>
void layerNormRows(const T *x, T *o, int64_t rows, int64_t len, T eps,
                   const T *scale, const T *bias) {
  parallel_for(0, rows, rowGrain(len), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T *xr = x + r * len;
      T *orow = o + r * len;
      T mean = rowSum(xr, len) / T(len);
      // Two passes (mean, then squared deviations) for accuracy; the
      // deviations go through the output row.
      for (int64_t i = 0; i < len; ++i)
        orow[i] = (xr[i] - mean) * (xr[i] - mean);
      T rstd = T(1) / std::sqrt(rowSum(orow, len) / T(len) + eps);
      if (scale && bias) {
        for (int64_t i = 0; i < len; ++i)
          orow[i] = (xr[i] - mean) * rstd * scale[i] + bias[i];
      } else if (scale) {
        for (int64_t i = 0; i < len; ++i)
          orow[i] = (xr[i] - mean) * rstd * scale[i];
      } else if (bias) {
        for (int64_t i = 0; i < len; ++i)
          orow[i] = (xr[i] - mean) * rstd + bias[i];
      } else {
        for (int64_t i = 0; i < len; ++i)
          orow[i] = (xr[i] - mean) * rstd;
      }
    }
  });
}

/// Scale or bias as one contiguous row of the normalized dims, when it is
/// constant along the kept dims; otherwise an undefined tensor.
Tensor asRowVector(const char *name, const Tensor &param, const Tensor &x,
                   const std::vector<int64_t> &perm, int64_t kept,
                   DType compute) {
  checkDefined(name, param);
  auto fits = broadcastToShape(param.shape(), x.shape());
  if (!fits)
    fail(name,
         "scale and bias must broadcast to the input shape: " + fits.error(),
         {&x, &param});
  Tensor v =
      transpose(broadcast_to(castIfNeeded(param, compute), x.shape()), perm);
  for (int64_t i = 0; i < kept; ++i)
    if (v.strides()[i] != 0 && v.shape()[i] != 1)
      return Tensor();
  Shape start(v.rank(), 0), limit = v.shape();
  for (int64_t i = 0; i < kept; ++i)
    limit[i] = std::min<int64_t>(limit[i], 1);
  return reshape(slice(v, start, limit), {-1});
}

/// Scratch for the scores and the probabilities of one block of query rows,
/// per thread, kept from call to call.
template <typename T> std::vector<T> &scoreScratch() {
  thread_local std::vector<T> scratch;
  return scratch;
}

} // namespace

template <typename T>
void detail::attention(const int64_t batches[2], int64_t s, int64_t t,
                       int64_t d, int64_t e, const T *q,
                       const int64_t qStrides[4], const T *k,
                       const int64_t kStrides[4], const T *v,
                       const int64_t vStrides[4], const T *mask,
                       const int64_t maskStrides[4], T *out,
                       const int64_t outStrides[4], T scale, bool divide) {
  int64_t pairs = batches[0] * batches[1];
  if (pairs == 0 || s == 0)
    return;
  // Blocks of at most 128 query rows, whose scores ([rows, t]) stay in
  // cache; more, smaller blocks when there are too few to keep every thread
  // busy.
  int64_t threads = get_num_threads();
  int64_t blocksPerPair =
      std::max((s + 127) / 128, (2 * threads + pairs - 1) / pairs);
  blocksPerPair = std::min(blocksPerPair, (s + 7) / 8);
  int64_t rows = (s + blocksPerPair - 1) / blocksPerPair;
  blocksPerPair = (s + rows - 1) / rows;
  auto at = [&](int64_t pair, const int64_t strides[4]) {
    return pair / batches[1] * strides[0] + pair % batches[1] * strides[1];
  };
  parallel_for(0, pairs * blocksPerPair, 1, [&](int64_t lo, int64_t hi) {
    // The scores, then the probabilities after them: not normalized in
    // place, where the vectorized exponential's overlap check would fail.
    std::vector<T> &scratch = scoreScratch<T>();
    scratch.resize(size_t(2 * rows * t));
    T *scores = scratch.data(), *probs = scores + rows * t;
    for (int64_t task = lo; task < hi; ++task) {
      int64_t pair = task / blocksPerPair;
      int64_t first = task % blocksPerPair * rows;
      int64_t m = std::min(rows, s - first);
      const T *qb = q + at(pair, qStrides) + first * qStrides[2];
      const T *kb = k + at(pair, kStrides);
      // scores = q kᵀ: element (p, j) of kᵀ is k[j, p].
      gemm<T>(qb, qStrides[2], qStrides[3], kb, kStrides[3], kStrides[2],
              scores, t, m, t, d, /*accumulate=*/false);
      // As eager mode's kiln.mul or kiln.div by the scale.
      if (divide)
        for (int64_t i = 0; i < m * t; ++i)
          scores[i] /= scale;
      else
        for (int64_t i = 0; i < m * t; ++i)
          scores[i] *= scale;
      // Then eager mode's kiln.add of the mask (broadcast by zero strides).
      if (mask)
        for (int64_t r = 0; r < m; ++r) {
          const T *row =
              mask + at(pair, maskStrides) + (first + r) * maskStrides[2];
          for (int64_t j = 0; j < t; ++j)
            scores[r * t + j] += row[j * maskStrides[3]];
        }
      softmaxRows<T>(scores, probs, m, t, /*log=*/false);
      gemm<T>(probs, t, 1, v + at(pair, vStrides), vStrides[2], vStrides[3],
              out + at(pair, outStrides) + first * outStrides[2], outStrides[2],
              m, e, t, /*accumulate=*/false);
    }
  });
}

template void detail::attention<float>(const int64_t[2], int64_t, int64_t,
                                       int64_t, int64_t, const float *,
                                       const int64_t[4], const float *,
                                       const int64_t[4], const float *,
                                       const int64_t[4], const float *,
                                       const int64_t[4], float *,
                                       const int64_t[4], float, bool);
template void detail::attention<double>(const int64_t[2], int64_t, int64_t,
                                        int64_t, int64_t, const double *,
                                        const int64_t[4], const double *,
                                        const int64_t[4], const double *,
                                        const int64_t[4], const double *,
                                        const int64_t[4], double *,
                                        const int64_t[4], double, bool);

Tensor softmax(const Tensor &x, int64_t axis, SourceLoc loc) {
  trace::CallSite site("softmax", loc);
  return softmaxImpl("softmax", x, axis, false);
}

Tensor log_softmax(const Tensor &x, int64_t axis, SourceLoc loc) {
  trace::CallSite site("log_softmax", loc);
  return softmaxImpl("log_softmax", x, axis, true);
}

Tensor layer_norm(const Tensor &x, const std::vector<int64_t> &axes,
                  double epsilon, const std::optional<Tensor> &scale,
                  const std::optional<Tensor> &bias, SourceLoc loc) {
  trace::CallSite site("layer_norm", loc);
  checkDefined("layer_norm", x);
  auto norm = normalizeAxes(axes, x.rank());
  if (!norm)
    fail("layer_norm", norm.error(), {&x});
  if (norm->empty())
    fail("layer_norm", "needs at least one axis to normalize over", {&x});
  if (!(epsilon >= 0))
    fail("layer_norm", "epsilon must be non-negative", {&x});
  DType result = isFloating(x.dtype()) ? x.dtype() : DType::F32;
  if (trace::Recorder *recorder = trace::recorderFor(
          {&x, scale ? &*scale : nullptr, bias ? &*bias : nullptr})) {
    std::vector<Tensor> operands{x};
    for (const std::optional<Tensor> *param : {&scale, &bias}) {
      if (!*param)
        continue;
      checkDefined("layer_norm", **param);
      auto fits = broadcastToShape((*param)->shape(), x.shape());
      if (!fits)
        fail("layer_norm",
             "scale and bias must broadcast to the input shape: " +
                 fits.error(),
             {&x, &**param});
      operands.push_back(**param);
    }
    return recorder->record({"layer_norm",
                             operands,
                             {{"axes", axes},
                              {"epsilon", epsilon},
                              {"has_scale", scale.has_value()},
                              {"has_bias", bias.has_value()}},
                             x.shape(),
                             result});
  }
  DType compute = computeType(result);
  std::vector<int64_t> perm;
  Tensor rows = asRows(castIfNeeded(x, compute), *norm, perm);
  int64_t kept = x.rank() - static_cast<int64_t>(norm->size());
  int64_t len = 1;
  for (int64_t a : *norm)
    len *= x.shape()[a];
  int64_t n = len == 0 ? 0 : rows.size() / len;
  Tensor s, b;
  if (scale)
    s = asRowVector("layer_norm", *scale, x, perm, kept, compute);
  if (bias)
    b = asRowVector("layer_norm", *bias, x, perm, kept, compute);
  bool fused = (!scale || s.defined()) && (!bias || b.defined());
  Tensor out = Tensor::empty(rows.shape(), compute);
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>)
      layerNormRows<T>(static_cast<const T *>(rows.rawData()),
                       static_cast<T *>(out.rawData()), n, len, T(epsilon),
                       fused && s.defined() ? s.data<T>() : nullptr,
                       fused && b.defined() ? b.data<T>() : nullptr);
  });
  Tensor back = fromRows(out, perm);
  if (!fused) {
    if (scale)
      back = mul(back, castIfNeeded(*scale, compute));
    if (bias)
      back = add(back, castIfNeeded(*bias, compute));
  }
  return result == compute ? back : cast(back, result);
}

} // namespace kiln
