//===- CAbi.cpp - The runtime functions compiled code calls ---------------===//

#include "kiln/Runtime/CAbi.h"

#include "Internal.h"
#include "kiln/Runtime/ThreadPool.h"

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

//===----------------------------------------------------------------------===//
// Errors reported by compiled code
//===----------------------------------------------------------------------===//

/// The first error compiled code reported during a call of the thread that
/// owns the slot. Pool tasks of that call write to it concurrently; the owner
/// reads it after the call, once `parallel_for` has joined them.
struct CompiledErrorSlot {
  std::mutex mutex;
  bool failed = false;
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

} // namespace

std::optional<std::string> kiln::detail::takeCompiledError() {
  CompiledErrorSlot &slot = currentSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (!slot.failed)
    return std::nullopt;
  slot.failed = false;
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
  // Chunks report errors to the caller's slot, whichever thread runs them.
  CompiledErrorSlot *slot = &currentSlot();
  parallel_for(0, count, grain, [&](int64_t begin, int64_t end) {
    BorrowedSlotScope scope(slot);
    body(begin, end, context);
  });
}

void kiln_rt_report_index_error(int64_t index, int64_t axis, int64_t size) {
  // No allocation here: compiled code cannot handle an exception.
  CompiledErrorSlot &slot = currentSlot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (slot.failed)
    return;
  slot.failed = true;
  slot.index = index;
  slot.axis = axis;
  slot.size = size;
}
}

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
      {"kiln_rt_parallel_for", reinterpret_cast<void *>(&kiln_rt_parallel_for)},
      {"kiln_rt_report_index_error",
       reinterpret_cast<void *>(&kiln_rt_report_index_error)},
  };
  count = sizeof(symbols) / sizeof(symbols[0]);
  return symbols;
}
