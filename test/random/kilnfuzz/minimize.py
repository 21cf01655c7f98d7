"""Shrinking a failing case while it keeps failing the same way.

Each step edits the graph, re-evaluates the reference on the (possibly new)
inputs and runs kilnc in the failing mode; the edit is kept when a failure
with the same signature (`runner.Failure.signature`) remains. The steps:

first keep only the mismatching output (if the failure is a mismatch),
then repeatedly, until no step helps or `budget` kilnc runs are spent:

1. replace an op's result by a new argument holding its reference value;
2. bypass an op: use one of its operands of the same type in its place;
3. make an op's dynamic result dimensions static;
4. drop an output;

each followed by removing what the outputs no longer need.
"""

import copy
import os
import shutil
import tempfile

from . import dtypes
from . import graph as g
from . import reference as ref
from . import runner


class Minimizer:
    """Shrinks cases that fail like `failure` (a runner.Failure), running
    kilnc with `timeout` at most `budget` times in all."""

    def __init__(self, kilnc, failure, timeout, budget, work_dir):
        self.kilnc = kilnc
        self.failure = failure
        self.timeout = timeout
        self.budget = budget
        self.work_dir = work_dir

    def minimize(self, case):
        """The smallest case found that fails like `case`; None if `case`
        itself no longer fails that way (e.g. kilnc was rebuilt since)."""
        if self._checked(case, copy.deepcopy(case.graph), {}) is None:
            return None
        case = self._first_output(case)
        progress = True
        while progress and self.budget > 0:
            progress = False
            for edit in (self._to_argument, self._bypass, self._make_static, self._drop_output):
                for target in self._targets(case, edit):
                    smaller = self._try(case, edit, target)
                    if smaller is not None:
                        case, progress = smaller, True
        return case

    # -- the edits: each returns a new graph, or None if it does not apply --

    def _targets(self, case, edit):
        if edit == self._drop_output:
            return list(range(len(case.graph.outputs)))
        return [op.result for op in reversed(case.graph.ops)]

    def _to_argument(self, case, name):
        """`name`'s op replaced by an argument holding its value."""
        graph = copy.deepcopy(case.graph)
        op = graph.op_defining(name)
        if op is None:
            return None
        value = case.refs[name]
        graph.ops.remove(op)
        graph.args.append(g.Arg(name, value.dtype, tuple(value.shape)))
        return graph, {name: _as_input(value)}

    def _bypass(self, case, name):
        """Uses of `name` (as an output too) replaced by an operand of the
        same type."""
        op = case.graph.op_defining(name)
        if op is None:
            return None
        types = g.written_types(case.graph, case.refs)
        same = [o for o in g.all_operands(op) if types[o] == types[name]]
        if not same:
            return None
        graph = copy.deepcopy(case.graph)
        _replace_uses(graph, name, same[0])
        return graph, {}

    def _make_static(self, case, name):
        op = case.graph.op_defining(name)
        if op is None or not any(op.dynamic):
            return None
        graph = copy.deepcopy(case.graph)
        graph.op_defining(name).dynamic = ()
        return graph, {}

    def _drop_output(self, case, index):
        if len(case.graph.outputs) < 2 or index >= len(case.graph.outputs):
            return None
        graph = copy.deepcopy(case.graph)
        del graph.outputs[index]
        return graph, {}

    # -- running -------------------------------------------------------------

    def _first_output(self, case):
        if self.failure.output is None:
            return case
        graph = copy.deepcopy(case.graph)
        graph.outputs = [graph.outputs[self.failure.output]]
        smaller = self._checked(case, graph, {})
        return smaller if smaller is not None else case

    def _try(self, case, edit, target):
        if self.budget <= 0:
            return None
        edited = edit(case, target)
        if edited is None:
            return None
        return self._checked(case, *edited)

    def _checked(self, case, graph, new_inputs):
        """The pruned candidate if it still fails the same way, else None."""
        _prune(graph)
        inputs = {a.name: new_inputs.get(a.name, case.refs.get(a.name)) for a in graph.args}
        try:
            candidate = runner.Case(graph, ref.evaluate(graph, inputs))
        except (ref.UndefinedOp, ValueError, IndexError):
            return None
        self.budget -= 1
        directory = tempfile.mkdtemp(prefix="minimize-", dir=self.work_dir)
        try:
            failures = runner.check(self.kilnc, candidate, directory, self.timeout,
                                    modes=(self.failure.mode,))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        wanted = self.failure.signature()
        return candidate if any(f.signature() == wanted for f in failures) else None


def _as_input(value):
    """A reference value as an exact input of its dtype."""
    wide = value.val
    if dtypes.is_float(value.dtype):
        wide = dtypes.round_to(value.dtype, wide)
    return ref.exact(value.dtype, wide)


def _replace_uses(graph, old, new):
    graph.outputs = [new if o == old else o for o in graph.outputs]
    for op in graph.ops:
        op.operands = [new if o == old else o for o in op.operands]
        op.named = {k: new if v == old else v for k, v in op.named.items()}


def _prune(graph):
    """Drops ops and arguments the outputs do not need."""
    needed = set(graph.outputs)
    kept = []
    for op in reversed(graph.ops):
        if op.result in needed:
            kept.append(op)
            needed.update(g.all_operands(op))
    graph.ops = kept[::-1]
    graph.args = [a for a in graph.args if a.name in needed]


def save_regression(case, failure, seed, directory):
    """Writes a minimised case as a regression: graph.mlir, in<i>.npy and
    a note of how it failed."""
    if os.path.exists(directory):
        shutil.rmtree(directory)
    runner.write_case(case, directory)
    with open(os.path.join(directory, "failure.txt"), "w") as f:
        f.write(f"seed {seed}: {failure.describe()}\n")
