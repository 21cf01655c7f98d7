"""Kiln element types as the tester sees them.

Reference values are held in wide numpy arrays whatever the kiln dtype:
float64 for the float types, int64 for i32/i64 and bool for i1. This module
knows each dtype's range and rounding, the promotion table of
kiln/Runtime/DType.h, and how tensors of each dtype are stored in .npy files
(bfloat16 as the raw 2-byte `<V2` that kilnc reads and writes).
"""

import numpy as np

FLOATS = ("f16", "bf16", "f32", "f64")
INTS = ("i32", "i64")
BOOL = "i1"
ALL = FLOATS + INTS + (BOOL,)

# Unit roundoff (half an ulp of 1.0) of each float type.
UNIT_ROUNDOFF = {"f16": 2.0**-11, "bf16": 2.0**-8, "f32": 2.0**-24, "f64": 2.0**-53}

# Smallest normal number: an op whose result is subnormal may flush it to zero.
SMALLEST_NORMAL = {"f16": 2.0**-14, "bf16": 2.0**-126, "f32": 2.0**-126, "f64": 2.0**-1022}

LARGEST_FINITE = {"f16": 65504.0, "bf16": 3.3895313892515355e38,
                  "f32": float(np.finfo(np.float32).max), "f64": float(np.finfo(np.float64).max)}

INT_RANGE = {"i32": (-(2**31), 2**31 - 1), "i64": (-(2**63), 2**63 - 1)}

# The lattice order of kiln/Runtime/DType.h: bool < integers < floats.
_RANK = {"i1": 0, "i32": 1, "i64": 2, "f16": 3, "bf16": 3, "f32": 4, "f64": 5}

_NUMPY_STORAGE = {"f16": np.float16, "f32": np.float32, "f64": np.float64,
                  "i32": np.int32, "i64": np.int64, "i1": np.bool_}


def is_float(dtype):
    return dtype in FLOATS


def is_int(dtype):
    return dtype in INTS


def promote(a, b):
    """The element type of an elementwise op on `a` and `b` (DType.h's table)."""
    if {a, b} == {"f16", "bf16"}:
        return "f32"
    return a if _RANK[a] >= _RANK[b] else b


def wide_dtype(dtype):
    """The numpy type reference values of `dtype` are held in."""
    if is_float(dtype):
        return np.float64
    return np.bool_ if dtype == BOOL else np.int64


def round_to(dtype, values):
    """`values` (float64) rounded to the nearest `dtype` number, as float64."""
    values = np.asarray(values, dtype=np.float64)
    if dtype == "bf16":
        return _bf16_bits_to_f64(_f64_to_bf16_bits(values))
    with np.errstate(over="ignore"):
        return values.astype(_NUMPY_STORAGE[dtype]).astype(np.float64)


def _f64_to_bf16_bits(values):
    """Round to bfloat16 (nearest, ties to even) via float32; NaN stays NaN."""
    with np.errstate(over="ignore"):
        bits = np.atleast_1d(values.astype(np.float32)).view(np.uint32).astype(np.uint64)
    sixteen = np.uint64(16)
    rounded = (bits + np.uint64(0x7FFF) + ((bits >> sixteen) & np.uint64(1))) >> sixteen
    rounded = np.where(np.isnan(np.atleast_1d(values)), 0x7FC0, rounded)
    return rounded.astype(np.uint16).reshape(np.shape(values))


def _bf16_bits_to_f64(bits):
    wide = np.atleast_1d(bits).astype(np.uint32) << np.uint32(16)
    return wide.view(np.float32).astype(np.float64).reshape(np.shape(bits))


def to_storage(dtype, wide):
    """A wide reference array converted to the array kilnc reads for `dtype`."""
    if dtype == "bf16":
        return _f64_to_bf16_bits(np.asarray(wide, dtype=np.float64)).view("V2")
    return np.asarray(wide).astype(_NUMPY_STORAGE[dtype])


def from_storage(array):
    """A kilnc .npy array as (dtype, wide array)."""
    if array.dtype.kind == "V" and array.dtype.itemsize == 2:
        return "bf16", _bf16_bits_to_f64(array.view(np.uint16))
    for dtype, storage in _NUMPY_STORAGE.items():
        if array.dtype == np.dtype(storage):
            return dtype, array.astype(wide_dtype(dtype))
    raise ValueError(f"unexpected .npy dtype {array.dtype}")
