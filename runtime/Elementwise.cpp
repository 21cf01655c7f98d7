//===- Elementwise.cpp - Binary, comparison, logical and select ops -------===//
//
// Every binary op broadcasts its operands with `broadcastShapes`, promotes
// them with `promoteTypes`, and runs one typed loop over the coalesced
// strided loop nest. When both operands are contiguous with the result's
// shape the nest is a single unit-stride row, which the compiler vectorizes;
// a broadcast scalar operand gets its own unit-stride loop.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace kiln {

using namespace detail;

namespace {

enum class BinaryKind {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Max,
  Min,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  And,
  Or,
  BitAnd,
  BitOr,
  BitXor,
  LeftShift,
  RightShift,
};

const char *binaryName(BinaryKind k) {
  static const char *names[] = {
      "add",         "sub",        "mul",         "div",         "pow",
      "maximum",     "minimum",    "eq",          "ne",          "lt",
      "le",          "gt",         "ge",          "logical_and", "logical_or",
      "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",  "right_shift"};
  return names[static_cast<int>(k)];
}

bool isComparison(BinaryKind k) {
  return k >= BinaryKind::Eq && k <= BinaryKind::Ge;
}
bool isLogical(BinaryKind k) {
  return k == BinaryKind::And || k == BinaryKind::Or;
}
bool isArithmetic(BinaryKind k) { return k <= BinaryKind::Pow; }
bool isBitwise(BinaryKind k) { return k >= BinaryKind::BitAnd; }
bool isShift(BinaryKind k) { return k >= BinaryKind::LeftShift; }

/// x << y and x >> y (arithmetic) in T: an amount outside [0, bits of T)
/// shifts every bit out (0, or -1 for a negative x shifted right), where
/// C++ leaves it undefined.
template <typename T> T shiftLeft(T x, T y) {
  if (y < 0 || y >= static_cast<T>(8 * sizeof(T)))
    return 0;
  return static_cast<T>(static_cast<WrapType<T>>(x) << y);
}
template <typename T> T shiftRight(T x, T y) {
  if (y < 0 || y >= static_cast<T>(8 * sizeof(T)))
    return x < 0 ? T(-1) : T(0);
  return static_cast<T>(x >> y);
}

/// Floor division (numpy `//`). Division by zero gives 0, as the compiled
/// code does (the `kiln.div` spec), so that no input can trap.
template <typename T> T floorDiv(T a, T b) {
  if (b == 0)
    return 0;
  if (b == -1) // avoids the INT_MIN / -1 trap; wraps like numpy
    return wrapSub<T>(0, a);
  T q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

/// Integer power by squaring (wrapping). A negative exponent gives 1 for
/// base 1, +-1 for base -1 and 0 otherwise (the truncated real power), as
/// the compiled code does (the `kiln.pow` spec).
template <typename T> T intPow(T base, T exp) {
  if (exp < 0) {
    if (base == 1)
      return 1;
    if (base == -1)
      return (exp & 1) ? -1 : 1;
    return 0;
  }
  T result = 1;
  while (exp) {
    if (exp & 1)
      result = wrapMul(result, base);
    base = wrapMul(base, base);
    exp >>= 1;
  }
  return result;
}

/// The inner loop of a binary op: `o[i] = f(x[i], y[i])` over `n` elements
/// with byte strides, with unit-stride special cases the compiler vectorizes.
template <typename T, typename R, typename F>
inline void binaryRow(char *po, const char *px, const char *py,
                      const std::array<int64_t, 3> &s, int64_t n, F f) {
  R *o = reinterpret_cast<R *>(po);
  const T *x = reinterpret_cast<const T *>(px);
  const T *y = reinterpret_cast<const T *>(py);
  constexpr int64_t ts = sizeof(T), rs = sizeof(R);
  if (s[0] == rs && s[1] == ts && s[2] == ts) {
    for (int64_t i = 0; i < n; ++i)
      o[i] = f(x[i], y[i]);
  } else if (s[0] == rs && s[1] == 0 && s[2] == ts) {
    T xv = *x;
    for (int64_t i = 0; i < n; ++i)
      o[i] = f(xv, y[i]);
  } else if (s[0] == rs && s[1] == ts && s[2] == 0) {
    T yv = *y;
    for (int64_t i = 0; i < n; ++i)
      o[i] = f(x[i], yv);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<R *>(po + i * s[0]) =
          f(*reinterpret_cast<const T *>(px + i * s[1]),
            *reinterpret_cast<const T *>(py + i * s[2]));
  }
}

template <typename T, typename R, typename F>
void runBinary(Tensor &out, const Tensor &a, const Tensor &b, F f) {
  const Shape &shape = out.shape();
  LoopNest<3> nest(shape, {byteStrides(out.strides(), out.dtype()),
                           byteStrides(broadcastStrides(a, shape), a.dtype()),
                           byteStrides(broadcastStrides(b, shape), b.dtype())});
  nest.runParallel(
      {static_cast<char *>(out.rawData()), static_cast<char *>(a.rawData()),
       static_cast<char *>(b.rawData())},
      kElementwiseGrain,
      [&](const std::array<char *, 3> &p, const std::array<int64_t, 3> &s,
          int64_t n) { binaryRow<T, R>(p[0], p[1], p[2], s, n, f); });
}

/// Runs kind on operands already cast to the compute type T.
template <typename T>
void binaryKernel(BinaryKind kind, Tensor &out, const Tensor &a,
                  const Tensor &b) {
  constexpr bool isInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;
  switch (kind) {
  case BinaryKind::Add:
    if constexpr (isInt)
      return runBinary<T, T>(out, a, b, wrapAdd<T>);
    else
      return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x + y); });
  case BinaryKind::Sub:
    if constexpr (isInt)
      return runBinary<T, T>(out, a, b, wrapSub<T>);
    else
      return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x - y); });
  case BinaryKind::Mul:
    if constexpr (isInt)
      return runBinary<T, T>(out, a, b, wrapMul<T>);
    else
      return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x * y); });
  case BinaryKind::Div:
  case BinaryKind::Pow:
    if constexpr (isInt) {
      if (kind == BinaryKind::Div)
        return runBinary<T, T>(out, a, b,
                               [](T x, T y) { return floorDiv(x, y); });
      return runBinary<T, T>(out, a, b, [](T x, T y) { return intPow(x, y); });
    } else if constexpr (std::is_floating_point_v<T>) {
      if (kind == BinaryKind::Div)
        return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x / y); });
      return runBinary<T, T>(out, a, b,
                             [](T x, T y) { return T(std::pow(x, y)); });
    }
    return; // bool arithmetic is rejected before dispatch
  case BinaryKind::Max:
    return runBinary<T, T>(out, a, b, [](T x, T y) {
      if constexpr (std::is_floating_point_v<T>)
        if (x != x)
          return x;
      return x > y ? x : y;
    });
  case BinaryKind::Min:
    return runBinary<T, T>(out, a, b, [](T x, T y) {
      if constexpr (std::is_floating_point_v<T>)
        if (x != x)
          return x;
      return x < y ? x : y;
    });
  case BinaryKind::Eq:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x == y; });
  case BinaryKind::Ne:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x != y; });
  case BinaryKind::Lt:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x < y; });
  case BinaryKind::Le:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x <= y; });
  case BinaryKind::Gt:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x > y; });
  case BinaryKind::Ge:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x >= y; });
  case BinaryKind::And:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x && y; });
  case BinaryKind::Or:
    return runBinary<T, bool>(out, a, b, [](T x, T y) { return x || y; });
  case BinaryKind::BitAnd:
  case BinaryKind::BitOr:
  case BinaryKind::BitXor:
  case BinaryKind::LeftShift:
  case BinaryKind::RightShift:
    if constexpr (std::is_integral_v<T>) {
      if (kind == BinaryKind::BitAnd)
        return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x & y); });
      if (kind == BinaryKind::BitOr)
        return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x | y); });
      if (kind == BinaryKind::BitXor)
        return runBinary<T, T>(out, a, b, [](T x, T y) { return T(x ^ y); });
      if constexpr (!std::is_same_v<T, bool>) {
        if (kind == BinaryKind::LeftShift)
          return runBinary<T, T>(out, a, b, shiftLeft<T>);
        return runBinary<T, T>(out, a, b, shiftRight<T>);
      }
    }
    return; // floats, and bool shifts, are rejected before dispatch
  }
}

Tensor binary(BinaryKind kind, const Tensor &a, const Tensor &b) {
  const char *name = binaryName(kind);
  checkDefined(name, a);
  checkDefined(name, b);
  auto shape = broadcastShapes(a.shape(), b.shape());
  if (!shape)
    failWithDTypes(name, shape.error(), {&a, &b});
  DType promoted =
      isLogical(kind) ? DType::Bool : promoteTypes(a.dtype(), b.dtype());
  if (isArithmetic(kind) && promoted == DType::Bool)
    fail(name, "bool operands are not supported (cast them to a numeric dtype)",
         {&a, &b});
  if (isBitwise(kind) &&
      (isFloating(promoted) || (isShift(kind) && promoted == DType::Bool)))
    failWithDTypes(name,
                   isShift(kind)
                       ? "shifts take integer operands"
                       : "takes integer or bool operands (floats have no "
                         "bitwise ops; cast them first)",
                   {&a, &b});
  bool boolResult = isComparison(kind) || isLogical(kind);
  if (trace::Recorder *recorder = trace::recorderFor({&a, &b}))
    return recorder->record(
        {name, {a, b}, {}, *shape, boolResult ? DType::Bool : promoted});
  DType compute = computeType(promoted);
  Tensor ca = castIfNeeded(a, compute), cb = castIfNeeded(b, compute);
  Tensor out = Tensor::empty(*shape, boolResult ? DType::Bool : compute);
  visitCompute(compute, [&](auto tag) {
    binaryKernel<typename decltype(tag)::type>(kind, out, ca, cb);
  });
  if (!boolResult && promoted != compute)
    return cast(out, promoted);
  return out;
}

} // namespace

Tensor scalarTensorFor(Scalar s, DType other, std::string_view op) {
  DType dtype = s.resultDTypeWith(other);
  // An integer that the adopted dtype cannot hold would silently wrap (JAX
  // raises an OverflowError here too).
  if (s.kind() == Scalar::Kind::Integer && isInteger(dtype) &&
      dtype != DType::I64) {
    auto [lowest, highest] = visitDType(dtype, [](auto tag) {
      using T = typename decltype(tag)::type;
      return std::pair<int64_t, int64_t>(std::numeric_limits<T>::min(),
                                         std::numeric_limits<T>::max());
    });
    if (s.toInt() < lowest || s.toInt() > highest)
      throw Error(std::string(op) + ": the scalar " +
                  std::to_string(s.toInt()) + " does not fit " +
                  std::string(dtypeName(dtype)) +
                  ", the dtype it takes from the tensor operand (" +
                  std::string(dtypeName(other)) +
                  "); cast the tensor to int64 or pass the scalar as a "
                  "tensor");
  }
  return constant(s, dtype);
}

#define KILN_DEFINE_BINARY(name, kind)                                         \
  Tensor name(const Tensor &a, const Tensor &b, SourceLoc loc) {               \
    trace::CallSite site(#name, loc);                                          \
    return binary(BinaryKind::kind, a, b);                                     \
  }                                                                            \
  Tensor name(const Tensor &a, Scalar b, SourceLoc loc) {                      \
    trace::CallSite site(#name, loc);                                          \
    checkDefined(#name, a);                                                    \
    return binary(BinaryKind::kind, a, scalarTensorFor(b, a.dtype(), #name));  \
  }                                                                            \
  Tensor name(Scalar a, const Tensor &b, SourceLoc loc) {                      \
    trace::CallSite site(#name, loc);                                          \
    checkDefined(#name, b);                                                    \
    return binary(BinaryKind::kind, scalarTensorFor(a, b.dtype(), #name), b);  \
  }
KILN_DEFINE_BINARY(add, Add)
KILN_DEFINE_BINARY(sub, Sub)
KILN_DEFINE_BINARY(mul, Mul)
KILN_DEFINE_BINARY(div, Div)
KILN_DEFINE_BINARY(pow, Pow)
KILN_DEFINE_BINARY(maximum, Max)
KILN_DEFINE_BINARY(minimum, Min)
KILN_DEFINE_BINARY(eq, Eq)
KILN_DEFINE_BINARY(ne, Ne)
KILN_DEFINE_BINARY(lt, Lt)
KILN_DEFINE_BINARY(le, Le)
KILN_DEFINE_BINARY(gt, Gt)
KILN_DEFINE_BINARY(ge, Ge)
KILN_DEFINE_BINARY(bitwise_and, BitAnd)
KILN_DEFINE_BINARY(bitwise_or, BitOr)
KILN_DEFINE_BINARY(bitwise_xor, BitXor)
KILN_DEFINE_BINARY(left_shift, LeftShift)
KILN_DEFINE_BINARY(right_shift, RightShift)
#undef KILN_DEFINE_BINARY

Tensor logical_and(const Tensor &a, const Tensor &b, SourceLoc loc) {
  trace::CallSite site("logical_and", loc);
  return binary(BinaryKind::And, a, b);
}
Tensor logical_or(const Tensor &a, const Tensor &b, SourceLoc loc) {
  trace::CallSite site("logical_or", loc);
  return binary(BinaryKind::Or, a, b);
}

//===----------------------------------------------------------------------===//
// select
//===----------------------------------------------------------------------===//

Tensor select(const Tensor &cond, const Tensor &a, const Tensor &b,
              SourceLoc loc) {
  trace::CallSite site("select", loc);
  checkDefined("select", cond);
  checkDefined("select", a);
  checkDefined("select", b);
  auto shape = broadcastShapes({cond.shape(), a.shape(), b.shape()});
  if (!shape)
    failWithDTypes("select", shape.error(), {&cond, &a, &b});
  DType promoted = promoteTypes(a.dtype(), b.dtype());
  if (trace::Recorder *recorder = trace::recorderFor({&cond, &a, &b}))
    return recorder->record({"select", {cond, a, b}, {}, *shape, promoted});
  Tensor c = castIfNeeded(cond, DType::Bool);
  Tensor ca = castIfNeeded(a, promoted), cb = castIfNeeded(b, promoted);
  Tensor out = Tensor::empty(*shape, promoted);
  size_t es = dtypeSize(promoted);
  LoopNest<4> nest(*shape,
                   {byteStrides(out.strides(), promoted),
                    byteStrides(broadcastStrides(c, *shape), DType::Bool),
                    byteStrides(broadcastStrides(ca, *shape), promoted),
                    byteStrides(broadcastStrides(cb, *shape), promoted)});
  visitDType(promoted, [&](auto tag) {
    using T = typename decltype(tag)::type;
    nest.runParallel(
        {static_cast<char *>(out.rawData()), static_cast<char *>(c.rawData()),
         static_cast<char *>(ca.rawData()), static_cast<char *>(cb.rawData())},
        kElementwiseGrain,
        [&](const std::array<char *, 4> &p, const std::array<int64_t, 4> &s,
            int64_t n) {
          if (s[0] == int64_t(es) && s[1] == 1 && s[2] == int64_t(es) &&
              s[3] == int64_t(es)) {
            T *o = reinterpret_cast<T *>(p[0]);
            const bool *k = reinterpret_cast<const bool *>(p[1]);
            const T *x = reinterpret_cast<const T *>(p[2]);
            const T *y = reinterpret_cast<const T *>(p[3]);
            for (int64_t i = 0; i < n; ++i)
              o[i] = k[i] ? x[i] : y[i];
            return;
          }
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T *>(p[0] + i * s[0]) =
                *reinterpret_cast<const bool *>(p[1] + i * s[1])
                    ? *reinterpret_cast<const T *>(p[2] + i * s[2])
                    : *reinterpret_cast<const T *>(p[3] + i * s[3]);
        });
  });
  return out;
}

//===----------------------------------------------------------------------===//
// C++ operators
//===----------------------------------------------------------------------===//

#define KILN_DEFINE_OPERATOR(op, name)                                         \
  Tensor operator op(Operand a, const Tensor &b) {                             \
    return name(a.tensor(), b, a.loc());                                       \
  }                                                                            \
  Tensor operator op(Operand a, Scalar b) {                                    \
    return name(a.tensor(), b, a.loc());                                       \
  }                                                                            \
  Tensor operator op(Scalar a, Operand b) {                                    \
    return name(a, b.tensor(), b.loc());                                       \
  }
KILN_DEFINE_OPERATOR(+, add)
KILN_DEFINE_OPERATOR(-, sub)
KILN_DEFINE_OPERATOR(*, mul)
KILN_DEFINE_OPERATOR(/, div)
KILN_DEFINE_OPERATOR(==, eq)
KILN_DEFINE_OPERATOR(!=, ne)
KILN_DEFINE_OPERATOR(<, lt)
KILN_DEFINE_OPERATOR(<=, le)
KILN_DEFINE_OPERATOR(>, gt)
KILN_DEFINE_OPERATOR(>=, ge)
#undef KILN_DEFINE_OPERATOR

Tensor operator-(Operand x) { return neg(x.tensor(), x.loc()); }

bool all_equal(const Tensor &a, const Tensor &b) {
  checkDefined("all_equal", a);
  checkDefined("all_equal", b);
  if (a.dtype() != b.dtype() || a.shape() != b.shape())
    return false;
  Tensor e = eq(a, b);
  for (bool v : e.to_vector<bool>())
    if (!v)
      return false;
  return true;
}

} // namespace kiln
