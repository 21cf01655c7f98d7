//===- Avx512References.h - Hand-tuned AVX-512 code for W1, W2, W4 -*- C++
//-*-===//
//
// The honest references for the traced benchmarks: what a careful engineer
// writes by hand for this machine. AVX-512 intrinsics, a polynomial exp
// (Cephes' expf: range reduction by ln 2, degree-6 polynomial, scalef), one
// pass less where the math allows it (layer_norm's mean and variance from one
// pass of sums), and the rows split over the same thread pool Kiln uses
// (kiln::parallel_for), so that 1- and 2-thread figures compare like with
// like. Built with -O3 -march=native; the caller checks that the CPU has
// AVX-512 (hasAvx512()).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_AVX512REFERENCES_H
#define KILN_BENCH_AVX512REFERENCES_H

#include "kiln/Runtime/ThreadPool.h"

#include <immintrin.h>

#include <cmath>
#include <cstdint>

namespace kiln::bench::avx512 {

inline bool hasAvx512() { return __builtin_cpu_supports("avx512f"); }

#define KILN_AVX512 __attribute__((target("avx512f,fma"), always_inline)) inline

/// e^x for 16 floats (relative error ~2 ulp; saturates beyond +-88.37).
KILN_AVX512 __m512 exp(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-88.3762626647949f)),
                    _mm512_set1_ps(88.3762626647949f));
  __m512 n = _mm512_roundscale_ps(
      _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
  p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

/// Runs body(begin, end) over [0, n) in chunks on Kiln's thread pool.
template <typename F> void onPool(int64_t n, int64_t grain, F body) {
  kiln::parallel_for(0, n, grain, body);
}

/// W1: out = relu(a * b + c) * sigmoid(d); n a multiple of 16.
__attribute__((target("avx512f,fma"))) inline void
w1(const float *a, const float *b, const float *c, const float *d, float *out,
   int64_t n) {
  onPool(n / 16, 4096, [&](int64_t lo, int64_t hi) {
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    for (int64_t i = lo * 16; i < hi * 16; i += 16) {
      __m512 x = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i),
                                 _mm512_loadu_ps(c + i));
      __m512 e = exp(_mm512_sub_ps(zero, _mm512_loadu_ps(d + i)));
      __m512 s = _mm512_div_ps(_mm512_max_ps(x, zero), _mm512_add_ps(one, e));
      _mm512_storeu_ps(out + i, s);
    }
  });
}

/// W2: softmax of each row; cols a multiple of 16. Three passes over a row
/// that stays in L1: max, exp and sum (storing exp), scale.
__attribute__((target("avx512f,fma"))) inline void
softmax(const float *x, float *out, int64_t rows, int64_t cols) {
  onPool(rows, 16, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float *in = x + r * cols;
      float *o = out + r * cols;
      __m512 m = _mm512_set1_ps(-INFINITY);
      for (int64_t i = 0; i < cols; i += 16)
        m = _mm512_max_ps(m, _mm512_loadu_ps(in + i));
      __m512 rowMax = _mm512_set1_ps(_mm512_reduce_max_ps(m));
      __m512 sum = _mm512_setzero_ps();
      for (int64_t i = 0; i < cols; i += 16) {
        __m512 e = exp(_mm512_sub_ps(_mm512_loadu_ps(in + i), rowMax));
        _mm512_storeu_ps(o + i, e);
        sum = _mm512_add_ps(sum, e);
      }
      __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
      for (int64_t i = 0; i < cols; i += 16)
        _mm512_storeu_ps(o + i, _mm512_mul_ps(_mm512_loadu_ps(o + i), inv));
    }
  });
}

/// W4: layer normalization of each row (epsilon 1e-5); cols a multiple of
/// 16. Mean and variance from one pass of sums (E[x^2] - E[x]^2), then one
/// normalizing pass.
__attribute__((target("avx512f,fma"))) inline void
layerNorm(const float *x, float *out, int64_t rows, int64_t cols) {
  onPool(rows, 16, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float *in = x + r * cols;
      float *o = out + r * cols;
      __m512 s = _mm512_setzero_ps(), s2 = _mm512_setzero_ps();
      for (int64_t i = 0; i < cols; i += 16) {
        __m512 v = _mm512_loadu_ps(in + i);
        s = _mm512_add_ps(s, v);
        s2 = _mm512_fmadd_ps(v, v, s2);
      }
      float mean = _mm512_reduce_add_ps(s) / float(cols);
      float var = _mm512_reduce_add_ps(s2) / float(cols) - mean * mean;
      __m512 vmean = _mm512_set1_ps(mean);
      __m512 rstd = _mm512_set1_ps(1.0f / __builtin_sqrtf(var + 1e-5f));
      for (int64_t i = 0; i < cols; i += 16)
        _mm512_storeu_ps(
            o + i,
            _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(in + i), vmean), rstd));
    }
  });
}

#undef KILN_AVX512

} // namespace kiln::bench::avx512

#endif // KILN_BENCH_AVX512REFERENCES_H
