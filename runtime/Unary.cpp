//===- Unary.cpp - Elementwise unary ops and cast -------------------------===//
//
// Each unary op maps its operand's dtype to a compute type (float math on
// integers computes in float32; float16/bfloat16 compute in float32), then
// runs one typed loop over the coalesced strided loop nest.
//
//===----------------------------------------------------------------------===//

#include "FastMath.h"
#include "Internal.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace kiln {

using namespace detail;

//===----------------------------------------------------------------------===//
// cast
//===----------------------------------------------------------------------===//

namespace {

/// out[i] = f(x[i]) over every element, `x` of element type `From` read
/// through its strides, `out` of element type `To`; contiguous runs take a
/// vectorizable loop.
template <typename To, typename From = To, typename F>
void runUnary(Tensor &out, const Tensor &x, F f) {
  LoopNest<2> nest(out.shape(), {byteStrides(out.strides(), out.dtype()),
                                 byteStrides(x.strides(), x.dtype())});
  nest.runParallel(
      {static_cast<char *>(out.rawData()), static_cast<char *>(x.rawData())},
      kElementwiseGrain,
      [&](const std::array<char *, 2> &p, const std::array<int64_t, 2> &s,
          int64_t n) {
        To *o = reinterpret_cast<To *>(p[0]);
        if (s[1] == int64_t(sizeof(From))) {
          const From *v = reinterpret_cast<const From *>(p[1]);
          for (int64_t i = 0; i < n; ++i)
            o[i] = f(v[i]);
          return;
        }
        for (int64_t i = 0; i < n; ++i)
          o[i] = f(*reinterpret_cast<const From *>(p[1] + i * s[1]));
      });
}

} // namespace

Tensor cast(const Tensor &x, DType dtype, SourceLoc loc) {
  trace::CallSite site("cast", loc);
  checkDefined("cast", x);
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record(
        {"cast", {x}, {{"dtype", dtype}}, x.shape(), dtype});
  Tensor out = Tensor::empty(x.shape(), dtype);
  visitDType(dtype, [&](auto to) {
    visitDType(x.dtype(), [&](auto from) {
      using To = typename decltype(to)::type;
      using From = typename decltype(from)::type;
      runUnary<To, From>(out, x, [](From v) { return convertElement<To>(v); });
    });
  });
  return out;
}

namespace detail {
Tensor castIfNeeded(const Tensor &t, DType dtype) {
  return t.dtype() == dtype ? t : cast(t, dtype);
}
} // namespace detail

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

namespace {

/// Runs `f` in the compute type of x (which must be floating after `mapType`)
/// and casts the result back to the result dtype.
template <typename MakeFn>
Tensor unary(const char *name, const Tensor &x, bool floatMath, MakeFn makeFn) {
  checkDefined(name, x);
  DType result = x.dtype();
  if (floatMath && !isFloating(result))
    result = DType::F32;
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({name, {x}, {}, x.shape(), result});
  DType compute = computeType(result);
  Tensor cx = castIfNeeded(x, compute);
  Tensor out = Tensor::empty(x.shape(), compute);
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    runUnary<T>(out, cx, makeFn(tag));
  });
  return result == compute ? out : cast(out, result);
}

/// Wrapping negation for integers.
template <typename T> T negate(T v) {
  if constexpr (std::is_same_v<T, bool>)
    return v;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(v));
  else
    return -v;
}

template <typename T> inline T expOf(T v) {
  if constexpr (std::is_same_v<T, float>)
    return detail::expf(v);
  else
    return std::exp(v);
}

template <typename T> constexpr bool isFloat() {
  return std::is_floating_point_v<T>;
}

} // namespace

/// Defines an op that computes on floats only, via `expr` of `v`.
#define KILN_FLOAT_UNARY(name, expr)                                           \
  Tensor name(const Tensor &x, SourceLoc loc) {                                \
    trace::CallSite site(#name, loc);                                          \
    return unary(#name, x, /*floatMath=*/true, [](auto tag) {                  \
      using T = typename decltype(tag)::type;                                  \
      return [](T v) -> T {                                                    \
        if constexpr (isFloat<T>())                                            \
          return expr;                                                         \
        else                                                                   \
          return v;                                                            \
      };                                                                       \
    });                                                                        \
  }
// float32 exp uses the vectorizable expf of FastMath.h.
KILN_FLOAT_UNARY(exp, expOf(v))
KILN_FLOAT_UNARY(log, std::log(v))
KILN_FLOAT_UNARY(sqrt, std::sqrt(v))
KILN_FLOAT_UNARY(rsqrt, T(1) / std::sqrt(v))
KILN_FLOAT_UNARY(tanh, std::tanh(v))
KILN_FLOAT_UNARY(sigmoid, T(1) / (T(1) + expOf(-v)))
KILN_FLOAT_UNARY(erf, std::erf(v))
KILN_FLOAT_UNARY(sin, std::sin(v))
KILN_FLOAT_UNARY(cos, std::cos(v))
KILN_FLOAT_UNARY(tan, std::tan(v))
KILN_FLOAT_UNARY(asin, std::asin(v))
KILN_FLOAT_UNARY(acos, std::acos(v))
KILN_FLOAT_UNARY(atan, std::atan(v))
KILN_FLOAT_UNARY(sinh, std::sinh(v))
KILN_FLOAT_UNARY(cosh, std::cosh(v))
KILN_FLOAT_UNARY(asinh, std::asinh(v))
KILN_FLOAT_UNARY(acosh, std::acosh(v))
KILN_FLOAT_UNARY(atanh, std::atanh(v))
KILN_FLOAT_UNARY(reciprocal, T(1) / v)
#undef KILN_FLOAT_UNARY

Tensor stop_gradient(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("stop_gradient", loc);
  checkDefined("stop_gradient", x);
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({"stop_gradient", {x}, {}, x.shape(), x.dtype()});
  return x;
}

Tensor neg(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("neg", loc);
  checkDefined("neg", x);
  if (isBool(x.dtype()))
    fail("neg", "bool operands are not supported (use logical_not)", {&x});
  return unary("neg", x, false, [](auto tag) {
    using T = typename decltype(tag)::type;
    return [](T v) { return negate(v); };
  });
}

Tensor abs(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("abs", loc);
  return unary("abs", x, false, [](auto tag) {
    using T = typename decltype(tag)::type;
    return [](T v) -> T {
      if constexpr (std::is_same_v<T, bool>)
        return v;
      else if constexpr (isFloat<T>())
        return std::fabs(v); // clears the sign of -0, as math.absf does
      else
        return v < T(0) ? negate(v) : v;
    };
  });
}

Tensor sign(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("sign", loc);
  return unary("sign", x, false, [](auto tag) {
    using T = typename decltype(tag)::type;
    return [](T v) -> T {
      if constexpr (std::is_same_v<T, bool>)
        return v;
      else if constexpr (isFloat<T>())
        return v > T(0) ? T(1) : v < T(0) ? T(-1) : v; // keeps 0, -0, nan
      else
        return v > 0 ? T(1) : v < 0 ? T(-1) : T(0);
    };
  });
}

Tensor relu(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("relu", loc);
  return unary("relu", x, false, [](auto tag) {
    using T = typename decltype(tag)::type;
    return [](T v) -> T {
      if constexpr (std::is_same_v<T, bool>)
        return v;
      else if constexpr (isFloat<T>())
        return v <= T(0) ? T(0) : v; // max(-0, 0) is +0; keeps nan
      else
        return v < 0 ? T(0) : v;
    };
  });
}

#define KILN_ROUNDING_UNARY(name, expr)                                        \
  Tensor name(const Tensor &x, SourceLoc loc) {                                \
    trace::CallSite site(#name, loc);                                          \
    return unary(#name, x, false, [](auto tag) {                               \
      using T = typename decltype(tag)::type;                                  \
      return [](T v) -> T {                                                    \
        if constexpr (isFloat<T>())                                            \
          return expr;                                                         \
        else                                                                   \
          return v;                                                            \
      };                                                                       \
    });                                                                        \
  }
KILN_ROUNDING_UNARY(floor, std::floor(v))
KILN_ROUNDING_UNARY(ceil, std::ceil(v))
// nearbyint rounds half to even in the default rounding mode.
KILN_ROUNDING_UNARY(round, std::nearbyint(v))
#undef KILN_ROUNDING_UNARY

Tensor logical_not(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("logical_not", loc);
  checkDefined("logical_not", x);
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({"logical_not", {x}, {}, x.shape(), DType::Bool});
  Tensor b = castIfNeeded(x, DType::Bool);
  Tensor out = Tensor::empty(x.shape(), DType::Bool);
  runUnary<bool>(out, b, [](bool v) { return !v; });
  return out;
}

Tensor bitwise_not(const Tensor &x, SourceLoc loc) {
  trace::CallSite site("bitwise_not", loc);
  checkDefined("bitwise_not", x);
  if (isFloating(x.dtype()))
    fail("bitwise_not",
         "takes integer or bool operands (floats have no bitwise ops; cast "
         "them first)",
         {&x});
  if (trace::Recorder *recorder = trace::recorderFor({&x}))
    return recorder->record({"bitwise_not", {x}, {}, x.shape(), x.dtype()});
  DType compute = computeType(x.dtype());
  Tensor cx = castIfNeeded(x, compute);
  Tensor out = Tensor::empty(x.shape(), compute);
  visitCompute(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>)
      runUnary<bool>(out, cx, [](bool v) { return !v; });
    else if constexpr (std::is_integral_v<T>)
      runUnary<T>(out, cx, [](T v) { return T(~v); });
  });
  return castIfNeeded(out, x.dtype());
}

} // namespace kiln
