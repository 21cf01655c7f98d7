//===- CAbi.cpp - The runtime functions compiled code calls ---------------===//

#include "kiln/Runtime/CAbi.h"

#include "Internal.h"
#include "kiln/Runtime/Debug.h"
#include "kiln/Runtime/ThreadPool.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>

using namespace kiln;

namespace {

/// c += a * b (c = a * b unless `accumulate`) for rank-2 descriptors (c with
/// unit column stride).
template <typename T, typename MemRef>
void matmul2d(const MemRef &a, const MemRef &b, MemRef &c,
              bool accumulate = true) {
  int64_t m = c.sizes[0], n = c.sizes[1], k = a.sizes[1];
  detail::gemm<T>(a.aligned + a.offset, a.strides[0], a.strides[1],
                  b.aligned + b.offset, b.strides[0], b.strides[1],
                  c.aligned + c.offset, c.strides[0], m, n, k, accumulate);
}

/// c[i] = a[i] * b[i] (c[i] += ... when `accumulate`) for rank-3
/// descriptors, on the runtime's batched GEMM.
template <typename T, typename MemRef3>
void batchMatmul(const MemRef3 &a, const MemRef3 &b, MemRef3 &c,
                 bool accumulate) {
  int64_t cStrides[2] = {c.strides[0], c.strides[1]};
  detail::batchGemm<T>(c.sizes[0], a.aligned + a.offset, a.strides,
                       b.aligned + b.offset, b.strides, c.aligned + c.offset,
                       cStrides, c.sizes[1], c.sizes[2], a.sizes[2],
                       accumulate);
}

/// The fused attention of rank-4 descriptors (q [b, h, s, d], k [b, h, t,
/// d], v [b, h, t, e], mask [b or 1, h or 1, s or 1, t or 1] when `masked`,
/// out [b, h, s, e] with unit column stride).
template <typename T, typename MemRef4>
void attention(const MemRef4 &q, const MemRef4 &k, const MemRef4 &v,
               const MemRef4 &mask, MemRef4 &out, T scale, bool divide,
               bool masked) {
  const int64_t batches[2] = {out.sizes[0], out.sizes[1]};
  // A mask dimension of size 1 broadcasts: its stride becomes 0.
  int64_t maskStrides[4];
  for (int d = 0; d < 4; ++d)
    maskStrides[d] = mask.sizes[d] == 1 ? 0 : mask.strides[d];
  detail::attention<T>(batches, out.sizes[2], k.sizes[2], q.sizes[3],
                       out.sizes[3], q.aligned + q.offset, q.strides,
                       k.aligned + k.offset, k.strides, v.aligned + v.offset,
                       v.strides, masked ? mask.aligned + mask.offset : nullptr,
                       maskStrides, out.aligned + out.offset, out.strides,
                       scale, divide);
}

//===----------------------------------------------------------------------===//
// Temporary buffers
//===----------------------------------------------------------------------===//

/// What precedes each block kiln_rt_alloc returns: the buffer it lies in
/// and that buffer's size, for kiln_rt_free.
struct BlockHeader {
  void *buffer;
  size_t bytes;
};

void *allocate(uint64_t alignment, uint64_t bytes) {
  // Buffers are 64-byte aligned, so the first `align`-aligned address past
  // the header is at most `align` bytes into the buffer (align a power of
  // two of at least 64).
  size_t align = std::max<size_t>(64, alignment);
  if ((align & (align - 1)) || align > (size_t(1) << 30) ||
      bytes > SIZE_MAX / 2)
    return nullptr;
  size_t total = (align + bytes + 63) / 64 * 64;
  auto *buffer = static_cast<char *>(detail::acquireBuffer(total));
  if (!buffer)
    return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(buffer) + sizeof(BlockHeader);
  char *block = reinterpret_cast<char *>((start + align - 1) / align * align);
  reinterpret_cast<BlockHeader *>(block)[-1] = {buffer, total};
  return block;
}

//===----------------------------------------------------------------------===//
// Errors reported by compiled code
//===----------------------------------------------------------------------===//

/// The first error compiled code reported during a call of the thread that
/// owns the slot. Pool tasks of that call write to it concurrently; the owner
/// reads it after the call, once `parallel_for` has joined them.
struct CompiledErrorSlot {
  std::mutex mutex;
  bool failed = false;
  /// A whole message if not empty (a print handler's error), else a size
  /// error (kiln_rt_report_size_error) if set, else an index error.
  std::string message;
  const char *what = nullptr;
  int64_t index = 0, axis = 0, size = 0;
};

/// Each host thread's own slot, so that concurrent calls from different
/// threads never see each other's errors.
thread_local CompiledErrorSlot ownSlot;
/// While a pool task runs a chunk of another thread's compiled loop, the slot
/// of that thread (kiln_rt_parallel_for sets it); else null.
thread_local CompiledErrorSlot *borrowedSlot = nullptr;

CompiledErrorSlot &currentSlot() {
  return borrowedSlot ? *borrowedSlot : ownSlot;
}

/// Makes `slot` the current one of this thread for the scope, and restores
/// the previous one after (a chunk may run on a thread that is itself
/// waiting in a parallel_for of its own).
class BorrowedSlotScope {
public:
  explicit BorrowedSlotScope(CompiledErrorSlot *slot) : previous(borrowedSlot) {
    borrowedSlot = slot;
  }
  ~BorrowedSlotScope() { borrowedSlot = previous; }
  BorrowedSlotScope(const BorrowedSlotScope &) = delete;
  BorrowedSlotScope &operator=(const BorrowedSlotScope &) = delete;

private:
  CompiledErrorSlot *previous;
};

/// Calls `body`, a function of compiled code. UBSan's -fsanitize=function
/// reads the 8 bytes before a function called through a pointer (the type
/// hash clang puts there); compiled code has none, and when the JIT placed
/// a function at the start of a page that follows an unmapped one, the read
/// faulted. The check is off for this one call.
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void callCompiled(KilnParallelBody body, int64_t begin, int64_t end,
                  void *context) {
  body(begin, end, context);
}

/// c = a * b (c += a * b when `accumulate`), then `body` on the rows of c
/// as they become final (the GEMM's epilogue, detail::gemm). The body
/// reports errors to the caller's slot, whichever thread runs it.
template <typename T, typename MemRef>
void matmulWithEpilogue(const MemRef &a, const MemRef &b, MemRef &c,
                        bool accumulate, KilnParallelBody body, void *context) {
  CompiledErrorSlot *slot = &currentSlot();
  std::function<void(int64_t, int64_t)> epilogue = [&](int64_t begin,
                                                       int64_t end) {
    BorrowedSlotScope scope(slot);
    callCompiled(body, begin, end, context);
  };
  int64_t m = c.sizes[0], n = c.sizes[1], k = a.sizes[1];
  detail::gemm<T>(a.aligned + a.offset, a.strides[0], a.strides[1],
                  b.aligned + b.offset, b.strides[0], b.strides[1],
                  c.aligned + c.offset, c.strides[0], m, n, k, accumulate,
                  &epilogue);
}

} // namespace

std::optional<std::string> kiln::detail::takeCompiledError() {
  CompiledErrorSlot &slot = currentSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (!slot.failed)
    return std::nullopt;
  slot.failed = false;
  if (!slot.message.empty())
    return std::move(slot.message);
  if (slot.what)
    return std::string(slot.what) + ": sizes " + std::to_string(slot.size) +
           " and " + std::to_string(slot.index) +
           " must be equal; dynamic dimensions do not broadcast in compiled "
           "code";
  return "gather: index " + std::to_string(slot.index) +
         " is out of range for axis " + std::to_string(slot.axis) +
         " of size " + std::to_string(slot.size);
}

extern "C" {

void _mlir_ciface_kiln_rt_matmul_f32(KilnMemRefF32x2 *a, KilnMemRefF32x2 *b,
                                     KilnMemRefF32x2 *c) {
  matmul2d<float>(*a, *b, *c);
}

void _mlir_ciface_kiln_rt_matmul_f64(KilnMemRefF64x2 *a, KilnMemRefF64x2 *b,
                                     KilnMemRefF64x2 *c) {
  matmul2d<double>(*a, *b, *c);
}

void _mlir_ciface_kiln_rt_matmul_set_f32(KilnMemRefF32x2 *a, KilnMemRefF32x2 *b,
                                         KilnMemRefF32x2 *c) {
  matmul2d<float>(*a, *b, *c, /*accumulate=*/false);
}

void _mlir_ciface_kiln_rt_matmul_set_f64(KilnMemRefF64x2 *a, KilnMemRefF64x2 *b,
                                         KilnMemRefF64x2 *c) {
  matmul2d<double>(*a, *b, *c, /*accumulate=*/false);
}

void _mlir_ciface_kiln_rt_batch_matmul_f32(KilnMemRefF32x3 *a,
                                           KilnMemRefF32x3 *b,
                                           KilnMemRefF32x3 *c) {
  batchMatmul<float>(*a, *b, *c, /*accumulate=*/true);
}

void _mlir_ciface_kiln_rt_batch_matmul_f64(KilnMemRefF64x3 *a,
                                           KilnMemRefF64x3 *b,
                                           KilnMemRefF64x3 *c) {
  batchMatmul<double>(*a, *b, *c, /*accumulate=*/true);
}

void _mlir_ciface_kiln_rt_batch_matmul_set_f32(KilnMemRefF32x3 *a,
                                               KilnMemRefF32x3 *b,
                                               KilnMemRefF32x3 *c) {
  batchMatmul<float>(*a, *b, *c, /*accumulate=*/false);
}

void _mlir_ciface_kiln_rt_batch_matmul_set_f64(KilnMemRefF64x3 *a,
                                               KilnMemRefF64x3 *b,
                                               KilnMemRefF64x3 *c) {
  batchMatmul<double>(*a, *b, *c, /*accumulate=*/false);
}

void _mlir_ciface_kiln_rt_attention_f32(KilnMemRefF32x4 *q, KilnMemRefF32x4 *k,
                                        KilnMemRefF32x4 *v,
                                        KilnMemRefF32x4 *mask,
                                        KilnMemRefF32x4 *out, float scale,
                                        int32_t divide, int32_t masked) {
  attention<float>(*q, *k, *v, *mask, *out, scale, divide != 0, masked != 0);
}

void _mlir_ciface_kiln_rt_attention_f64(KilnMemRefF64x4 *q, KilnMemRefF64x4 *k,
                                        KilnMemRefF64x4 *v,
                                        KilnMemRefF64x4 *mask,
                                        KilnMemRefF64x4 *out, double scale,
                                        int32_t divide, int32_t masked) {
  attention<double>(*q, *k, *v, *mask, *out, scale, divide != 0, masked != 0);
}

void _mlir_ciface_kiln_rt_matmul_epilogue_f32(KilnMemRefF32x2 *a,
                                              KilnMemRefF32x2 *b,
                                              KilnMemRefF32x2 *c,
                                              KilnParallelBody body,
                                              void *context) {
  matmulWithEpilogue<float>(*a, *b, *c, /*accumulate=*/true, body, context);
}

void _mlir_ciface_kiln_rt_matmul_epilogue_f64(KilnMemRefF64x2 *a,
                                              KilnMemRefF64x2 *b,
                                              KilnMemRefF64x2 *c,
                                              KilnParallelBody body,
                                              void *context) {
  matmulWithEpilogue<double>(*a, *b, *c, /*accumulate=*/true, body, context);
}

void _mlir_ciface_kiln_rt_matmul_set_epilogue_f32(KilnMemRefF32x2 *a,
                                                  KilnMemRefF32x2 *b,
                                                  KilnMemRefF32x2 *c,
                                                  KilnParallelBody body,
                                                  void *context) {
  matmulWithEpilogue<float>(*a, *b, *c, /*accumulate=*/false, body, context);
}

void _mlir_ciface_kiln_rt_matmul_set_epilogue_f64(KilnMemRefF64x2 *a,
                                                  KilnMemRefF64x2 *b,
                                                  KilnMemRefF64x2 *c,
                                                  KilnParallelBody body,
                                                  void *context) {
  matmulWithEpilogue<double>(*a, *b, *c, /*accumulate=*/false, body, context);
}

void *kiln_rt_alloc(uint64_t bytes) { return allocate(64, bytes); }

void *kiln_rt_aligned_alloc(uint64_t alignment, uint64_t bytes) {
  return allocate(alignment, bytes);
}

void kiln_rt_free(void *block) {
  if (!block)
    return;
  BlockHeader header = static_cast<BlockHeader *>(block)[-1];
  detail::releaseBuffer(header.buffer, header.bytes);
}

void kiln_rt_parallel_for(int64_t count, int64_t grain, KilnParallelBody body,
                          void *context) {
  // One chunk: skip the pool (and std::function) altogether.
  if (count <= grain || get_num_threads() <= 1) {
    callCompiled(body, 0, count, context);
    return;
  }
  // Chunks report errors to the caller's slot, whichever thread runs them.
  CompiledErrorSlot *slot = &currentSlot();
  parallel_for(0, count, grain, [&](int64_t begin, int64_t end) {
    BorrowedSlotScope scope(slot);
    callCompiled(body, begin, end, context);
  });
}

void kiln_rt_report_index_error(int64_t index, int64_t axis, int64_t size) {
  // No allocation here: compiled code cannot handle an exception.
  CompiledErrorSlot &slot = currentSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (slot.failed)
    return;
  slot.failed = true;
  slot.what = nullptr;
  slot.index = index;
  slot.axis = axis;
  slot.size = size;
}

void kiln_rt_report_size_error(const char *what, int64_t size, int64_t other) {
  CompiledErrorSlot &slot = currentSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (slot.failed)
    return;
  slot.failed = true;
  slot.what = what;
  slot.size = size;
  slot.index = other;
}
}

namespace {

/// Records the error of a kernel called by compiled code, which must not
/// unwind through it; the host throws it when the call returns.
void reportKernelError(const std::exception &error) {
  CompiledErrorSlot &slot = currentSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (slot.failed)
    return;
  slot.failed = true;
  slot.message = error.what();
}

/// A tensor viewing the memref `descriptor` of rank `rank` (MLIR's unranked
/// memref: {allocated, aligned, offset, sizes[rank], strides[rank]}).
Tensor viewDescriptor(int64_t rank, const void *descriptor, DType dtype) {
  struct Head {
    void *allocated;
    char *aligned;
    int64_t offset;
  };
  const auto *head = static_cast<const Head *>(descriptor);
  const auto *words = reinterpret_cast<const int64_t *>(head + 1);
  Shape sizes(words, words + rank), strides(words + rank, words + 2 * rank);
  return Tensor(std::shared_ptr<void>(head->aligned, [](void *) {}), dtype,
                std::move(sizes), std::move(strides), head->offset);
}

/// Prints a tensor of compiled code; the print handler's error is reported
/// like a kernel's.
void printCompiled(int64_t rank, const void *descriptor, DType dtype,
                   const char *prefix) {
  try {
    kiln::detail::emitPrint(std::string(prefix) + ": " +
                            toString(viewDescriptor(rank, descriptor, dtype)));
  } catch (const std::exception &error) {
    reportKernelError(error);
  }
}

} // namespace

#define KILN_DEFINE_PRINT(suffix, dtype)                                       \
  extern "C" void kiln_rt_print_##suffix(int64_t rank, void *descriptor,       \
                                         const char *prefix) {                 \
    printCompiled(rank, descriptor, dtype, prefix);                            \
  }
KILN_DEFINE_PRINT(bool, DType::Bool)
KILN_DEFINE_PRINT(i32, DType::I32)
KILN_DEFINE_PRINT(i64, DType::I64)
KILN_DEFINE_PRINT(i8, DType::I8)
KILN_DEFINE_PRINT(i16, DType::I16)
KILN_DEFINE_PRINT(ui8, DType::U8)
KILN_DEFINE_PRINT(ui16, DType::U16)
KILN_DEFINE_PRINT(f16, DType::F16)
KILN_DEFINE_PRINT(bf16, DType::BF16)
KILN_DEFINE_PRINT(f32, DType::F32)
KILN_DEFINE_PRINT(f64, DType::F64)
#undef KILN_DEFINE_PRINT

namespace {

void argsortCompiled(DType dtype, int64_t rank, void *input, int64_t outRank,
                     void *out, int64_t axis, bool descending) {
  try {
    Tensor result = viewDescriptor(outRank, out, DType::I64);
    detail::argsortInto(viewDescriptor(rank, input, dtype), axis, descending,
                        result);
  } catch (const std::exception &error) {
    reportKernelError(error);
  }
}

void scatterCompiled(DType dtype, int32_t reduction, int64_t rank, void *input,
                     int64_t indicesRank, void *indices, int64_t updatesRank,
                     void *updates, int64_t outRank, void *out) {
  try {
    Tensor result = viewDescriptor(outRank, out, dtype);
    detail::scatterInto("scatter_nd", viewDescriptor(rank, input, dtype),
                        viewDescriptor(indicesRank, indices, DType::I64),
                        viewDescriptor(updatesRank, updates, dtype),
                        static_cast<ScatterReduction>(reduction), result);
  } catch (const std::exception &error) {
    reportKernelError(error);
  }
}

} // namespace

#define KILN_DEFINE_INDEXING_KERNELS(suffix, dtype)                            \
  extern "C" void kiln_rt_argsort_##suffix(int64_t rank, void *input,          \
                                           int64_t outRank, void *out,         \
                                           int64_t axis, int32_t descending) { \
    argsortCompiled(dtype, rank, input, outRank, out, axis, descending != 0);  \
  }                                                                            \
  extern "C" void kiln_rt_scatter_nd_##suffix(                                 \
      int32_t reduction, int64_t rank, void *input, int64_t indicesRank,       \
      void *indices, int64_t updatesRank, void *updates, int64_t outRank,      \
      void *out) {                                                             \
    scatterCompiled(dtype, reduction, rank, input, indicesRank, indices,       \
                    updatesRank, updates, outRank, out);                       \
  }
KILN_DEFINE_INDEXING_KERNELS(bool, DType::Bool)
KILN_DEFINE_INDEXING_KERNELS(i32, DType::I32)
KILN_DEFINE_INDEXING_KERNELS(i64, DType::I64)
KILN_DEFINE_INDEXING_KERNELS(f16, DType::F16)
KILN_DEFINE_INDEXING_KERNELS(bf16, DType::BF16)
KILN_DEFINE_INDEXING_KERNELS(f32, DType::F32)
KILN_DEFINE_INDEXING_KERNELS(f64, DType::F64)
#undef KILN_DEFINE_INDEXING_KERNELS

namespace {

void convCompiled(DType dtype, int64_t inputRank, void *input,
                  int64_t weightRank, void *weight, int64_t biasRank,
                  void *bias, int64_t outRank, void *out, int64_t paramsRank,
                  void *params, int64_t residualRank, void *residual) {
  try {
    Tensor result = viewDescriptor(outRank, out, dtype);
    Tensor b = viewDescriptor(biasRank, bias, dtype);
    Tensor r = viewDescriptor(residualRank, residual, dtype);
    Tensor p = viewDescriptor(paramsRank, params, DType::I64).contiguous();
    const int64_t *values = p.data<int64_t>();
    size_t k = static_cast<size_t>(inputRank) - 2;
    std::vector<int64_t> strides(values + 1, values + 1 + k),
        padsBegin(values + 1 + k, values + 1 + 2 * k),
        dilations(values + 1 + 2 * k, values + 1 + 3 * k);
    bool relu = values[1 + 4 * k] != 0;
    Tensor w = viewDescriptor(weightRank, weight, dtype);
    Tensor x = viewDescriptor(inputRank, input, dtype);
    if (values[2 + 4 * k] != 0) {
      // Packed weights of one group: M is the result's channel count.
      Shape weightShape = {result.shape()[1], x.shape()[1]};
      weightShape.insert(weightShape.end(), values + 1 + 3 * k,
                         values + 1 + 4 * k);
      detail::convPackedInto(x, w, weightShape, b.size() == 0 ? nullptr : &b,
                             r.size() == 0 ? nullptr : &r, relu, strides,
                             padsBegin, dilations, result);
      return;
    }
    // The weight [M, C/G * K] as [M, C/G, K1..Kk].
    Shape shape = {w.shape()[0], 0}, wStrides = {w.strides()[0], 0};
    int64_t taps = 1;
    for (size_t i = k; i-- > 0;) {
      int64_t size = values[1 + 3 * k + i];
      shape.insert(shape.begin() + 2, size);
      wStrides.insert(wStrides.begin() + 2, taps * w.strides()[1]);
      taps *= size;
    }
    shape[1] = w.shape()[1] / std::max<int64_t>(taps, 1);
    wStrides[1] = taps * w.strides()[1];
    detail::convInto(x, detail::makeView(w, shape, wStrides, w.offset()),
                     b.size() == 0 ? nullptr : &b, r.size() == 0 ? nullptr : &r,
                     relu, strides, padsBegin, dilations, values[0], result);
  } catch (const std::exception &error) {
    reportKernelError(error);
  }
}

} // namespace

#define KILN_DEFINE_CONV_KERNEL(suffix, dtype)                                 \
  extern "C" void kiln_rt_conv_##suffix(                                       \
      int64_t inputRank, void *input, int64_t weightRank, void *weight,        \
      int64_t biasRank, void *bias, int64_t outRank, void *out,                \
      int64_t paramsRank, void *params, int64_t residualRank,                  \
      void *residual) {                                                        \
    convCompiled(dtype, inputRank, input, weightRank, weight, biasRank, bias,  \
                 outRank, out, paramsRank, params, residualRank, residual);    \
  }
KILN_DEFINE_CONV_KERNEL(f32, DType::F32)
KILN_DEFINE_CONV_KERNEL(f64, DType::F64)
#undef KILN_DEFINE_CONV_KERNEL

const RuntimeSymbol *kiln::runtimeSymbols(int64_t &count) {
  static const RuntimeSymbol symbols[] = {
      {"_mlir_ciface_kiln_rt_matmul_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_f32)},
      {"_mlir_ciface_kiln_rt_matmul_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_f64)},
      {"_mlir_ciface_kiln_rt_matmul_set_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_set_f32)},
      {"_mlir_ciface_kiln_rt_matmul_set_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_set_f64)},
      {"_mlir_ciface_kiln_rt_batch_matmul_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_batch_matmul_f32)},
      {"_mlir_ciface_kiln_rt_batch_matmul_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_batch_matmul_f64)},
      {"_mlir_ciface_kiln_rt_batch_matmul_set_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_batch_matmul_set_f32)},
      {"_mlir_ciface_kiln_rt_batch_matmul_set_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_batch_matmul_set_f64)},
      {"_mlir_ciface_kiln_rt_attention_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_attention_f32)},
      {"_mlir_ciface_kiln_rt_attention_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_attention_f64)},
      {"_mlir_ciface_kiln_rt_matmul_epilogue_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_epilogue_f32)},
      {"_mlir_ciface_kiln_rt_matmul_epilogue_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_epilogue_f64)},
      {"_mlir_ciface_kiln_rt_matmul_set_epilogue_f32",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_set_epilogue_f32)},
      {"_mlir_ciface_kiln_rt_matmul_set_epilogue_f64",
       reinterpret_cast<void *>(&_mlir_ciface_kiln_rt_matmul_set_epilogue_f64)},
      {"kiln_rt_alloc", reinterpret_cast<void *>(&kiln_rt_alloc)},
      {"kiln_rt_aligned_alloc",
       reinterpret_cast<void *>(&kiln_rt_aligned_alloc)},
      {"kiln_rt_free", reinterpret_cast<void *>(&kiln_rt_free)},
      {"kiln_rt_parallel_for", reinterpret_cast<void *>(&kiln_rt_parallel_for)},
      {"kiln_rt_report_index_error",
       reinterpret_cast<void *>(&kiln_rt_report_index_error)},
      {"kiln_rt_report_size_error",
       reinterpret_cast<void *>(&kiln_rt_report_size_error)},
      {"kiln_rt_print_bool", reinterpret_cast<void *>(&kiln_rt_print_bool)},
      {"kiln_rt_print_i32", reinterpret_cast<void *>(&kiln_rt_print_i32)},
      {"kiln_rt_print_i64", reinterpret_cast<void *>(&kiln_rt_print_i64)},
      {"kiln_rt_print_i8", reinterpret_cast<void *>(&kiln_rt_print_i8)},
      {"kiln_rt_print_i16", reinterpret_cast<void *>(&kiln_rt_print_i16)},
      {"kiln_rt_print_ui8", reinterpret_cast<void *>(&kiln_rt_print_ui8)},
      {"kiln_rt_print_ui16", reinterpret_cast<void *>(&kiln_rt_print_ui16)},
      {"kiln_rt_print_f16", reinterpret_cast<void *>(&kiln_rt_print_f16)},
      {"kiln_rt_print_bf16", reinterpret_cast<void *>(&kiln_rt_print_bf16)},
      {"kiln_rt_print_f32", reinterpret_cast<void *>(&kiln_rt_print_f32)},
      {"kiln_rt_print_f64", reinterpret_cast<void *>(&kiln_rt_print_f64)},
      {"kiln_rt_argsort_bool", reinterpret_cast<void *>(&kiln_rt_argsort_bool)},
      {"kiln_rt_scatter_nd_bool",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_bool)},
      {"kiln_rt_argsort_i32", reinterpret_cast<void *>(&kiln_rt_argsort_i32)},
      {"kiln_rt_scatter_nd_i32",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_i32)},
      {"kiln_rt_argsort_i64", reinterpret_cast<void *>(&kiln_rt_argsort_i64)},
      {"kiln_rt_scatter_nd_i64",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_i64)},
      {"kiln_rt_argsort_f16", reinterpret_cast<void *>(&kiln_rt_argsort_f16)},
      {"kiln_rt_scatter_nd_f16",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_f16)},
      {"kiln_rt_argsort_bf16", reinterpret_cast<void *>(&kiln_rt_argsort_bf16)},
      {"kiln_rt_scatter_nd_bf16",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_bf16)},
      {"kiln_rt_argsort_f32", reinterpret_cast<void *>(&kiln_rt_argsort_f32)},
      {"kiln_rt_scatter_nd_f32",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_f32)},
      {"kiln_rt_argsort_f64", reinterpret_cast<void *>(&kiln_rt_argsort_f64)},
      {"kiln_rt_scatter_nd_f64",
       reinterpret_cast<void *>(&kiln_rt_scatter_nd_f64)},
      {"kiln_rt_conv_f32", reinterpret_cast<void *>(&kiln_rt_conv_f32)},
      {"kiln_rt_conv_f64", reinterpret_cast<void *>(&kiln_rt_conv_f64)},
  };
  count = sizeof(symbols) / sizeof(symbols[0]);
  return symbols;
}
