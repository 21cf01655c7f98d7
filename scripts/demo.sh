#!/usr/bin/env bash
# The main demo: builds Kiln (installing what it needs, with progress), then
# builds and runs examples/quickstart, a C++ host that embeds Kiln through
# find_package(Kiln) (configured against the build tree), shows the fused
# stages of W1 and times it traced and op by op, and draws a graph's fusion.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"

echo "== building Kiln in $BUILD (the first run installs Debian packages and"
echo "   compiles for several minutes; later runs are incremental)"
"$ROOT/scripts/setup.sh"

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

echo
echo "== examples/quickstart (a host linking Kiln::kiln): eager and traced add,"
echo "   a retrace and its reason, then W1 at the Linalg stage, one fused"
echo "   linalg.generic"
"$QUICKSTART/quickstart"

echo
echo "== kiln-opt --canonicalize samples/demo.mlir"
"$BUILD/bin/kiln-opt" --canonicalize "$ROOT/samples/demo.mlir"

echo
echo "== W1 on 2^24 float32: compiled (fused, vectorized, parallel) ..."
"$BUILD/bin/kilnc" run "$ROOT/samples/w1.mlir" --random-inputs --repeat 10
echo "   ... and op by op on the eager kernels (the graph interpreter)"
"$BUILD/bin/kilnc" run "$ROOT/samples/w1.mlir" --random-inputs --repeat 3 \
  --mode interpret

echo
DOT="$BUILD/demo.dot"
echo "== kilnc emit samples/demo.mlir --dot $DOT (a cluster per fused kernel)"
"$BUILD/bin/kilnc" emit "$ROOT/samples/demo.mlir" --to linalg --dot "$DOT" \
  >/dev/null
if command -v dot >/dev/null; then
  "$BUILD/bin/kilnc" emit "$ROOT/samples/demo.mlir" --dot "${DOT%.dot}.svg"
else
  echo "   (install graphviz, and --dot demo.svg renders it as SVG)"
fi
