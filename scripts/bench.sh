#!/usr/bin/env bash
# Compares Kiln with its peers on the workloads of bench/Models.h and on
# float32 matmuls, in one run:
#
#   kiln-traced, kiln-eager  build/bin/kiln-bench-traced (bench/traced_bench.cpp)
#   torch, torch-ts,         PyTorch eager, TorchScript (trace + freeze) and
#   torch-tel                nn.TransformerEncoderLayer's fast path (ENC only):
#                            bench/peers/torch_bench.py
#   ort                      onnxruntime-node on models exported from PyTorch:
#                            bench/peers/export_onnx.py, bench/peers/ort_bench.js
#   dnnl                     oneDNN's matmul primitive (matmuls only):
#                            bench/peers/dnnl_matmul.cpp
#
# Peers that are not installed are skipped with a note; scripts/bench-peers.sh
# installs them. Each implementation runs in its own process, which prints the
# median of --reps runs per workload; every round runs each process once per
# thread count, in an order that rotates from round to round. The table shows,
# per thread count, the median over the rounds of those per-process medians,
# in ms, the best peer, and Kiln traced / best peer (below 1: Kiln traced is
# faster). Nothing is asserted. kiln-bench-traced always runs all its rows
# (W1-W4 and its fixed costs too), so a round takes about two minutes with
# the defaults whatever --workloads says.
#
# Every process runs with glibc's malloc told to keep freed memory
# (GLIBC_TUNABLES below): on a virtual machine whose first touches of fresh
# pages are slow, PyTorch's eager mode, which allocates each intermediate
# tensor anew, otherwise spends most of its time in page faults.
# --no-malloc-tuning runs them with glibc's defaults.
#
# Usage: scripts/bench.sh [--rounds N] [--threads "1 2"] [--workloads REGEX]
#                         [--reps N] [--peers torch,ort,dnnl]
#                         [--no-malloc-tuning]
#   --rounds     rounds (default 3)
#   --threads    thread counts, space- or comma-separated (default "1 2")
#   --workloads  extended regex on the workload names (default: all):
#                MLP MHA ENC matmul_1024x1024x1024 matmul_512x512x512
#                matmul_1024x512x512 matmul_1024x512x2048 matmul_256x1024x10
#                (matmul_MxKxN is [M,K] x [K,N]), e.g. 'MLP|ENC' or matmul
#   --reps       timed runs per workload in each process (default 11)
#   --peers      which peers to run (default: every installed one)
#   --no-malloc-tuning  leave glibc's malloc settings alone
# KILN_BUILD_DIR picks the build directory (default build/); the raw results
# and the peers' logs go to <build>/bench-peers/results/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"
PEERS_DIR="$BUILD/bench-peers"
PEER_PYTHON=/usr/bin/python3 # Debian's, which python3-torch is installed for
OPENBLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-openmp

ROUNDS=3
THREADS="1 2"
FILTER="."
REPS=11
PEERS="torch,ort,dnnl"
MALLOC_TUNING=1
usage() { sed -n '/^# Usage:/,/^set -euo/{/^set/d;s/^# \{0,1\}//;p}' "$0"; }
while (($#)); do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="${2//,/ }"; shift 2 ;;
    --workloads) FILTER="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --no-malloc-tuning) MALLOC_TUNING=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

ALL_WORKLOADS=(MLP MHA ENC matmul_1024x1024x1024 matmul_512x512x512
  matmul_1024x512x512 matmul_1024x512x2048 matmul_256x1024x10)
mapfile -t WORKLOADS < <(printf '%s\n' "${ALL_WORKLOADS[@]}" | grep -E -- "$FILTER" || true)
if ((${#WORKLOADS[@]} == 0)); then
  echo "bench: no workload matches '$FILTER'" >&2
  exit 2
fi
WORKLOAD_LIST="$(IFS=,; echo "${WORKLOADS[*]}")"
MATMUL_SHAPES="$(printf '%s\n' "${WORKLOADS[@]}" | sed -n 's/^matmul_//p' | paste -sd,)"

echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
echo "rounds: $ROUNDS, threads: $THREADS, repetitions per process: $REPS"
echo "workloads: ${WORKLOADS[*]}"
# Other work on the machine slows the runs down, multi-threaded ones most.
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Blocks up to 32 MiB (the largest threshold glibc takes) come from the heap,
# and the heap returns memory to the system only past 1 GiB free at its top.
MALLOC_TUNABLES="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
if ((MALLOC_TUNING)); then
  echo "malloc: GLIBC_TUNABLES=$MALLOC_TUNABLES for every process"
else
  echo "malloc: glibc defaults"
fi

#===--- Build Kiln's benchmark ------------------------------------------===#
echo "bench: building kiln-bench-traced"
"$ROOT/scripts/setup.sh" kiln-bench-traced >/dev/null

#===--- Find the peers -----------------------------------------------------===#
PROCS=(kiln)
note() { echo "note: $*"; }
wants() { [[ ",$PEERS," == *",$1,"* ]]; }

have_torch=0
if wants torch || wants ort; then
  if "$PEER_PYTHON" -c 'import torch' 2>/dev/null; then
    have_torch=1
  else
    note "PyTorch is not installed (scripts/bench-peers.sh installs it): skipping torch and ort"
  fi
fi
if wants torch && ((have_torch)); then
  PROCS+=(torch)
fi

if wants ort && ((have_torch)); then
  if ! command -v node >/dev/null ||
      [[ ! -d "$PEERS_DIR/node_modules/onnxruntime-node" ]]; then
    note "onnxruntime-node is not installed (scripts/bench-peers.sh installs it): skipping ort"
  elif "$PEER_PYTHON" "$ROOT/bench/peers/export_onnx.py" \
      --out "$PEERS_DIR/onnx" --workloads "$WORKLOAD_LIST"; then
    PROCS+=(ort)
  else
    note "exporting the ONNX models failed: skipping ort"
  fi
fi

if wants dnnl && [[ -n "$MATMUL_SHAPES" ]]; then
  if [[ ! -f /usr/include/oneapi/dnnl/dnnl.hpp ]]; then
    note "oneDNN is not installed (scripts/bench-peers.sh installs it): skipping dnnl"
  else
    # The target exists once CMake has seen oneDNN: configure again if needed.
    if ! ninja -C "$BUILD" -t targets all | grep -q '^kiln-bench-dnnl-matmul:'; then
      cmake "$BUILD" >/dev/null
    fi
    if ninja -C "$BUILD" kiln-bench-dnnl-matmul >/dev/null; then
      PROCS+=(dnnl)
    else
      note "building kiln-bench-dnnl-matmul failed: skipping dnnl"
    fi
  fi
fi

#===--- Run the rounds ---------------------------------------------------===#
RESULTS_DIR="$PEERS_DIR/results"
mkdir -p "$RESULTS_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$RESULTS_DIR/$STAMP.txt" # RESULT and INFO lines of every process
LOG="$RESULTS_DIR/$STAMP.log"     # everything else they print
: >"$RESULTS"
: >"$LOG"

# Turns kiln-bench-traced's rows "name traced eager reference ratio ratio"
# into RESULT lines for the rows that have a counterpart in the peers.
kiln_results() {
  awk -v t="$1" '
    function workload(name, size) {
      if (name ~ /^MLP /) return "MLP"
      if (name ~ /^MHA /) return "MHA"
      if (name ~ /^ENC /) return "ENC"
      if (name ~ /matmul /) {
        size = name; sub(/^.*matmul /, "", size)
        if (size ~ /\^3$/) { sub(/\^3$/, "", size); size = size "x" size "x" size }
        return "matmul_" size
      }
      return ""
    }
    NF >= 6 && $NF ~ /x$/ && $(NF - 1) ~ /x$/ {
      name = $1
      for (i = 2; i <= NF - 5; ++i) name = name " " $i
      w = workload(name)
      if (w != "") {
        print "RESULT kiln-traced", w, t, $(NF - 4)
        print "RESULT kiln-eager", w, t, $(NF - 3)
      }
    }'
}

run_kiln() {
  OMP_NUM_THREADS="$1" "$BUILD/bin/kiln-bench-traced" "$REPS" "$1" | kiln_results "$1"
}

# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, when set, pin OpenBLAS to a kernel
# set chosen for safety rather than speed: PyTorch's OpenBLAS runs without
# them, and torch_bench.py prints the kernel set it picked.
run_torch() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    OMP_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1" \
    LD_LIBRARY_PATH="$OPENBLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$PEER_PYTHON" "$ROOT/bench/peers/torch_bench.py" \
    --threads "$1" --reps "$REPS" --workloads "$WORKLOAD_LIST"
}

run_ort() {
  NODE_PATH="$PEERS_DIR/node_modules" node "$ROOT/bench/peers/ort_bench.js" \
    --onnx-dir "$PEERS_DIR/onnx" --threads "$1" --reps "$REPS" \
    --workloads "$WORKLOAD_LIST"
}

run_dnnl() {
  OMP_NUM_THREADS="$1" "$BUILD/bin/kiln-bench-dnnl-matmul" "$REPS" "$MATMUL_SHAPES"
}

if ((MALLOC_TUNING)); then
  export GLIBC_TUNABLES="$MALLOC_TUNABLES${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"
fi
for ((round = 1; round <= ROUNDS; ++round)); do
  for t in $THREADS; do
    order=()
    for ((i = 0; i < ${#PROCS[@]}; ++i)); do
      order+=("${PROCS[(i + round - 1) % ${#PROCS[@]}]}")
    done
    echo "bench: round $round/$ROUNDS, $t thread(s): ${order[*]}"
    for proc in "${order[@]}"; do
      echo "=== round $round, $t thread(s), $proc" >>"$LOG"
      if ! "run_$proc" "$t" 2>>"$LOG" | tee -a "$LOG" |
          grep -E '^(RESULT|INFO) ' >>"$RESULTS"; then
        note "$proc failed at $t thread(s) in round $round; see $LOG"
      fi
    done
  done
done

#===--- Report ---------------------------------------------------------===#
echo
python3 - "$RESULTS" "$ROUNDS" "$THREADS" "${WORKLOADS[@]}" <<'EOF'
import statistics
import sys

results_path, rounds, threads = sys.argv[1], sys.argv[2], sys.argv[3].split()
workloads = sys.argv[4:]
ORDER = ["kiln-traced", "kiln-eager", "torch", "torch-ts", "torch-tel", "ort",
         "dnnl"]

times = {}  # (impl, workload, threads) -> per-process medians
info = []
with open(results_path) as f:
    for line in f:
        fields = line.split()
        if fields[0] == "RESULT" and len(fields) == 5:
            impl, workload, t, ms = fields[1:]
            times.setdefault((impl, workload, t), []).append(float(ms))
        elif fields[0] == "INFO" and line not in info:
            info.append(line)

impls = sorted({k[0] for k in times},
               key=lambda i: (ORDER.index(i) if i in ORDER else len(ORDER), i))
peers = [i for i in impls if not i.startswith("kiln-")]


def cell(value):
    return f"{value:.3f}" if value is not None else "-"


for t in threads:
    print(f"{t} thread(s): ms, median over {rounds} round(s) of per-process "
          "medians; ratio = kiln-traced / best peer")
    header = ["workload"] + impls + ["best peer", "ratio", "best is"]
    rows = []
    for workload in workloads:
        med = {i: statistics.median(times[(i, workload, t)])
               for i in impls if (i, workload, t) in times}
        best = min((p for p in peers if p in med), key=med.get, default=None)
        ratio = (f"{med['kiln-traced'] / med[best]:.2f}"
                 if best and "kiln-traced" in med else "-")
        rows.append([workload] + [cell(med.get(i)) for i in impls] +
                    [cell(med.get(best)), ratio, best or "-"])
    widths = [max(len(r[c]) for r in rows + [header])
              for c in range(len(header))]
    for r in [header] + rows:
        left = (0, len(r) - 1)  # the names; numbers are right-aligned
        print("  ".join(r[c].ljust(widths[c]) if c in left
                        else r[c].rjust(widths[c]) for c in range(len(r))).rstrip())
    print()

for line in info:
    print(line.rstrip())
EOF
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw results: $RESULTS"
