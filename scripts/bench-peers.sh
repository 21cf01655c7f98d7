#!/usr/bin/env bash
# Installs the optional peers that scripts/bench.sh compares Kiln with:
#
#   PyTorch 1.13      Debian's python3-torch, run by Debian's /usr/bin/python3,
#                     with OpenBLAS (libopenblas0-openmp) for its matmuls
#   torchvision 0.14  Debian's python3-torchvision: the vision models that
#                     scripts/onnx-models.sh exports (bench/peers/export_vision.py)
#   onnxruntime       the npm package onnxruntime-node, installed into
#                     build/bench-peers/node_modules and run with node
#   oneDNN 2.6        Debian's libdnnl-dev (bench/peers/dnnl_matmul.cpp)
#
# Idempotent: prints what it installs, and installs nothing that is already
# there. Neither the build nor the tests need any of this.
#
# Installing OpenBLAS would make it the system's libblas.so.3; this script
# puts the system's previous choice back, and scripts/bench.sh points PyTorch
# at OpenBLAS alone with LD_LIBRARY_PATH.
#
# Usage: scripts/bench-peers.sh
# KILN_BUILD_DIR picks the build directory (default build/); ORT_NODE_VERSION
# the onnxruntime-node version (default below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"
PEERS_DIR="$BUILD/bench-peers"
ORT_NODE_VERSION="${ORT_NODE_VERSION:-1.23.2}"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

#===--- Debian packages ------------------------------------------------===#
PACKAGES=(python3-torch python3-torchvision libopenblas0-openmp libdnnl-dev)
# nodejs and npm may come from elsewhere (nodesource's nodejs has npm in it,
# and conflicts with Debian's npm): install them only when missing.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

BLAS_ALT=libblas.so.3-x86_64-linux-gnu
LAPACK_ALT=liblapack.so.3-x86_64-linux-gnu
current_alt() {
  update-alternatives --query "$1" 2>/dev/null | sed -n 's/^Value: //p'
}

if ((${#missing[@]})); then
  echo "bench-peers: installing Debian packages: ${missing[*]}"
  blas_before="$(current_alt $BLAS_ALT)"
  lapack_before="$(current_alt $LAPACK_ALT)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
  for pair in "$BLAS_ALT=$blas_before" "$LAPACK_ALT=$lapack_before"; do
    name="${pair%%=*}" before="${pair#*=}"
    if [[ -n "$before" && "$(current_alt "$name")" != "$before" ]]; then
      echo "bench-peers: keeping the system's $name: $before"
      $SUDO update-alternatives --set "$name" "$before" >/dev/null
    fi
  done
else
  echo "bench-peers: Debian packages already installed: ${PACKAGES[*]}"
fi

#===--- onnxruntime-node (npm) -----------------------------------------===#
mkdir -p "$PEERS_DIR"
installed_ort="$(node -p "require('$PEERS_DIR/node_modules/onnxruntime-node/package.json').version" 2>/dev/null || true)"
if [[ "$installed_ort" != "$ORT_NODE_VERSION" ]]; then
  echo "bench-peers: installing onnxruntime-node@$ORT_NODE_VERSION into $PEERS_DIR"
  [[ -f "$PEERS_DIR/package.json" ]] ||
    echo '{ "name": "kiln-bench-peers", "private": true }' >"$PEERS_DIR/package.json"
  # The package carries its CPU binaries; skip its optional CUDA download.
  (cd "$PEERS_DIR" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip \
    npm install --no-audit --no-fund --loglevel=error \
    "onnxruntime-node@$ORT_NODE_VERSION")
else
  echo "bench-peers: onnxruntime-node@$ORT_NODE_VERSION already installed in $PEERS_DIR"
fi

#===--- Check ----------------------------------------------------------===#
/usr/bin/python3 -c 'import torch; print("bench-peers: PyTorch", torch.__version__)'
(cd "$PEERS_DIR" && node -e \
  'console.log("bench-peers: onnxruntime-node", require("onnxruntime-node/package.json").version)')
if [[ -f /usr/include/dnnl.hpp ]]; then
  echo "bench-peers: oneDNN $(dpkg-query -W -f='${Version}' libdnnl-dev)"
fi
