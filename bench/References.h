//===- References.h - Hand-written loops the benchmarks compare with -*- C++
//-*-===//
//
// Plain single-threaded C++ for docs/design.md's workloads W1-W4, shared by the
// eager and traced benchmarks so both compare against the same code, built
// with the same flags (-O3 -march=native).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_REFERENCES_H
#define KILN_BENCH_REFERENCES_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace kiln::bench {

/// W1: out = relu(a * b + c) * sigmoid(d).
inline void referenceW1(const float *a, const float *b, const float *c,
                        const float *d, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float x = a[i] * b[i] + c[i];
    float r = x > 0.0f ? x : 0.0f;
    out[i] = r / (1.0f + std::exp(-d[i]));
  }
}

/// W2: softmax of each row (max subtracted first).
inline void referenceSoftmax(const float *x, float *out, int64_t rows,
                             int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *in = x + r * cols;
    float *o = out + r * cols;
    float m = in[0];
    for (int64_t i = 1; i < cols; ++i)
      m = std::max(m, in[i]);
    float sum = 0.0f;
    for (int64_t i = 0; i < cols; ++i)
      sum += (o[i] = std::exp(in[i] - m));
    float inv = 1.0f / sum;
    for (int64_t i = 0; i < cols; ++i)
      o[i] *= inv;
  }
}

/// W3: c = a * b for n x n row-major matrices, the textbook i-k-j loop (the
/// unit-stride inner loop vectorizes).
inline void referenceMatmul(const float *a, const float *b, float *c,
                            int64_t n) {
  std::fill(c, c + n * n, 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k) {
      float aik = a[i * n + k];
      for (int64_t j = 0; j < n; ++j)
        c[i * n + j] += aik * b[k * n + j];
    }
}

/// W4: layer normalization of each row (epsilon 1e-5), then `* scale` and
/// `+ bias` when they are given.
inline void referenceLayerNorm(const float *x, float *out, int64_t rows,
                               int64_t cols, const float *scale = nullptr,
                               const float *bias = nullptr) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *in = x + r * cols;
    float *o = out + r * cols;
    float mean = 0.0f;
    for (int64_t i = 0; i < cols; ++i)
      mean += in[i];
    mean /= cols;
    float var = 0.0f;
    for (int64_t i = 0; i < cols; ++i)
      var += (in[i] - mean) * (in[i] - mean);
    float rstd = 1.0f / std::sqrt(var / cols + 1e-5f);
    for (int64_t i = 0; i < cols; ++i) {
      float v = (in[i] - mean) * rstd;
      o[i] = scale ? v * scale[i] + (bias ? bias[i] : 0.0f)
                   : v + (bias ? bias[i] : 0.0f);
    }
  }
}

} // namespace kiln::bench

#endif // KILN_BENCH_REFERENCES_H
