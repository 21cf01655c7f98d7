#!/usr/bin/env bash
# Installs what Kiln needs (Debian 12 packages), configures and builds it.
# Idempotent: packages already installed are not touched, and the build is
# incremental. Usage: scripts/setup.sh [ninja targets...]
# KILN_BUILD_DIR picks the build directory (default build/) and
# KILN_CMAKE_ARGS adds CMake options when it is first configured;
# KILN_EXTRA_PACKAGES names more Debian packages to install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"

PACKAGES=(
  cmake ninja-build ccache python3 python3-numpy binutils
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libomp-22-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libonnx-dev libprotobuf-dev libonnx-testdata
)

# Configurations may need more (the sanitizers' runtimes).
read -r -a EXTRA <<<"${KILN_EXTRA_PACKAGES:-}"
missing=()
for pkg in "${PACKAGES[@]}" "${EXTRA[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "kiln: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld ${KILN_CMAKE_ARGS:-}
fi
ninja -C "$BUILD" "$@"
