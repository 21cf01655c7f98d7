//===- Transpose.h - Square blocks transposed in AVX-512 registers -*- C++ -*-//
//
// A block of 16 x 16 floats or 8 x 8 doubles (one 512-bit vector per row)
// transposed in registers: the convolution's transposing epilogue
// (ConvKernels.h) and the attention kernel's packing of the keys as kᵀ
// (NN.cpp). Callers are functions compiled for AVX-512
// (__attribute__((target("avx512f")))), picked at run time by CPUID.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_TRANSPOSE_H
#define KILN_RUNTIME_TRANSPOSE_H

#include <immintrin.h>

namespace kiln::detail {

/// r[i] holds row i of a 16 x 16 block of floats; afterwards r[c] holds
/// column c.
__attribute__((target("avx512f"), always_inline)) inline void
transposeInRegisters(__m512 (&r)[16]) {
  __m512 t[16];
  // Pairs of rows interleaved, then pairs of pairs: r[4k + j] has, in
  // 128-bit lane l, column 4l + j of rows 4k..4k+3.
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int k = 0; k < 16; k += 4) {
    __m512d a = _mm512_castps_pd(t[k]), b = _mm512_castps_pd(t[k + 1]),
            c = _mm512_castps_pd(t[k + 2]), d = _mm512_castps_pd(t[k + 3]);
    r[k] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[k + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[k + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[k + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  // The lanes l of the four row groups gathered: column 4l + j.
  for (int j = 0; j < 4; ++j) {
    __m512 v0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88),
           v1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xdd),
           w0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88),
           w1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xdd);
    t[j] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    t[4 + j] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    t[8 + j] = _mm512_shuffle_f32x4(v0, w0, 0xdd);
    t[12 + j] = _mm512_shuffle_f32x4(v1, w1, 0xdd);
  }
  for (int c = 0; c < 16; ++c)
    r[c] = t[c];
}

/// r[i] holds row i of an 8 x 8 block of doubles; afterwards r[c] holds
/// column c.
__attribute__((target("avx512f"), always_inline)) inline void
transposeInRegisters(__m512d (&r)[8]) {
  __m512d t[8];
  // t[2k + j] has, in 128-bit lane l, column 2l + j of rows 2k, 2k+1.
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
  }
  for (int j = 0; j < 2; ++j) {
    __m512d v0 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0x88),
            v1 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0xdd),
            w0 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0x88),
            w1 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0xdd);
    r[j] = _mm512_shuffle_f64x2(v0, w0, 0x88);
    r[2 + j] = _mm512_shuffle_f64x2(v1, w1, 0x88);
    r[4 + j] = _mm512_shuffle_f64x2(v0, w0, 0xdd);
    r[6 + j] = _mm512_shuffle_f64x2(v1, w1, 0xdd);
  }
}

} // namespace kiln::detail

#endif // KILN_RUNTIME_TRANSPOSE_H
