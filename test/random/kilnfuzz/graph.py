"""The tester's graph: a `func.func` of kiln ops, printed and parsed as MLIR.

A graph holds no types of its own for op results: shapes and dtypes come
from evaluating it on its inputs (`reference.evaluate`), and an op only
records which dimensions of its written result type are dynamic (`?`). So
a graph edited by the minimiser (an op replaced by an argument, a dynamic
dimension made static) prints consistently without re-deriving types.

The text format is the assembly format of KilnOps.td; `parse` reads what
`to_mlir` writes (one op per line), which is also what regression cases and
hand-edited reproducers use.
"""

import ast
import re
from dataclasses import dataclass, field

import numpy as np

from . import dtypes

# How each op's types are written after the colon: `T` (the operand type,
# SameOperandsAndResultType), `T -> T`, `T to T` (cast) or
# `(T, ...) -> T` (functional-type).
SAME, ARROW, TO, FUNCTIONAL, CONSTANT = "same", "arrow", "to", "functional", "constant"

BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")
LOGICAL = ("and", "or")
UNARY_NUMERIC = ("neg", "abs", "relu", "sign")
UNARY_FLOAT = ("exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "erf", "sin", "cos",
               "atan", "asinh", "floor", "ceil", "round", "reciprocal")
REDUCE = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod")
ARG_REDUCE = ("argmax", "argmin")
SOFTMAX = ("softmax", "log_softmax")

TYPE_FORMAT = {
    **{op: FUNCTIONAL for op in BINARY + COMPARE + LOGICAL},
    **{op: SAME for op in UNARY_NUMERIC + UNARY_FLOAT + SOFTMAX + ("not",)},
    **{op: ARROW for op in REDUCE + ARG_REDUCE},
    "select": FUNCTIONAL, "matmul": FUNCTIONAL, "concat": FUNCTIONAL,
    "gather": FUNCTIONAL, "layer_norm": FUNCTIONAL,
    "reshape": ARROW, "transpose": ARROW, "broadcast_to": ARROW,
    "expand_dims": ARROW, "squeeze": ARROW, "slice": ARROW, "pad": ARROW,
    "cast": TO, "constant": CONSTANT,
}

# Attributes in the order the assembly format writes them. A `bool` value
# is a unit attribute (`keepdims`), written only when true.
ATTRIBUTE_ORDER = ("shape", "perm", "axis", "axes", "start", "limit", "stride",
                   "low", "high", "value", "keepdims", "epsilon")

# layer_norm's optional operands are written after a keyword.
NAMED_OPERANDS = ("scale", "bias")


@dataclass
class Op:
    """One kiln op. `dynamic` marks the result dimensions written as `?`
    (ignored for SAME-format ops, whose result type is the operand's)."""

    result: str
    kind: str
    operands: list
    attrs: dict = field(default_factory=dict)
    dynamic: tuple = ()
    dtype: str = None  # the result element type of cast and constant
    constant: np.ndarray = None  # the wide value of a kiln.constant
    named: dict = field(default_factory=dict)  # layer_norm: scale/bias -> name


@dataclass
class Arg:
    name: str
    dtype: str
    shape: tuple


@dataclass
class Graph:
    name: str
    args: list
    ops: list
    outputs: list

    def op_defining(self, name):
        return next((op for op in self.ops if op.result == name), None)


def all_operands(op):
    """The operands of `op`, layer_norm's scale and bias included."""
    return list(op.operands) + [op.named[k] for k in NAMED_OPERANDS if k in op.named]


@dataclass(frozen=True)
class TensorType:
    shape: tuple
    dtype: str
    dynamic: tuple = ()

    def mlir(self):
        dims = ["?" if i < len(self.dynamic) and self.dynamic[i] else str(d)
                for i, d in enumerate(self.shape)]
        return "tensor<" + "".join(d + "x" for d in dims) + self.dtype + ">"


def written_types(graph, refs):
    """The MLIR type of every value: shape and dtype from its reference value
    (`refs[name].shape`, `.dtype`), dynamic dims from the ops that write them."""
    types = {a.name: TensorType(tuple(a.shape), a.dtype) for a in graph.args}
    for op in graph.ops:
        r = refs[op.result]
        if TYPE_FORMAT[op.kind] == SAME:
            dynamic = types[op.operands[0]].dynamic
        else:
            dynamic = tuple(op.dynamic[:len(r.shape)]) if op.kind != "constant" else ()
        types[op.result] = TensorType(tuple(r.shape), r.dtype, dynamic)
    return types


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------

def to_mlir(graph, types):
    """The graph as MLIR text; `types` maps every value name to a TensorType."""
    args = ", ".join(f"%{a.name}: {types[a.name].mlir()}" for a in graph.args)
    results = ", ".join(types[o].mlir() for o in graph.outputs)
    lines = [f"func.func @{graph.name}({args}) -> ({results}) {{"]
    lines += ["  " + _op_line(op, types) for op in graph.ops]
    outs = ", ".join("%" + o for o in graph.outputs)
    lines.append(f"  return {outs} : {results}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _op_line(op, types):
    result = types[op.result].mlir()
    if op.kind == "constant":
        return f"%{op.result} = kiln.constant {_dense(op.constant, types[op.result].dtype)} : {result}"
    parts = [", ".join("%" + o for o in op.operands)]
    parts += [f"{key} %{op.named[key]}" for key in NAMED_OPERANDS if key in op.named]
    parts += [_attribute(key, op.attrs[key]) for key in ATTRIBUTE_ORDER
              if key in op.attrs and op.attrs[key] is not False]
    operand_types = [types[o].mlir() for o in op.operands]
    operand_types += [types[op.named[k]].mlir() for k in NAMED_OPERANDS if k in op.named]
    fmt = TYPE_FORMAT[op.kind]
    if fmt == SAME:
        type_text = operand_types[0]
    elif fmt == ARROW:
        type_text = f"{operand_types[0]} -> {result}"
    elif fmt == TO:
        type_text = f"{operand_types[0]} to {result}"
    else:
        type_text = f"({', '.join(operand_types)}) -> {result}"
    return f"%{op.result} = kiln.{op.kind} {' '.join(parts)} : {type_text}"


def _attribute(key, value):
    if value is True:
        return key
    if isinstance(value, (list, tuple)):
        return f"{key} = [{', '.join(str(int(v)) for v in value)}]"
    if isinstance(value, float):
        return f"{key} = {_float_literal(value)}"
    return f"{key} = {int(value)}"


def _float_literal(value):
    """MLIR's float syntax needs a '.' in the mantissa (`1.0e-05`, not `1e-05`)."""
    mantissa, _, exponent = repr(float(value)).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + ("e" + exponent if exponent else "")


def _dense(value, dtype):
    """A dense elements literal: a splat for constant tensors, else nested."""
    flat = value.reshape(-1)
    if flat.size and np.all(flat == flat[0]):
        return f"dense<{_scalar_literal(flat[0], dtype)}>"
    return f"dense<{_nested(value, dtype)}>"


def _nested(value, dtype):
    if value.ndim == 0:
        return _scalar_literal(value, dtype)
    return "[" + ", ".join(_nested(v, dtype) for v in value) + "]"


def _scalar_literal(value, dtype):
    if dtype == dtypes.BOOL:
        return "true" if value else "false"
    if dtypes.is_int(dtype):
        return str(int(value))
    return _float_literal(value)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_FUNC = re.compile(r"func\.func @(\w+)\((.*)\)\s*->\s*(.*)\{")
_ARG = re.compile(r"%(\w+)\s*:\s*(tensor<[^>]*>)")
_TYPE = re.compile(r"tensor<([^>]*)>")
_OP = re.compile(r"%(\w+)\s*=\s*kiln\.(\w+)\s*(.*?)\s+:\s+(.*)$")
_RETURN = re.compile(r"return\s+(.*?)\s*:")
_TOKEN = re.compile(r"%\w+|\[[^\]]*\]|[A-Za-z_]\w*|=|,|[-+0-9.][-+0-9.eE]*")


class ParseError(Exception):
    pass


def parse(text):
    """A Graph and its written types ({name: TensorType}) from `to_mlir` text."""
    graph, types = None, {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("//")[0].strip()
        if not line or line == "}":
            continue
        try:
            graph = _parse_line(line, graph, types)
        except (ValueError, KeyError, IndexError, SyntaxError) as error:
            raise ParseError(f"line {number}: {error}: {line}") from error
    if graph is None or not graph.outputs:
        raise ParseError("no func.func with a return")
    return graph, types


def _parse_line(line, graph, types):
    if line.startswith("func.func"):
        match = _FUNC.match(line)
        if not match:
            raise ValueError("unsupported function header")
        args = []
        for name, type_text in _ARG.findall(match.group(2)):
            types[name] = parse_type(type_text)
            args.append(Arg(name, types[name].dtype, types[name].shape))
        return Graph(match.group(1), args, [], [])
    if line.startswith("return"):
        graph.outputs = re.findall(r"%(\w+)", _RETURN.match(line).group(1))
        return graph
    match = _OP.match(line)
    if not match:
        raise ValueError("not a kiln op")
    result, kind, body, type_text = match.groups()
    written = [parse_type(t) for t in re.findall(r"tensor<[^>]*>", type_text)]
    types[result] = written[-1]
    graph.ops.append(_parse_op(result, kind, body, written[-1]))
    return graph


def parse_type(text):
    body = _TYPE.fullmatch(text.strip()).group(1).split("x")
    dims, dtype = body[:-1], body[-1]
    if dtype not in dtypes.ALL:
        raise ValueError(f"unsupported element type {dtype}")
    shape = tuple(-1 if d == "?" else int(d) for d in dims)
    return TensorType(shape, dtype, tuple(d == "?" for d in dims))


def _parse_op(result, kind, body, result_type):
    if kind not in TYPE_FORMAT:
        raise ValueError(f"unknown op kiln.{kind}")
    if kind == "constant":
        return Op(result, kind, [], dtype=result_type.dtype,
                  constant=_parse_dense(body, result_type))
    op = Op(result, kind, [], dynamic=result_type.dynamic,
            dtype=result_type.dtype if kind == "cast" else None)
    tokens = _TOKEN.findall(body)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("%"):
            op.operands.append(token[1:])
        elif token in NAMED_OPERANDS:
            op.named[token] = tokens[i + 1][1:]
            i += 1
        elif i + 1 < len(tokens) and tokens[i + 1] == "=":
            op.attrs[token] = _parse_value(tokens[i + 2])
            i += 2
        elif token != ",":
            op.attrs[token] = True
        i += 1
    return op


def _parse_value(token):
    if token.startswith("["):
        return [int(v) for v in token[1:-1].split(",") if v.strip()]
    if re.fullmatch(r"[-+]?\d+", token):
        return int(token)
    return float(token)


def _parse_dense(body, result_type):
    literal = re.fullmatch(r"dense<(.*)>", body.strip()).group(1)
    literal = literal.replace("true", "True").replace("false", "False")
    value = np.array(ast.literal_eval(literal), dtype=dtypes.wide_dtype(result_type.dtype))
    return np.broadcast_to(value, result_type.shape).copy()
