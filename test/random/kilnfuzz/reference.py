"""An independent numpy reference for the kiln ops, with error bounds.

Every op is written from its definition in KilnOps.td and the promotion
table of kiln/Runtime/DType.h, not from Kiln's C++.

A reference value is a `Ref`: the exact result held wide (float64, int64 or
bool, whatever the kiln dtype) and `err`, an elementwise bound on how far a
correct implementation may be from it. Kiln passes when
`|kiln - val| <= err` everywhere (for i1: equal, or `err >= 1`). `err` is 0
for integer and bool results of exact inputs, so those compare exactly; it
is `inf` where the op is unspecified or its result cannot be told (an
integer overflow, a comparison of floats closer than their error bounds),
and the element is then not compared.

Float bounds are a running error analysis: each op adds to the bounds of
its inputs, propagated through the op's derivative, the rounding error of
computing the op in its dtype (`_rounding`). The per-op allowances, in
units of the dtype's unit roundoff u (half an ulp), are:

* correctly rounded arithmetic (+ - * / sqrt, casts): 2 u (`BASIC_ULPS`):
  1 u for the rounding itself, 1 u more for f16/bf16 ops computed in f32
  and rounded again (measured errors reach 0.99 u, so 1 u would leave no
  slack); the reference's own float64 rounding is added to u;
* exp, log, tanh, sigmoid, erf, sin, cos, rsqrt, softmax: `APPROX_ULPS`
  (16) u relative, and for log, tanh, sigmoid, erf, sin and cos as much
  again absolute, since their results cross or approach zero (the compiler
  uses polynomial approximations of exp/tanh/erf/log, good to a few ulps;
  measured errors of the elementwise ones stay below a tenth of this, of
  softmax below 0.4); sin/cos also lose 16 u |x| to argument reduction,
  and pow gets 16 u (1 + |y ln x|) relative, as exp(y ln x) magnifies the
  error of the log;
* sums (reduce_sum/mean, softmax, layer_norm statistics): `_sum_ulps(n)` u
  times the sum of magnitudes, the bound of pairwise summation with slack,
  which any reassociation that keeps the tree depth logarithmic meets and a
  serial f32 sum of many same-sign values does not;
* matmul: the classic bound of a serial dot product of length K, (K + 1) u
  times |A| |B| (blocked kernels may accumulate serially);
* every float result may be off by the smallest normal number, since
  subnormal results may be flushed to zero.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import dtypes
from . import graph as g

BASIC_ULPS = 2.0
APPROX_ULPS = 16.0
INF = np.inf


@dataclass
class Ref:
    """A reference value: `val` held wide, `err` its elementwise bound."""

    dtype: str
    val: np.ndarray
    err: np.ndarray

    @property
    def shape(self):
        return self.val.shape


class UndefinedOp(Exception):
    """The op has no defined result on these operands (e.g. a gather index
    out of range, which Kiln reports as an error at run time)."""


def exact(dtype, val):
    val = np.asarray(val, dtype=dtypes.wide_dtype(dtype))
    return Ref(dtype, val, np.zeros(val.shape))


def _ref(dtype, val, err):
    """A Ref with `err` cleaned: NaN bounds (inf * 0) become inf, and the
    bound is inf wherever the value itself is not finite."""
    val = np.asarray(val, dtype=dtypes.wide_dtype(dtype))
    err = np.broadcast_to(np.asarray(err, dtype=np.float64), val.shape).copy()
    err[np.isnan(err)] = INF
    if dtypes.is_float(dtype):
        err[~np.isfinite(val)] = INF
    return Ref(dtype, val, err)


def _unit(dtype):
    return dtypes.UNIT_ROUNDOFF[dtype] + 2.0**-53


def _rounding(dtype, result, ulps=BASIC_ULPS):
    """The error of computing `result` in `dtype` with `ulps` ulps of slack."""
    with np.errstate(invalid="ignore"):
        return ulps * _unit(dtype) * np.abs(result) + dtypes.SMALLEST_NORMAL[dtype]


def _sum_ulps(n):
    """Summation allowance (in u, times the sum of magnitudes) for n terms."""
    return 4.0 * math.ceil(math.log2(max(n, 1))) + 8.0


# ---------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------

def convert(ref, dtype):
    """`ref` converted to `dtype` by kiln.cast's rules (also used for the
    implicit promotion of operands)."""
    src = ref.dtype
    if src == dtype:
        return ref
    if dtype == dtypes.BOOL:
        return _to_bool(ref)
    if src == dtypes.BOOL:
        return _ref(dtype, ref.val.astype(np.int64), ref.err)
    if dtypes.is_float(dtype):
        return _to_float(ref, dtype)
    if dtypes.is_float(src):
        return _float_to_int(ref, dtype)
    return _int_to_int(ref, dtype)


def _to_bool(ref):
    """Non-zero test (NaN is non-zero); unknown where |x| <= err."""
    val = ref.val != 0
    uncertain = (np.abs(ref.val.astype(np.float64)) <= ref.err) & (ref.err > 0)
    return _ref(dtypes.BOOL, val, np.where(uncertain, 1.0, 0.0))


def _to_float(ref, dtype):
    val = ref.val.astype(np.float64)
    rounded = dtypes.round_to(dtype, val)
    narrowing = dtypes.is_float(ref.dtype) and (
        dtypes.UNIT_ROUNDOFF[dtype] > dtypes.UNIT_ROUNDOFF[ref.dtype]
        or dtypes.LARGEST_FINITE[dtype] < dtypes.LARGEST_FINITE[ref.dtype])
    err = ref.err + np.abs(rounded - val)
    if narrowing:
        err = err + _rounding(dtype, val)
    overflow = np.abs(val) > dtypes.LARGEST_FINITE[dtype]
    return _ref(dtype, val, np.where(overflow, INF, err))


def _float_to_int(ref, dtype):
    """Rounds toward zero and saturates (also +-inf); NaN gives 0."""
    low, high = dtypes.INT_RANGE[dtype]
    val = _saturating_trunc(ref.val, low, high)
    with np.errstate(invalid="ignore"):
        jumps = _saturating_trunc(ref.val - ref.err, low, high) != \
            _saturating_trunc(ref.val + ref.err, low, high)
    return _ref(dtype, val, np.where(jumps, ref.err + 1, 0.0))


def _saturating_trunc(values, low, high):
    with np.errstate(invalid="ignore"):
        clipped = np.clip(np.trunc(values), float(low), float(high))
    result = np.where(np.isnan(values), 0, clipped)
    # float(2**63 - 1) rounds up to 2**63, which does not fit int64.
    out = np.where(result >= 2.0**63, 0, result).astype(np.int64)
    return np.where(result >= 2.0**63, np.int64(high), out)


def _int_to_int(ref, dtype):
    """Widening is exact; narrowing an out-of-range value is unspecified."""
    low, high = dtypes.INT_RANGE[dtype]
    outside = (ref.val < low) | (ref.val > high)
    return _ref(dtype, ref.val, np.where(outside, INF, ref.err))


def _int_checked(dtype, val, estimate, err):
    """An integer result; unspecified (inf) where the float64 `estimate`
    says the exact result leaves the dtype's range (only pow is documented
    to wrap)."""
    low, high = dtypes.INT_RANGE[dtype]
    margin = 1e-9 * high
    outside = (estimate < low + margin) | (estimate > high - margin)
    return _ref(dtype, val, np.where(outside, INF, err))


# ---------------------------------------------------------------------------
# Elementwise binary ops
# ---------------------------------------------------------------------------

def _promoted(a, b):
    dtype = dtypes.promote(a.dtype, b.dtype)
    a, b = convert(a, dtype), convert(b, dtype)
    x, y = np.broadcast_arrays(a.val, b.val)
    ex, ey = np.broadcast_arrays(a.err, b.err)
    return dtype, x, ex, y, ey


def binary(kind, a, b):
    dtype, x, ex, y, ey = _promoted(a, b)
    table = _FLOAT_BINARY if dtypes.is_float(dtype) else _INT_BINARY
    with np.errstate(all="ignore"):
        return table[kind](dtype, x, ex, y, ey)


def _float_add(dt, x, ex, y, ey):
    r = x + y
    return _ref(dt, r, ex + ey + _rounding(dt, r))


def _float_sub(dt, x, ex, y, ey):
    r = x - y
    return _ref(dt, r, ex + ey + _rounding(dt, r))


def _float_mul(dt, x, ex, y, ey):
    r = x * y
    return _ref(dt, r, np.abs(x) * ey + np.abs(y) * ex + ex * ey + _rounding(dt, r))


def _float_div(dt, x, ex, y, ey):
    r = x / y
    margin = np.abs(y) - ey
    propagated = np.where(margin > 0, (ex + np.abs(r) * ey) / margin, INF)
    return _ref(dt, r, propagated + _rounding(dt, r))


def _float_pow(dt, x, ex, y, ey):
    """x^y = exp(y ln x): the propagated bound needs x > 0 with margin; an
    exact negative base (with an integer exponent) is only rounded."""
    r = np.power(x, y)
    log_x = np.log(np.abs(np.where(x == 0, 1.0, x)))
    margin = x - ex
    spread = np.abs(y) * ex / margin + (np.abs(log_x) + ex / margin) * ey
    propagated = np.where(margin > 0, np.abs(r) * np.expm1(spread), INF)
    propagated = np.where((ex == 0) & (ey == 0), 0.0, propagated)
    approx = _rounding(dt, r, APPROX_ULPS * (1 + np.abs(y * log_x)))
    return _ref(dt, r, propagated + approx)


def _extremum(function):
    def evaluate(dt, x, ex, y, ey):
        return _ref(dt, function(x, y), np.maximum(ex, ey))
    return evaluate


def _int_add(dt, x, ex, y, ey):
    return _int_checked(dt, x + y, x.astype(float) + y, ex + ey)


def _int_sub(dt, x, ex, y, ey):
    return _int_checked(dt, x - y, x.astype(float) - y, ex + ey)


def _int_mul(dt, x, ex, y, ey):
    err = np.abs(x) * ey + np.abs(y) * ex + ex * ey
    return _int_checked(dt, x * y, x.astype(float) * y, err)


def _int_div(dt, x, ex, y, ey):
    """Rounds toward negative infinity; division by zero gives zero."""
    safe = np.where(y == 0, 1, y)
    quotient = np.where(y == 0, 0, np.floor_divide(x, safe))
    estimate = np.where(y == 0, 0.0, x.astype(float) / safe)
    return _int_checked(dt, quotient, estimate, np.where((ex > 0) | (ey > 0), INF, 0.0))


def _int_pow(dt, x, ex, y, ey):
    """Wraps on overflow; a negative exponent gives 1 for base 1, +-1 for
    base -1 and 0 for every other base."""
    bits = 32 if dt == "i32" else 64
    val = _wrapping_pow(x, np.maximum(y, 0), bits)
    negative = np.where(x == 1, 1, np.where(x == -1, np.where(y % 2 == 0, 1, -1), 0))
    val = np.where(y < 0, negative, val)
    return _ref(dt, val, np.where((ex > 0) | (ey > 0), INF, 0.0))


def _wrapping_pow(base, exponent, bits):
    """base**exponent modulo 2**bits, as a signed `bits`-bit integer."""
    result = np.ones(base.shape, dtype=np.uint64)
    square = base.astype(np.uint64)
    exponent = exponent.astype(np.uint64).copy()
    while np.any(exponent):
        odd = (exponent & np.uint64(1)).astype(bool)
        result = np.where(odd, result * square, result)
        square = square * square
        exponent >>= np.uint64(1)
    if bits == 32:
        return result.astype(np.uint32).view(np.int32).astype(np.int64)
    return result.view(np.int64)


_FLOAT_BINARY = {"add": _float_add, "sub": _float_sub, "mul": _float_mul,
                 "div": _float_div, "pow": _float_pow,
                 "maximum": _extremum(np.maximum), "minimum": _extremum(np.minimum)}
_INT_BINARY = {"add": _int_add, "sub": _int_sub, "mul": _int_mul,
               "div": _int_div, "pow": _int_pow,
               "maximum": _extremum(np.maximum), "minimum": _extremum(np.minimum)}


# ---------------------------------------------------------------------------
# Comparison, logical, select
# ---------------------------------------------------------------------------

_RELATIONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less,
              "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}


def compare(kind, a, b):
    """Compares after promotion; unknown where the operands are within their
    error bounds of each other."""
    _, x, ex, y, ey = _promoted(a, b)
    if x.dtype == np.bool_:
        x, y = x.astype(np.int64), y.astype(np.int64)
    with np.errstate(invalid="ignore"):
        close = np.abs(x.astype(np.float64) - y) <= ex + ey
    return _ref(dtypes.BOOL, _RELATIONS[kind](x, y), np.where(close & (ex + ey > 0), 1.0, 0.0))


def logical(kind, a, b):
    x, y = np.broadcast_arrays(a.val, b.val)
    ux, uy = np.broadcast_arrays(a.err >= 1, b.err >= 1)
    if kind == "and":
        val, decided = x & y, (~ux & ~x) | (~uy & ~y)
    else:
        val, decided = x | y, (~ux & x) | (~uy & y)
    return _ref(dtypes.BOOL, val, np.where((ux | uy) & ~decided, 1.0, 0.0))


def logical_not(a):
    return _ref(dtypes.BOOL, ~a.val, a.err)


def select(cond, a, b):
    dtype, x, ex, y, ey = _promoted(a, b)
    c, uc = np.broadcast_arrays(cond.val, cond.err >= 1)
    c, uc = np.broadcast_to(c, x.shape), np.broadcast_to(uc, x.shape)
    x, ex, y, ey = (np.broadcast_to(v, c.shape) for v in (x, ex, y, ey))
    spread = np.abs(x.astype(np.float64) - y) + np.maximum(ex, ey)
    return _ref(dtype, np.where(c, x, y), np.where(uc, spread, np.where(c, ex, ey)))


# ---------------------------------------------------------------------------
# Elementwise unary ops
# ---------------------------------------------------------------------------

def unary(kind, a):
    with np.errstate(all="ignore"):
        if kind in _EXACT_UNARY:
            val, err = _EXACT_UNARY[kind](a.val, a.err)
            if dtypes.is_int(a.dtype):
                return _int_checked(a.dtype, val, val.astype(float), err)
            return _ref(a.dtype, val, err)
        val, propagated, ulps, absolute = _FLOAT_UNARY[kind](a.val, a.err)
        err = propagated + _rounding(a.dtype, val, ulps) + absolute * _unit(a.dtype)
        return _ref(a.dtype, val, err)


def _sign(x, e):
    return np.sign(x), np.where(e == 0, 0.0, np.where(np.abs(x) > e, 0.0, 2.0))


def _steps(function):
    """floor/ceil/round: exact unless the error interval crosses a step."""
    def evaluate(x, e):
        jumps = function(x - e) != function(x + e)
        return function(x), np.where(jumps, e + 1, 0.0), 0.0, 0.0
    return evaluate


def _exp(x, e):
    r = np.exp(x)
    return r, r * np.expm1(e), APPROX_ULPS, 0.0


def _log(x, e):
    return np.log(x), np.where(x - e > 0, -np.log1p(-e / x), INF), APPROX_ULPS, APPROX_ULPS


def _sqrt(x, e):
    r = np.sqrt(x)
    return r, np.where(x >= 0, r - np.sqrt(np.maximum(x - e, 0)), INF), BASIC_ULPS, 0.0


def _rsqrt(x, e):
    r = 1 / np.sqrt(x)
    return r, np.where(x - e > 0, 1 / np.sqrt(x - e) - r, INF), APPROX_ULPS, 0.0


def _reciprocal(x, e):
    r = 1 / x
    return r, np.where(np.abs(x) > e, e * np.abs(r) / (np.abs(x) - e), INF), BASIC_ULPS, 0.0


def _lipschitz(function, slope):
    """A function with |f'| <= slope, computed by approximation."""
    def evaluate(x, e):
        return function(x), slope * e, APPROX_ULPS, APPROX_ULPS
    return evaluate


def _periodic(function):
    """sin/cos: 1-Lipschitz; argument reduction costs an absolute error
    growing with |x|."""
    def evaluate(x, e):
        return function(x), e, APPROX_ULPS, APPROX_ULPS * (1 + np.abs(x))
    return evaluate


_erf = np.vectorize(math.erf, otypes=[np.float64])

_EXACT_UNARY = {
    "neg": lambda x, e: (-x, e),
    "abs": lambda x, e: (np.abs(x), e),
    "relu": lambda x, e: (np.maximum(x, 0), e),
    "sign": _sign,
}
_FLOAT_UNARY = {
    "exp": _exp, "log": _log, "sqrt": _sqrt, "rsqrt": _rsqrt,
    "reciprocal": _reciprocal,
    "tanh": _lipschitz(np.tanh, 1.0),
    "sigmoid": _lipschitz(lambda x: 1 / (1 + np.exp(-x)), 0.25),
    "erf": _lipschitz(_erf, 2 / math.sqrt(math.pi)),
    "sin": _periodic(np.sin), "cos": _periodic(np.cos),
    "atan": _lipschitz(np.arctan, 1.0), "asinh": _lipschitz(np.arcsinh, 1.0),
    "floor": _steps(np.floor), "ceil": _steps(np.ceil), "round": _steps(np.round),
}


# ---------------------------------------------------------------------------
# Shape manipulation
# ---------------------------------------------------------------------------

def _same_err(function, a, *args):
    return _ref(a.dtype, function(a.val, *args), function(a.err, *args))


def reshape(a, shape):
    return _same_err(np.reshape, a, tuple(shape))


def transpose(a, perm):
    return _same_err(np.transpose, a, tuple(perm))


def broadcast_to(a, shape):
    return _same_err(lambda v, s: np.broadcast_to(v, s).copy(), a, tuple(shape))


def expand_dims(a, axis):
    return _same_err(np.expand_dims, a, axis)


def squeeze(a, axes):
    if not axes:
        axes = [d for d, size in enumerate(a.shape) if size == 1]
    if any(a.shape[d] != 1 for d in axes):
        raise UndefinedOp("squeeze of a dimension whose size is not 1")
    return _same_err(np.squeeze, a, tuple(axes))


def concat(operands, axis):
    return _ref(operands[0].dtype, np.concatenate([o.val for o in operands], axis),
                np.concatenate([o.err for o in operands], axis))


def slice_(a, start, limit, stride):
    index = tuple(slice(s, l, t) for s, l, t in zip(start, limit, stride))
    return _same_err(lambda v: v[index], a)


def pad(a, low, high, value):
    """Pads with `value` converted to the element type (by cast's rules)."""
    fill = convert(exact("f64", value), a.dtype).val
    widths = list(zip(low, high))
    return _ref(a.dtype, np.pad(a.val, widths, constant_values=fill),
                np.pad(a.err, widths, constant_values=0.0))


def gather(a, indices, axis):
    axis = axis % a.val.ndim
    size = a.shape[axis]
    if np.any(indices.err > 0):
        raise UndefinedOp("gather indices are not known exactly")
    if np.any((indices.val < -size) | (indices.val >= size)):
        raise UndefinedOp("gather index out of range")
    wrapped = np.where(indices.val < 0, indices.val + size, indices.val)
    return _ref(a.dtype, np.take(a.val, wrapped, axis), np.take(a.err, wrapped, axis))


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def _axes(axes, rank):
    return tuple(sorted(a % rank for a in axes)) if axes else tuple(range(rank))


def _count(shape, axes):
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def reduce(kind, a, axes, keepdims):
    axes = _axes(axes, a.val.ndim)
    n = _count(a.shape, axes)
    with np.errstate(all="ignore"):
        return _REDUCTIONS[kind](a, axes, bool(keepdims), n)


def _reduce_sum(a, axes, keep, n):
    val = np.sum(a.val, axis=axes, keepdims=keep)
    magnitude = np.sum(np.abs(a.val.astype(np.float64)), axis=axes, keepdims=keep)
    err = np.sum(a.err, axis=axes, keepdims=keep)
    if dtypes.is_int(a.dtype):
        return _int_checked(a.dtype, val, magnitude, err)
    err = err + _sum_ulps(n) * _unit(a.dtype) * magnitude + dtypes.SMALLEST_NORMAL[a.dtype]
    return _ref(a.dtype, val, err)


def _reduce_mean(a, axes, keep, n):
    total = _reduce_sum(a, axes, keep, n)
    if n == 0:
        return _ref(a.dtype, np.zeros(total.shape), INF)
    val = total.val / n
    return _ref(a.dtype, val, total.err / n + _rounding(a.dtype, val))


def _reduce_extremum(function):
    def evaluate(a, axes, keep, n):
        if n == 0:
            raise UndefinedOp("the extremum of an empty axis")
        return _ref(a.dtype, function(a.val, axis=axes, keepdims=keep),
                    np.max(a.err, axis=axes, keepdims=keep))
    return evaluate


def _reduce_prod(a, axes, keep, n):
    val = np.prod(a.val, axis=axes, keepdims=keep)
    magnitude = np.abs(a.val.astype(np.float64))
    bound = np.prod(magnitude, axis=axes, keepdims=keep)
    err = np.prod(magnitude + a.err, axis=axes, keepdims=keep) - bound
    if dtypes.is_int(a.dtype):
        return _int_checked(a.dtype, val, bound, err)
    return _ref(a.dtype, val, err + _rounding(a.dtype, bound, n * BASIC_ULPS))


_REDUCTIONS = {"reduce_sum": _reduce_sum, "reduce_mean": _reduce_mean,
               "reduce_max": _reduce_extremum(np.max),
               "reduce_min": _reduce_extremum(np.min),
               "reduce_prod": _reduce_prod}


def arg_reduce(kind, a, axis, keepdims):
    """The first index of the extremum; unknown where another element is
    within the error bounds of the extremum."""
    axis = axis % a.val.ndim
    sign = 1 if kind == "argmax" else -1
    x = sign * a.val.astype(np.float64)
    if a.shape[axis] == 0:
        raise UndefinedOp("the extremum of an empty axis")
    index = np.argmax(x, axis=axis)
    best = np.expand_dims(index, axis)
    top = np.take_along_axis(x, best, axis)
    top_err = np.take_along_axis(a.err, best, axis)
    positions = np.arange(a.shape[axis]).reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    rivals = (x + a.err >= top - top_err) & (a.err + top_err > 0) & (positions != best)
    err = np.where(np.any(rivals, axis=axis), INF, 0.0)
    if keepdims:
        index, err = np.expand_dims(index, axis), np.expand_dims(err, axis)
    return _ref("i64", index, err)


# ---------------------------------------------------------------------------
# Linear algebra and neural-network composites
# ---------------------------------------------------------------------------

def matmul(a, b):
    dtype, _, _, _, _ = _promoted(exact(a.dtype, 0), exact(b.dtype, 0))
    a, b = convert(a, dtype), convert(b, dtype)
    x, y = a.val, b.val
    ax, ay = np.abs(x.astype(np.float64)), np.abs(y.astype(np.float64))
    with np.errstate(all="ignore"):
        magnitude = np.matmul(ax, ay)
        err = np.matmul(ax, b.err) + np.matmul(a.err, ay) + np.matmul(a.err, b.err)
        if dtypes.is_int(dtype):
            return _int_checked(dtype, np.matmul(x, y), magnitude, err)
        depth = x.shape[-1]
        err = err + (depth + 1) * _unit(dtype) * magnitude + dtypes.SMALLEST_NORMAL[dtype]
        return _ref(dtype, np.matmul(x, y), err)


def softmax(kind, a, axis):
    axis = axis % a.val.ndim
    n = a.shape[axis]
    if a.val.size == 0:
        return _ref(a.dtype, a.val, a.err)
    with np.errstate(all="ignore"):
        top = np.max(a.val, axis=axis, keepdims=True)
        shifted = a.val - top
        total = np.sum(np.exp(shifted), axis=axis, keepdims=True)
        spread = np.max(a.err, axis=axis, keepdims=True)
        sum_error = (_sum_ulps(n) + 2 * APPROX_ULPS) * _unit(a.dtype)
        if kind == "softmax":
            val = np.exp(shifted) / total
            err = val * (np.expm1(2 * spread) + sum_error)
        else:
            val = shifted - np.log(total)
            err = a.err + spread + sum_error + _rounding(
                a.dtype, np.abs(shifted) + np.abs(top) + np.abs(np.log(total)), APPROX_ULPS)
        return _ref(a.dtype, val, err + _rounding(a.dtype, val, APPROX_ULPS))


def layer_norm(a, axes, epsilon, scale=None, bias=None):
    """(x - mean) / sqrt(var + epsilon) * scale + bias over `axes`.

    The bound admits the one-pass variance E[x^2] - E[x]^2 (its rounding
    error is relative to E[x^2], not to the variance), and is inf where
    var + epsilon may be zero or negative within the bounds."""
    if a.val.size == 0:
        return _ref(a.dtype, a.val, a.err)
    axes = _axes(axes, a.val.ndim)
    n = _count(a.shape, axes)
    u = _unit(a.dtype)
    x = a.val
    with np.errstate(all="ignore"):
        mean = np.mean(x, axis=axes, keepdims=True)
        centered = x - mean
        var = np.mean(centered**2, axis=axes, keepdims=True)
        sigma = np.sqrt(var + epsilon)
        normalized = centered / sigma
        spread = np.max(a.err, axis=axes, keepdims=True)
        mean_err = _sum_ulps(n) * u * np.mean(np.abs(x), axis=axes, keepdims=True) + spread
        var_err = ((_sum_ulps(n) + 4) * u * np.mean(x**2, axis=axes, keepdims=True)
                   + 2 * np.sqrt(var) * spread + spread**2 + _rounding(a.dtype, epsilon))
        low = var + epsilon - var_err
        sigma_low = np.sqrt(np.where(low > 0, low, np.nan))
        err = ((a.err + mean_err + 2 * u * np.abs(centered)) / sigma_low
               + np.abs(centered) * (1 / sigma_low - 1 / sigma)
               + _rounding(a.dtype, normalized, APPROX_ULPS))
        result = _ref(a.dtype, normalized, err)
        if scale is not None:
            result = _float_mul(a.dtype, *_aligned(result, scale))
        if bias is not None:
            result = _float_add(a.dtype, *_aligned(result, bias))
        return result


def _aligned(a, b):
    x, y = np.broadcast_arrays(a.val, b.val)
    ex, ey = np.broadcast_arrays(a.err, b.err)
    return x, ex, y, ey


# ---------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------

def evaluate_op(op, operands, named):
    """The Ref of `op` applied to `operands` (Refs; `named` holds layer_norm's
    scale and bias). Raises UndefinedOp or a numpy error on ill-typed input."""
    kind, attrs = op.kind, op.attrs
    if kind == "constant":
        return exact(op.dtype, op.constant)
    if kind in g.BINARY:
        return binary(kind, *operands)
    if kind in g.COMPARE:
        return compare(kind, *operands)
    if kind in g.LOGICAL:
        return logical(kind, *operands)
    if kind in g.UNARY_NUMERIC or kind in g.UNARY_FLOAT:
        return unary(kind, operands[0])
    if kind in g.REDUCE:
        return reduce(kind, operands[0], attrs["axes"], attrs.get("keepdims", False))
    if kind in g.ARG_REDUCE:
        return arg_reduce(kind, operands[0], attrs["axis"], attrs.get("keepdims", False))
    if kind in g.SOFTMAX:
        return softmax(kind, operands[0], attrs["axis"])
    return _OTHER[kind](op, operands, named)


_OTHER = {
    "not": lambda op, o, n: logical_not(o[0]),
    "select": lambda op, o, n: select(*o),
    "cast": lambda op, o, n: convert(o[0], op.dtype),
    "reshape": lambda op, o, n: reshape(o[0], op.attrs["shape"]),
    "transpose": lambda op, o, n: transpose(o[0], op.attrs["perm"]),
    "broadcast_to": lambda op, o, n: broadcast_to(o[0], op.attrs["shape"]),
    "expand_dims": lambda op, o, n: expand_dims(o[0], op.attrs["axis"]),
    "squeeze": lambda op, o, n: squeeze(o[0], op.attrs["axes"]),
    "concat": lambda op, o, n: concat(o, op.attrs["axis"]),
    "slice": lambda op, o, n: slice_(o[0], op.attrs["start"], op.attrs["limit"],
                                     op.attrs["stride"]),
    "pad": lambda op, o, n: pad(o[0], op.attrs["low"], op.attrs["high"], op.attrs["value"]),
    "gather": lambda op, o, n: gather(o[0], o[1], op.attrs["axis"]),
    "matmul": lambda op, o, n: matmul(*o),
    "layer_norm": lambda op, o, n: layer_norm(o[0], op.attrs["axes"], op.attrs["epsilon"],
                                              n.get("scale"), n.get("bias")),
}


def evaluate(graph, inputs):
    """Refs of every value of `graph` given its inputs ({arg name: Ref})."""
    values = dict(inputs)
    for op in graph.ops:
        operands = [values[name] for name in op.operands]
        named = {key: values[name] for key, name in op.named.items()}
        values[op.result] = evaluate_op(op, operands, named)
    return values
