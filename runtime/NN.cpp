//===- NN.cpp - softmax, log_softmax, layer_norm and attention ------------===//
//
// Each op moves the normalized axes last (a transpose view, copied only if
// not already contiguous) and runs a fused row kernel, parallel over rows:
// one pass for the max, one for the exponentials and their sum, one to scale.
// The fused attention kernel of compiled code (detail::attention) runs the
// softmax rows between two products on the GEMM's micro-kernel.
//
//===----------------------------------------------------------------------===//

#include "FastMath.h"
#include "GemmKernels.h"
#include "Internal.h"
#include "Transpose.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
/// vectorize without reassociation flags. The sum's accumulators are one
/// vector of 8 (a vector extension type): as an array of 8 scalars, the
/// compiler built them from pairs and shuffles, a tenth of the softmax
/// rows' time in MHA. The additions and their order are the same.
template <typename T>
[[gnu::always_inline]] inline T rowSum(const T *x, int64_t n) {
  using Eight = T __attribute__((vector_size(8 * sizeof(T))));
  Eight lanes = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Eight v;
    std::memcpy(&v, x + i, sizeof v);
    lanes += v;
  }
  T acc[8];
  std::memcpy(acc, &lanes, sizeof acc);
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
using SoftmaxRowsFn = void (*)(const T *, T *, int64_t, int64_t, int64_t, bool);

/// The row loop for the best ISA of this CPU.
template <typename T> SoftmaxRowsFn<T> hostSoftmaxRows() {
  VectorIsa isa = hostVectorIsa();
  return isa == VectorIsa::Avx512 ? &softmaxRowsAvx512<T>
         : isa == VectorIsa::Avx2 ? &softmaxRowsAvx2<T>
                                  : &softmaxRowsBase<T>;
}

template <typename T>
void softmaxRows(const T *x, T *o, int64_t rows, int64_t len, bool log) {
  SoftmaxRowsFn<T> rowsFn = hostSoftmaxRows<T>();
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

/// The attention's probabilities from its scores, rows of len elements:
/// probs = softmax(scores * scale + mask) (scores / scale when `divide`; no
/// mask when null, else row r's element j at mask[r * rs + j * cs]), each
/// step rounded as eager mode's kiln.mul or kiln.div, kiln.add and
/// kiln.softmax round it. The scores are overwritten.
template <typename T>
[[gnu::always_inline]] inline void
probabilityRows(T *scores, T *probs, int64_t rows, int64_t len, T scale,
                bool divide, const T *mask, int64_t rs, int64_t cs) {
  for (int64_t r = 0; r < rows; ++r) {
    T *row = scores + r * len;
    if (divide)
      for (int64_t j = 0; j < len; ++j)
        row[j] /= scale;
    else
      for (int64_t j = 0; j < len; ++j)
        row[j] *= scale;
    if (mask)
      for (int64_t j = 0; j < len; ++j)
        row[j] += mask[r * rs + j * cs];
  }
  softmaxRowRange(scores, probs, 0, rows, len, /*log=*/false);
}

template <typename T>
using ProbabilitiesFn = void (*)(T *, T *, int64_t, int64_t, T, bool, const T *,
                                 int64_t, int64_t);

/// probabilityRows compiled for each ISA, as the softmax rows are.
#define KILN_PROBABILITY_ROWS(name, attributes)                                \
  template <typename T>                                                        \
  attributes void name(T *scores, T *probs, int64_t rows, int64_t len,         \
                       T scale, bool divide, const T *mask, int64_t rs,        \
                       int64_t cs) {                                           \
    probabilityRows(scores, probs, rows, len, scale, divide, mask, rs, cs);    \
  }
KILN_PROBABILITY_ROWS(probabilitiesAvx512,
                      __attribute__((target("avx512f,avx512dq,avx512vl,"
                                            "avx512bw,fma"))))
KILN_PROBABILITY_ROWS(probabilitiesAvx2, __attribute__((target("avx2,fma"))))
KILN_PROBABILITY_ROWS(probabilitiesBase, )
#undef KILN_PROBABILITY_ROWS

template <typename T> ProbabilitiesFn<T> hostProbabilities() {
  VectorIsa isa = hostVectorIsa();
  return isa == VectorIsa::Avx512 ? &probabilitiesAvx512<T>
         : isa == VectorIsa::Avx2 ? &probabilitiesAvx2<T>
                                  : &probabilitiesBase<T>;
}

/// Query rows whose scores and probabilities ([rows, t] each) the
/// attention kernel holds at a time: a few tiles of the micro-kernel, so
/// that they stay in L1 between the two products and the softmax.
constexpr int64_t kAttentionRows = 4 * MR;

/// One thread's scratch for the attention kernel, kept from call to call:
/// the keys transposed and the values, packed as the micro-kernel's B; a
/// group of queries, when their columns are strided; the scores and the
/// probabilities of a group of rows.
template <typename T> struct AttentionScratch {
  PackBuffer keys, values;
  std::vector<T> queries, scores;
};
template <typename T> AttentionScratch<T> &attentionScratch() {
  thread_local AttentionScratch<T> scratch;
  return scratch;
}

/// Packs the k x n matrix whose element (p, j) is b[p * rs + j * cs] as the
/// GEMM packs its B (packPanelsOfB), all of its blocks of KC rows: block pc
/// starts at out + pc * roundUp(n, NR).
template <typename T, int NR>
void packPanels(const T *b, int64_t rs, int64_t cs, int64_t k, int64_t n,
                T *out) {
  int64_t width = (n + NR - 1) / NR * NR;
  for (int64_t pc = 0; pc < k; pc += KC)
    packPanelsOfB<T, NR>(b + pc * rs, rs, cs, std::min(KC, k - pc), n, 0, n,
                         out + pc * width);
}

/// packPanels of kᵀ for keys whose rows are contiguous, element (p, j) of kᵀ
/// at k[j * ldk + p], with AVX-512: blocks of L x L (L = 64 / sizeof(T))
/// transposed in registers (Transpose.h). NR is two vectors. Packing the
/// keys element by element took an eighth of MHA's time.
template <typename T, int NR>
__attribute__((target("avx512f"))) void
packKeysAvx512(const T *k, int64_t ldk, int64_t d, int64_t t, T *out) {
  constexpr int64_t L = 64 / sizeof(T);
  static_assert(NR == 2 * L, "the AVX-512 micro-kernel's panel width");
  int64_t width = (t + NR - 1) / NR * NR;
  for (int64_t pc = 0; pc < d; pc += KC) {
    int64_t kc = std::min(KC, d - pc);
    for (int64_t jr = 0; jr < t; jr += NR) {
      int64_t nr = std::min<int64_t>(NR, t - jr);
      T *panel = out + pc * width + jr * kc;
      const T *block = k + jr * ldk + pc;
      int64_t p = 0;
      if (nr == NR)
        for (; p + L <= kc; p += L)
          for (int64_t j = 0; j < NR; j += L) {
            if constexpr (std::is_same_v<T, float>) {
              __m512 r[L];
              for (int64_t i = 0; i < L; ++i)
                r[i] = _mm512_loadu_ps(block + (j + i) * ldk + p);
              transposeInRegisters(r);
              for (int64_t c = 0; c < L; ++c)
                _mm512_storeu_ps(panel + (p + c) * NR + j, r[c]);
            } else {
              __m512d r[L];
              for (int64_t i = 0; i < L; ++i)
                r[i] = _mm512_loadu_pd(block + (j + i) * ldk + p);
              transposeInRegisters(r);
              for (int64_t c = 0; c < L; ++c)
                _mm512_storeu_pd(panel + (p + c) * NR + j, r[c]);
            }
          }
      // The rows left (all of a last, partial panel), element by element.
      packPanelsOfB<T, NR>(block + p, 1, ldk, kc - p, nr, 0, nr,
                           panel + p * NR);
    }
  }
}

/// Packs kᵀ (element (p, j) is k[j * kStrides[2] + p * kStrides[3]]) for
/// the micro-kernel of panel width NR.
template <typename T, int NR>
void packKeys(const T *k, const int64_t kStrides[4], int64_t d, int64_t t,
              T *out) {
  if constexpr (NR * sizeof(T) == 128) { // AVX-512's micro-kernel
    if (kStrides[3] == 1) {
      packKeysAvx512<T, NR>(k, kStrides[2], d, t, out);
      return;
    }
  }
  packPanels<T, NR>(k, kStrides[3], kStrides[2], d, t, out);
}

/// Prefetches rows [lo, hi) of a matrix whose rows are rs elements apart,
/// len elements each, into L2 (nothing when the columns are strided).
template <typename T>
void prefetchRows(const T *p, int64_t rs, int64_t cs, int64_t len, int64_t lo,
                  int64_t hi) {
  if (cs != 1)
    return;
  for (int64_t r = lo; r < hi; ++r) {
    const char *row = reinterpret_cast<const char *>(p + r * rs);
    for (int64_t byte = 0; byte < len * int64_t(sizeof(T)); byte += 64)
      __builtin_prefetch(row + byte, 0, 2);
    __builtin_prefetch(row + len * sizeof(T) - 1, 0, 2);
  }
}

/// c[m, n] = a[m, k] b, a's rows lda apart and contiguous, b packed by
/// packPanels: tiles of MR rows read in place. The sums run over the same
/// blocks of KC in the same order as the GEMM's, so the results are the
/// GEMM's bit for bit.
template <typename T, int NR>
void productOfRows(MicroRowsFn<T> micro, const T *a, int64_t lda, const T *b,
                   T *c, int64_t ldc, int64_t m, int64_t n, int64_t k) {
  int64_t width = (n + NR - 1) / NR * NR;
  for (int64_t pc = 0; pc < k; pc += KC) {
    int64_t kc = std::min(KC, k - pc);
    for (int64_t jr = 0; jr < n; jr += NR)
      for (int64_t ir = 0; ir < m; ir += MR)
        micro(kc, a + ir * lda + pc, lda, b + pc * width + jr * kc,
              c + ir * ldc + jr, ldc, std::min(MR, m - ir),
              std::min<int64_t>(NR, n - jr), pc > 0);
  }
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
  // Tasks are (batch, head) pairs, split into blocks of query rows only
  // when there are too few pairs to keep every thread busy: each task
  // packs its pair's keys and values.
  int64_t threads = get_num_threads();
  int64_t blocksPerPair =
      std::clamp<int64_t>((2 * threads + pairs - 1) / pairs, 1,
                          (s + kAttentionRows - 1) / kAttentionRows);
  int64_t blockRows = (s + blocksPerPair - 1) / blocksPerPair;
  blocksPerPair = (s + blockRows - 1) / blockRows;
  auto at = [&](int64_t pair, const int64_t strides[4]) {
    return pair / batches[1] * strides[0] + pair % batches[1] * strides[1];
  };
  ProbabilitiesFn<T> probsFn = hostProbabilities<T>();
  withBestMicroKernels<T>([&](const MicroKernels<T> &kernels, auto nrTag) {
    constexpr int NR = decltype(nrTag)::value;
    MicroRowsFn<T> micro = kernels.rows;
    int64_t tWidth = (t + NR - 1) / NR * NR, eWidth = (e + NR - 1) / NR * NR;
    int64_t ldo = outStrides[2];
    parallel_for(0, pairs * blocksPerPair, 1, [&](int64_t lo, int64_t hi) {
      AttentionScratch<T> &scratch = attentionScratch<T>();
      T *keys =
          static_cast<T *>(scratch.keys.get(sizeof(T) * size_t(d * tWidth)));
      T *values =
          static_cast<T *>(scratch.values.get(sizeof(T) * size_t(t * eWidth)));
      // The probabilities go after the scores: softmax is not computed in
      // place, where the vectorized exponential's overlap check would fail.
      scratch.scores.resize(size_t(2 * kAttentionRows * t));
      T *scores = scratch.scores.data(), *probs = scores + kAttentionRows * t;
      bool stridedQueries = qStrides[3] != 1;
      if (stridedQueries)
        scratch.queries.resize(size_t(kAttentionRows * d));
      int64_t packedPair = -1;
      for (int64_t task = lo; task < hi; ++task) {
        int64_t pair = task / blocksPerPair;
        if (pair != packedPair) {
          packKeys<T, NR>(k + at(pair, kStrides), kStrides, d, t, keys);
          packPanels<T, NR>(v + at(pair, vStrides), vStrides[2], vStrides[3], t,
                            e, values);
          packedPair = pair;
        }
        int64_t begin = task % blocksPerPair * blockRows,
                end = std::min(s, begin + blockRows);
        int64_t groups = (end - begin + kAttentionRows - 1) / kAttentionRows;
        // While this task computes, the next one's queries, and its keys
        // and values if its pair is new, are fetched into L2, part g of
        // `groups` per group of rows. Where other ops had evicted them (the
        // benchmark alternates traced and eager calls), reading them stalled
        // the packing and the first tiles: 2.38-2.49 -> 2.20-2.39 ms for
        // MHA on one thread.
        auto prefetchNext = [&](int64_t g) {
          if (task + 1 >= hi)
            return;
          int64_t next = (task + 1) / blocksPerPair;
          int64_t nextBegin = (task + 1) % blocksPerPair * blockRows;
          int64_t nextRows = std::min(s, nextBegin + blockRows) - nextBegin;
          if (next != pair) {
            prefetchRows(k + at(next, kStrides), kStrides[2], kStrides[3], d,
                         g * t / groups, (g + 1) * t / groups);
            prefetchRows(v + at(next, vStrides), vStrides[2], vStrides[3], e,
                         g * t / groups, (g + 1) * t / groups);
          }
          prefetchRows(q + at(next, qStrides) + nextBegin * qStrides[2],
                       qStrides[2], qStrides[3], d, g * nextRows / groups,
                       (g + 1) * nextRows / groups);
        };
        for (int64_t first = begin; first < end; first += kAttentionRows) {
          int64_t m = std::min(kAttentionRows, end - first);
          prefetchNext((first - begin) / kAttentionRows);
          const T *qb = q + at(pair, qStrides) + first * qStrides[2];
          int64_t ldq = qStrides[2];
          if (stridedQueries) {
            for (int64_t r = 0; r < m; ++r)
              for (int64_t p = 0; p < d; ++p)
                scratch.queries[r * d + p] = qb[r * ldq + p * qStrides[3]];
            qb = scratch.queries.data();
            ldq = d;
          }
          // scores = q kᵀ, then eager mode's kiln.mul or kiln.div by the
          // scale and kiln.add of the mask (broadcast by zero strides).
          productOfRows<T, NR>(micro, qb, ldq, keys, scores, t, m, t, d);
          probsFn(scores, probs, m, t, scale, divide,
                  mask ? mask + at(pair, maskStrides) + first * maskStrides[2]
                       : nullptr,
                  maskStrides[2], maskStrides[3]);
          productOfRows<T, NR>(micro, probs, t, values,
                               out + at(pair, outStrides) + first * ldo, ldo, m,
                               e, t);
        }
      }
    });
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
