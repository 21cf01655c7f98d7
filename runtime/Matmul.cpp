//===- Matmul.cpp - numpy.matmul on a cache-blocked GEMM ------------------===//
//
// C = A * B per batch with the Goto/BLIS loop structure: B is packed into
// KC x NR column panels (L2/L3-resident), A into MC x KC row panels of MR
// rows (L2), and an MR x NR register-blocked micro-kernel accumulates a tile
// over KC. The micro-kernel (GemmKernels.h, shared with the convolution's
// implicit GEMM) is compiled three times (AVX-512, AVX2+FMA and the baseline
// ISA) and picked at run time by CPUID, so the library itself is built for
// the portable baseline. Packing reads operands through their strides, so
// transposed and broadcast views need no copy.
//
//===----------------------------------------------------------------------===//

#include "GemmKernels.h"
#include "Internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>

namespace kiln {

using namespace detail;

namespace {

constexpr int64_t MC = 72; // a multiple of MR
constexpr int64_t NC = 3072;
/// On several threads, columns split over the threads when each gets at
/// least this many panels of NR (Gemm::runColumnsPerThread).
constexpr int64_t kMinPanelsPerThread = 4;

/// The packing buffers of the calling thread: B's panel is packed into the
/// caller's (and read by every thread of the GEMM), A's blocks into each
/// worker's own.
thread_local PackBuffer bPackBuffer, aPackBuffer;

/// What runs on rows [begin, end) of a GEMM's result once they are final.
using RowEpilogue = std::function<void(int64_t, int64_t)>;

/// A strided matrix operand: element (i, j) is at p[i * rs + j * cs].
template <typename T> struct MatrixRef {
  const T *p;
  int64_t rs, cs;
  T at(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

/// The blocked GEMM for one batch: c = a * b, or c += a * b when
/// `accumulate`; row i of c starts at c + i * ldc.
template <typename T, int NR> struct Gemm {
  MicroFn<T> micro;
  MicroRowsFn<T> microRows, microRowsNarrow;
  MicroVectorFn<T> microVector;

  /// Computes c, then runs `epilogue` (if any) once on every row of c: on
  /// each block of rows as soon as it is final, while it is still in cache,
  /// when blocks span all columns; else on all rows at the end.
  void run(MatrixRef<T> a, MatrixRef<T> b, T *c, int64_t ldc, int64_t m,
           int64_t n, int64_t k, bool parallel, bool accumulate,
           const RowEpilogue *epilogue = nullptr) const {
    int64_t threads = parallel ? get_num_threads() : 1;
    auto epilogueAtEnd = [&] {
      if (!epilogue || m == 0)
        return;
      // Enough rows per task for 32K elements.
      int64_t grain =
          std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(n, 1));
      if (threads > 1)
        parallel_for(0, m, grain, *epilogue);
      else
        (*epilogue)(0, m);
    };
    if (m == 0 || n == 0) {
      epilogueAtEnd();
      return;
    }
    if (k == 0) {
      if (!accumulate)
        for (int64_t i = 0; i < m; ++i)
          std::fill(c + i * ldc, c + i * ldc + n, T(0));
      epilogueAtEnd();
      return;
    }
    if (n <= NR && a.cs == 1) {
      runOnePanel(a, b, c, ldc, m, n, k, accumulate, threads);
      epilogueAtEnd();
      return;
    }
    if (m == 1 && b.cs == 1) {
      runRowVector(a, b, c, n, k, accumulate, threads);
      epilogueAtEnd();
      return;
    }
    if (threads > 1 && (n + NR - 1) / NR >= kMinPanelsPerThread * threads) {
      runColumnsPerThread(a, b, c, ldc, m, n, k, accumulate, threads);
      epilogueAtEnd();
      return;
    }
    // Packing buffers sized to this problem (a tiny product must not pay
    // for a full cache block).
    int64_t kcMax = std::min(KC, k);
    int64_t ncMax = (std::min(NC, n) + NR - 1) / NR * NR;
    // Rows per block: MC, or fewer so that the blocks share out evenly over
    // the threads (15 blocks on 2 threads would leave one idle for a block).
    int64_t rowsPerBlock = MC;
    if (threads > 1) {
      int64_t evenBlocks =
          ((m + MC - 1) / MC + threads - 1) / threads * threads;
      rowsPerBlock = ((m + evenBlocks - 1) / evenBlocks + MR - 1) / MR * MR;
    }
    int64_t mcMax = (std::min(rowsPerBlock, m) + MR - 1) / MR * MR;
    T *bPack =
        static_cast<T *>(bPackBuffer.get(sizeof(T) * size_t(kcMax * ncMax)));
    bool epilogueInBlocks = false;
    for (int64_t jc = 0; jc < n; jc += NC) {
      int64_t nc = std::min(NC, n - jc);
      int64_t panels = (nc + NR - 1) / NR;
      // Tasks: blocks of MC rows, each split into column ranges when there
      // are too few blocks to keep every thread busy (a short, wide c).
      int64_t blocks = (m + rowsPerBlock - 1) / rowsPerBlock;
      int64_t splits =
          threads == 1 ? 1
                       : std::clamp<int64_t>(
                             (2 * threads + blocks - 1) / blocks, 1, panels);
      int64_t panelsPerSplit = (panels + splits - 1) / splits;
      epilogueInBlocks = epilogue && nc == n && splits == 1;
      for (int64_t pc = 0; pc < k; pc += KC) {
        int64_t kc = std::min(KC, k - pc);
        bool last = pc + kc == k;
        auto pack = [&](int64_t lo, int64_t hi) {
          packB(b, pc, jc, kc, nc, lo * NR, std::min(hi * NR, nc), bPack);
        };
        auto body = [&](int64_t lo, int64_t hi) {
          T *aPack = static_cast<T *>(
              aPackBuffer.get(sizeof(T) * size_t(mcMax * kcMax)));
          int64_t packedBlock = -1;
          for (int64_t task = lo; task < hi; ++task) {
            int64_t blk = task / splits, split = task % splits;
            int64_t ic = blk * rowsPerBlock,
                    mc = std::min(rowsPerBlock, m - ic);
            if (blk != packedBlock) {
              packA(a, ic, pc, mc, kc, aPack);
              packedBlock = blk;
            }
            int64_t jrBegin = split * panelsPerSplit * NR;
            int64_t jrEnd = std::min(nc, jrBegin + panelsPerSplit * NR);
            for (int64_t jr = jrBegin; jr < jrEnd; jr += NR)
              for (int64_t ir = 0; ir < mc; ir += MR)
                micro(kc, aPack + ir * kc, bPack + jr * kc,
                      c + (ic + ir) * ldc + jc + jr, ldc, std::min(MR, mc - ir),
                      std::min<int64_t>(NR, nc - jr), pc > 0 || accumulate);
            if (last && epilogueInBlocks)
              (*epilogue)(ic, ic + mc);
          }
        };
        if (threads > 1) {
          // B's panels are packed by all threads, then read by all.
          parallel_for(0, panels, std::max<int64_t>(1, panels / (4 * threads)),
                       pack);
          parallel_for(0, blocks * splits, 1, body);
        } else {
          pack(0, panels);
          body(0, blocks * splits);
        }
      }
    }
    if (!epilogueInBlocks)
      epilogueAtEnd();
  }

  /// On several threads: thread t computes the t-th range of c's columns
  /// on its own, packing its own panels of B and all of A's blocks. The
  /// threads share nothing they write, and wait for each other once: the
  /// cores of the machine this was measured on share no cache, and with one
  /// B packed by all threads and read by all (the path below) each core
  /// read half of every panel from the other, which slowed the
  /// micro-kernel by a quarter (docs/design.md). A is packed once per
  /// thread instead of once.
  void runColumnsPerThread(MatrixRef<T> a, MatrixRef<T> b, T *c, int64_t ldc,
                           int64_t m, int64_t n, int64_t k, bool accumulate,
                           int64_t threads) const {
    int64_t panels = (n + NR - 1) / NR;
    parallel_for_each_thread(static_cast<int>(threads), [&](int t) {
      int64_t j0 = t * panels / threads * NR;
      int64_t j1 = std::min(n, (t + 1) * panels / threads * NR);
      if (j0 >= j1)
        return;
      int64_t kcMax = std::min(KC, k);
      int64_t ncMax = (std::min(NC, j1 - j0) + NR - 1) / NR * NR;
      int64_t mcMax = (std::min(MC, m) + MR - 1) / MR * MR;
      T *bPack =
          static_cast<T *>(bPackBuffer.get(sizeof(T) * size_t(kcMax * ncMax)));
      T *aPack =
          static_cast<T *>(aPackBuffer.get(sizeof(T) * size_t(mcMax * kcMax)));
      for (int64_t jc = j0; jc < j1; jc += NC) {
        int64_t nc = std::min(NC, j1 - jc);
        for (int64_t pc = 0; pc < k; pc += KC) {
          int64_t kc = std::min(KC, k - pc);
          packB(b, pc, jc, kc, nc, 0, nc, bPack);
          for (int64_t ic = 0; ic < m; ic += MC) {
            int64_t mc = std::min(MC, m - ic);
            packA(a, ic, pc, mc, kc, aPack);
            for (int64_t jr = 0; jr < nc; jr += NR)
              for (int64_t ir = 0; ir < mc; ir += MR)
                micro(kc, aPack + ir * kc, bPack + jr * kc,
                      c + (ic + ir) * ldc + jc + jr, ldc, std::min(MR, mc - ir),
                      std::min<int64_t>(NR, nc - jr), pc > 0 || accumulate);
          }
        }
      }
    });
  }

  /// c with at most NR columns (one panel of B) from an A whose rows are
  /// contiguous: A is read where it is (microRows), not packed. Packing it
  /// cost as much as the product when B has a handful of columns ([256,
  /// 1024] x [1024, 10]: the whole of A moved twice for 10 columns). Each
  /// thread packs all of B, k rows of one panel, and computes a range of
  /// rows. The sums run over the same K blocks in the same order as the
  /// packed path's.
  void runOnePanel(MatrixRef<T> a, MatrixRef<T> b, T *c, int64_t ldc, int64_t m,
                   int64_t n, int64_t k, bool accumulate,
                   int64_t threads) const {
    // At most half a panel of columns: tiles of 2 * MR rows by one vector
    // (microRowsNarrow), as many accumulators as a full tile.
    bool narrow = n <= NR / 2;
    int64_t width = narrow ? NR / 2 : NR, rows = narrow ? 2 * MR : MR;
    MicroRowsFn<T> kernel = narrow ? microRowsNarrow : microRows;
    int64_t groups = (m + rows - 1) / rows;
    int parts = static_cast<int>(std::min(threads, groups));
    if (m * k * NR < (int64_t(1) << 16))
      parts = 1;
    auto part = [&](int t) {
      int64_t i0 = t * groups / parts * rows;
      int64_t i1 = std::min(m, (t + 1) * groups / parts * rows);
      if (i0 >= i1)
        return;
      // B as [k][width], zero past column n.
      T *bPack =
          static_cast<T *>(bPackBuffer.get(sizeof(T) * size_t(k * width)));
      for (int64_t p = 0; p < k; ++p)
        for (int64_t j = 0; j < width; ++j)
          bPack[p * width + j] = j < n ? b.at(p, j) : T(0);
      for (int64_t ir = i0; ir < i1; ir += rows)
        for (int64_t pc = 0; pc < k; pc += KC)
          kernel(std::min(KC, k - pc), a.p + ir * a.rs + pc, a.rs,
                 bPack + pc * width, c + ir * ldc, ldc, std::min(rows, i1 - ir),
                 n, pc > 0 || accumulate);
    };
    if (parts == 1)
      part(0);
    else
      parallel_for_each_thread(parts, part);
  }

  /// c with one row, from a B whose rows are contiguous: B is read where
  /// it is, row by row, 2 * NR columns at a time (microVector), not
  /// packed. Packing moved all of B to use each of its elements once (in
  /// MobileNetV2, [1, 1280] x [1280, 1000]: 5 MB read, written and read
  /// again). Thread t computes the t-th range of columns; the sums run over
  /// the same K blocks in the same order as the packed path's.
  void runRowVector(MatrixRef<T> a, MatrixRef<T> b, T *c, int64_t n, int64_t k,
                    bool accumulate, int64_t threads) const {
    constexpr int64_t W = 2 * NR;
    int64_t chunks = (n + W - 1) / W;
    int parts = static_cast<int>(std::min(threads, chunks));
    if (n * k < (int64_t(1) << 16))
      parts = 1;
    auto part = [&](int t) {
      int64_t j0 = t * chunks / parts * W;
      int64_t j1 = std::min(n, (t + 1) * chunks / parts * W);
      for (int64_t pc = 0; pc < k; pc += KC)
        for (int64_t j = j0; j < j1; j += W)
          microVector(std::min(KC, k - pc), a.p + pc * a.cs, a.cs,
                      b.p + pc * b.rs + j, b.rs, c + j, std::min(W, j1 - j),
                      pc > 0 || accumulate);
    };
    if (parts == 1)
      part(0);
    else
      parallel_for_each_thread(parts, part);
  }

  /// Packs columns [jrBegin, jrEnd) of b[pc:pc+kc, jc:jc+nc] (jrBegin a
  /// multiple of NR) at their place in the packing of all nc columns.
  static void packB(MatrixRef<T> b, int64_t pc, int64_t jc, int64_t kc,
                    int64_t nc, int64_t jrBegin, int64_t jrEnd, T *out) {
    packPanelsOfB<T, NR>(b.p + pc * b.rs + jc * b.cs, b.rs, b.cs, kc, nc,
                         jrBegin, jrEnd, out);
  }

  /// Packs a[ic:ic+mc, pc:pc+kc] as panels of MR rows, [kc][MR] each,
  /// zero-padded.
  static void packA(MatrixRef<T> a, int64_t ic, int64_t pc, int64_t mc,
                    int64_t kc, T *out) {
    for (int64_t ir = 0; ir < mc; ir += MR) {
      int64_t mr = std::min(MR, mc - ir);
      T *panel = out + ir * kc;
      if (mr == MR) {
        // Column by column: the panel is written in order, each of the MR
        // rows read in order.
        const T *rows[MR];
        for (int64_t i = 0; i < MR; ++i)
          rows[i] = a.p + (ic + ir + i) * a.rs + pc * a.cs;
        for (int64_t p = 0; p < kc; ++p)
          for (int64_t i = 0; i < MR; ++i)
            panel[p * MR + i] = rows[i][p * a.cs];
        continue;
      }
      for (int64_t i = 0; i < MR; ++i) {
        if (i >= mr) {
          for (int64_t p = 0; p < kc; ++p)
            panel[p * MR + i] = T(0);
          continue;
        }
        const T *row = a.p + (ic + ir + i) * a.rs + pc * a.cs;
        for (int64_t p = 0; p < kc; ++p)
          panel[p * MR + i] = row[p * a.cs];
      }
    }
  }
};

/// Runs `f(gemm)` with the GEMM for the best ISA of this CPU.
template <typename T, typename F> void withBestGemm(F &&f) {
  withBestMicroKernels<T>([&](const MicroKernels<T> &kernels, auto nr) {
    f(Gemm<T, decltype(nr)::value>{kernels.packed, kernels.rows,
                                   kernels.rowsNarrow, kernels.vector});
  });
}

/// Runs `batches` products of one shape, c = a * b (c += a * b when
/// `accumulate`), on the best GEMM; `operands(i)` gives batch i's operands
/// as {a, b, c, ldc}. Many small products run one per task; few big ones
/// each run in parallel.
template <typename T, typename Operands>
void gemmBatches(int64_t batches, int64_t m, int64_t n, int64_t k,
                 bool accumulate, Operands &&operands) {
  withBestGemm<T>([&](const auto &gemm) {
    auto one = [&](int64_t i, bool parallel) {
      auto [a, b, c, ldc] = operands(i);
      gemm.run(a, b, c, ldc, m, n, k, parallel, accumulate);
    };
    bool inner = batches < 2 * get_num_threads() || m * n * k > (1 << 24);
    if (inner) {
      for (int64_t i = 0; i < batches; ++i)
        one(i, m * n * k > (1 << 15));
      return;
    }
    parallel_for(0, batches, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        one(i, false);
    });
  });
}

template <typename T> struct BatchOperands {
  MatrixRef<T> a, b;
  T *c;
  int64_t ldc;
};

template <typename T>
void batchedGemm(const Tensor &a, const Tensor &b, Tensor &out) {
  // a: batch + (m, k), b: batch + (k, n), both broadcast views; out
  // contiguous batch + (m, n).
  int64_t r = out.rank();
  int64_t m = out.shape()[r - 2], n = out.shape()[r - 1], k = a.shape()[r - 1];
  Shape batchDims(out.shape().begin(), out.shape().end() - 2);
  const T *pa = static_cast<const T *>(a.rawData());
  const T *pb = static_cast<const T *>(b.rawData());
  T *pc = static_cast<T *>(out.rawData());
  auto batchOffset = [&](const Tensor &t, int64_t i) {
    int64_t off = 0;
    for (int64_t d = r - 3; d >= 0; --d) {
      off += (i % batchDims[d]) * t.strides()[d];
      i /= batchDims[d];
    }
    return off;
  };
  gemmBatches<T>(
      numElements(batchDims), m, n, k, /*accumulate=*/false, [&](int64_t i) {
        return BatchOperands<T>{
            {pa + batchOffset(a, i), a.strides()[r - 2], a.strides()[r - 1]},
            {pb + batchOffset(b, i), b.strides()[r - 2], b.strides()[r - 1]},
            pc + i * m * n,
            n};
      });
}

} // namespace

template <typename T>
void detail::gemm(const T *a, int64_t aRowStride, int64_t aColStride,
                  const T *b, int64_t bRowStride, int64_t bColStride, T *c,
                  int64_t ldc, int64_t m, int64_t n, int64_t k, bool accumulate,
                  const std::function<void(int64_t, int64_t)> *epilogue) {
  withBestGemm<T>([&](const auto &g) {
    g.run(MatrixRef<T>{a, aRowStride, aColStride},
          MatrixRef<T>{b, bRowStride, bColStride}, c, ldc, m, n, k,
          /*parallel=*/m * n * k > (1 << 15), accumulate, epilogue);
  });
}
template void
detail::gemm<float>(const float *, int64_t, int64_t, const float *, int64_t,
                    int64_t, float *, int64_t, int64_t, int64_t, int64_t, bool,
                    const std::function<void(int64_t, int64_t)> *);
template void
detail::gemm<double>(const double *, int64_t, int64_t, const double *, int64_t,
                     int64_t, double *, int64_t, int64_t, int64_t, int64_t,
                     bool, const std::function<void(int64_t, int64_t)> *);

template <typename T>
void detail::batchGemm(int64_t batches, const T *a, const int64_t aStrides[3],
                       const T *b, const int64_t bStrides[3], T *c,
                       const int64_t cStrides[2], int64_t m, int64_t n,
                       int64_t k, bool accumulate) {
  gemmBatches<T>(batches, m, n, k, accumulate, [&](int64_t i) {
    return BatchOperands<T>{{a + i * aStrides[0], aStrides[1], aStrides[2]},
                            {b + i * bStrides[0], bStrides[1], bStrides[2]},
                            c + i * cStrides[0],
                            cStrides[1]};
  });
}
template void detail::batchGemm<float>(int64_t, const float *, const int64_t[3],
                                       const float *, const int64_t[3], float *,
                                       const int64_t[2], int64_t, int64_t,
                                       int64_t, bool);
template void detail::batchGemm<double>(int64_t, const double *,
                                        const int64_t[3], const double *,
                                        const int64_t[3], double *,
                                        const int64_t[2], int64_t, int64_t,
                                        int64_t, bool);

Tensor matmul(const Tensor &a, const Tensor &b, SourceLoc loc) {
  trace::CallSite site("matmul", loc);
  checkDefined("matmul", a);
  checkDefined("matmul", b);
  auto shape = matmulShape(a.shape(), b.shape());
  if (!shape)
    failWithDTypes("matmul", shape.error(), {&a, &b});
  DType promoted = promoteTypes(a.dtype(), b.dtype());
  if (trace::Recorder *recorder = trace::recorderFor({&a, &b}))
    return recorder->record({"matmul", {a, b}, {}, *shape, promoted});
  DType compute = isBool(promoted) ? DType::I32 : computeType(promoted);
  Tensor ca = castIfNeeded(a, compute), cb = castIfNeeded(b, compute);
  // numpy: a 1-D lhs is a row vector, a 1-D rhs a column vector.
  if (ca.rank() == 1)
    ca = expand_dims(ca, 0);
  if (cb.rank() == 1)
    cb = expand_dims(cb, 1);
  Shape batchA(ca.shape().begin(), ca.shape().end() - 2);
  Shape batchB(cb.shape().begin(), cb.shape().end() - 2);
  Shape full = *broadcastShapes(batchA, batchB);
  int64_t m = ca.dim(-2), k = ca.dim(-1), n = cb.dim(-1);
  Shape fullA = full, fullB = full, fullOut = full;
  fullA.insert(fullA.end(), {m, k});
  fullB.insert(fullB.end(), {k, n});
  fullOut.insert(fullOut.end(), {m, n});
  Tensor va = broadcast_to(ca, fullA), vb = broadcast_to(cb, fullB);
  Tensor out = Tensor::empty(fullOut, compute);
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>)
      batchedGemm<T>(va, vb, out);
  });
  out = makeView(out, *shape, Tensor::contiguousStrides(*shape), 0);
  if (isBool(promoted))
    return ne(out, 0);
  return promoted == compute ? out : cast(out, promoted);
}

} // namespace kiln
