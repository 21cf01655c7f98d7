//===- ConvKernels.h - The convolution's ISA-specific inner loops -*- C++
//-*-===//
//
// The inner loops of runtime/ConvGemm.cpp that are compiled once per ISA
// (AVX-512, AVX2 and the baseline, picked to match the GEMM's micro-kernel):
// packing a panel of the implicit im2col matrix, the depthwise
// convolution's lines of taps, and the transposing epilogue of a
// packed-weights tile. Included by ConvGemm.cpp only.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CONVKERNELS_H
#define KILN_RUNTIME_CONVKERNELS_H

#include "GemmKernels.h"
#include "Transpose.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace kiln::detail::conv {

/// A run of a panel's columns whose window origins are `step` apart: `count`
/// columns from column `at` of the panel, the first at input offset `offset`.
struct Run {
  int64_t at, count, offset;
};

/// Packs one panel of col: row p of the panel ([kc][NR]) holds, for each
/// run, `count` elements `step` apart from base + rowOffset[p] + offset, and
/// zeros past column nr. A run of a whole panel (a line of the output at
/// least NR long, stride 1) is one fixed-size copy: NR / 2 vectors' worth.
template <typename T, int NR>
[[gnu::always_inline]] inline void
packPanel(const T *__restrict base, const int64_t *rowOffset, int64_t kc,
          const Run *runs, int64_t count, int64_t step, int64_t nr,
          T *__restrict panel) {
  if (count == 1 && runs[0].count == NR && step == 1) {
    for (int64_t p = 0; p < kc; ++p)
      std::memcpy(panel + p * NR, base + rowOffset[p] + runs[0].offset,
                  sizeof(T) * NR);
    return;
  }
  for (int64_t p = 0; p < kc; ++p) {
    const T *row = base + rowOffset[p];
    T *dst = panel + p * NR;
    for (int64_t q = 0; q < count; ++q) {
      const T *src = row + runs[q].offset;
      T *to = dst + runs[q].at;
      if (step == 1)
        for (int64_t j = 0; j < runs[q].count; ++j)
          to[j] = src[j];
      else
        for (int64_t j = 0; j < runs[q].count; ++j)
          to[j] = src[j * step];
    }
    for (int64_t j = nr; j < NR; ++j)
      dst[j] = T(0);
  }
}

template <typename T>
using PackPanelFn = void (*)(const T *, const int64_t *, int64_t, const Run *,
                             int64_t, int64_t, int64_t, T *);

/// packPanel and tapLines are compiled for each ISA, as the micro-kernels
/// are (the library's baseline ISA copies 16 bytes at a time); the ImplicitGemm
/// of a micro-kernel's NR (two vectors of T) picks that ISA's with
/// isaVariant.
#define KILN_PACK_PANEL(name, attributes)                                      \
  template <typename T, int NR>                                                \
  attributes void name(const T *base, const int64_t *rowOffset, int64_t kc,    \
                       const Run *runs, int64_t count, int64_t step,           \
                       int64_t nr, T *panel) {                                 \
    packPanel<T, NR>(base, rowOffset, kc, runs, count, step, nr, panel);       \
  }
KILN_PACK_PANEL(packPanelAvx512,
                __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))))
KILN_PACK_PANEL(packPanelAvx2, __attribute__((target("avx2"))))
KILN_PACK_PANEL(packPanelBase, )
#undef KILN_PACK_PANEL

/// Of a function's AVX-512, AVX2 and baseline variants, the one for the ISA
/// whose micro-kernel has NR columns of T.
template <typename T, int NR, typename F>
F isaVariant(F avx512, F avx2, F base) {
  if constexpr (NR * sizeof(T) == 128)
    return avx512;
  else if constexpr (NR * sizeof(T) == 64)
    return avx2;
  else
    return base;
}

/// Lines of a depthwise convolution's output accumulated over taps per
/// block of kTapBlock outputs in registers, kTapRows lines at a time so that
/// their sums (independent chains) hide the FMA's latency.
constexpr int64_t kTapBlock = 16, kTapRows = 4;

/// Block [j, j + n) of `Rows` lines: acc[r][j + q] += w[t] * src[r][
/// offsets[t] + (j + q) * step] for every tap t in order. Each block is
/// computed whole (lanes past n read up to kTapBlock - 1 windows past the
/// line's last, which the caller guarantees are readable) and its first n
/// lanes stored.
template <typename T, int Rows, int Step>
[[gnu::always_inline]] inline void
tapBlock(T *const *acc, const T *const *src, const int64_t *__restrict offsets,
         const T *__restrict w, int64_t taps, int64_t j, int64_t n,
         int64_t step) {
  // A block as one vector of the compiler's (the vectorizers left the
  // scalar form scalar), split into the ISA's registers.
  using Block = T __attribute__((vector_size(kTapBlock * sizeof(T))));
  Block a[Rows];
  for (int r = 0; r < Rows; ++r) {
    a[r] = Block{};
    if (n == kTapBlock)
      std::memcpy(&a[r], acc[r] + j, sizeof(Block));
    else
      for (int64_t q = 0; q < n; ++q)
        a[r][q] = acc[r][j + q];
  }
  const T *lines[Rows];
  for (int r = 0; r < Rows; ++r)
    lines[r] = src[r] + j * step;
  for (int64_t t = 0; t < taps; ++t) {
    T weight = w[t];
    int64_t offset = offsets[t];
    for (int r = 0; r < Rows; ++r) {
      const T *from = lines[r] + offset;
      Block x;
      if constexpr (Step == 1) {
        std::memcpy(&x, from, sizeof(Block));
      } else if constexpr (Step == 2) {
        // The even elements of two blocks (one permutation with AVX-512).
        Block x0, x1 = Block{};
        std::memcpy(&x0, from, sizeof(Block));
        std::memcpy(&x1, from + kTapBlock, sizeof(Block) - sizeof(T));
        x = __builtin_shufflevector(x0, x1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                    20, 22, 24, 26, 28, 30);
      } else {
        for (int64_t q = 0; q < kTapBlock; ++q)
          x[q] = from[q * step];
      }
      a[r] += weight * x;
    }
  }
  for (int r = 0; r < Rows; ++r) {
    if (n == kTapBlock)
      std::memcpy(acc[r] + j, &a[r], sizeof(Block));
    else
      for (int64_t q = 0; q < n; ++q)
        acc[r][j + q] = a[r][q];
  }
}

template <typename T, int Rows>
[[gnu::always_inline]] inline void
tapBlocks(T *const *acc, const T *const *src, const int64_t *__restrict offsets,
          const T *__restrict w, int64_t taps, int64_t j, int64_t n,
          int64_t step) {
  if (step == 1)
    tapBlock<T, Rows, 1>(acc, src, offsets, w, taps, j, n, step);
  else if (step == 2)
    tapBlock<T, Rows, 2>(acc, src, offsets, w, taps, j, n, step);
  else
    tapBlock<T, Rows, 0>(acc, src, offsets, w, taps, j, n, step);
}

/// Up to kTapRows lines of a depthwise convolution's output: acc[r][j] +=
/// w[t] * src[r][offsets[t] + j * step] for every tap t in order, for j <
/// count. With `overRead`, a last block shorter than kTapBlock is computed
/// whole too (reading up to (kTapBlock - 1) * step elements past a line's
/// last window); else its outputs are summed one at a time. Each output's
/// sum is the same either way.
template <typename T>
[[gnu::always_inline]] inline void
tapLines(T *const *acc, const T *const *src, int64_t rows,
         const int64_t *__restrict offsets, const T *__restrict w, int64_t taps,
         int64_t count, int64_t step, bool overRead) {
  int64_t whole = overRead ? count : count / kTapBlock * kTapBlock;
  for (int64_t j = 0; j < whole; j += kTapBlock) {
    int64_t n = std::min(kTapBlock, count - j);
    switch (rows) {
    case 4:
      tapBlocks<T, 4>(acc, src, offsets, w, taps, j, n, step);
      break;
    case 3:
      tapBlocks<T, 3>(acc, src, offsets, w, taps, j, n, step);
      break;
    case 2:
      tapBlocks<T, 2>(acc, src, offsets, w, taps, j, n, step);
      break;
    default:
      for (int64_t r = 0; r < rows; ++r)
        tapBlocks<T, 1>(acc + r, src + r, offsets, w, taps, j, n, step);
    }
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = whole; j < count; ++j) {
      T a = acc[r][j];
      for (int64_t t = 0; t < taps; ++t)
        a += w[t] * src[r][offsets[t] + j * step];
      acc[r][j] = a;
    }
}

template <typename T>
using TapLinesFn = void (*)(T *const *, const T *const *, int64_t,
                            const int64_t *, const T *, int64_t, int64_t,
                            int64_t, bool);

#define KILN_TAP_LINES(name, attributes)                                       \
  template <typename T>                                                        \
  attributes void name(T *const *acc, const T *const *src, int64_t rows,       \
                       const int64_t *offsets, const T *w, int64_t taps,       \
                       int64_t count, int64_t step, bool overRead) {           \
    tapLines<T>(acc, src, rows, offsets, w, taps, count, step, overRead);      \
  }
KILN_TAP_LINES(tapLinesAvx512,
               __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,"
                                     "fma"))))
KILN_TAP_LINES(tapLinesAvx2, __attribute__((target("avx2,fma"))))
KILN_TAP_LINES(tapLinesBase, )
#undef KILN_TAP_LINES

/// The epilogue of a packed-weights tile for one cache line's worth of
/// channels (L = 64 bytes / sizeof(T)): the tile's sums are [positions]
/// rows of channels, `ld` apart, and the result holds a line of positions
/// per channel, `stride` apart. For position p < count and channel c < L:
///
///   out[c * stride + p] = relu?(sums[p * ld + c] + bias[c] + residual[c *
///   stride + p])
///
/// (no bias or residual when null), rounded after each step as the
/// separate ops are; relu as eager mode's (v <= 0 gives +0, NaN stays).
template <typename T>
using TransposeOutFn = void (*)(const T *, int64_t, int64_t, const T *,
                                const T *, bool, T *, int64_t);

template <typename T>
[[gnu::always_inline]] inline void
transposeOutTail(const T *sums, int64_t ld, int64_t from, int64_t count,
                 const T *bias, const T *residual, bool relu, T *out,
                 int64_t stride) {
  constexpr int64_t lanes = 64 / sizeof(T);
  for (int64_t p = from; p < count; ++p)
    for (int64_t c = 0; c < lanes; ++c) {
      T v = sums[p * ld + c];
      if (bias)
        v += bias[c];
      if (residual)
        v += residual[c * stride + p];
      out[c * stride + p] = relu && v <= T(0) ? T(0) : v;
    }
}

template <typename T>
void transposeOutBase(const T *sums, int64_t ld, int64_t count, const T *bias,
                      const T *residual, bool relu, T *out, int64_t stride) {
  transposeOutTail(sums, ld, 0, count, bias, residual, relu, out, stride);
}

/// The same in blocks of L positions by L channels, transposed in AVX-512
/// registers (16 x 16 floats or 8 x 8 doubles; Transpose.h).
template <typename T>
__attribute__((target("avx512f"))) void
transposeOutAvx512(const T *sums, int64_t ld, int64_t count, const T *bias,
                   const T *residual, bool relu, T *out, int64_t stride) {
  constexpr int64_t lanes = 64 / sizeof(T);
  int64_t p = 0;
  for (; p + lanes <= count; p += lanes) {
    if constexpr (std::is_same_v<T, float>) {
      __m512 r[16];
      for (int i = 0; i < 16; ++i)
        r[i] = _mm512_loadu_ps(sums + (p + i) * ld);
      transposeInRegisters(r);
      for (int c = 0; c < 16; ++c) {
        __m512 v = r[c];
        if (bias)
          v = _mm512_add_ps(v, _mm512_set1_ps(bias[c]));
        if (residual)
          v = _mm512_add_ps(v, _mm512_loadu_ps(residual + c * stride + p));
        if (relu)
          v = _mm512_mask_mov_ps(
              v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LE_OQ),
              _mm512_setzero_ps());
        _mm512_storeu_ps(out + c * stride + p, v);
      }
    } else {
      __m512d r[8];
      for (int i = 0; i < 8; ++i)
        r[i] = _mm512_loadu_pd(sums + (p + i) * ld);
      transposeInRegisters(r);
      for (int c = 0; c < 8; ++c) {
        __m512d v = r[c];
        if (bias)
          v = _mm512_add_pd(v, _mm512_set1_pd(bias[c]));
        if (residual)
          v = _mm512_add_pd(v, _mm512_loadu_pd(residual + c * stride + p));
        if (relu)
          v = _mm512_mask_mov_pd(
              v, _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_LE_OQ),
              _mm512_setzero_pd());
        _mm512_storeu_pd(out + c * stride + p, v);
      }
    }
  }
  transposeOutTail(sums, ld, p, count, bias, residual, relu, out, stride);
}

} // namespace kiln::detail::conv

#endif // KILN_RUNTIME_CONVKERNELS_H
