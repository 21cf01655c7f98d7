"""Random well-typed kiln graphs, built op by op on concrete inputs.

The generator draws the inputs first and evaluates the reference as it
goes, so it can keep every op on operands where the op is defined and well
conditioned: a candidate op whose result is not finite, leaves the value
range, is unspecified (integer overflow outside pow) or is mostly unknown
within its error bound is dropped and another one drawn. Operands come from
earlier results (recent ones preferred, which makes the graphs deep), or are
new arguments or constants of a shape that fits.

A graph is made of one seed alone: `generate(seed)` is deterministic.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import dtypes
from . import graph as g
from . import reference as ref

MAX_ELEMENTS = 2048
BIG_SUM_ELEMENTS = (1 << 16, 1 << 18)

# The largest magnitude a float result may reach, per dtype: far below the
# dtype's overflow, so that a following op cannot overflow in Kiln while
# staying finite in the reference.
VALUE_LIMIT = {"f16": 1e3, "bf16": 1e4, "f32": 1e6, "f64": 1e6}

# The fraction of graphs that write some result dims as `?`.
DYNAMIC_GRAPHS = 0.05

# Ops per graph. Compiling costs 30-50 ms per op (LLVM's O3 and code
# generation dominate), so graph size trades depth for graphs per minute.
OPS_PER_GRAPH = (4, 16)

# A result is kept only if at least this fraction of its elements is known
# well (see `_usable`).
MIN_USABLE = 0.75

DTYPE_WEIGHTS = {"f32": 38, "f64": 14, "i32": 14, "i64": 10, "i1": 10, "f16": 7, "bf16": 7}
NUMERIC = dtypes.FLOATS + dtypes.INTS
ANY = dtypes.ALL

# Special float inputs that are only ever cast to integers or bool: NaN,
# infinities, and values outside every integer type's range.
SPECIAL_VALUES = (np.nan, np.inf, -np.inf, 1e20, -1e20, 3e9, -3e9, 2.5, -2.5, -0.0, 0.0)


@dataclass
class GeneratedGraph:
    seed: int
    graph: g.Graph
    refs: dict  # every value name -> reference.Ref
    dynamic: bool  # whether some result type has a `?` dimension


class Rejected(Exception):
    """A candidate op that does not fit; the builder rolls it back."""


class Builder:
    """A graph under construction, with the reference value of every name."""

    def __init__(self, rng):
        self.rng = rng
        self.graph = g.Graph("main", [], [], [])
        self.refs = {}
        self.dynamic = {}
        self.pickable = []
        self.has_dynamic = rng.random() < DYNAMIC_GRAPHS
        self.dynamic_rate = 0.35 if self.has_dynamic else 0.0

    # -- random choices ----------------------------------------------------

    def chance(self, p):
        return self.rng.random() < p

    def choice(self, items, weights=None):
        if weights is not None:
            weights = np.asarray(weights, dtype=float)
            weights = weights / weights.sum()
        return items[self.rng.choice(len(items), p=weights)]

    def integer(self, low, high):
        """A random integer in [low, high]."""
        return int(self.rng.integers(low, high + 1))

    def dtype(self, allowed=ANY):
        allowed = [d for d in allowed if d in DTYPE_WEIGHTS]
        return self.choice(allowed, [DTYPE_WEIGHTS[d] for d in allowed])

    def shape(self, rank=None, max_elements=MAX_ELEMENTS):
        if rank is None:
            rank = self.choice([0, 1, 2, 3, 4], [10, 25, 30, 25, 10])
        dims = [self.dimension() for _ in range(rank)]
        while math.prod(dims) > max_elements:
            largest = int(np.argmax(dims))
            dims[largest] //= 2
        return tuple(dims)

    def dimension(self):
        kind = self.choice(["one", "small", "medium", "zero"], [22, 50, 25, 3])
        if kind == "one":
            return 1
        if kind == "zero":
            return 0
        return self.integer(2, 8) if kind == "small" else self.integer(9, 40)

    # -- values --------------------------------------------------------------

    def new_name(self, prefix):
        return f"{prefix}{len(self.graph.args) + len(self.graph.ops)}"

    def arg(self, dtype, shape, profile="default", pickable=True):
        """A new function argument with random values drawn by `profile`;
        one that is not `pickable` is kept for the op being made."""
        values = self.random_values(dtype, shape, profile)
        name = self.new_name("a")
        self.graph.args.append(g.Arg(name, dtype, tuple(shape)))
        self.refs[name] = ref.exact(dtype, values)
        self.dynamic[name] = ()
        if pickable:
            self.pickable.append(name)
        return name

    def constant(self, dtype, shape, profile="default"):
        """A new kiln.constant, mostly a scalar or a splat (an argument if
        it would be empty)."""
        if math.prod(shape) == 0:
            return self.arg(dtype, shape, profile)
        values = self.random_values(dtype, shape if self.chance(0.5) else (), profile)
        values = np.broadcast_to(values, shape).copy()
        name = self.new_name("c")
        op = g.Op(name, "constant", [], dtype=dtype, constant=values)
        self.graph.ops.append(op)
        self.refs[name] = ref.exact(dtype, values)
        self.dynamic[name] = ()
        return name

    def random_values(self, dtype, shape, profile="default"):
        """Random wide values of `dtype`, exactly representable in it."""
        if dtype == dtypes.BOOL:
            return self.rng.random(shape) < 0.5
        if dtypes.is_int(dtype):
            return self._random_ints(shape, profile)
        return dtypes.round_to(dtype, self._random_floats(shape, profile))

    def _random_ints(self, shape, profile):
        if isinstance(profile, tuple):  # an explicit [low, high] range
            return self.rng.integers(profile[0], profile[1] + 1, shape)
        if profile == "default" and self.chance(0.15):
            profile = "wide"
        low, high = {"nonzero": (1, 9), "wide": (-100000, 100000),
                     "exponent": (-3, 12)}.get(profile, (-10, 10))
        values = self.rng.integers(low, high + 1, shape)
        if profile == "nonzero":
            values = values * self.rng.choice([-1, 1], shape)
        return values

    def _random_floats(self, shape, profile):
        rng = self.rng
        if profile == "positive":
            return rng.uniform(0.25, 4.0, shape)
        if profile == "nonzero":
            return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
        if profile == "special":
            return rng.choice(np.array(SPECIAL_VALUES), shape)
        if profile == "integral" or (profile == "default" and self.chance(0.15)):
            return rng.integers(-4, 5, shape).astype(float)
        if profile == "exponent":
            return rng.uniform(-2.0, 2.0, shape)
        if profile == "big":
            return rng.uniform(0.0, 1.0, shape)
        scale = self.choice([1.0, 2.0, 30.0], [40, 50, 10])
        return rng.uniform(-scale, scale, shape)

    def pick(self, accept):
        """An earlier value satisfying `accept(name)`, recent ones preferred;
        None if there is none."""
        names = [n for n in self.pickable if accept(n)]
        if not names:
            return None
        weights = np.ones(len(names))
        weights[-6:] += 3.0
        return self.choice(names, weights)

    def operand(self, allowed, accept=lambda name: True, profile="default", rank=None):
        """An earlier value (75%) or a new argument of a dtype in `allowed`."""
        if self.chance(0.75):
            name = self.pick(lambda n: self.refs[n].dtype in allowed
                             and (rank is None or self.rank(n) in rank) and accept(n))
            if name is not None:
                return name
        ranks = list(rank) if rank is not None else None
        shape = self.shape(None if ranks is None else self.choice(ranks))
        return self.arg(self.dtype(allowed), shape, profile)

    def partner(self, name, allowed, accept=lambda n: True, profile="default", same_dtype=0.7):
        """A value broadcast-compatible with `name`: an earlier one, or a new
        argument or constant of a shape made to broadcast with it."""
        own = self.refs[name].dtype
        if own in allowed and self.chance(same_dtype):
            allowed = (own,)
        if self.chance(0.5):
            found = self.pick(lambda n: n != name and self.refs[n].dtype in allowed
                              and accept(n) and self.broadcasts(name, n))
            if found is not None:
                return found
        shape = self.broadcast_partner_shape(self.shape_of(name))
        dtype = self.dtype(allowed)
        if self.chance(0.2):
            return self.constant(dtype, shape, profile)
        return self.arg(dtype, shape, profile)

    def broadcast_partner_shape(self, shape):
        """A random shape that broadcasts with `shape` within MAX_ELEMENTS."""
        if self.chance(0.3):
            return tuple(shape)
        if self.chance(0.2):
            return ()
        dims = [self.integer(2, 5) if d == 1 and self.chance(0.2)
                else d if self.chance(0.7) else 1 for d in shape]
        if dims and self.chance(0.4):
            dims = dims[self.integer(1, len(dims)):]
        elif self.chance(0.15):
            dims = [self.integer(1, 4)] + dims
        candidate = tuple(dims)
        if math.prod(np.broadcast_shapes(candidate, tuple(shape))) > MAX_ELEMENTS:
            return tuple(shape)
        return candidate

    # -- facts about values ------------------------------------------------

    def shape_of(self, name):
        return self.refs[name].shape

    def rank(self, name):
        return len(self.shape_of(name))

    def broadcasts(self, a, b):
        try:
            shape = np.broadcast_shapes(self.shape_of(a), self.shape_of(b))
        except ValueError:
            return False
        return math.prod(shape) <= MAX_ELEMENTS

    def positive(self, name):
        r = self.refs[name]
        return dtypes.is_float(r.dtype) and bool(np.all(r.val - r.err > 0.05))

    def nonzero(self, name):
        r = self.refs[name]
        return bool(np.all(np.abs(r.val.astype(float)) - r.err > 0.05))

    def exact_ints_within(self, name, low, high):
        r = self.refs[name]
        return (dtypes.is_int(r.dtype) and bool(np.all(r.err == 0))
                and bool(np.all((r.val >= low) & (r.val <= high))))

    # -- adding ops ----------------------------------------------------------

    def add(self, kind, operands, attrs=None, named=None, dtype=None):
        """Adds an op if its result is acceptable; raises Rejected if not."""
        op = g.Op(self.new_name("v"), kind, list(operands), dict(attrs or {}),
                  named=dict(named or {}), dtype=dtype)
        try:
            result = ref.evaluate_op(op, [self.refs[o] for o in op.operands],
                                     {k: self.refs[v] for k, v in op.named.items()})
        except (ref.UndefinedOp, ValueError, IndexError) as error:
            raise Rejected(str(error)) from error
        if not _acceptable(result):
            raise Rejected("result out of range or mostly unknown")
        op.dynamic = self._result_dynamic(op, result.shape)
        self.graph.ops.append(op)
        self.refs[op.result] = result
        self.dynamic[op.result] = op.dynamic
        self.pickable.append(op.result)
        return op.result

    def _result_dynamic(self, op, shape):
        """Which result dims to write as `?`, within the limits the lowering
        documents (lib/Conversion/KilnToLinalg), which concern operand
        types: same-type ops follow their operand; a broadcasting op keeps
        an operand's dynamic dim dynamic and may broadcast it against
        nothing but a static 1; matmul operands have static batch dims.
        Size-1 dims stay static."""
        if g.TYPE_FORMAT[op.kind] == g.SAME:
            return self.dynamic[op.operands[0]]
        mask = [self.chance(self.dynamic_rate) and d != 1 for d in shape]
        if op.kind == "matmul" and any(any(self.dynamic[o][:-2]) for o in op.operands):
            raise Rejected("matmul with dynamic batch dimensions")
        if op.kind in _BROADCASTING:
            for d in range(len(shape)):
                aligned = [self._aligned_dim(o, d, len(shape)) for o in g.all_operands(op)]
                present = [a for a in aligned if a is not None]
                if any(dynamic for _, dynamic in present):
                    if len([size for size, _ in present if size != 1]) > 1:
                        raise Rejected("a dynamic dimension would broadcast")
                    mask[d] = True
        return tuple(mask)

    def _aligned_dim(self, name, d, rank):
        """(size, dynamic) of `name`'s dim aligned with result dim d."""
        shape, mask = self.shape_of(name), self.dynamic[name]
        j = d - (rank - len(shape))
        if j < 0:
            return None
        return shape[j], j < len(mask) and mask[j]

    def rollback(self, args, ops, pickable):
        for name in [a.name for a in self.graph.args[args:]] + \
                [o.result for o in self.graph.ops[ops:]]:
            self.refs.pop(name, None)
            self.dynamic.pop(name, None)
        del self.graph.args[args:], self.graph.ops[ops:], self.pickable[pickable:]


_BROADCASTING = set(g.BINARY + g.COMPARE + g.LOGICAL) | {"select", "cast", "broadcast_to",
                                                         "layer_norm"}


def _usable(result):
    """Elements whose bound is small enough for the comparison to mean
    something: exact integers and bools, floats known to a quarter unit."""
    if result.dtype == dtypes.BOOL:
        return result.err < 1
    return result.err <= 0.25 * (1 + np.abs(result.val.astype(np.float64)))


def _acceptable(result):
    if result.val.size > MAX_ELEMENTS:
        return False
    if dtypes.is_float(result.dtype):
        if not np.all(np.isfinite(result.val)):
            return False
        if result.val.size and np.max(np.abs(result.val)) > VALUE_LIMIT[result.dtype]:
            return False
    return result.val.size == 0 or np.mean(_usable(result)) >= MIN_USABLE


# ---------------------------------------------------------------------------
# Op makers: each adds one op (and any new operands) or raises Rejected.
# ---------------------------------------------------------------------------

def make_binary(b):
    kind = b.choice(g.BINARY, [20, 15, 18, 10, 8, 8, 8])
    if kind == "pow":
        return _make_pow(b)
    lhs = b.operand(NUMERIC)
    if kind == "div" and dtypes.is_float(b.refs[lhs].dtype):
        rhs = b.partner(lhs, NUMERIC, accept=b.nonzero, profile="nonzero")
    else:
        rhs = b.partner(lhs, NUMERIC)
    if b.chance(0.5):
        lhs, rhs = rhs, lhs
    return b.add(kind, [lhs, rhs])


def _make_pow(b):
    if b.chance(0.6):
        base = b.operand(dtypes.FLOATS, accept=b.positive, profile="positive")
        exponent = b.partner(base, dtypes.FLOATS, profile="exponent")
    elif b.chance(0.3):  # a negative base to an integral exponent
        base = b.operand(dtypes.FLOATS, profile="default")
        exponent = b.partner(base, dtypes.FLOATS, profile="integral")
    else:  # integer powers, which wrap on overflow
        base = b.operand(dtypes.INTS, profile="default")
        exponent = b.partner(base, dtypes.INTS, profile="exponent" if b.chance(0.8) else (0, 40))
    return b.add("pow", [base, exponent])


def make_compare(b):
    lhs = b.operand(ANY)
    rhs = b.partner(lhs, ANY, same_dtype=0.8)
    return b.add(b.choice(g.COMPARE), [lhs, rhs])


def _bool_operand(b):
    if b.chance(0.7):
        name = b.pick(lambda n: b.refs[n].dtype == dtypes.BOOL)
        if name is not None:
            return name
    return b.arg(dtypes.BOOL, b.shape())


def make_logical(b):
    if b.chance(0.25):
        return b.add("not", [_bool_operand(b)])
    lhs = _bool_operand(b)
    return b.add(b.choice(g.LOGICAL), [lhs, b.partner(lhs, (dtypes.BOOL,))])


def make_select(b):
    cond = _bool_operand(b)
    a = b.partner(cond, ANY, same_dtype=0.0)
    other = b.partner(a, ANY, same_dtype=0.8)
    return b.add("select", [cond, a, other])


def make_unary(b):
    if b.chance(0.3):
        return b.add(b.choice(g.UNARY_NUMERIC), [b.operand(NUMERIC)])
    kind = b.choice(g.UNARY_FLOAT)
    accept, profile = lambda n: True, "default"
    if kind in ("log", "sqrt", "rsqrt"):
        accept, profile = b.positive, "positive"
    elif kind == "reciprocal":
        accept, profile = b.nonzero, "nonzero"
    elif kind == "exp":
        accept = lambda n: bool(np.all(b.refs[n].val < 8))
    return b.add(kind, [b.operand(dtypes.FLOATS, accept, profile)])


def make_cast(b):
    source = b.operand(ANY)
    return b.add("cast", [source], dtype=b.dtype(ANY))


def make_special_cast(b):
    """Casts of NaN, infinities and out-of-range floats to integers or bool,
    whose saturating results KilnOps.td defines."""
    source = b.arg(b.dtype(dtypes.FLOATS), b.shape(b.integer(0, 2)), "special", pickable=False)
    return b.add("cast", [source], dtype=b.dtype(dtypes.INTS + (dtypes.BOOL,)))


def make_reshape(b):
    source = b.operand(ANY)
    shape = _factorization(b, math.prod(b.shape_of(source)))
    if shape and math.prod(b.shape_of(source)) > 0 and b.chance(0.3):
        shape[b.integer(0, len(shape) - 1)] = -1
    return b.add("reshape", [source], {"shape": shape})


def _factorization(b, size):
    """A random shape with `size` elements, of rank 0 to 4."""
    if size == 0:
        shape = list(b.shape(b.integer(1, 3)))
        return shape[:-1] + [0] if 0 not in shape else shape
    factors, n = [], size
    for p in (2, 3, 5, 7):
        while n % p == 0:
            factors.append(p)
            n //= p
    if n > 1:
        factors.append(n)
    rank = b.integer(1 if size > 1 else 0, 4)
    dims = [1] * rank
    for f in factors:
        dims[b.integer(0, rank - 1)] *= f
    return dims


def make_transpose(b):
    source = b.operand(ANY, rank=(1, 2, 3, 4))
    return b.add("transpose", [source], {"perm": list(b.rng.permutation(b.rank(source)))})


def make_broadcast_to(b):
    """broadcast_to's result shape is static, so a dynamic input dimension
    might be 1 and broadcast: the lowering's documented limit."""
    source = b.operand(ANY, accept=lambda n: not any(b.dynamic[n]))
    shape = [d if d != 1 or b.chance(0.3) else b.integer(2, 6) for d in b.shape_of(source)]
    shape = [b.integer(1, 4) for _ in range(b.integer(0, 2))] + shape
    return b.add("broadcast_to", [source], {"shape": shape})


def make_expand_dims(b):
    source = b.operand(ANY)
    rank = b.rank(source)
    return b.add("expand_dims", [source], {"axis": b.integer(-rank - 1, rank)})


def make_squeeze(b):
    source = b.operand(ANY, accept=lambda n: 1 in b.shape_of(n))
    ones = [d for d, size in enumerate(b.shape_of(source)) if size == 1]
    listed = any(b.dynamic[source]) or b.chance(0.7)  # [] needs a static shape
    axes = [] if not ones or not listed else \
        sorted(b.rng.choice(ones, b.integer(1, len(ones)), replace=False).tolist())
    axes = [a - b.rank(source) if b.chance(0.3) else a for a in axes]
    return b.add("squeeze", [source], {"axes": axes})


def make_concat(b):
    first = b.operand(ANY, rank=(1, 2, 3, 4))
    shape = b.shape_of(first)
    axis = b.integer(0, len(shape) - 1)
    inputs = [first]
    for _ in range(b.integer(1, 2)):
        inputs.append(_concat_partner(b, first, axis))
    if b.chance(0.3):
        axis -= len(shape)
    return b.add("concat", inputs, {"axis": axis})


def _concat_partner(b, first, axis):
    shape, dtype = b.shape_of(first), b.refs[first].dtype

    def matches(n):
        other = b.shape_of(n)
        return (b.refs[n].dtype == dtype and len(other) == len(shape)
                and all(x == y for d, (x, y) in enumerate(zip(shape, other)) if d != axis))

    if b.chance(0.3):
        return first
    found = b.pick(matches) if b.chance(0.5) else None
    if found is not None:
        return found
    new_shape = list(shape)
    new_shape[axis] = b.choice([0, 1, 2, 3, 5])
    return b.arg(dtype, new_shape)


def make_slice(b):
    source = b.operand(ANY, rank=(1, 2, 3, 4))
    start, limit, stride = [], [], []
    empty_at_end = b.chance(0.05)
    for size in b.shape_of(source):
        if empty_at_end and b.chance(0.5):
            lo = hi = size
        else:
            lo = b.integer(0, max(size - 1, 0))
            hi = b.integer(lo, size)
            if b.chance(0.3):
                lo, hi = 0, size
        start.append(lo)
        limit.append(hi)
        stride.append(b.choice([1, 1, 2, 3]))
    return b.add("slice", [source], {"start": start, "limit": limit, "stride": stride})


def make_pad(b):
    source = b.operand(ANY, rank=(1, 2, 3, 4))
    rank, dtype = b.rank(source), b.refs[source].dtype
    low = [b.choice([0, 0, 1, 2, 3]) for _ in range(rank)]
    high = [b.choice([0, 0, 1, 2, 3]) for _ in range(rank)]
    if dtype == dtypes.BOOL:
        value = b.choice([0.0, 1.0])
    elif dtypes.is_int(dtype):
        value = float(b.integer(-5, 5))
    else:
        value = b.choice([0.0, 1.0, -1.5, 0.25])
    return b.add("pad", [source], {"low": low, "high": high, "value": value})


def make_gather(b):
    source = b.operand(ANY, rank=(1, 2, 3))
    axis = b.integer(0, b.rank(source) - 1)
    size = b.shape_of(source)[axis]
    indices = b.pick(lambda n: b.rank(n) <= 2 and b.exact_ints_within(n, -size, size - 1)
                     and b.refs[n].val.size <= 64)
    if indices is None or b.chance(0.4):
        if size == 0:
            raise Rejected("no index into an empty axis")
        indices = b.arg(b.dtype(dtypes.INTS), b.shape(b.integer(0, 2), 64),
                        (-size, size - 1))
    if b.chance(0.3):
        axis -= b.rank(source)
    return b.add("gather", [source, indices], {"axis": axis})


def make_reduce(b):
    kind = b.choice(g.REDUCE, [35, 15, 20, 15, 8])
    allowed = dtypes.FLOATS if kind == "reduce_mean" else NUMERIC
    source = b.operand(allowed)
    rank = b.rank(source)
    axes = [] if rank == 0 or b.chance(0.3) else \
        sorted(b.rng.choice(rank, b.integer(1, rank), replace=False).tolist())
    axes = [a - rank if b.chance(0.3) else a for a in axes]
    return b.add(kind, [source], {"axes": axes, "keepdims": b.chance(0.4)})


def make_arg_reduce(b):
    source = b.operand(NUMERIC, rank=(1, 2, 3, 4))
    axis = b.integer(-b.rank(source), b.rank(source) - 1)
    return b.add(b.choice(g.ARG_REDUCE), [source], {"axis": axis, "keepdims": b.chance(0.4)})


def make_matmul(b):
    lhs = b.operand(NUMERIC, rank=(1, 2, 3), accept=lambda n: b.shape_of(n)[-1] <= 64)
    shape = b.shape_of(lhs)
    k = shape[-1]
    n = b.choice([1, 2, 3, 4, 8, 16])
    if len(shape) == 1 or b.chance(0.2):
        rhs_shape = (k,) if b.chance(0.5) else (k, n)
    else:
        batch = list(shape[:-2])
        if batch and b.chance(0.3):
            batch = [1 if b.chance(0.5) else d for d in batch]
        rhs_shape = tuple(batch) + (k, n) if b.chance(0.6) else (k, n)
    dtype = b.refs[lhs].dtype if b.chance(0.8) else b.dtype(NUMERIC)
    if len(rhs_shape) >= 2 and b.chance(0.2):
        rhs = _transpose_last(b, b.arg(dtype, rhs_shape[:-2] + rhs_shape[:-3:-1]))
    else:
        rhs = b.arg(dtype, rhs_shape)
    return b.add("matmul", [lhs, rhs])


def _transpose_last(b, name):
    """`name` with its last two dims swapped."""
    rank = b.rank(name)
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return b.add("transpose", [name], {"perm": perm})


def make_softmax(b):
    source = b.operand(dtypes.FLOATS, rank=(1, 2, 3))
    axis = b.integer(-b.rank(source), b.rank(source) - 1)
    return b.add(b.choice(g.SOFTMAX), [source], {"axis": axis})


def make_layer_norm(b):
    source = b.operand(dtypes.FLOATS, rank=(1, 2, 3))
    rank, dtype = b.rank(source), b.refs[source].dtype
    count = b.integer(1, rank)
    axes = list(range(rank - count, rank)) if b.chance(0.8) else \
        sorted(b.rng.choice(rank, count, replace=False).tolist())
    named = {}
    for key in g.NAMED_OPERANDS:
        if b.chance(0.5):
            trailing = b.shape_of(source)[rank - b.integer(0, rank):]
            named[key] = b.arg(dtype, tuple(d if b.chance(0.8) else 1 for d in trailing))
    epsilon = b.choice([1e-5, 1e-3, 0.1, 0.0], [50, 25, 20, 5])
    return b.add("layer_norm", [source], {"axes": axes, "epsilon": epsilon}, named=named)


def make_big_sum(b):
    """A sum of many same-sign f32 values: the accuracy of long reductions."""
    size = b.integer(*BIG_SUM_ELEMENTS)
    shape = (size,) if b.chance(0.5) else (4, size // 4)
    source = b.arg("f32", shape, "big", pickable=False)
    axes = [] if len(shape) == 1 or b.chance(0.5) else [1]
    kind = b.choice(["reduce_sum", "reduce_mean"])
    return b.add(kind, [source], {"axes": axes, "keepdims": b.chance(0.3)})


MAKERS = (
    (make_binary, 22), (make_unary, 13), (make_compare, 6), (make_logical, 3),
    (make_select, 4), (make_cast, 6), (make_special_cast, 1), (make_reshape, 4),
    (make_transpose, 4), (make_broadcast_to, 3), (make_expand_dims, 2),
    (make_squeeze, 2), (make_concat, 4), (make_slice, 4), (make_pad, 4),
    (make_gather, 3), (make_reduce, 9), (make_arg_reduce, 3), (make_matmul, 4),
    (make_softmax, 3), (make_layer_norm, 3), (make_big_sum, 0.3),
)


# ---------------------------------------------------------------------------
# Whole graphs
# ---------------------------------------------------------------------------

def generate(seed):
    """The random graph of `seed`, with the reference value of every name."""
    rng = np.random.default_rng(seed)
    b = Builder(rng)
    target = b.integer(*OPS_PER_GRAPH)
    makers, weights = zip(*MAKERS)
    attempts = 0
    while len(b.graph.ops) < target and attempts < 20 * target:
        attempts += 1
        mark = (len(b.graph.args), len(b.graph.ops), len(b.pickable))
        try:
            b.choice(makers, weights)(b)
        except Rejected:
            b.rollback(*mark)
    _choose_outputs(b)
    _drop_unused_args(b.graph)
    return GeneratedGraph(seed, b.graph, b.refs, b.has_dynamic)


def _choose_outputs(b):
    """Every result nothing uses, and a few that something does; dynamic
    results are reshaped to their static type first."""
    used = {o for op in b.graph.ops for o in g.all_operands(op)}
    results = [op.result for op in b.graph.ops if op.kind != "constant"]
    outputs = [r for r in results if r not in used or b.chance(0.1)]
    if not outputs:
        outputs = [b.graph.ops[-1].result] if b.graph.ops else []
    if not outputs:
        source = b.arg("f32", b.shape())
        outputs = [b.add("neg", [source])]
    b.dynamic_rate = 0.0  # function results are static
    b.graph.outputs = [
        b.add("reshape", [name], {"shape": list(b.shape_of(name))})
        if any(b.dynamic[name]) else name for name in outputs]


def _drop_unused_args(graph):
    used = {o for op in graph.ops for o in g.all_operands(op)} | set(graph.outputs)
    graph.args = [a for a in graph.args if a.name in used]
