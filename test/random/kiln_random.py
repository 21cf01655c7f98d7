#!/usr/bin/env python3
"""Differential testing of Kiln on random graphs.

Each seed gives a random well-typed graph of kiln ops with random inputs
(kilnfuzz/generator.py). kilnc runs it with the JIT and with the graph
interpreter, and every output is compared with an independent numpy
reference that carries an error bound per element (kilnfuzz/reference.py).
Failing seeds are minimised into regression cases.

    kiln_random.py --seeds 0:2000 --kilnc build/bin/kilnc --jobs 2   # CI
    kiln_random.py --seeds 0:100000 --jobs 2                         # long run
    kiln_random.py --seed 17 --keep /tmp/s17      # write one graph and check it
    kiln_random.py --check-regressions            # re-check regressions/*

The last line printed is `N passed, M failed`; the exit status is 1 if
anything failed.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    sys.exit(f"kiln_random.py: {sys.executable} has no numpy; install python3-numpy "
             "and run this with the python3 that has it (e.g. /usr/bin/python3)")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from kilnfuzz import campaign, minimize, runner  # noqa: E402

DEFAULT_KILNC = os.path.join(HERE, "..", "..", "build", "bin", "kilnc")
REGRESSIONS = os.path.join(HERE, "regressions")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--seeds", type=seed_range, help="a range A:B of seeds to check")
    what.add_argument("--seed", type=int, help="one seed (see --keep)")
    what.add_argument("--check-regressions", action="store_true",
                      help="re-check every case under --regressions")
    parser.add_argument("--kilnc", default=DEFAULT_KILNC, help="the kilnc binary")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--batch", type=int, default=8,
                        help="graphs merged into one kilnc run")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds one kilnc run may take")
    parser.add_argument("--keep", metavar="DIR",
                        help="with --seed: write graph, inputs and outputs to DIR")
    parser.add_argument("--regressions", default=REGRESSIONS,
                        help="where regression cases live (default: %(default)s)")
    parser.add_argument("--minimize", type=int, default=4, metavar="N",
                        help="minimise up to N distinct failures into --repro-dir")
    parser.add_argument("--repro-dir", help="where minimised cases go "
                        "(default: the --regressions directory)")
    parser.add_argument("--minimize-budget", type=int, default=150,
                        help="kilnc runs one minimisation may take")
    return parser.parse_args(argv)


def seed_range(text):
    start, _, stop = text.partition(":")
    if not stop:
        raise argparse.ArgumentTypeError("expected A:B")
    return range(int(start), int(stop))


# ---------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------

def run_seeds(args, seeds, work_dir):
    settings = campaign.Settings(os.path.abspath(args.kilnc), args.timeout, work_dir)
    batches = campaign.batches(list(seeds), args.batch)
    results = []
    start = time.monotonic()
    with multiprocessing.Pool(args.jobs) as pool:
        jobs = pool.imap_unordered(_check_batch, [(b, settings) for b in batches])
        for done in jobs:
            for result in done:
                results.append(result)
                if not result.passed:
                    print_failure(result)
    elapsed = time.monotonic() - start
    print(f"checked {len(results)} graphs in {elapsed:.1f} s "
          f"({60 * len(results) / max(elapsed, 1e-9):.0f} graphs/minute, {args.jobs} jobs)")
    return sorted(results, key=lambda r: r.seed)


def _check_batch(job):
    seeds, settings = job
    return campaign.check_batch(seeds, settings)


def print_failure(result):
    if result.error:
        print(f"seed {result.seed}: tester error\n{result.error}", flush=True)
    for failure in result.failures:
        print(f"seed {result.seed}: {failure.describe()}", flush=True)


def minimize_failures(args, results, work_dir):
    """Minimises the first failure of each distinct signature (up to
    --minimize of them; not those no single seed shows) and writes them as
    regression cases."""
    chosen, seen = [], set()
    for result in results:
        for failure in result.failures:
            if failure.merged_only:
                continue
            if failure.signature() not in seen and len(chosen) < args.minimize:
                seen.add(failure.signature())
                chosen.append((result.seed, failure))
    if not chosen:
        return
    jobs = [(seed, failure, args, work_dir) for seed, failure in chosen]
    with multiprocessing.Pool(args.jobs) as pool:
        for seed, failure, path in pool.imap_unordered(_minimize_one, jobs):
            what = f"minimised into {path}" if path else "no longer reproduces, not minimised"
            print(f"seed {seed}: {failure.mode} {failure.kind} {what}")


def _minimize_one(job):
    seed, failure, args, work_dir = job
    # One small graph compiles in well under a second: 10 s tells a hang.
    minimizer = minimize.Minimizer(os.path.abspath(args.kilnc), failure,
                                   min(args.timeout, 10), args.minimize_budget, work_dir)
    case = minimizer.minimize(campaign.case_of(seed))
    if case is None:
        return seed, failure, None
    name = f"seed{seed}-{failure.mode}-{failure.kind}"
    path = os.path.join(args.repro_dir or args.regressions, name)
    minimize.save_regression(case, failure, seed, path)
    return seed, failure, path


# ---------------------------------------------------------------------------
# One seed, kept for inspection
# ---------------------------------------------------------------------------

def keep_seed(args):
    """Writes the graph of --seed, its inputs, the reference outputs
    (ref<i>.npy and their bounds bound<i>.npy) and kilnc's outputs."""
    case = campaign.case_of(args.seed)
    directory = args.keep or tempfile.mkdtemp(prefix=f"seed{args.seed}-")
    for i, name in enumerate(case.graph.outputs):
        os.makedirs(directory, exist_ok=True)
        np.save(os.path.join(directory, f"ref{i}.npy"), case.refs[name].val)
        np.save(os.path.join(directory, f"bound{i}.npy"), case.refs[name].err)
    failures = runner.check(os.path.abspath(args.kilnc), case, directory, args.timeout)
    for failure in failures:
        print(f"seed {args.seed}: {failure.describe()}")
    print(f"wrote {directory}")
    return [campaign.SeedResult(args.seed, failures)]


# ---------------------------------------------------------------------------
# Regressions
# ---------------------------------------------------------------------------

def check_regressions(args, work_dir):
    """Runs every regressions/<name>/ case in both modes."""
    results = []
    names = sorted(os.listdir(args.regressions)) if os.path.isdir(args.regressions) else []
    for index, name in enumerate(names):
        directory = os.path.join(args.regressions, name)
        if not os.path.isfile(os.path.join(directory, "graph.mlir")):
            continue
        failures = check_regression(args, directory, os.path.join(work_dir, name))
        for failure in failures:
            print(f"{name}: {failure.describe()}")
        results.append(campaign.SeedResult(index, failures))
    return results


def check_regression(args, directory, out_dir):
    case = runner.read_case(directory)
    graph_path = os.path.join(directory, "graph.mlir")
    inputs = [os.path.join(directory, f"in{i}.npy") for i in range(len(case.graph.args))]
    expected = [case.refs[name] for name in case.graph.outputs]
    failures = []
    for mode in runner.MODES:
        failures += runner.check_files(os.path.abspath(args.kilnc), graph_path, inputs,
                                       expected, mode, os.path.join(out_dir, mode),
                                       args.timeout)
    return failures


# ---------------------------------------------------------------------------

def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiln-random-") as work_dir:
        if args.check_regressions:
            results = check_regressions(args, work_dir)
        elif args.seed is not None:
            results = keep_seed(args)
        else:
            results = run_seeds(args, args.seeds, work_dir)
            minimize_failures(args, results, work_dir)
    failed = sum(not r.passed for r in results)
    if failed and not args.check_regressions:
        print("write a failing seed's graph, inputs and outputs with "
              "`kiln_random.py --seed N --keep DIR`")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
