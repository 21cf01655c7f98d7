#!/usr/bin/env python3
"""Runs every shell example of README.md as written, so that they cannot rot.

Each line of a fenced code block that starts with "$ " is a command; the
lines after it, up to the next command or the end of the block, are its
expected output. A command runs with bash in a scratch directory where
`build` and `samples` point at the build tree and the repository's samples,
as they would from the repository's root. It must exit with status 0, or
non-zero when its expected output is an error ("error:"). Every expected
line must appear in the output, compared with whitespace collapsed (so `ls`
may print one name a line) and with numbers in timing lines ("... ms")
matching any number.

Usage: check_readme.py README.md BUILD_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

NUMBER = r"[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"


def examples(readme):
    """(command, expected output lines) for each "$ " line of a code block."""
    found, in_block, current = [], False, None
    for line in open(readme, encoding="utf-8").read().splitlines():
        if line.startswith("```"):
            in_block, current = not in_block, None
            continue
        if not in_block:
            continue
        if line.startswith("$ "):
            current = (line[2:], [])
            found.append(current)
        elif current is not None:
            current[1].append(line)
    return found


def normalize(text):
    return " ".join(text.split())


def matches(expected, output):
    """Whether the expected line appears in the (normalized) output."""
    wanted = normalize(expected)
    if not wanted:
        return True
    if " ms" in wanted:
        parts = re.split(NUMBER, wanted)
        pattern = NUMBER.join(re.escape(p) for p in parts)
        return re.search(pattern, output) is not None
    return wanted in output


def main():
    readme, build = sys.argv[1], os.path.abspath(sys.argv[2])
    root = os.path.dirname(os.path.abspath(readme))
    failed = 0
    cases = examples(readme)
    with tempfile.TemporaryDirectory() as scratch:
        os.symlink(build, os.path.join(scratch, "build"))
        os.symlink(os.path.join(root, "samples"), os.path.join(scratch, "samples"))
        for command, expected in cases:
            run = subprocess.run(["bash", "-c", command], cwd=scratch,
                                 capture_output=True, text=True, timeout=300)
            output = normalize(run.stdout + run.stderr)
            wants_error = any("error:" in line for line in expected)
            problems = []
            if (run.returncode != 0) != wants_error:
                problems.append("exit status %d" % run.returncode)
            problems += ["missing: " + line for line in expected
                         if not matches(line, output)]
            if problems:
                failed += 1
                print("FAIL: $ " + command)
                for problem in problems:
                    print("  " + problem)
                print("  output: " + (run.stdout + run.stderr)[:2000])
            else:
                print("ok: $ " + command)
    print("%d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
