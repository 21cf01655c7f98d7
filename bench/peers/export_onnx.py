"""Exports the workloads of bench/Models.h as ONNX models for ort_bench.js.

The models are the PyTorch modules of torch_bench.py (ENC is the Models.h-style
Encoder, not nn.TransformerEncoderLayer), with fixed-seed weights stored as
initializers and static input shapes, exported with torch.onnx.export at
opset 17. Writes <out>/<workload>.onnx and <out>/manifest.json (each model's
input names and shapes, in order). A model newer than this file and
torch_bench.py is kept unless --force is given.

Run (scripts/bench.sh does):

  /usr/bin/python3 bench/peers/export_onnx.py --out build/bench-peers/onnx \
      [--workloads MLP,ENC,...] [--force]
"""

import argparse
import json
import os
import sys

import torch

from torch_bench import WORKLOADS, model_and_inputs

OPSET = 17  # the newest torch 1.13 exports; has LayerNormalization


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    sources_mtime = max(os.path.getmtime(os.path.join(here, f))
                        for f in ("export_onnx.py", "torch_bench.py"))
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)

    for workload in args.workloads.split(","):
        path = os.path.join(args.out, f"{workload}.onnx")
        module, inputs = model_and_inputs(workload)
        manifest[workload] = [[name, list(t.shape)]
                              for name, t in inputs.items()]
        if (not args.force and os.path.exists(path)
                and os.path.getmtime(path) > sources_mtime):
            continue
        print(f"export_onnx: {path}", file=sys.stderr)
        with torch.no_grad():
            torch.onnx.export(module, tuple(inputs.values()), path,
                              input_names=list(inputs), output_names=["y"],
                              opset_version=OPSET, do_constant_folding=True)

    with open(manifest_path, "w") as f:
        json.dump(manifest, f)


if __name__ == "__main__":
    main()
