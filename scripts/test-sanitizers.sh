#!/usr/bin/env bash
# Sanitizer configurations of Kiln (installing what they need):
#
#   scripts/test-sanitizers.sh address [ctest options...]
#     AddressSanitizer + UndefinedBehaviorSanitizer (undefined behaviour
#     aborts) in build-asan/: the GoogleTest suites (runtime, driver, JIT,
#     API, e2e), the random-graph suite and the libFuzzer targets (test/fuzz,
#     60 s each).
#   scripts/test-sanitizers.sh thread [ctest options...]
#     ThreadSanitizer in build-tsan/: the concurrency suite (many threads,
#     many Functions, racing compiles) and the thread pool's tests.
#
# Without an argument, both in turn.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KILN_EXTRA_PACKAGES="libclang-rt-22-dev"

address() {
  export KILN_BUILD_DIR="${KILN_ASAN_BUILD_DIR:-$ROOT/build-asan}"
  export KILN_CMAKE_ARGS="-DKILN_SANITIZE=address,undefined \
    -DKILN_BUILD_FUZZERS=ON -DKILN_BUILD_BENCHMARKS=OFF \
    -DKILN_RANDOM_SEEDS=0:300"
  "$ROOT/scripts/setup.sh"
  # LLVM's and MLIR's own allocations at exit are not Kiln's to fix: leaks
  # are checked by the soak suite of the regular build instead.
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  # Not here: lit and the README's commands (the tools' output, run by
  # scripts/test.sh; `kilnc compile` links the instrumented runtime into
  # uninstrumented libraries), the embedding tests (host projects built
  # without sanitizer flags) and the soak suite (ASan's quarantine keeps
  # freed memory resident on purpose).
  (cd "$KILN_BUILD_DIR" &&
    ctest --output-on-failure \
      -E '^(lit|doc-examples|embedding-.*|SoakTest\..*)$' "$@")
}

thread() {
  export KILN_BUILD_DIR="${KILN_TSAN_BUILD_DIR:-$ROOT/build-tsan}"
  export KILN_CMAKE_ARGS="-DKILN_SANITIZE=thread -DKILN_BUILD_BENCHMARKS=OFF"
  "$ROOT/scripts/setup.sh" KilnAPITests KilnRuntimeTests
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  (cd "$KILN_BUILD_DIR" &&
    ctest --output-on-failure -R '^(ConcurrencyTest|ThreadPool)\.' "$@")
}

mode="${1:-all}"
if [[ $# -gt 0 ]]; then shift; fi
case "$mode" in
address) address "$@" ;;
thread) thread "$@" ;;
all)
  address "$@"
  thread "$@"
  ;;
*)
  echo "usage: $0 [address|thread] [ctest options...]" >&2
  exit 2
  ;;
esac
