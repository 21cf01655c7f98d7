//===- Tensor.cpp - Kiln's eager tensor and its factories -----------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <new>

#include <sys/mman.h>

namespace kiln {

using namespace detail;

//===----------------------------------------------------------------------===//
// Scalar
//===----------------------------------------------------------------------===//

DType Scalar::defaultDType() const {
  switch (kind_) {
  case Kind::Bool:
    return DType::Bool;
  case Kind::Integer:
    return DType::I32;
  case Kind::Floating:
    break;
  }
  return DType::F32;
}

DType Scalar::resultDTypeWith(DType t) const {
  auto kindOf = [](DType d) {
    return isBool(d)      ? Kind::Bool
           : isInteger(d) ? Kind::Integer
                          : Kind::Floating;
  };
  if (kindOf(t) >= kind_)
    return t;
  return promoteTypes(t, defaultDType());
}

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

namespace {
/// Recycles small blocks (up to 4 KiB) per thread: a loop of compiled code
/// allocates and frees its small temporaries once per iteration, and
/// aligned_alloc's slow path (alignment above malloc's) made that cost vary
/// from 80 to 400 ns an iteration with the state of the heap. Each thread
/// keeps up to kPerSize freed blocks of each multiple of 64 bytes; a block
/// may be freed on another thread than the one that allocated it.
class SmallBlocks {
public:
  static constexpr size_t kMaxBytes = 4096;
  static constexpr size_t kPerSize = 64;

  /// This thread's cache; null once the thread is exiting (its blocks are
  /// freed then, and later requests go to the heap).
  static SmallBlocks *ofThisThread() {
    if (done)
      return nullptr;
    if (!blocks) {
      (void)owner; // constructs it, so that its destructor runs at exit
      blocks = new SmallBlocks;
    }
    return blocks;
  }

  void *get(size_t bytes) {
    std::vector<void *> &list = free_[sizeClass(bytes)];
    if (!list.empty()) {
      void *p = list.back();
      list.pop_back();
      return p;
    }
    return std::aligned_alloc(64, (sizeClass(bytes) + 1) * 64);
  }

  void put(void *p, size_t bytes) {
    std::vector<void *> &list = free_[sizeClass(bytes)];
    if (list.size() < kPerSize)
      list.push_back(p);
    else
      std::free(p);
  }

private:
  /// 0 for 1..64 bytes, 1 for 65..128, ...; a zero-byte request takes class 0.
  static size_t sizeClass(size_t bytes) {
    return bytes == 0 ? 0 : (bytes - 1) / 64;
  }

  struct Owner {
    ~Owner() {
      if (blocks)
        for (std::vector<void *> &list : blocks->free_)
          for (void *p : list)
            std::free(p);
      delete blocks;
      blocks = nullptr;
      done = true;
    }
  };

  std::vector<void *> free_[kMaxBytes / 64];
  // Plain thread-locals: still readable after Owner's destructor has run.
  static thread_local SmallBlocks *blocks;
  static thread_local bool done;
  static thread_local Owner owner;
};

thread_local SmallBlocks *SmallBlocks::blocks = nullptr;
thread_local bool SmallBlocks::done = false;
thread_local SmallBlocks::Owner SmallBlocks::owner;

/// Recycles large buffers: a fresh multi-megabyte buffer costs page faults
/// that can exceed the computation on it, and eager programs and compiled
/// code (its temporaries, kiln_rt_alloc) allocate the same sizes over and
/// over. Freed buffers of at least kMinBytes are kept, up
/// to kMaxBytes in total, and handed out again for the same size. A fresh
/// buffer of kHugeBytes or more asks for transparent huge pages, so that
/// touching it first costs one fault per 2 MiB instead of one per 4 KiB.
///
/// kMaxBytes holds the working set of an eager expression on large tensors
/// (W1, relu(a * b + c) * sigmoid(d) on 64 MiB operands, has five 64 MiB
/// temporaries alive at once); release_cached_memory() gives it all back.
class BufferCache {
public:
  static constexpr size_t kMinBytes = size_t(1) << 20;
  static constexpr size_t kMaxBytes = size_t(1) << 30;
  static constexpr size_t kHugeBytes = size_t(4) << 20;

  void *get(size_t bytes) {
    if (bytes <= SmallBlocks::kMaxBytes)
      if (SmallBlocks *small = SmallBlocks::ofThisThread())
        return small->get(bytes);
    if (bytes >= kMinBytes) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end()) {
        void *p = it->second;
        free_.erase(it);
        cached_ -= bytes;
        return p;
      }
    }
    void *p = std::aligned_alloc(64, bytes);
    if (p && bytes >= kHugeBytes)
      adviseHugePages(p, bytes);
    return p;
  }

  void put(void *p, size_t bytes) {
    if (bytes <= SmallBlocks::kMaxBytes)
      if (SmallBlocks *small = SmallBlocks::ofThisThread())
        return small->put(p, bytes);
    if (bytes >= kMinBytes) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (cached_ + bytes <= kMaxBytes) {
        free_.emplace(bytes, p);
        cached_ += bytes;
        return;
      }
    }
    std::free(p);
  }

  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto &[bytes, p] : free_)
      std::free(p);
    free_.clear();
    cached_ = 0;
  }

private:
  /// Asks for huge pages on the 2 MiB-aligned part of [p, p + bytes). Only
  /// advice: where the kernel has none to give, nothing changes.
  static void adviseHugePages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    constexpr uintptr_t huge = uintptr_t(2) << 20;
    uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + huge - 1) & ~(huge - 1);
    uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(huge - 1);
    if (begin < end)
      madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
  }

  std::mutex mutex_;
  std::multimap<size_t, void *> free_;
  size_t cached_ = 0;
};

/// Never destroyed, so tensors freed during static destruction are safe.
BufferCache &bufferCache() {
  static BufferCache *cache = new BufferCache;
  return *cache;
}
} // namespace

void release_cached_memory() { bufferCache().release(); }

void *detail::acquireBuffer(size_t bytes) { return bufferCache().get(bytes); }

void detail::releaseBuffer(void *p, size_t bytes) {
  bufferCache().put(p, bytes);
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

Tensor::Tensor(std::shared_ptr<void> storage, DType dtype, Shape shape,
               Shape strides, int64_t offset)
    : storage_(std::move(storage)), dtype_(dtype), shape_(std::move(shape)),
      strides_(std::move(strides)), offset_(offset) {}

Shape Tensor::contiguousStrides(const Shape &shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    // Only a tensor with no elements can have strides beyond int64 (huge
    // dimensions next to a 0); they are never used to address anything.
    if (__builtin_mul_overflow(s, std::max<int64_t>(shape[i], 1), &s))
      s = std::numeric_limits<int64_t>::max();
  }
  return strides;
}

Tensor Tensor::empty(const Shape &shape, DType dtype) {
  for (int64_t d : shape)
    if (d < 0)
      throw Error("empty: invalid shape " + formatShape(shape) +
                  " (dimensions must be non-negative)");
  // A byte size that overflows would otherwise allocate a tiny buffer.
  size_t bytes = 0;
  if (std::find(shape.begin(), shape.end(), 0) == shape.end()) {
    bytes = dtypeSize(dtype);
    for (int64_t d : shape)
      if (__builtin_mul_overflow(bytes, static_cast<size_t>(d), &bytes) ||
          bytes > SIZE_MAX / 2)
        throw Error("empty: shape " + formatShape(shape) + " of " +
                    std::string(dtypeName(dtype)) +
                    " is too large to allocate");
  }
  size_t padded = std::max<size_t>(64, (bytes + 63) / 64 * 64);
  void *p = bufferCache().get(padded);
  if (!p)
    throw Error("empty: cannot allocate " + std::to_string(padded) + " bytes");
  Tensor t(std::shared_ptr<void>(
               p, [padded](void *q) { bufferCache().put(q, padded); }),
           dtype, shape, contiguousStrides(shape), 0);
  if (isFloating(dtype))
    trace::noteAllocation(t.storage(), dtype, shape);
  return t;
}

int64_t Tensor::dim(int64_t axis) const {
  auto a = normalizeAxis(axis, rank());
  if (!a)
    throw Error("dim: " + a.error());
  return shape_[*a];
}

bool Tensor::is_contiguous() const {
  // Checked first: the sizes of the other dimensions of an empty tensor may
  // multiply beyond int64.
  if (size() == 0)
    return true;
  int64_t expected = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] == 1)
      continue;
    if (strides_[i] != expected)
      return false;
    expected *= shape_[i];
  }
  return true;
}

Tensor Tensor::traced(std::shared_ptr<trace::Value> value, DType dtype,
                      Shape shape) {
  Tensor t;
  t.traced_ = std::move(value);
  t.dtype_ = dtype;
  t.strides_ = contiguousStrides(shape);
  t.shape_ = std::move(shape);
  return t;
}

void Tensor::checkNotTraced(const char *what) const {
  if (traced_)
    throw Error(std::string(what) + ": the " + describe(*this) +
                " tensor is traced: it stands for a value of the graph "
                "kiln::function is tracing and has no elements yet. C++ code "
                "in a traced function cannot depend on tensor values (use "
                "kiln::select, or kiln::cond and kiln::while_loop for control "
                "flow), or call kiln::run_functions_eagerly(true) to debug it "
                "eagerly");
}

void *Tensor::rawData() const {
  checkNotTraced("data");
  return static_cast<char *>(storage_.get()) +
         offset_ * static_cast<int64_t>(dtypeSize(dtype_));
}

void Tensor::checkData(DType requested) const {
  if (!defined())
    throw Error("data: the tensor is undefined");
  if (requested != dtype_)
    throw Error("data: requested " + std::string(dtypeName(requested)) +
                " elements of a " + describe(*this) + " tensor");
  if (!is_contiguous())
    throw Error("data: the " + describe(*this) +
                " tensor is a non-contiguous view; call contiguous() first");
}

void Tensor::readItem(double &d, int64_t &i) const {
  if (!defined())
    throw Error("item: the tensor is undefined");
  checkNotTraced("item");
  if (size() != 1)
    throw Error("item: expected a tensor with one element, got " +
                describe(*this));
  visitDType(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T v = *static_cast<const T *>(rawData());
    if constexpr (std::is_integral_v<T>) {
      i = v;
      d = static_cast<double>(v);
    } else {
      d = static_cast<double>(static_cast<float>(v));
      if constexpr (std::is_same_v<T, double>)
        d = v;
      i = 0;
    }
  });
}

Tensor Tensor::contiguous() const {
  checkDefined("contiguous", *this);
  checkNotTraced("contiguous");
  if (is_contiguous())
    return *this;
  return clone();
}

Tensor Tensor::clone() const {
  checkDefined("clone", *this);
  checkNotTraced("clone");
  Tensor out = Tensor::empty(shape_, dtype_);
  size_t esize = dtypeSize(dtype_);
  LoopNest<2> nest(shape_, {byteStrides(out.strides(), dtype_),
                            byteStrides(strides_, dtype_)});
  nest.runParallel(
      {static_cast<char *>(out.rawData()), static_cast<char *>(rawData())},
      kElementwiseGrain,
      [&](const std::array<char *, 2> &p, const std::array<int64_t, 2> &s,
          int64_t n) {
        if (s[1] == int64_t(esize)) {
          std::memcpy(p[0], p[1], n * esize);
          return;
        }
        for (int64_t i = 0; i < n; ++i)
          std::memcpy(p[0] + i * s[0], p[1] + i * s[1], esize);
      });
  return out;
}

std::vector<double> Tensor::toDoubleVector() const {
  checkNotTraced("to_vector");
  Tensor c = cast(*this, DType::F64).contiguous();
  const double *p = c.data<double>();
  return std::vector<double>(p, p + c.size());
}

std::vector<int64_t> Tensor::toInt64Vector() const {
  checkNotTraced("to_vector");
  Tensor c = cast(*this, DType::I64).contiguous();
  const int64_t *p = c.data<int64_t>();
  return std::vector<int64_t>(p, p + c.size());
}

//===----------------------------------------------------------------------===//
// Factories
//===----------------------------------------------------------------------===//

namespace {
/// Fills a contiguous tensor from a generator of doubles or int64s.
template <typename Gen> void fillWith(Tensor &t, Gen gen) {
  visitDType(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T *p = static_cast<T *>(t.rawData());
    int64_t n = t.size();
    for (int64_t i = 0; i < n; ++i) {
      p[i] = convertElement<T>(gen(i));
    }
  });
}

void checkValueCount(std::string_view op, size_t count, const Shape &shape) {
  for (int64_t d : shape)
    if (d < 0)
      throw Error(std::string(op) + ": invalid shape " + formatShape(shape) +
                  " (dimensions must be non-negative)");
  if (static_cast<int64_t>(count) != numElements(shape))
    throw Error(std::string(op) + ": " + std::to_string(count) +
                " values do not fill shape " + formatShape(shape) + " (" +
                std::to_string(numElements(shape)) + " elements)");
}
} // namespace

Tensor constant(Scalar value, DType dtype) { return full({}, value, dtype); }

Tensor constant(const std::vector<double> &values, const Shape &shape,
                DType dtype) {
  checkValueCount("constant", values.size(), shape);
  Tensor t = Tensor::empty(shape, dtype);
  fillWith(t, [&](int64_t i) { return values[i]; });
  return t;
}

Tensor constant(const std::vector<int64_t> &values, const Shape &shape,
                DType dtype) {
  checkValueCount("constant", values.size(), shape);
  Tensor t = Tensor::empty(shape, dtype);
  if (isFloating(dtype))
    fillWith(t, [&](int64_t i) { return static_cast<double>(values[i]); });
  else
    fillWith(t, [&](int64_t i) { return values[i]; });
  return t;
}

Tensor full(const Shape &shape, Scalar value) {
  return full(shape, value, value.defaultDType());
}

Tensor full(const Shape &shape, Scalar value, DType dtype) {
  checkValueCount("full",
                  static_cast<size_t>(std::max<int64_t>(0, numElements(shape))),
                  shape);
  Tensor t = Tensor::empty(shape, dtype);
  if (value.kind() == Scalar::Kind::Floating || isFloating(dtype))
    fillWith(t, [&](int64_t) { return value.toDouble(); });
  else
    fillWith(t, [&](int64_t) { return value.toInt(); });
  return t;
}

Tensor zeros(const Shape &shape, DType dtype) { return full(shape, 0, dtype); }
Tensor ones(const Shape &shape, DType dtype) { return full(shape, 1, dtype); }

Tensor arange(double start, double stop, double step, DType dtype) {
  if (step == 0 || !std::isfinite(step) || !std::isfinite(start) ||
      !std::isfinite(stop))
    throw Error("arange: invalid range start=" + std::to_string(start) +
                ", stop=" + std::to_string(stop) +
                ", step=" + std::to_string(step) + " (" +
                std::string(dtypeName(dtype)) + ")");
  int64_t n = std::max<int64_t>(
      0, static_cast<int64_t>(std::ceil((stop - start) / step)));
  Tensor t = Tensor::empty({n}, dtype);
  if (isFloating(dtype))
    fillWith(t,
             [&](int64_t i) { return start + static_cast<double>(i) * step; });
  else
    fillWith(t, [&](int64_t i) {
      return static_cast<int64_t>(start + static_cast<double>(i) * step);
    });
  return t;
}

namespace {
/// splitmix64: a bijective 64-bit mixer (Steele, Lea, Flood 2014).
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// The i-th uniform double in [0, 1) of stream `seed` (53 random bits).
double uniformAt(uint64_t seed, uint64_t i) {
  uint64_t bits = splitmix64(splitmix64(seed) ^ (i * 0xd1b54a32d192ed03ull));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

void checkFloatDType(std::string_view op, DType dtype, const Shape &shape) {
  if (!isFloating(dtype))
    throw Error(std::string(op) + ": dtype must be floating, got " +
                std::string(dtypeName(dtype)) + " for shape " +
                formatShape(shape));
  checkValueCount(
      op, static_cast<size_t>(std::max<int64_t>(0, numElements(shape))), shape);
}
} // namespace

Tensor random_uniform(const Shape &shape, uint64_t seed, double low,
                      double high, DType dtype) {
  checkFloatDType("random_uniform", dtype, shape);
  Tensor t = Tensor::empty(shape, dtype);
  fillWith(t,
           [&](int64_t i) { return low + (high - low) * uniformAt(seed, i); });
  // Clamp values that rounded up to `high` in a narrow type.
  visitDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_integral_v<T>) {
      T *p = static_cast<T *>(t.rawData());
      for (int64_t i = 0; i < t.size(); ++i) {
        double back;
        if constexpr (std::is_same_v<T, double>)
          back = p[i];
        else
          back = static_cast<float>(p[i]);
        if (high > low && back >= high)
          p[i] = T(static_cast<float>(low));
      }
    }
  });
  return t;
}

Tensor random_normal(const Shape &shape, uint64_t seed, double mean,
                     double stddev, DType dtype) {
  checkFloatDType("random_normal", dtype, shape);
  Tensor t = Tensor::empty(shape, dtype);
  fillWith(t, [&](int64_t i) {
    // Box-Muller on the pair (2k, 2k+1): element i uses the cosine or sine
    // branch of pair i / 2.
    uint64_t pair = static_cast<uint64_t>(i) / 2;
    double u1 = 1.0 - uniformAt(seed, 2 * pair); // in (0, 1]
    double u2 = uniformAt(seed, 2 * pair + 1);
    double r = std::sqrt(-2.0 * std::log(u1));
    double angle = 2.0 * M_PI * u2;
    double z = (i % 2 == 0) ? r * std::cos(angle) : r * std::sin(angle);
    return mean + stddev * z;
  });
  return t;
}

namespace {
/// The deleter of from_blob's storage: the host owns the memory.
struct HostMemory {
  void operator()(void *) const {}
};
} // namespace

Tensor from_blob(void *data, const Shape &shape, DType dtype) {
  if (!data)
    throw Error("from_blob: null data pointer for shape " + formatShape(shape) +
                " (" + std::string(dtypeName(dtype)) + ")");
  checkValueCount("from_blob",
                  static_cast<size_t>(std::max<int64_t>(0, numElements(shape))),
                  shape);
  // A non-owning shared_ptr: the caller keeps the memory alive.
  return Tensor(std::shared_ptr<void>(data, HostMemory()), dtype, shape,
                Tensor::contiguousStrides(shape), 0);
}

bool Tensor::views_host_memory() const {
  return std::get_deleter<HostMemory>(storage_) != nullptr;
}

} // namespace kiln
