#!/usr/bin/env bash
# The main demo: builds Kiln (installing what it needs), then builds and runs
# examples/quickstart, a C++ host that embeds Kiln through find_package(Kiln)
# (configured against the build tree), and runs kiln-opt on a sample graph.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh" >/dev/null

# quiet <command...>: no output unless the command fails.
quiet() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

QUICKSTART="$BUILD/examples/quickstart"
if [[ ! -f "$QUICKSTART/build.ninja" ]]; then
  LAUNCHER="$(command -v ccache || true)"
  quiet cmake -G Ninja -S "$ROOT/examples/quickstart" -B "$QUICKSTART" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$LAUNCHER" -DKiln_DIR="$BUILD"
fi
quiet cmake --build "$QUICKSTART"

echo "== examples/quickstart (a host linking Kiln::kiln)"
"$QUICKSTART/quickstart"

echo
echo "== kiln-opt --canonicalize samples/demo.mlir"
"$BUILD/bin/kiln-opt" --canonicalize "$ROOT/samples/demo.mlir"
