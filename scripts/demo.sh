#!/usr/bin/env bash
# The main demo: builds Kiln (installing what it needs) and runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh" >/dev/null

echo "== kiln-opt --canonicalize samples/demo.mlir"
"$BUILD/bin/kiln-opt" --canonicalize "$ROOT/samples/demo.mlir"
