"""Checking many seeds: batching, attribution, parallel workers.

Starting kilnc costs more than compiling a graph (it loads libLLVM and
libMLIR), so the graphs of `batch_size` seeds are merged into one function
(their values renamed apart) and checked with one `kilnc run` per mode. A
batch that fails is checked again seed by seed, so every failure is
reported against the seed whose graph shows it. Graphs with dynamic
dimensions are checked alone: until the compiler handles them well they
are the likeliest to hang it, which costs a timeout per run.
"""

import copy
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field

from . import generator
from . import graph as g
from . import runner


@dataclass
class SeedResult:
    seed: int
    failures: list = field(default_factory=list)
    error: str = None  # a traceback if the tester itself failed

    @property
    def passed(self):
        return not self.failures and self.error is None


@dataclass
class Settings:
    kilnc: str
    timeout: float
    work_dir: str


def case_of(seed):
    generated = generator.generate(seed)
    return runner.Case(generated.graph, generated.refs)


def rename(case, prefix):
    """A copy of `case` with every value name prefixed."""
    graph = copy.deepcopy(case.graph)
    name = lambda n: prefix + n
    for arg in graph.args:
        arg.name = name(arg.name)
    for op in graph.ops:
        op.result = name(op.result)
        op.operands = [name(o) for o in op.operands]
        op.named = {k: name(v) for k, v in op.named.items()}
    graph.outputs = [name(o) for o in graph.outputs]
    return runner.Case(graph, {name(k): v for k, v in case.refs.items()})


def merge(cases):
    """One case computing all of `cases`, side by side."""
    merged = runner.Case(g.Graph("main", [], [], []), {})
    for i, case in enumerate(cases):
        part = rename(case, f"g{i}_")
        merged.graph.args += part.graph.args
        merged.graph.ops += part.graph.ops
        merged.graph.outputs += part.graph.outputs
        merged.refs.update(part.refs)
    return merged


def check_batch(seeds, settings):
    """SeedResults of `seeds`: the static graphs checked together (and, on
    failure, alone), graphs with dynamic dimensions alone."""
    directory = tempfile.mkdtemp(prefix="batch-", dir=settings.work_dir)
    try:
        merged, results = {}, {}
        for seed in seeds:
            try:
                generated = generator.generate(seed)
            except Exception:  # a bug of the tester: report it, go on
                results[seed] = SeedResult(seed, error=traceback.format_exc())
                continue
            case = runner.Case(generated.graph, generated.refs)
            if generated.dynamic:
                results[seed] = _check_alone(seed, case, directory, settings)
            else:
                merged[seed] = case
        failures = runner.check(settings.kilnc, merge(list(merged.values())),
                                directory, settings.timeout) if merged else []
        for seed, case in merged.items():
            results[seed] = _check_alone(seed, case, directory, settings) if failures \
                else SeedResult(seed)
        _report_batch_only(failures, results, list(merged))
        return [results[s] for s in seeds]
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _check_alone(seed, case, directory, settings):
    alone = os.path.join(directory, f"seed{seed}")
    return SeedResult(seed, runner.check(settings.kilnc, case, alone, settings.timeout))


def _report_batch_only(failures, results, merged_seeds):
    """A failure of the merged graph that no seed shows alone is still a
    failure; it is reported against the first merged seed."""
    if failures and all(results[s].passed for s in merged_seeds):
        first, last = merged_seeds[0], merged_seeds[-1]
        results[first].failures = [
            runner.Failure(f.mode, f.kind, f"only with the seeds {first}..{last} merged: "
                           f"{f.detail}", merged_only=True) for f in failures]


def batches(seeds, size):
    return [seeds[i:i + size] for i in range(0, len(seeds), size)]
