//===- CAbi.h - The runtime functions compiled code calls ------*- C++ -*-===//
//
// Compiled graphs call a few runtime kernels through a C ABI rather than
// generating their own code, where the runtime's kernel is the better one:
// the cache-blocked, micro-kernel GEMM runs matmuls several hundred times
// faster than naive loops. Arguments are MLIR memref descriptors passed by
// pointer (MLIR's C interface: `llvm.emit_c_interface` on the declaration),
// so the symbols carry MLIR's `_mlir_ciface_` prefix. Compiled parallel
// loops run on the runtime's thread pool through `kiln_rt_parallel_for`.
//
// Compiled code cannot throw: it reports bad input (a gather index out of
// range) through `kiln_rt_report_*`, goes on with a safe value, and the host
// turns the first report of the call into a `kiln::Error` when the compiled
// function returns (`detail::takeCompiledError`).
//
// The JIT registers these symbols with each compiled module; code compiled
// ahead of time links against the runtime library.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CABI_H
#define KILN_RUNTIME_CABI_H

#include "kiln/Runtime/Tensor.h"

#include <cstdint>
#include <optional>
#include <string>

/// The version of the contract between compiled code and these functions:
/// bumped when a signature or a behaviour compiled code relies on changes.
/// Part of the compile cache's key (kiln/CompileCache.h).
#define KILN_RUNTIME_ABI_VERSION 4

extern "C" {

/// A strided memref descriptor of rank `Rank` (MLIR's layout).
#define KILN_MEMREF(T, Rank)                                                   \
  struct {                                                                     \
    T *allocated;                                                              \
    T *aligned;                                                                \
    int64_t offset;                                                            \
    int64_t sizes[Rank];                                                       \
    int64_t strides[Rank];                                                     \
  }

typedef KILN_MEMREF(float, 2) KilnMemRefF32x2;
typedef KILN_MEMREF(double, 2) KilnMemRefF64x2;
typedef KILN_MEMREF(float, 3) KilnMemRefF32x3;
typedef KILN_MEMREF(double, 3) KilnMemRefF64x3;
typedef KILN_MEMREF(float, 4) KilnMemRefF32x4;
typedef KILN_MEMREF(double, 4) KilnMemRefF64x4;
#undef KILN_MEMREF

/// c += a * b, with the semantics of `linalg.matmul` on buffers: a is m x k,
/// b is k x n, c is m x n with unit column stride (any row stride); a and b
/// may have any strides.
void _mlir_ciface_kiln_rt_matmul_f32(KilnMemRefF32x2 *a, KilnMemRefF32x2 *b,
                                     KilnMemRefF32x2 *c);
void _mlir_ciface_kiln_rt_matmul_f64(KilnMemRefF64x2 *a, KilnMemRefF64x2 *b,
                                     KilnMemRefF64x2 *c);

/// c = a * b: the same, overwriting c (for a matmul whose output was just
/// zero-filled, which saves a pass over c).
void _mlir_ciface_kiln_rt_matmul_set_f32(KilnMemRefF32x2 *a, KilnMemRefF32x2 *b,
                                         KilnMemRefF32x2 *c);
void _mlir_ciface_kiln_rt_matmul_set_f64(KilnMemRefF64x2 *a, KilnMemRefF64x2 *b,
                                         KilnMemRefF64x2 *c);

/// c[i] += a[i] * b[i] for every batch i, as `linalg.batch_matmul` (c with
/// unit column stride; a and b with any strides). Many small products run
/// in parallel over the batch.
void _mlir_ciface_kiln_rt_batch_matmul_f32(KilnMemRefF32x3 *a,
                                           KilnMemRefF32x3 *b,
                                           KilnMemRefF32x3 *c);
void _mlir_ciface_kiln_rt_batch_matmul_f64(KilnMemRefF64x3 *a,
                                           KilnMemRefF64x3 *b,
                                           KilnMemRefF64x3 *c);
/// c[i] = a[i] * b[i]: the same, overwriting c.
void _mlir_ciface_kiln_rt_batch_matmul_set_f32(KilnMemRefF32x3 *a,
                                               KilnMemRefF32x3 *b,
                                               KilnMemRefF32x3 *c);
void _mlir_ciface_kiln_rt_batch_matmul_set_f64(KilnMemRefF64x3 *a,
                                               KilnMemRefF64x3 *b,
                                               KilnMemRefF64x3 *c);

/// out[i, j] = softmax(q[i, j] k[i, j]^T * scale + mask[i, j]) v[i, j] (q
/// k^T / scale when `divide`; no mask unless `masked`) for each batch i and
/// head j: q[i, j] is s x d, k[i, j] t x d, v[i, j] t x e, mask[i, j] s x t
/// (any strides; a mask dimension of size 1 broadcasts), out[i, j] s x e
/// with unit column stride. The fused kernel of a scaled dot-product
/// attention (kiln-to-linalg); the values are eager mode's, bit for bit.
void _mlir_ciface_kiln_rt_attention_f32(KilnMemRefF32x4 *q, KilnMemRefF32x4 *k,
                                        KilnMemRefF32x4 *v,
                                        KilnMemRefF32x4 *mask,
                                        KilnMemRefF32x4 *out, float scale,
                                        int32_t divide, int32_t masked);
void _mlir_ciface_kiln_rt_attention_f64(KilnMemRefF64x4 *q, KilnMemRefF64x4 *k,
                                        KilnMemRefF64x4 *v,
                                        KilnMemRefF64x4 *mask,
                                        KilnMemRefF64x4 *out, double scale,
                                        int32_t divide, int32_t masked);

/// The allocator of compiled code's temporary buffers (`memref.alloc` and
/// `memref.dealloc`, see kiln-allocations-to-runtime): blocks come from the
/// buffer cache that tensors use, so the temporaries of a repeated call
/// reuse the pages of the previous one instead of faulting in fresh ones.
/// A block is aligned to 64 bytes, or to `alignment` if that is larger;
/// null when memory is exhausted or `alignment` is not a power of two of at
/// most 1 GiB.
void *kiln_rt_alloc(uint64_t bytes);
void *kiln_rt_aligned_alloc(uint64_t alignment, uint64_t bytes);
/// Gives back a block of kiln_rt_alloc or kiln_rt_aligned_alloc (or null).
void kiln_rt_free(void *block);

/// The body of a compiled parallel loop: runs iterations [begin, end).
typedef void (*KilnParallelBody)(int64_t begin, int64_t end, void *context);

/// Runs `body` over [0, count) in chunks of at least `grain` iterations on
/// the runtime's thread pool and the calling thread (kiln::parallel_for), and
/// returns when all are done. Compiled `scf.parallel` loops call this
/// (kiln-parallel-to-runtime); the body must not throw.
void kiln_rt_parallel_for(int64_t count, int64_t grain, KilnParallelBody body,
                          void *context);

/// c += a * b (`_set_`: c = a * b) as kiln_rt_matmul_*, then
/// `epilogue(begin, end, context)` once on every row of c, on ranges of rows
/// that are final: while a block of rows is still in cache when the GEMM's
/// blocks span whole rows, else after the product, in parallel. Compiled
/// code passes the loop over c's rows that follows the matmul
/// (kiln-parallel-to-runtime); the epilogue must not throw.
void _mlir_ciface_kiln_rt_matmul_epilogue_f32(KilnMemRefF32x2 *a,
                                              KilnMemRefF32x2 *b,
                                              KilnMemRefF32x2 *c,
                                              KilnParallelBody epilogue,
                                              void *context);
void _mlir_ciface_kiln_rt_matmul_epilogue_f64(KilnMemRefF64x2 *a,
                                              KilnMemRefF64x2 *b,
                                              KilnMemRefF64x2 *c,
                                              KilnParallelBody epilogue,
                                              void *context);
void _mlir_ciface_kiln_rt_matmul_set_epilogue_f32(KilnMemRefF32x2 *a,
                                                  KilnMemRefF32x2 *b,
                                                  KilnMemRefF32x2 *c,
                                                  KilnParallelBody epilogue,
                                                  void *context);
void _mlir_ciface_kiln_rt_matmul_set_epilogue_f64(KilnMemRefF64x2 *a,
                                                  KilnMemRefF64x2 *b,
                                                  KilnMemRefF64x2 *c,
                                                  KilnParallelBody epilogue,
                                                  void *context);

/// Records that a `kiln.gather` index is outside [-size, size) for `axis` of
/// size `size`, unless an error was already recorded for the current call.
/// Safe to call from any thread of a compiled call, including pool tasks
/// started by `kiln_rt_parallel_for`.
void kiln_rt_report_index_error(int64_t index, int64_t axis, int64_t size);

/// Records that sizes `size` and `other`, which must be equal, differ,
/// unless an error was already recorded for the current call. `what`, a
/// constant of the compiled code, says which sizes of which op they are
/// ("'kiln.add' at f.mlir:3:8, dimension 0"). Compiled code checks the
/// dynamic sizes the host cannot check on the arguments (those made by a
/// concat, a slice or a reshape) this way. Safe to call from any thread of
/// a compiled call.
void kiln_rt_report_size_error(const char *what, int64_t size, int64_t other);

/// Prints the tensor of an MLIR unranked memref (`rank`, then a pointer to
/// its ranked descriptor) as `kiln::print` does: `prefix` (a constant of
/// the compiled code: the label and the op's location) and the value go to
/// the print handler as one line. A `kiln.print` op of that element type
/// calls it (kiln-to-linalg). A handler's exception is reported like the
/// errors above; the host throws it when the call returns.
void kiln_rt_print_bool(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_i32(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_i64(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_i8(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_i16(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_ui8(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_ui16(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_f16(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_bf16(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_f32(int64_t rank, void *descriptor, const char *prefix);
void kiln_rt_print_f64(int64_t rank, void *descriptor, const char *prefix);

/// The kernels of `kiln.argsort` and `kiln.scatter_nd` (eager mode's, see
/// kiln/Runtime/Ops.h) on MLIR unranked memrefs (a rank, then a pointer to
/// the ranked descriptor), one function per element type of the input
/// (suffixes as kiln_rt_print's; the 8- and 16-bit integers are sorted and
/// scattered as int32, as eager mode computes them): `out` is a contiguous
/// buffer of the result's shape that the kernel fills (int64 for argsort);
/// scatter's indices are int64 and `reduction` is a kiln::ScatterReduction. An
/// index out of range is reported like the errors above (the host throws eager
/// mode's error when the call returns).
#define KILN_DECLARE_INDEXING_KERNELS(suffix)                                  \
  void kiln_rt_argsort_##suffix(int64_t rank, void *input, int64_t outRank,    \
                                void *out, int64_t axis, int32_t descending);  \
  void kiln_rt_scatter_nd_##suffix(int32_t reduction, int64_t rank,            \
                                   void *input, int64_t indicesRank,           \
                                   void *indices, int64_t updatesRank,         \
                                   void *updates, int64_t outRank, void *out);
KILN_DECLARE_INDEXING_KERNELS(bool)
KILN_DECLARE_INDEXING_KERNELS(i32)
KILN_DECLARE_INDEXING_KERNELS(i64)
KILN_DECLARE_INDEXING_KERNELS(f16)
KILN_DECLARE_INDEXING_KERNELS(bf16)
KILN_DECLARE_INDEXING_KERNELS(f32)
KILN_DECLARE_INDEXING_KERNELS(f64)
#undef KILN_DECLARE_INDEXING_KERNELS

/// The kernel of `kiln.conv` (eager mode's: an implicit GEMM, or the
/// depthwise one) on unranked memrefs of one float type: input [N, C,
/// D1..Dk], weight [M, C/G * K1 * .. * Kk] (the op's weight collapsed) and
/// bias [M] (or [0]: no bias) of any layout; `out` a contiguous buffer of the
/// result's shape that the kernel fills; `params` the int64 values [groups,
/// strides (k), pads_begin (k), dilations (k), kernel (k), relu, packed];
/// `residual` of the result's shape (or [0]: none). The result is relu(conv +
/// bias + residual) when relu is 1, else conv + bias + residual, rounded after
/// each step as the separate ops would be. When packed is 1, `weight` holds
/// the elements of packConvWeights' packing of the weights of a conv of one
/// group instead (in any shape; the lowering passes them 1-D, which LLVM
/// compiles fastest); the result is the same, bit for bit.
#define KILN_DECLARE_CONV_KERNEL(suffix)                                       \
  void kiln_rt_conv_##suffix(                                                  \
      int64_t inputRank, void *input, int64_t weightRank, void *weight,        \
      int64_t biasRank, void *bias, int64_t outRank, void *out,                \
      int64_t paramsRank, void *params, int64_t residualRank, void *residual);
KILN_DECLARE_CONV_KERNEL(f32)
KILN_DECLARE_CONV_KERNEL(f64)
#undef KILN_DECLARE_CONV_KERNEL
}

namespace kiln {

/// The panel width W of kiln_rt_conv_<type>'s packed weights: 128 bytes of
/// the dtype (32 float32 or 16 float64 values, an AVX-512 micro-kernel's
/// columns).
int64_t convPanelWidth(DType dtype);

/// Conv weights [M, C, K1..Kk] (float32 or float64, M a multiple of
/// convPanelWidth) packed as kiln_rt_conv_<type> takes them when params'
/// last value is 1: panels of W output channels, each [C * K, W] with the
/// W channels' weights of one input channel and tap in a row, as one
/// contiguous tensor [M / W * C * K, W]. The lowering packs a constant
/// weight at compile time, so that the kernel reads the weights as the
/// GEMM's B panels without packing them on every call. Throws kiln::Error
/// for other weights.
Tensor packConvWeights(const Tensor &weights);

/// One runtime function compiled code may call.
struct RuntimeSymbol {
  const char *name;
  void *address;
};

/// Every function of this header, for the JIT to register.
const RuntimeSymbol *runtimeSymbols(int64_t &count);

namespace detail {

/// The message of the first error compiled code reported on this thread since
/// the last call (e.g. "gather: index 100 is out of range for axis 0 of size
/// 4"), and clears it; nothing if none was reported. Reports made by pool
/// tasks that `kiln_rt_parallel_for` ran for this thread count as this
/// thread's. Hosts call it after each compiled call returns.
std::optional<std::string> takeCompiledError();

} // namespace detail

} // namespace kiln

#endif // KILN_RUNTIME_CABI_H
