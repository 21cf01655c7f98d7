#!/usr/bin/env bash
# Model check: runs real models exported from PyTorch on Kiln and on
# onnxruntime, and compares their outputs and their speed:
#
#   resnet18, mobilenet_v2  torchvision's models, random fixed-seed weights,
#                           batch 1, 3x224x224 (bench/peers/export_vision.py)
#   ENC                     bench/Models.h's encoder layer, [8, 128, 512]
#                           (bench/peers/export_onnx.py)
#
# each on a fixed-seed input (export_vision.py writes them). Per model and
# thread count:
#
#   kiln  `kilnc run MODEL.onnx --input ... --output-dir ... --repeat N`: the
#         outputs of the JIT and the median of N calls after the first one
#         (which imports and compiles)
#   ort   onnxruntime-node (bench/peers/ort_run.js): the outputs and the
#         median of N session.run() calls after 3 warm-up runs
#
# and once per model Kiln's interpreter (`--mode interpret`), compared with
# onnxruntime at the first thread count. Outputs are compared by
# bench/peers/compare_npy.py: "max rel" is max|k - o| / max|o| (o:
# onnxruntime), "elem rel" the largest |k - o| / |o| where |o| > 1e-3 max|o|;
# a model passes when max rel <= --tol. "ratio" is Kiln / onnxruntime (below
# 1: Kiln is faster).
#
# Kiln has no thread-count option or variable: its thread pool takes the
# cores of the process's affinity mask (include/kiln/Runtime/ThreadPool.h).
# So at T threads every process (Kiln and onnxruntime, which also gets
# intraOpNumThreads=T) is pinned with taskset to the first T CPUs it may use.
# As in scripts/bench.sh, every process runs with glibc's malloc told to keep
# freed memory (GLIBC_TUNABLES below); --no-malloc-tuning leaves it alone.
#
# This is a benchmark, not a test: nothing in the build or the tests needs
# it. The peers (PyTorch, torchvision, onnxruntime-node) come from
# scripts/bench-peers.sh. Other work on the machine slows the runs down: the
# load average is printed before and after.
#
# Usage: scripts/onnx-models.sh [--models resnet18,mobilenet_v2,ENC]
#                               [--threads "1 2"] [--reps N] [--rounds N]
#                               [--tol T] [--no-interpret] [--no-malloc-tuning]
#   --models     which models (default: all three)
#   --threads    thread counts, space- or comma-separated (default "1 2")
#   --reps       timed calls per process (default 11)
#   --rounds     times each process runs; the table shows the median over the
#                rounds of the per-process medians (default 3); outputs are
#                compared in the first round
#   --tol        the largest max rel error that passes (default 1e-4)
#   --no-interpret      skip Kiln's interpreter
#   --no-malloc-tuning  leave glibc's malloc settings alone
# KILN_BUILD_DIR picks the build directory (default build/); the models and
# inputs go to <build>/bench-peers/models/ (ENC: <build>/bench-peers/onnx/),
# the outputs, logs and raw results to <build>/bench-peers/model-check/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KILN_BUILD_DIR:-$ROOT/build}"
PEERS_DIR="$BUILD/bench-peers"
PEER_PYTHON=/usr/bin/python3 # Debian's, which python3-torch is installed for
KILNC="$BUILD/bin/kilnc"

MODELS="resnet18,mobilenet_v2,ENC"
THREADS="1 2"
REPS=11
ROUNDS=3
TOL=1e-4
INTERPRET=1
MALLOC_TUNING=1
usage() { sed -n '/^# Usage:/,/^set -euo/{/^set/d;s/^# \{0,1\}//;p}' "$0"; }
while (($#)); do
  case "$1" in
    --models) MODELS="$2"; shift 2 ;;
    --threads) THREADS="${2//,/ }"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --tol) TOL="$2"; shift 2 ;;
    --no-interpret) INTERPRET=0; shift ;;
    --no-malloc-tuning) MALLOC_TUNING=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "onnx-models: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

#===--- Check the peers and Kiln -----------------------------------------===#
fail() { echo "onnx-models: $*" >&2; exit 1; }
[[ -x "$KILNC" ]] || fail "$KILNC is missing (build Kiln first)"
"$PEER_PYTHON" -c 'import numpy, torch, torchvision' 2>/dev/null ||
  fail "PyTorch or torchvision is not installed: run scripts/bench-peers.sh"
if ! command -v node >/dev/null ||
    [[ ! -d "$PEERS_DIR/node_modules/onnxruntime-node" ]]; then
  fail "onnxruntime-node is not installed: run scripts/bench-peers.sh"
fi

# The CPUs this process may use; T threads run on the first T of them.
mapfile -t CPUS < <("$PEER_PYTHON" -c \
  'import os; print(*sorted(os.sched_getaffinity(0)), sep="\n")')
for t in $THREADS; do
  ((t >= 1 && t <= ${#CPUS[@]})) ||
    fail "$t threads: this process may use ${#CPUS[@]} CPUs"
done
pinned() { # pinned T COMMAND...: runs COMMAND on the first T CPUs
  local t="$1" list
  shift
  list="$(IFS=,; echo "${CPUS[*]:0:$t}")"
  taskset -c "$list" "$@"
}

kilnc_stamp() { stat -c '%Y %s' "$KILNC"; }
KILNC_STAMP="$(kilnc_stamp)"

echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
echo "models: ${MODELS//,/ }; threads: $THREADS; rounds: $ROUNDS; calls per process: $REPS"
echo "kilnc: $KILNC ($(date -r "$KILNC" '+%Y-%m-%d %H:%M:%S'))"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
MALLOC_TUNABLES="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
if ((MALLOC_TUNING)); then
  echo "malloc: GLIBC_TUNABLES=$MALLOC_TUNABLES for every process"
else
  echo "malloc: glibc defaults"
fi

#===--- Export the models and their inputs -------------------------------===#
if [[ ",$MODELS," == *",ENC,"* ]]; then
  "$PEER_PYTHON" "$ROOT/bench/peers/export_onnx.py" --out "$PEERS_DIR/onnx" \
    --workloads ENC
fi
# Lines "MODEL name model.onnx input.npy...".
mapfile -t MODEL_LINES < <("$PEER_PYTHON" "$ROOT/bench/peers/export_vision.py" \
  --out "$PEERS_DIR/models" --onnx-dir "$PEERS_DIR/onnx" --models "$MODELS" \
  2> >(grep -v -e Warning -e '^ *warnings.warn' >&2) | grep '^MODEL ')

#===--- Run --------------------------------------------------------------===#
CHECK_DIR="$PEERS_DIR/model-check"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$CHECK_DIR/$STAMP" # <impl>-t<T>/<model>/out<i>.npy, interpret/<model>/
RESULTS="$CHECK_DIR/$STAMP.txt" # RESULT, CHECK, ERROR and INFO lines
LOG="$CHECK_DIR/$STAMP.log"     # everything the processes print
mkdir -p "$OUT"
: >"$RESULTS"
: >"$LOG"
if ((MALLOC_TUNING)); then
  export GLIBC_TUNABLES="$MALLOC_TUNABLES${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"
fi

# run_logged LABEL COMMAND...: runs COMMAND with its output in $LOG and in
# $RUN_OUTPUT; returns its status.
run_logged() {
  local label="$1" status=0
  shift
  echo "=== $label: $*" >>"$LOG"
  RUN_OUTPUT="$("$@" 2>&1)" || status=$?
  printf '%s\n' "$RUN_OUTPUT" >>"$LOG"
  return $status
}

# Kiln's error: its "kilnc: error:" line, else its last line and the status.
kiln_error() {
  local status="$1" line
  line="$(grep -m1 '^kilnc: error:' <<<"$RUN_OUTPUT" || true)"
  if [[ -z "$line" ]]; then
    line="$(tail -n1 <<<"$RUN_OUTPUT")"
    ((status > 128)) && line="killed by signal $((status - 128)): $line"
    ((status <= 128)) && line="exit status $status: $line"
  fi
  echo "$line"
}

compare() { # compare IMPL MODEL T RUN_DIR REF_DIR
  echo "CHECK $1 $2 $3 $("$PEER_PYTHON" "$ROOT/bench/peers/compare_npy.py" "$4" "$5")" >>"$RESULTS"
}

for ((round = 1; round <= ROUNDS; ++round)); do
  for line in "${MODEL_LINES[@]}"; do
    read -r _ model onnx inputs <<<"$line"
    read -r -a input_files <<<"$inputs"
    for t in $THREADS; do
      echo "onnx-models: round $round/$ROUNDS, $model, $t thread(s)"
      ort_dir="$OUT/ort-t$t/$model" kiln_dir="$OUT/kiln-t$t/$model"
      out_args=()
      ((round == 1)) && out_args=(--output-dir "$ort_dir")
      if run_logged "ort $model $t" pinned "$t" env \
          NODE_PATH="$PEERS_DIR/node_modules" node "$ROOT/bench/peers/ort_run.js" \
          --model "$onnx" --inputs "$(IFS=,; echo "${input_files[*]}")" \
          --threads "$t" --reps "$REPS" --name "$model" "${out_args[@]}"; then
        grep -E '^(RESULT|INFO) ' <<<"$RUN_OUTPUT" >>"$RESULTS" || true
      else
        echo "ERROR ort $model $t $(tail -n1 <<<"$RUN_OUTPUT")" >>"$RESULTS"
      fi

      out_args=()
      ((round == 1)) && out_args=(--output-dir "$kiln_dir")
      status=0
      run_logged "kiln $model $t" pinned "$t" "$KILNC" run "$onnx" \
        --input "${input_files[@]}" "${out_args[@]}" --repeat "$REPS" || status=$?
      # "jit: first call F ms (compiles); N calls: min A ms, median B ms, max C ms"
      timing="$(sed -n 's/^jit: first call \([0-9.]*\) ms.* median \([0-9.]*\) ms.*/\1 \2/p' <<<"$RUN_OUTPUT")"
      if ((status == 0)) && [[ -n "$timing" ]]; then
        read -r first median <<<"$timing"
        echo "RESULT kiln $model $t $median" >>"$RESULTS"
        echo "FIRST kiln $model $t $first" >>"$RESULTS"
        ((round == 1)) && compare kiln "$model" "$t" "$kiln_dir" "$ort_dir"
      else
        echo "ERROR kiln $model $t $(kiln_error "$status")" >>"$RESULTS"
      fi
    done

    if ((INTERPRET && round == 1)); then
      t="${THREADS%% *}"
      echo "onnx-models: $model, Kiln's interpreter"
      status=0
      run_logged "interpret $model" "$KILNC" run "$onnx" --mode interpret \
        --input "${input_files[@]}" --output-dir "$OUT/interpret/$model" || status=$?
      if ((status == 0)); then
        compare interpret "$model" "$t" "$OUT/interpret/$model" "$OUT/ort-t$t/$model"
      else
        echo "ERROR interpret $model - $(kiln_error "$status")" >>"$RESULTS"
      fi
    fi
  done
done

#===--- Report ---------------------------------------------------------===#
echo
"$PEER_PYTHON" - "$RESULTS" "$ROUNDS" "$TOL" "$THREADS" <<'EOF'
import statistics
import sys

results_path, rounds, tol, threads = sys.argv[1:5]
tol, threads = float(tol), threads.split()

times, first, checks, errors, info, models = {}, {}, {}, [], [], []
with open(results_path) as f:
    for line in f:
        kind, rest = line.split(" ", 1)
        if kind == "INFO":
            if line.strip() not in info:
                info.append(line.strip())
            continue
        impl, model, t, value = rest.rstrip("\n").split(" ", 3)
        if model not in models:
            models.append(model)
        if kind == "RESULT":
            times.setdefault((impl, model, t), []).append(float(value))
        elif kind == "FIRST":
            first.setdefault((impl, model, t), []).append(float(value))
        elif kind == "CHECK":
            max_rel, elem_rel, note = value.split(" ", 2)
            checks[(impl, model, t)] = (float(max_rel), float(elem_rel), note)
        elif kind == "ERROR" and (impl, model, t, value) not in errors:
            errors.append((impl, model, t, value))


def med(table, key):
    return statistics.median(table[key]) if key in table else None


def verdict(key):
    if key not in checks:
        return "-", "-", "error"
    max_rel, elem_rel, note = checks[key]
    ok = max_rel <= tol
    return (f"{max_rel:.2e}", f"{elem_rel:.2e}",
            ("pass" if ok else "FAIL") + ("" if note == "ok" else f" ({note})"))


def table(header, rows):
    widths = [max(len(r[c]) for r in rows + [header]) for c in range(len(header))]
    for r in [header] + rows:
        print("  ".join(r[c].ljust(widths[c]) if c == 0 or c == 3
                        else r[c].rjust(widths[c]) for c in range(len(r))).rstrip())


def ms(value):
    return f"{value:.3f}" if value is not None else "-"


for t in threads:
    print(f"{t} thread(s): Kiln's JIT vs onnxruntime; ms = median over {rounds} "
          "round(s) of per-process medians; ratio = kiln / ort")
    rows = []
    for model in models:
        kiln, ort = med(times, ("kiln", model, t)), med(times, ("ort", model, t))
        ratio = f"{kiln / ort:.2f}" if kiln and ort else "-"
        rows.append([model, *verdict(("kiln", model, t)), ms(kiln), ms(ort),
                     ratio, ms(med(first, ("kiln", model, t)))])
    table(["model", "max rel", "elem rel", f"check {tol:g}", "kiln ms",
           "ort ms", "ratio", "kiln 1st call"], rows)
    print()

interpreted = [m for m in models if any(k[0] == "interpret" and k[1] == m
                                        for k in checks) or
               any(e[0] == "interpret" and e[1] == m for e in errors)]
if interpreted:
    t = threads[0]
    print(f"Kiln's interpreter vs onnxruntime at {t} thread(s)")
    table(["model", "max rel", "elem rel", f"check {tol:g}"],
          [[m, *verdict(("interpret", m, t))] for m in interpreted])
    print()

for impl, model, t, message in errors:
    print(f"error: {impl} {model}" + (f" at {t} thread(s)" if t != "-" else "")
          + f": {message}")
for line in info:
    print(line)
EOF
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "$(kilnc_stamp)" != "$KILNC_STAMP" ]]; then
  echo "note: $KILNC changed during the run: run again for results of one kilnc"
fi
echo "outputs: $OUT"
echo "raw results: $RESULTS, log: $LOG"
echo "wall time: $SECONDS s"
