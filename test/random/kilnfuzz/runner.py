"""Running graphs through kilnc and comparing them with the reference.

`check` writes a `Case` as graph.mlir plus in<i>.npy, runs `kilnc run` in
each mode (the JIT and the graph interpreter), and returns a `Failure` for
every crash, timeout, or output outside the reference's error bound.
"""

import os
import re
import subprocess
import time
from dataclasses import dataclass

import numpy as np

from . import dtypes
from . import graph as g
from . import reference as ref

MODES = ("jit", "interpret")
MAX_REPORTED_ELEMENTS = 5

# How long to wait for kilnc to come back while a build replaces it.
REBUILD_WAIT = 600


@dataclass
class Case:
    """A graph and the reference value of each of its names (its arguments'
    values are its inputs)."""

    graph: g.Graph
    refs: dict


@dataclass
class Failure:
    """One way a case failed in one mode. `output` is the index of the bad
    output of a mismatch (None for crashes and timeouts)."""

    mode: str
    kind: str  # "crash", "timeout" or "mismatch"
    detail: str
    output: int = None
    merged_only: bool = False  # seen only with several seeds' graphs merged

    def signature(self):
        """What must stay the same while minimising: the mode, the kind and,
        for a crash, the error text with names and numbers blurred."""
        if self.kind != "crash":
            return (self.mode, self.kind)
        text = re.sub(r"%\w+|@\w+|\S+\.(mlir|npy)|\d+", "#", self.detail.splitlines()[0])
        return (self.mode, self.kind, text)

    def describe(self):
        where = f" output {self.output}" if self.output is not None else ""
        return f"{self.mode} {self.kind}{where}: {self.detail}"


def write_case(case, directory):
    """Writes graph.mlir and in<i>.npy; returns (graph path, input paths)."""
    os.makedirs(directory, exist_ok=True)
    types = g.written_types(case.graph, case.refs)
    graph_path = os.path.join(directory, "graph.mlir")
    with open(graph_path, "w") as f:
        f.write(g.to_mlir(case.graph, types))
    inputs = []
    for i, arg in enumerate(case.graph.args):
        path = os.path.join(directory, f"in{i}.npy")
        np.save(path, dtypes.to_storage(arg.dtype, case.refs[arg.name].val))
        inputs.append(path)
    return graph_path, inputs


def read_case(directory):
    """A case written by `write_case` (or by hand in its format): the graph,
    its written types, and the reference evaluated on its inputs."""
    with open(os.path.join(directory, "graph.mlir")) as f:
        graph, types = g.parse(f.read())
    inputs = {}
    for i, arg in enumerate(graph.args):
        dtype, wide = dtypes.from_storage(np.load(os.path.join(directory, f"in{i}.npy")))
        inputs[arg.name] = ref.exact(dtype, wide)
    return Case(graph, ref.evaluate(graph, inputs))


def check(kilnc, case, directory, timeout, modes=MODES):
    """Writes `case` to `directory` and runs it in each mode."""
    graph_path, inputs = write_case(case, directory)
    expected = [case.refs[name] for name in case.graph.outputs]
    failures = []
    for mode in modes:
        failures += check_files(kilnc, graph_path, inputs, expected, mode,
                                os.path.join(directory, mode), timeout)
    return failures


def check_files(kilnc, graph_path, inputs, expected, mode, out_dir, timeout):
    """Runs a graph file in one mode and compares its outputs."""
    command = [kilnc, "run", graph_path, "--mode", mode, "--output-dir", out_dir]
    if inputs:
        command += ["--input", *inputs]
    try:
        done = _run(command, timeout)
    except subprocess.TimeoutExpired:
        return [Failure(mode, "timeout", f"kilnc run took more than {timeout} s")]
    if done.returncode != 0:
        detail = (done.stderr.strip() or f"exit status {done.returncode}")
        return [Failure(mode, "crash", _with_reason(kilnc, graph_path, detail))]
    failures = []
    for i, want in enumerate(expected):
        path = os.path.join(out_dir, f"out{i}.npy")
        if not os.path.exists(path):
            failures.append(Failure(mode, "mismatch", f"kilnc wrote no {os.path.basename(path)}", i))
            continue
        problem = compare(want, *dtypes.from_storage(np.load(path)))
        if problem:
            failures.append(Failure(mode, "mismatch", problem, i))
    return failures


def _with_reason(kilnc, graph_path, detail):
    """`kilnc run` reports a lowering failure without its reason; `kilnc
    emit` prints it, so add its first error line."""
    if "lowering to the" not in detail:
        return detail
    try:
        done = _run([kilnc, "emit", graph_path, "--to", "llvm"], 60)
    except subprocess.TimeoutExpired:
        return detail
    reason = next((line for line in done.stderr.splitlines() if "error" in line), "")
    return f"{detail} {reason.strip()}".strip()


def _run(command, timeout):
    """subprocess.run, retried while the binary is missing or being written
    (a rebuild replaces it)."""
    deadline = time.monotonic() + REBUILD_WAIT
    while True:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(5)


def compare(want, dtype, actual):
    """None if `actual` (a wide array of `dtype`) is within `want`'s bound,
    else a description of the first differing elements."""
    if dtype != want.dtype or actual.shape != want.shape:
        return (f"got {dtype} {list(actual.shape)}, expected "
                f"{want.dtype} {list(want.shape)}")
    bad = ~_within(want, actual)
    if not np.any(bad):
        return None
    where = np.argwhere(bad)[:MAX_REPORTED_ELEMENTS]
    elements = "; ".join(
        f"[{', '.join(map(str, i))}] kiln {actual[tuple(i)]!r} "
        f"reference {want.val[tuple(i)]!r} bound {want.err[tuple(i)]:.3g}"
        for i in where)
    return f"{int(bad.sum())} of {bad.size} elements differ ({want.dtype}): {elements}"


def _within(want, actual):
    if want.dtype == dtypes.BOOL:
        return (actual == want.val) | (want.err >= 1)
    if dtypes.is_int(want.dtype):
        exact = actual == want.val
        with np.errstate(invalid="ignore"):
            near = np.abs(actual.astype(np.float64) - want.val) <= want.err
        return exact | near | np.isinf(want.err)
    with np.errstate(invalid="ignore"):
        close = np.abs(actual - want.val) <= want.err
    same = (actual == want.val) | (np.isnan(actual) & np.isnan(want.val))
    return close | same | np.isinf(want.err)
