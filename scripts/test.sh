#!/usr/bin/env bash
# Runs every test: builds Kiln (installing what it needs), then CTest runs the
# GoogleTest suites and the lit suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"
cd "$BUILD"
ctest --output-on-failure "$@"
