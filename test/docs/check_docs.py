#!/usr/bin/env python3
"""Runs the examples of README.md and docs/ as written, so that they cannot rot.

Shell examples: each line of a fenced code block that starts with "$ " is a
command; the lines after it, up to the next command or the end of the block,
are its expected output. The commands of one file run in order with bash in
one scratch directory where `build` and `samples` point at the build tree and
the repository's samples, as they would from the repository's root. A command
must exit with status 0, or non-zero when its expected output is an error
("error:"). Every expected line must appear in the output, compared with
whitespace collapsed (so `ls` may print one name a line) and with numbers in
timing lines ("... ms") matching any number.

C++ examples: a ```cpp block that defines `int main` is a program; the other
```cpp blocks of a file are fragments, joined in order into the body of one
`int main()` (their `#include` lines moved to the top). Each program is built
against the build tree through find_package(Kiln), as a host would, and run;
it must exit with status 0. A block opened with ```cpp no-check is an
illustration and is not compiled.

Cross-references: every relative Markdown link of the files ([text](path))
and every docs/<page>.md path a source file of the repository mentions must
name a file that exists.

Usage: check_docs.py BUILD_DIR FILE.md...
"""
import os
import re
import subprocess
import sys
import tempfile

NUMBER = r"[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRELUDE = ["#include <kiln/kiln.h>", "", "#include <iostream>", "#include <string>",
           "#include <vector>"]


def blocks(path):
    """(info string, lines) of each fenced code block of a Markdown file."""
    found, current = [], None
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("```"):
            if current is None:
                current = (line[3:].strip(), [])
            else:
                found.append(current)
                current = None
        elif current is not None:
            current[1].append(line)
    return found


def shell_examples(path):
    """(command, expected output lines) for each "$ " line of a code block."""
    found = []
    for _, lines in blocks(path):
        current = None
        for line in lines:
            if line.startswith("$ "):
                current = (line[2:], [])
                found.append(current)
            elif current is not None:
                current[1].append(line)
    return found


def cpp_programs(path):
    """The C++ programs of a file: whole ones, then one made of its fragments."""
    programs, includes, body = [], [], []
    for info, lines in blocks(path):
        words = info.split()
        if not words or words[0] != "cpp" or "no-check" in words:
            continue
        if any(re.match(r"\s*int main\s*\(", line) for line in lines):
            programs.append("\n".join(lines) + "\n")
            continue
        for line in lines:
            (includes if line.startswith("#include") else body).append(line)
    if body:
        programs.append("\n".join(PRELUDE + includes + ["", "int main() {"] +
                                  ["  " + line for line in body] +
                                  ["  return 0;", "}"]) + "\n")
    return programs


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOC_MENTION = re.compile(r"\bdocs/[\w./-]+\.md\b")
SOURCE_DIRS = ["bench", "cmake", "dialects", "examples", "include", "lib",
               "runtime", "samples", "scripts", "test", "tools", ".ci"]
SOURCE_SUFFIXES = (".h", ".cpp", ".c", ".td", ".py", ".sh", ".mlir", ".txt",
                   ".cmake", ".in", ".js", ".md", ".test", "run")


def check_links(paths, failures):
    """Relative links of the Markdown files, and docs/ mentions in sources."""
    checked = 0
    for path in paths:
        text = open(path, encoding="utf-8").read()
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            checked += 1
            resolved = os.path.normpath(
                os.path.join(os.path.dirname(path), target.split("#")[0]))
            if not os.path.exists(resolved):
                report(failures, "%s: link %s" % (os.path.relpath(path, ROOT), target),
                       ["no such file: " + os.path.relpath(resolved, ROOT)], "")
    for top in SOURCE_DIRS:
        for directory, _, names in os.walk(os.path.join(ROOT, top)):
            for name in names:
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                source = os.path.join(directory, name)
                try:
                    text = open(source, encoding="utf-8").read()
                except (UnicodeDecodeError, OSError):
                    continue
                for mention in set(DOC_MENTION.findall(text)):
                    checked += 1
                    if not os.path.exists(os.path.join(ROOT, mention)):
                        report(failures, "%s mentions %s" % (
                            os.path.relpath(source, ROOT), mention),
                            ["no such file"], "")
    print("checked %d cross-references" % checked)
    return checked


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


def report(failures, what, problems, output):
    if problems:
        failures.append(what)
        print("FAIL: " + what)
        for problem in problems:
            print("  " + problem)
        print("  output: " + output[:3000])
    else:
        print("ok: " + what)


def check_shell(path, build, failures):
    cases = shell_examples(path)
    with tempfile.TemporaryDirectory() as scratch:
        os.symlink(build, os.path.join(scratch, "build"))
        os.symlink(os.path.join(ROOT, "samples"), os.path.join(scratch, "samples"))
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
            report(failures, "%s: $ %s" % (os.path.relpath(path, ROOT), command),
                   problems, run.stdout + run.stderr)
    return len(cases)


def check_cpp(programs, build, failures):
    """Builds every program in one CMake project against the build tree."""
    if not programs:
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        cmake = ["cmake_minimum_required(VERSION 3.20)",
                 "project(KilnDocExamples LANGUAGES CXX)",
                 "find_package(Kiln REQUIRED)"]
        for i, (_, source) in enumerate(programs):
            name = "example%d" % i
            with open(os.path.join(scratch, name + ".cpp"), "w") as out:
                out.write(source)
            cmake += ["add_executable(%s %s.cpp)" % (name, name),
                      "target_link_libraries(%s PRIVATE Kiln::kiln)" % name]
        with open(os.path.join(scratch, "CMakeLists.txt"), "w") as out:
            out.write("\n".join(cmake) + "\n")
        tree = os.path.join(scratch, "build")
        configure = ["cmake", "-G", "Ninja", "-S", scratch, "-B", tree,
                     "-DKiln_DIR=" + build, "-DCMAKE_BUILD_TYPE=Release"]
        if os.path.exists("/usr/bin/clang++-22"):
            configure.append("-DCMAKE_CXX_COMPILER=clang++-22")
        steps = [configure, ["cmake", "--build", tree]]
        for step in steps:
            run = subprocess.run(step, capture_output=True, text=True, timeout=1200)
            if run.returncode != 0:
                report(failures, "building the C++ examples (%s)" % " ".join(step[:2]),
                       ["exit status %d" % run.returncode], run.stdout + run.stderr)
                for i, (what, source) in enumerate(programs):
                    print("  example%d.cpp is %s:\n%s" % (i, what, source))
                return len(programs)
        for i, (what, _) in enumerate(programs):
            run = subprocess.run([os.path.join(tree, "example%d" % i)], cwd=scratch,
                                 capture_output=True, text=True, timeout=300)
            report(failures, what, [] if run.returncode == 0 else
                   ["exit status %d" % run.returncode], run.stdout + run.stderr)
    return len(programs)


def main():
    build = os.path.abspath(sys.argv[1])
    failures, total, programs = [], 0, []
    for path in map(os.path.abspath, sys.argv[2:]):
        total += check_shell(path, build, failures)
        for i, source in enumerate(cpp_programs(path)):
            programs.append(("%s: C++ program %d" % (os.path.relpath(path, ROOT), i + 1),
                             source))
    total += check_cpp(programs, build, failures)
    total += check_links([os.path.abspath(p) for p in sys.argv[2:]], failures)
    print("%d passed, %d failed" % (total - len(failures), len(failures)))
    return 1 if failures or not total else 0


if __name__ == "__main__":
    sys.exit(main())
