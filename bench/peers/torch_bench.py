"""PyTorch on the workloads of bench/Models.h (float32, inference).

Measures, at one thread count, the median wall time of:

  torch      eager modules written like Models.h (nn.Linear, F.layer_norm,
             exact GELU, explicit attention), under torch.inference_mode()
  torch-ts   the same modules traced with torch.jit.trace and frozen with
             torch.jit.freeze (MLP, MHA, ENC)
  torch-tel  ENC only: nn.TransformerEncoderLayer(512, 8, 2048, dropout=0,
             activation="gelu", batch_first=True, norm_first=False) in eval
             mode under torch.inference_mode(), which takes its fused fast
             path; an INFO line says whether it did
  torch      matmul_MxKxN: torch.matmul of [M,K] and [K,N]

and prints one machine-readable line per measurement:

  RESULT <impl> <workload> <threads> <median_ms>

plus INFO lines (version, the BLAS library loaded). scripts/bench.sh runs it;
by hand:

  /usr/bin/python3 bench/peers/torch_bench.py --threads 1 --reps 11 \
      [--workloads MLP,MHA,ENC,matmul_1024x1024x1024,...]

Set OMP_NUM_THREADS to the same thread count (bench.sh does) so that
OpenMP-threaded BLAS libraries follow it. Inputs are random with fixed seeds.
export_onnx.py imports the models from this file.
"""

import argparse
import math
import re
import statistics
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

# Tracing records 1/sqrt(d) of attention() as a constant, as intended.
warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)

MATMULS = [(1024, 1024, 1024), (512, 512, 512), (1024, 512, 512),
           (1024, 512, 2048), (256, 1024, 10)]


def matmul_name(m, k, n):
    return f"matmul_{m}x{k}x{n}"


WORKLOADS = ["MLP", "MHA", "ENC"] + [matmul_name(*s) for s in MATMULS]

#===--- Models (as bench/Models.h) -------------------------------------===#


class Mlp(nn.Module):
    """x[256,1024] -> Linear+ReLU -> Linear+ReLU -> Linear(1024,10) -> softmax."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(1024, 1024)
        self.l2 = nn.Linear(1024, 1024)
        self.l3 = nn.Linear(1024, 10)

    def forward(self, x):
        h = F.relu(self.l1(x))
        h = F.relu(self.l2(h))
        return F.softmax(self.l3(h), -1)


def attention(q, k, v):
    """softmax(q k^T / sqrt(d)) v for [batch, heads, seq, d] -> [batch, seq, heads*d]."""
    batch, heads, seq, d = q.shape
    scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(d))
    context = torch.matmul(F.softmax(scores, -1), v)
    return context.transpose(1, 2).reshape(batch, seq, heads * d)


class Attention(nn.Module):
    def forward(self, q, k, v):
        return attention(q, k, v)


class Encoder(nn.Module):
    """One post-LN encoder layer, written as Models.h's encoder()."""

    def __init__(self, model=512, heads=8, ffn=2048):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(model, model)
        self.k = nn.Linear(model, model)
        self.v = nn.Linear(model, model)
        self.o = nn.Linear(model, model)
        self.ln1 = nn.LayerNorm(model, eps=1e-5)
        self.ff1 = nn.Linear(model, ffn)
        self.ff2 = nn.Linear(ffn, model)
        self.ln2 = nn.LayerNorm(model, eps=1e-5)

    def forward(self, x):
        batch, seq, model = x.shape
        d = model // self.heads

        def split(t):  # [b, s, h*d] -> [b, h, s, d]
            return t.reshape(batch, seq, self.heads, d).transpose(1, 2)

        attended = self.o(attention(split(self.q(x)), split(self.k(x)),
                                    split(self.v(x))))
        h = self.ln1(x + attended)
        return self.ln2(h + self.ff2(F.gelu(self.ff1(h))))


class MatMul(nn.Module):
    def forward(self, a, b):
        return torch.matmul(a, b)


def model_and_inputs(workload):
    """The module (eval mode, fixed-seed weights) and its inputs, as a dict
    name -> tensor in argument order."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)

    def randn(*shape):
        return torch.randn(*shape, generator=gen)

    if workload == "MLP":
        return Mlp().eval(), {"x": randn(256, 1024)}
    if workload == "MHA":
        return Attention().eval(), {n: randn(8, 8, 128, 64) for n in "qkv"}
    if workload == "ENC":
        return Encoder().eval(), {"x": randn(8, 128, 512)}
    for m, k, n in MATMULS:
        if workload == matmul_name(m, k, n):
            return MatMul().eval(), {"a": randn(m, k), "b": randn(k, n)}
    raise ValueError(f"unknown workload {workload}")


#===--- Measurement ----------------------------------------------------===#


def median_ms(fn, reps, warmup=3):
    """Median wall time of fn() in ms over reps runs, after warmup runs (the
    TorchScript profiling executor optimizes after its first runs)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def blas_info():
    """The BLAS shared library this process loaded and, for OpenBLAS, the
    kernel set it chose."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in path.rsplit("/", 1)[-1]:
                libs.add(path)
    info = ",".join(sorted(libs)) or "none"
    for path in libs:
        try:
            import ctypes
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info += f" openblas_core={lib.openblas_get_corename().decode()}"
            break
        except (OSError, AttributeError):
            pass
    return info


def uses_fast_path(layer, x):
    """Whether nn.TransformerEncoderLayer ran its fused kernel on x."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        layer(x)
    return any("_transformer_encoder_layer_fwd" in e.key
               for e in prof.key_averages())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reps", type=int, default=11)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    t = args.threads
    capability = re.search(r"CPU capability usage: (\w+)",
                           torch.__config__.show())
    print(f"INFO torch version={torch.__version__} "
          f"cpu_capability={capability.group(1) if capability else '?'} "
          f"blas={blas_info()}", flush=True)

    for workload in args.workloads.split(","):
        module, inputs = model_and_inputs(workload)
        xs = tuple(inputs.values())
        with torch.inference_mode():
            ms = median_ms(lambda: module(*xs), args.reps)
        print(f"RESULT torch {workload} {t} {ms:.4f}", flush=True)

        if workload in ("MLP", "MHA", "ENC"):
            with torch.no_grad():
                scripted = torch.jit.freeze(torch.jit.trace(module, xs))
                ms = median_ms(lambda: scripted(*xs), args.reps)
            print(f"RESULT torch-ts {workload} {t} {ms:.4f}", flush=True)

        if workload == "ENC":
            torch.manual_seed(0)
            layer = nn.TransformerEncoderLayer(
                512, 8, 2048, dropout=0.0, activation="gelu",
                batch_first=True, norm_first=False).eval()
            with torch.inference_mode():
                fast = uses_fast_path(layer, xs[0])
                ms = median_ms(lambda: layer(xs[0]), args.reps)
            print(f"INFO torch-tel fast_path={'yes' if fast else 'no'}",
                  flush=True)
            print(f"RESULT torch-tel {workload} {t} {ms:.4f}", flush=True)


if __name__ == "__main__":
    main()
