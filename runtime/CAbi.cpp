//===- CAbi.cpp - The runtime functions compiled code calls ---------------===//

#include "kiln/Runtime/CAbi.h"

#include "Internal.h"
#include "kiln/Runtime/ThreadPool.h"

using namespace kiln;

namespace {

/// c += a * b for rank-2 descriptors (c with unit column stride).
template <typename T, typename MemRef>
void matmul2d(const MemRef &a, const MemRef &b, MemRef &c) {
  int64_t m = c.sizes[0], n = c.sizes[1], k = a.sizes[1];
  detail::gemm<T>(a.aligned + a.offset, a.strides[0], a.strides[1],
                  b.aligned + b.offset, b.strides[0], b.strides[1],
                  c.aligned + c.offset, c.strides[0], m, n, k,
                  /*accumulate=*/true);
}

template <typename T, typename MemRef2, typename MemRef3>
void batchMatmul(MemRef3 *a, MemRef3 *b, MemRef3 *c) {
  for (int64_t i = 0; i < c->sizes[0]; ++i) {
    auto slice = [i](const MemRef3 &m) {
      MemRef2 s;
      s.allocated = m.allocated;
      s.aligned = m.aligned;
      s.offset = m.offset + i * m.strides[0];
      s.sizes[0] = m.sizes[1];
      s.sizes[1] = m.sizes[2];
      s.strides[0] = m.strides[1];
      s.strides[1] = m.strides[2];
      return s;
    };
    MemRef2 sa = slice(*a), sb = slice(*b), sc = slice(*c);
    matmul2d<T>(sa, sb, sc);
  }
}

} // namespace

extern "C" {

void _mlir_ciface_kiln_rt_matmul_f32(KilnMemRefF32x2 *a, KilnMemRefF32x2 *b,
                                     KilnMemRefF32x2 *c) {
  matmul2d<float>(*a, *b, *c);
}

void _mlir_ciface_kiln_rt_matmul_f64(KilnMemRefF64x2 *a, KilnMemRefF64x2 *b,
                                     KilnMemRefF64x2 *c) {
  matmul2d<double>(*a, *b, *c);
}

void _mlir_ciface_kiln_rt_batch_matmul_f32(KilnMemRefF32x3 *a,
                                           KilnMemRefF32x3 *b,
                                           KilnMemRefF32x3 *c) {
  batchMatmul<float, KilnMemRefF32x2>(a, b, c);
}

void _mlir_ciface_kiln_rt_batch_matmul_f64(KilnMemRefF64x3 *a,
                                           KilnMemRefF64x3 *b,
                                           KilnMemRefF64x3 *c) {
  batchMatmul<double, KilnMemRefF64x2>(a, b, c);
}

void kiln_rt_parallel_for(int64_t count, int64_t grain, KilnParallelBody body,
                          void *context) {
  // One chunk: skip the pool (and std::function) altogether.
  if (count <= grain || get_num_threads() <= 1) {
    body(0, count, context);
    return;
  }
  parallel_for(0, count, grain,
               [&](int64_t begin, int64_t end) { body(begin, end, context); });
}
}

const RuntimeSymbol *kiln::runtimeSymbols(int64_t &count) {
  static const RuntimeSymbol symbols[] = {
      {"_mlir_ciface_kiln_rt_matmul_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_f32)},
      {"_mlir_ciface_kiln_rt_matmul_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_f64)},
      {"_mlir_ciface_kiln_rt_batch_matmul_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_batch_matmul_f32)},
      {"_mlir_ciface_kiln_rt_batch_matmul_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_batch_matmul_f64)},
      {"kiln_rt_parallel_for", reinterpret_cast<void *>(&kiln_rt_parallel_for)},
  };
  count = sizeof(symbols) / sizeof(symbols[0]);
  return symbols;
}
