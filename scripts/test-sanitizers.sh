#!/usr/bin/env bash
# Builds Kiln and its tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (undefined behaviour aborts) in build-asan/ and runs the GoogleTest suites
# (runtime, driver, JIT, API, e2e), the random-graph suite and the libFuzzer
# targets (test/fuzz, a bounded time each) on it.
# Usage: scripts/test-sanitizers.sh [ctest options...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KILN_BUILD_DIR="${KILN_ASAN_BUILD_DIR:-$ROOT/build-asan}"
export KILN_CMAKE_ARGS="-DKILN_SANITIZE=address,undefined -DKILN_BUILD_FUZZERS=ON -DKILN_BUILD_BENCHMARKS=OFF"
export KILN_EXTRA_PACKAGES="libclang-rt-22-dev"
"$ROOT/scripts/setup.sh"
# LLVM's and MLIR's own allocations are not Kiln's to fix: leaks are checked
# by the soak test, not here.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$KILN_BUILD_DIR"
# Not here: lit (the tools' output, already run by scripts/test.sh), the
# embedding test (host projects built without sanitizer flags) and the soak
# suite (ASan's quarantine keeps freed memory resident on purpose).
ctest --output-on-failure -E '^(lit|embedding-.*|SoakTest\..*)$' "$@"
