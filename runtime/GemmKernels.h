//===- GemmKernels.h - The GEMM's micro-kernels -----------------*- C++ -*-===//
//
// The register-blocked micro-kernel of the runtime's GEMM (Matmul.cpp) and
// of the convolution's implicit GEMM (ConvGemm.cpp): an MR x NR tile of the
// product accumulated over a packed panel pair. It is compiled three times
// (AVX-512, AVX2+FMA and the baseline ISA) and picked at run time by CPUID,
// so the library itself is built for the portable baseline.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_GEMMKERNELS_H
#define KILN_RUNTIME_GEMMKERNELS_H

#include "Internal.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace kiln::detail {

/// Rows of the micro-kernel's tile, and the depth of a packed panel pair
/// (KC x MR of A and KC x NR of B stay in L1 while the tile accumulates).
constexpr int64_t MR = 6;
constexpr int64_t KC = 256;

/// acc + a * b, wrapping for integers (wrapMul/wrapAdd of Internal.h). The
/// float form is one expression so that it contracts into an FMA.
template <typename T> [[gnu::always_inline]] inline T mulAdd(T acc, T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return wrapAdd(acc, wrapMul(a, b));
  else
    return acc + a * b;
}

/// Stores the tile `acc` to c[0:mr, 0:nr] (adds it when `accumulate`).
template <typename T, int NR, int Rows = MR>
[[gnu::always_inline]] inline void
storeTile(const T (&acc)[Rows][NR], T *__restrict c, int64_t ldc, int64_t mr,
          int64_t nr, bool accumulate) {
  if (mr == Rows && nr == NR) {
    for (int i = 0; i < Rows; ++i)
      for (int j = 0; j < NR; ++j)
        c[i * ldc + j] =
            wrapAdd<T>(accumulate ? c[i * ldc + j] : T(0), acc[i][j]);
    return;
  }
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] =
          wrapAdd<T>(accumulate ? c[i * ldc + j] : T(0), acc[i][j]);
}

/// c[0:mr, 0:nr] (+)= a_panel * b_panel over kc, a tile of MR x NR held in
/// registers. `a` is packed as [kc][MR], `b` as [kc][NR].
template <typename T, int NR>
[[gnu::always_inline]] inline void
microKernel(int64_t kc, const T *__restrict a, const T *__restrict b,
            T *__restrict c, int64_t ldc, int64_t mr, int64_t nr,
            bool accumulate) {
  T acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < MR; ++i) {
      T av = a[k * MR + i];
      for (int j = 0; j < NR; ++j)
        acc[i][j] = mulAdd<T>(acc[i][j], av, b[k * NR + j]);
    }
  storeTile<T, NR>(acc, c, ldc, mr, nr, accumulate);
}

/// The same with A read where it is: row i of the tile at a + i * lda, kc
/// contiguous elements (rows past mr read row mr - 1 again; their sums are
/// not stored). For a matrix A whose rows are contiguous, such as a
/// convolution's weights, this saves packing it: the MR rows are MR streams
/// that the prefetchers follow.
template <typename T, int NR, int Rows = MR>
[[gnu::always_inline]] inline void
microKernelRows(int64_t kc, const T *__restrict a, int64_t lda,
                const T *__restrict b, T *__restrict c, int64_t ldc, int64_t mr,
                int64_t nr, bool accumulate) {
  const T *rows[Rows];
  for (int64_t i = 0; i < Rows; ++i)
    rows[i] = a + std::min<int64_t>(i, mr - 1) * lda;
  T acc[Rows][NR] = {};
  for (int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < Rows; ++i) {
      T av = rows[i][k];
      for (int j = 0; j < NR; ++j)
        acc[i][j] = mulAdd<T>(acc[i][j], av, b[k * NR + j]);
    }
  storeTile<T, NR, Rows>(acc, c, ldc, mr, nr, accumulate);
}

/// Rows of the gather micro-kernel's tile: 7 where NR is two 512-bit
/// vectors (14 accumulators of 32 registers; resnet's and mobilenet's
/// position counts, 7 * 7 * 4^k, are multiples of 7), else MR (16 registers
/// hold no more than 12).
template <typename T, int NR> constexpr int64_t gatherRows() {
  return NR * sizeof(T) == 128 ? 7 : MR;
}

/// The same with A gathered and B's rows ldb apart: element (i, k) of A at
/// a[starts[i] + offsets[k]] (rows past mr repeat row mr - 1), a tile of
/// gatherRows() rows. A convolution's input is read this way through its
/// taps' offsets, with no im2col matrix and no packing: the rows are output
/// positions, whose windows start at a + starts[i], and offsets[k] is where
/// tap k of its channel is from a window's start. The first
/// `prefetchLines` cache lines at `prefetch` are prefetched into L2, one per
/// step of k, so that the caller's stream of B panels from memory is
/// spread over the computation instead of filling the miss queue at once.
template <typename T, int NR>
[[gnu::always_inline]] inline void microKernelGather(
    int64_t kc, const T *__restrict a, const int64_t *__restrict starts,
    const int64_t *__restrict offsets, const T *__restrict b, int64_t ldb,
    T *__restrict c, int64_t ldc, int64_t mr, int64_t nr, bool accumulate,
    const char *prefetch, int64_t prefetchLines) {
  constexpr int Rows = gatherRows<T, NR>();
  const T *rows[Rows];
  for (int64_t i = 0; i < Rows; ++i)
    rows[i] = a + starts[std::min(i, mr - 1)];
  T acc[Rows][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    if (k < prefetchLines)
      __builtin_prefetch(prefetch + k * 64, 0, 2);
    int64_t offset = offsets[k];
    for (int i = 0; i < Rows; ++i) {
      T av = rows[i][offset];
      for (int j = 0; j < NR; ++j)
        acc[i][j] = mulAdd<T>(acc[i][j], av, b[k * ldb + j]);
    }
  }
  for (int64_t line = kc; line < prefetchLines; ++line)
    __builtin_prefetch(prefetch + line * 64, 0, 2);
  storeTile<T, NR, Rows>(acc, c, ldc, mr, nr, accumulate);
}

/// One row of c: c[0:nr] (+)= a · b over kc, a's elements `as` apart and b
/// read where it is, its rows ldb apart, W columns held in registers. For a
/// product of one row of A, where packing B would move all of B to use
/// each element once. Each c[j] is the same chain of multiply-adds over k
/// as a tile's.
template <typename T, int W>
[[gnu::always_inline]] inline void
microKernelVector(int64_t kc, const T *__restrict a, int64_t as,
                  const T *__restrict b, int64_t ldb, T *__restrict c,
                  int64_t nr, bool accumulate) {
  T acc[W] = {};
  if (nr == W) {
    for (int64_t k = 0; k < kc; ++k) {
      T av = a[k * as];
      for (int j = 0; j < W; ++j)
        acc[j] = mulAdd<T>(acc[j], av, b[k * ldb + j]);
    }
  } else {
    for (int64_t k = 0; k < kc; ++k) {
      T av = a[k * as];
      for (int64_t j = 0; j < nr; ++j)
        acc[j] = mulAdd<T>(acc[j], av, b[k * ldb + j]);
    }
  }
  for (int64_t j = 0; j < nr; ++j)
    c[j] = wrapAdd<T>(accumulate ? c[j] : T(0), acc[j]);
}

/// Packs columns [jrBegin, jrEnd) (jrBegin a multiple of NR) of the kc x nc
/// block of B whose element (p, j) is b[p * rs + j * cs] as the
/// micro-kernels read B: panels of NR columns, [kc][NR] each, zero past
/// column nc, panel jr at out + jr * kc.
template <typename T, int NR>
void packPanelsOfB(const T *b, int64_t rs, int64_t cs, int64_t kc, int64_t nc,
                   int64_t jrBegin, int64_t jrEnd, T *out) {
  for (int64_t jr = jrBegin; jr < jrEnd; jr += NR) {
    int64_t nr = std::min<int64_t>(NR, nc - jr);
    T *panel = out + jr * kc;
    for (int64_t p = 0; p < kc; ++p) {
      const T *row = b + p * rs + jr * cs;
      T *dst = panel + p * NR;
      if (cs == 1 && nr == NR) {
        std::memcpy(dst, row, sizeof(T) * NR);
        continue;
      }
      for (int64_t j = 0; j < nr; ++j)
        dst[j] = row[j * cs];
      for (int64_t j = nr; j < NR; ++j)
        dst[j] = T(0);
    }
  }
}

template <typename T>
using MicroFn = void (*)(int64_t, const T *, const T *, T *, int64_t, int64_t,
                         int64_t, bool);
template <typename T>
using MicroRowsFn = void (*)(int64_t, const T *, int64_t, const T *, T *,
                             int64_t, int64_t, int64_t, bool);
template <typename T>
using MicroVectorFn = void (*)(int64_t, const T *, int64_t, const T *, int64_t,
                               T *, int64_t, bool);
template <typename T>
using MicroGatherFn = void (*)(int64_t, const T *, const int64_t *,
                               const int64_t *, const T *, int64_t, T *,
                               int64_t, int64_t, int64_t, bool, const char *,
                               int64_t);

/// The micro-kernels compiled for one ISA.
template <typename T> struct MicroKernels {
  MicroFn<T> packed;
  MicroRowsFn<T> rows;
  MicroGatherFn<T> gather;
  /// microKernelRows on 2 * MR rows of one vector (NR / 2 columns), B as
  /// [kc][NR / 2]: for products of at most NR / 2 columns, which would fill
  /// only part of a full tile.
  MicroRowsFn<T> rowsNarrow;
  /// microKernelVector on 2 * NR columns.
  MicroVectorFn<T> vector;
};

#define KILN_MICRO_KERNELS(name, attributes)                                   \
  template <typename T, int NR>                                                \
  attributes void name(int64_t kc, const T *a, const T *b, T *c, int64_t ldc,  \
                       int64_t mr, int64_t nr, bool accumulate) {              \
    microKernel<T, NR>(kc, a, b, c, ldc, mr, nr, accumulate);                  \
  }                                                                            \
  template <typename T, int NR>                                                \
  attributes void name##Rows(int64_t kc, const T *a, int64_t lda, const T *b,  \
                             T *c, int64_t ldc, int64_t mr, int64_t nr,        \
                             bool accumulate) {                                \
    microKernelRows<T, NR>(kc, a, lda, b, c, ldc, mr, nr, accumulate);         \
  }                                                                            \
  template <typename T, int NR>                                                \
  attributes void name##RowsNarrow(int64_t kc, const T *a, int64_t lda,        \
                                   const T *b, T *c, int64_t ldc, int64_t mr,  \
                                   int64_t nr, bool accumulate) {              \
    microKernelRows<T, NR / 2, 2 * MR>(kc, a, lda, b, c, ldc, mr, nr,          \
                                       accumulate);                            \
  }                                                                            \
  template <typename T, int NR>                                                \
  attributes void name##Vector(int64_t kc, const T *a, int64_t as, const T *b, \
                               int64_t ldb, T *c, int64_t nr,                  \
                               bool accumulate) {                              \
    microKernelVector<T, 2 * NR>(kc, a, as, b, ldb, c, nr, accumulate);        \
  }                                                                            \
  template <typename T, int NR>                                                \
  attributes void name##Gather(                                                \
      int64_t kc, const T *a, const int64_t *starts, const int64_t *offsets,   \
      const T *b, int64_t ldb, T *c, int64_t ldc, int64_t mr, int64_t nr,      \
      bool accumulate, const char *prefetch, int64_t prefetchLines) {          \
    microKernelGather<T, NR>(kc, a, starts, offsets, b, ldb, c, ldc, mr, nr,   \
                             accumulate, prefetch, prefetchLines);             \
  }
KILN_MICRO_KERNELS(microAvx512,
                   __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,"
                                         "fma"))))
KILN_MICRO_KERNELS(microAvx2, __attribute__((target("avx2,fma"))))
KILN_MICRO_KERNELS(microBase, )
#undef KILN_MICRO_KERNELS

/// A thread's packing buffer: 64-byte aligned, so that the micro-kernel's
/// vector loads never straddle cache lines, and kept from one GEMM to the
/// next, so that packing does not fault in fresh pages on every call.
class PackBuffer {
public:
  PackBuffer() = default;
  PackBuffer(const PackBuffer &) = delete;
  PackBuffer &operator=(const PackBuffer &) = delete;
  ~PackBuffer() { std::free(data_); }

  /// At least `bytes` bytes (the previous contents are lost).
  void *get(size_t bytes) {
    if (bytes > size_) {
      std::free(data_);
      size_ = (bytes + 63) / 64 * 64;
      data_ = std::aligned_alloc(64, size_);
      if (!data_) {
        size_ = 0;
        throw std::bad_alloc();
      }
    }
    return data_;
  }

private:
  void *data_ = nullptr;
  size_t size_ = 0;
};

/// Runs `f(kernels, std::integral_constant<int, NR>())` with the
/// micro-kernels for the best ISA of this CPU: NR is two vectors of T.
template <typename T, typename F> void withBestMicroKernels(F &&f) {
  constexpr int vec512 = 2 * 64 / sizeof(T), vec256 = 2 * 32 / sizeof(T),
                vec128 = 2 * 16 / sizeof(T);
  VectorIsa isa = hostVectorIsa();
  if (isa == VectorIsa::Avx512)
    f(MicroKernels<T>{&microAvx512<T, vec512>, &microAvx512Rows<T, vec512>,
                      &microAvx512Gather<T, vec512>,
                      &microAvx512RowsNarrow<T, vec512>,
                      &microAvx512Vector<T, vec512>},
      std::integral_constant<int, vec512>());
  else if (isa == VectorIsa::Avx2)
    f(MicroKernels<T>{&microAvx2<T, vec256>, &microAvx2Rows<T, vec256>,
                      &microAvx2Gather<T, vec256>,
                      &microAvx2RowsNarrow<T, vec256>,
                      &microAvx2Vector<T, vec256>},
      std::integral_constant<int, vec256>());
  else
    f(MicroKernels<T>{&microBase<T, vec128>, &microBaseRows<T, vec128>,
                      &microBaseGather<T, vec128>,
                      &microBaseRowsNarrow<T, vec128>,
                      &microBaseVector<T, vec128>},
      std::integral_constant<int, vec128>());
}

} // namespace kiln::detail

#endif // KILN_RUNTIME_GEMMKERNELS_H
