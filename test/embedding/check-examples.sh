#!/usr/bin/env bash
# Builds and runs the examples/ hosts the way users build them, with their
# own CMake projects and find_package(Kiln):
#   check-examples.sh build-tree   against this build tree (-DKiln_DIR)
#   check-examples.sh install      against `cmake --install` to a fresh prefix
#   check-examples.sh deb          against the Debian package `cpack -G DEB`
#                                  builds, unpacked into a scratch root
# Set by CTest (test/embedding/CMakeLists.txt): KILN_SOURCE_DIR,
# KILN_BINARY_DIR, KILN_SCRATCH_DIR, KILN_CXX, KILN_MAKE_PROGRAM, KILN_READELF,
# and KILN_LAUNCHER (ccache, or empty).
set -euo pipefail

mode="$1"
scratch="$KILN_SCRATCH_DIR/$mode"
rm -rf "$scratch"
mkdir -p "$scratch"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run <log> <command...>: quiet unless the command fails.
run() {
  local log="$1"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$*"
  fi
}

case "$mode" in
build-tree)
  find_kiln=(-DKiln_DIR="$KILN_BINARY_DIR")
  ;;
install)
  prefix="$scratch/prefix"
  run "$scratch/install.log" \
    cmake --install "$KILN_BINARY_DIR" --prefix "$prefix"
  find_kiln=(-DCMAKE_PREFIX_PATH="$prefix")
  ;;
deb)
  run "$scratch/cpack.log" cpack -G DEB \
    --config "$KILN_BINARY_DIR/CPackConfig.cmake" -B "$scratch/package"
  debs=("$scratch"/package/kiln_*.deb)
  [[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] ||
    fail "cpack wrote no single kiln_*.deb: ${debs[*]}"
  depends="$(dpkg-deb --field "${debs[0]}" Depends)"
  [[ "$depends" == *libmlir-*-dev* ]] ||
    fail "the package does not depend on MLIR: '$depends'"
  run "$scratch/unpack.log" dpkg-deb --extract "${debs[0]}" "$scratch/root"
  prefix="$scratch/root/usr"
  find_kiln=(-DCMAKE_PREFIX_PATH="$prefix")
  ;;
*)
  fail "unknown mode '$mode' (build-tree, install or deb)"
  ;;
esac

# build <example> [cmake args...]: configures and builds examples/<example>.
build() {
  local example="$1"
  shift
  local dir="$scratch/$example"
  run "$dir.configure.log" \
    cmake -G Ninja -S "$KILN_SOURCE_DIR/examples/$example" -B "$dir" \
    -DCMAKE_MAKE_PROGRAM="$KILN_MAKE_PROGRAM" \
    -DCMAKE_CXX_COMPILER="$KILN_CXX" \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$KILN_LAUNCHER" \
    -DCMAKE_BUILD_TYPE=Release "${find_kiln[@]}" "$@"
  run "$dir.build.log" cmake --build "$dir"
}

#===----------------------------------------------------------------------===#
# quickstart: Kiln::kiln, the seed example eagerly and JIT-compiled.
#===----------------------------------------------------------------------===#

build quickstart
out="$scratch/quickstart.out"
"$scratch/quickstart/quickstart" >"$out" || fail "quickstart exited with $?"
seed='kiln.Tensor(5, shape=(), dtype=int32)'
[[ "$(sed -n 1p "$out")" == "$seed" && "$(sed -n 2p "$out")" == "$seed" ]] ||
  { cat "$out" >&2; fail "quickstart's first two lines are not '$seed'"; }
grep -q 'linalg.generic' "$out" ||
  { cat "$out" >&2; fail "quickstart's Linalg stage has no linalg.generic"; }

#===----------------------------------------------------------------------===#
# eager-only: Kiln::runtime with MLIR and LLVM out of reach of find_package.
#===----------------------------------------------------------------------===#

build eager-only -DCMAKE_DISABLE_FIND_PACKAGE_MLIR=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_LLVM=ON
out="$scratch/eager-only.out"
"$scratch/eager-only/eager-only" >"$out" || fail "eager-only exited with $?"
expected='kiln.Tensor([[19. 22.] [43. 50.]], shape=(2, 2), dtype=float32)'
[[ "$(sed -n 1p "$out")" == "$expected" ]] ||
  { cat "$out" >&2; fail "eager-only's matmul is not '$expected'"; }
if "$KILN_READELF" -d "$scratch/eager-only/eager-only" |
    grep -E 'NEEDED.*lib(MLIR|LLVM)'; then
  fail "eager-only links MLIR or LLVM"
fi
if grep -E -- '-isystem [^ ]*llvm|-I[^ ]*llvm-[0-9]+/include' \
    "$scratch/eager-only/build.ninja"; then
  fail "eager-only compiles with LLVM's headers"
fi

#===----------------------------------------------------------------------===#
# train-mlp: a traced train step (forward, backward, Adam) reaches 95% on the
# held-out digits. Once, against the build tree.
#===----------------------------------------------------------------------===#

if [[ "$mode" == build-tree ]]; then
  build train-mlp
  out="$scratch/train-mlp.out"
  "$scratch/train-mlp/train-mlp" >"$out" || fail "train-mlp exited with $?"
  accuracy=$(sed -n 's/^test accuracy: \([0-9.]*\)%.*/\1/p' "$out")
  [[ -n "$accuracy" ]] || { cat "$out" >&2; fail "train-mlp printed no accuracy"; }
  awk -v a="$accuracy" 'BEGIN { exit !(a >= 95) }' ||
    { cat "$out" >&2; fail "train-mlp's test accuracy $accuracy% is under 95%"; }
fi

#===----------------------------------------------------------------------===#
# An installed (or packaged) Kiln is self-contained: no path into the source or build tree.
#===----------------------------------------------------------------------===#

if [[ "$mode" != build-tree ]]; then
  for example in quickstart eager-only; do
    leaks=$(tr ' ' '\n' <"$scratch/$example/build.ninja" |
      grep -F -e "$KILN_SOURCE_DIR/" -e "$KILN_BINARY_DIR/" |
      grep -vF -e "$scratch/" -e "$KILN_SOURCE_DIR/examples/" || true)
    [[ -z "$leaks" ]] ||
      fail "$example built from the install uses Kiln's trees: $leaks"
  done
fi

#===----------------------------------------------------------------------===#
# The installed tools: kiln-opt, and kilnc compiling a graph that calls the
# runtime into a shared library (linked with the installed runtime library).
#===----------------------------------------------------------------------===#

if [[ "$mode" != build-tree ]]; then
  bin="$prefix/bin"
  [[ -x "$bin/kilnc" && -x "$bin/kiln-opt" ]] ||
    fail "the install has no bin/kilnc and bin/kiln-opt"
  run "$scratch/kiln-opt.log" \
    "$bin/kiln-opt" --canonicalize "$KILN_SOURCE_DIR/samples/demo.mlir"
  run "$scratch/kilnc.log" "$bin/kilnc" compile \
    "$KILN_SOURCE_DIR/samples/demo.mlir" -o "$scratch/libdemo.so"
  if "$KILN_READELF" --dyn-syms "$scratch/libdemo.so" | grep -E 'UND.*kiln_rt_'
  then
    fail "the installed kilnc left kiln_rt_ symbols undefined"
  fi
fi

echo "PASS: examples built against the $mode and ran"
