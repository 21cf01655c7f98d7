//===- Internal.h - Helpers shared by the eager kernels ---------*- C++ -*-===//
//
// Private to runtime/: dtype dispatch, error formatting, views and the
// strided loop nest every elementwise and reduction kernel runs on.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_INTERNAL_H
#define KILN_RUNTIME_INTERNAL_H

#include "kiln/Runtime/Ops.h"
#include "kiln/Runtime/Tensor.h"
#include "kiln/Runtime/ThreadPool.h"
#include "kiln/Runtime/Trace.h"

#include <array>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kiln::detail {

//===----------------------------------------------------------------------===//
// Dtype dispatch
//===----------------------------------------------------------------------===//

template <typename T> struct TypeTag { using type = T; };

/// Calls `f(TypeTag<T>{})` with the element type of `dtype`.
template <typename F> decltype(auto) visitDType(DType dtype, F &&f) {
  switch (dtype) {
  case DType::Bool:
    return f(TypeTag<bool>{});
  case DType::I32:
    return f(TypeTag<int32_t>{});
  case DType::I64:
    return f(TypeTag<int64_t>{});
  case DType::I8:
    return f(TypeTag<int8_t>{});
  case DType::I16:
    return f(TypeTag<int16_t>{});
  case DType::U8:
    return f(TypeTag<uint8_t>{});
  case DType::U16:
    return f(TypeTag<uint16_t>{});
  case DType::F16:
    return f(TypeTag<float16>{});
  case DType::BF16:
    return f(TypeTag<bfloat16>{});
  case DType::F32:
    return f(TypeTag<float>{});
  case DType::F64:
    break;
  }
  return f(TypeTag<double>{});
}

template <typename T> constexpr bool isHalfType() {
  return std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;
}

/// Converts one element as `cast` does: float -> int truncates toward zero
/// and saturates (NaN gives 0), anything -> bool tests for non-zero.
template <typename To, typename From> inline To convertElement(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (isHalfType<From>()) {
    return convertElement<To>(static_cast<float>(v));
  } else if constexpr (isHalfType<To>()) {
    return To(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_integral_v<To> &&
                       std::is_floating_point_v<From>) {
    // Saturating truncation; NaN gives 0. (A plain cast is UB out of range.)
    constexpr From lo = static_cast<From>(std::numeric_limits<To>::min());
    constexpr From hi = static_cast<From>(std::numeric_limits<To>::max());
    if (!(v == v))
      return 0;
    if (v <= lo)
      return std::numeric_limits<To>::min();
    if (v >= hi)
      return std::numeric_limits<To>::max();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

/// The unsigned type integer arithmetic on T wraps in: T's own, or unsigned
/// int for types narrower than int (which C++ would promote to a signed int,
/// whose overflow is undefined).
template <typename T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned,
                                    std::make_unsigned_t<T>>;

/// a + b, a - b and a * b as every Kiln op computes them: integers wrap in
/// two's complement (signed overflow is undefined behaviour in C++), floats
/// round as usual.
template <typename T> T wrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = WrapType<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <typename T> T wrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = WrapType<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <typename T> T wrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = WrapType<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

/// Kernels compute in bool, int32, int64, float32 or float64: float16 and
/// bfloat16 compute in float32, the 8- and 16-bit integers in int32 (their
/// sums and products wrap when the result is converted back, as they would
/// in their own width; their quotients and comparisons are exact).
inline DType computeType(DType dtype) {
  if (dtype == DType::F16 || dtype == DType::BF16)
    return DType::F32;
  if (dtype == DType::I8 || dtype == DType::I16 || isUnsigned(dtype))
    return DType::I32;
  return dtype;
}

/// Like visitDType for the five compute types (the caller has already mapped
/// 16-bit floats with `computeType`).
template <typename F> decltype(auto) visitCompute(DType dtype, F &&f) {
  switch (dtype) {
  case DType::Bool:
    return f(TypeTag<bool>{});
  case DType::I32:
    return f(TypeTag<int32_t>{});
  case DType::I64:
    return f(TypeTag<int64_t>{});
  case DType::F64:
    return f(TypeTag<double>{});
  default:
    break;
  }
  return f(TypeTag<float>{});
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// "(3, 4) float32" for error messages.
std::string describe(const Tensor &t);

/// Throws `<op>: <message> (<dtype>, <dtype>)`: for errors whose message
/// already shows the operand shapes (broadcasting, matmul, concat).
[[noreturn]] void failWithDTypes(std::string_view op, const std::string &msg,
                                 std::initializer_list<const Tensor *> args);
[[noreturn]] void failWithDTypes(std::string_view op, const std::string &msg,
                                 const std::vector<Tensor> &args);

/// Throws `<op>: <message>; operand: (3, 4) float32` (or `operands: ...`).
[[noreturn]] void fail(std::string_view op, const std::string &msg,
                       std::initializer_list<const Tensor *> args);

/// Throws if `t` is undefined.
void checkDefined(std::string_view op, const Tensor &t);

/// Unwraps a shape rule result or throws with `fail`.
Shape checkShape(std::string_view op, const ShapeResult &r,
                 std::initializer_list<const Tensor *> args);

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

/// A view of `t`'s storage with another shape, strides and offset.
inline Tensor makeView(const Tensor &t, Shape shape, Shape strides,
                       int64_t offset) {
  return Tensor(t.storage(), t.dtype(), std::move(shape), std::move(strides),
                offset);
}

/// Strides (in elements) of `t` viewed with the broadcast shape `to`: 0 for
/// broadcast dimensions. `to` must be a valid broadcast of t's shape.
Shape broadcastStrides(const Tensor &t, const Shape &to);

/// `t` converted to dtype (no copy if it already has it).
Tensor castIfNeeded(const Tensor &t, DType dtype);

//===----------------------------------------------------------------------===//
// Strided loop nest
//===----------------------------------------------------------------------===//

/// A loop nest over `dims` for N operands, with per-operand byte strides.
/// Dimensions of size 1 are dropped and dimensions that are contiguous for
/// every operand are merged, so that a same-shape contiguous elementwise op
/// becomes one unit-stride loop (which the compiler vectorizes).
template <size_t N> struct LoopNest {
  Shape dims;
  std::array<Shape, N> strides; // bytes
  int64_t total = 1;

  LoopNest(const Shape &shape, const std::array<Shape, N> &byteStrides) {
    for (int64_t d : shape)
      total *= d;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 1)
        continue;
      bool merge = !dims.empty();
      for (size_t k = 0; merge && k < N; ++k)
        merge = strides[k].back() == byteStrides[k][i] * shape[i];
      if (merge) {
        dims.back() *= shape[i];
        for (size_t k = 0; k < N; ++k)
          strides[k].back() = byteStrides[k][i];
        continue;
      }
      dims.push_back(shape[i]);
      for (size_t k = 0; k < N; ++k)
        strides[k].push_back(byteStrides[k][i]);
    }
    if (dims.empty()) {
      dims.push_back(1);
      for (size_t k = 0; k < N; ++k)
        strides[k].push_back(0);
    }
  }

  /// Calls `body(ptrs, innerStrides, n)` for the rows covering the flat
  /// elements [lo, hi) (rows may be partial at the ends).
  template <typename Body>
  void run(const std::array<char *, N> &base, int64_t lo, int64_t hi,
           Body &&body) const {
    if (lo >= hi)
      return;
    size_t rank = dims.size();
    int64_t inner = dims.back();
    std::vector<int64_t> idx(rank);
    std::array<char *, N> ptrs = base;
    int64_t rem = lo;
    for (size_t d = rank; d-- > 0;) {
      idx[d] = rem % dims[d];
      rem /= dims[d];
      for (size_t k = 0; k < N; ++k)
        ptrs[k] += idx[d] * strides[k][d];
    }
    std::array<int64_t, N> innerStrides;
    for (size_t k = 0; k < N; ++k)
      innerStrides[k] = strides[k].back();
    int64_t left = hi - lo;
    while (left > 0) {
      int64_t n = std::min(inner - idx[rank - 1], left);
      body(ptrs, innerStrides, n);
      left -= n;
      if (left == 0)
        break;
      // Advance to the start of the next row.
      for (size_t k = 0; k < N; ++k)
        ptrs[k] += (n - 1) * innerStrides[k];
      idx[rank - 1] += n - 1;
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < dims[d]) {
          for (size_t k = 0; k < N; ++k)
            ptrs[k] += strides[k][d];
          break;
        }
        for (size_t k = 0; k < N; ++k)
          ptrs[k] -= (dims[d] - 1) * strides[k][d];
        idx[d] = 0;
      }
    }
  }

  /// Runs the whole nest, in parallel chunks when it is large.
  template <typename Body>
  void runParallel(const std::array<char *, N> &base, int64_t grain,
                   Body &&body) const {
    if (total < grain) {
      run(base, 0, total, body);
      return;
    }
    parallel_for(0, total, grain,
                 [&](int64_t lo, int64_t hi) { run(base, lo, hi, body); });
  }
};

/// Elements per parallel chunk for cheap elementwise kernels.
constexpr int64_t kElementwiseGrain = 1 << 16;

/// Byte strides of a tensor's element strides.
inline Shape byteStrides(const Shape &strides, DType dtype) {
  Shape out(strides);
  for (int64_t &s : out)
    s *= static_cast<int64_t>(dtypeSize(dtype));
  return out;
}

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

/// c = a * b (or c += a * b when `accumulate`) for an m x k matrix a and a
/// k x n matrix b read through their row and column strides, into c whose
/// row i starts at c + i * ldc. Parallel on the thread pool when large.
/// Then `epilogue` (if given) runs once on every row of c, as
/// (*epilogue)(begin, end) on ranges of rows that are final: block by block
/// while they are in cache when the GEMM's blocks span whole rows, else on
/// all rows at the end (in parallel, on any thread of the pool).
/// Instantiated for float and double (Matmul.cpp).
template <typename T>
void gemm(const T *a, int64_t aRowStride, int64_t aColStride, const T *b,
          int64_t bRowStride, int64_t bColStride, T *c, int64_t ldc, int64_t m,
          int64_t n, int64_t k, bool accumulate,
          const std::function<void(int64_t, int64_t)> *epilogue = nullptr);

/// c[i] = a[i] * b[i] (or += when `accumulate`) for `batches` products of
/// one shape: batch i of a starts at a + i * aStrides[0], with row and column
/// strides aStrides[1] and aStrides[2] (likewise b); row r of c[i] starts at
/// c + i * cStrides[0] + r * cStrides[1]. Many small products run one per
/// task on the thread pool, few large ones each in parallel.
template <typename T>
void batchGemm(int64_t batches, const T *a, const int64_t aStrides[3],
               const T *b, const int64_t bStrides[3], T *c,
               const int64_t cStrides[2], int64_t m, int64_t n, int64_t k,
               bool accumulate);

/// Scaled dot-product attention: for each of batches[0] x batches[1]
/// (batch, head) pairs, out = softmax(q kᵀ scale + mask) v (or q kᵀ / scale
/// when `divide`; no mask when `mask` is null), with q [s, d], k [t, d], v
/// [t, e], mask [s, t] and out [s, e]. maskStrides are 0 along the
/// dimensions the mask broadcasts over. Pair (i, j) of q starts at q + i *
/// qStrides[0] + j * qStrides[1], with row and column strides qStrides[2] and
/// qStrides[3] (likewise k, v and out; out's column stride is 1). The pairs
/// run in parallel, each through the GEMM's micro-kernel (its sums in the
/// GEMM's order), the scaling and the softmax rows of eager mode, so the
/// result is eager mode's bit for bit.
/// Instantiated for float and double (NN.cpp).
template <typename T>
void attention(const int64_t batches[2], int64_t s, int64_t t, int64_t d,
               int64_t e, const T *q, const int64_t qStrides[4], const T *k,
               const int64_t kStrides[4], const T *v, const int64_t vStrides[4],
               const T *mask, const int64_t maskStrides[4], T *out,
               const int64_t outStrides[4], T scale, bool divide);

/// The kernels of argsort and scatter_nd, shared by eager mode and compiled
/// code (CAbi.cpp), on checked operands: `axis` is normalized, the shapes
/// follow the op's rule and `out` is a contiguous tensor of the result's
/// shape and dtype (int64 for argsort) that the kernel fills. `x` may be any
/// view. scatterInto throws kiln::Error, naming `op`, on an index out of
/// range (Sort.cpp, Indexing.cpp).
void argsortInto(const Tensor &x, int64_t axis, bool descending, Tensor &out);
void scatterInto(std::string_view op, const Tensor &x, const Tensor &indices,
                 const Tensor &updates, ScatterReduction reduction,
                 Tensor &out);

/// conv's kernel, shared by eager mode and compiled code (CAbi.cpp): out =
/// conv(x, w) plus bias[m] on output channel m (no bias when null), then
/// plus `residual` (of out's shape) when given, then relu when `relu`, for
/// float32 or float64 operands of out's dtype: the rounding of each step is
/// that of the ops it stands for. x [N, C, D1..Dk], w [M, C/groups,
/// K1..Kk], bias [M] and residual may be any views; out is a contiguous
/// tensor of the result's shape. strides, padsBegin and dilations have k
/// values, checked by the caller (ConvGemm.cpp).
void convInto(const Tensor &x, const Tensor &w, const Tensor *bias,
              const Tensor *residual, bool relu,
              const std::vector<int64_t> &strides,
              const std::vector<int64_t> &padsBegin,
              const std::vector<int64_t> &dilations, int64_t groups,
              Tensor &out);

/// The same with the weights packed by packConvWeights (CAbi.h) for a conv
/// of one group with weights of `weightShape` [M, C, K1..Kk]; `packed` may be
/// any view of their elements in that order, of any shape. Throws kiln::Error
/// if `packed` does not fit weightShape. The result is bit-identical to
/// convInto's with the weights unpacked.
void convPackedInto(const Tensor &x, const Tensor &packed,
                    const Shape &weightShape, const Tensor *bias,
                    const Tensor *residual, bool relu,
                    const std::vector<int64_t> &strides,
                    const std::vector<int64_t> &padsBegin,
                    const std::vector<int64_t> &dilations, Tensor &out);

/// The widest vector ISA of this CPU that kernels built for several ISAs
/// (the GEMM's micro-kernel, softmax rows) pick at run time.
enum class VectorIsa { Baseline, Avx2, Avx512 };
VectorIsa hostVectorIsa();

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

/// A 64-byte-aligned buffer of `bytes` (a multiple of 64) from the buffer
/// cache that tensors and compiled code's temporaries share, or null when
/// memory is exhausted. Give it back with releaseBuffer and the same size:
/// a large buffer is then kept for the next request of that size, so a
/// repeated computation does not fault in fresh pages.
void *acquireBuffer(size_t bytes);
void releaseBuffer(void *p, size_t bytes);

} // namespace kiln::detail

#endif // KILN_RUNTIME_INTERNAL_H
