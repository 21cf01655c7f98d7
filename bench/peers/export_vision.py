"""Exports real models and fixed-seed inputs for scripts/onnx-models.sh.

  resnet18, mobilenet_v2  torchvision's models with random weights (no
                          download: weights=None after torch.manual_seed(0))
                          and BatchNorm statistics set as below, in eval
                          mode, batch 1, input x [1, 3, 224, 224],
                          exported with torch.onnx.export at opset 17 with
                          do_constant_folding=True (so BatchNormalization is
                          folded into the convolutions)
  ENC                     no model: export_onnx.py exports it into --onnx-dir;
                          this writes an input for each of its inputs listed in
                          <onnx-dir>/manifest.json

Writes <out>/<model>.onnx (the vision models) and <out>/<model>.<input>.npy
(float32, normal with a fixed seed per model and input), and prints one line
per model:

  MODEL <model> <model.onnx> <input.npy>...

with the inputs in the model's argument order. A file newer than this script
is kept unless --force is given.

Fresh BatchNormalization statistics (mean 0, variance 1) do not normalize
anything: through mobilenet_v2 the activations shrink block after block, to
outputs near 1e-9 whose ReLU6s never clip. So, before eval mode, the running
statistics are set to the averages over two training-mode passes on fixed-seed
random batches of 8 (the weights stay as initialized), which keeps the
activations near unit scale as in a trained model.

Run (scripts/onnx-models.sh does, after export_onnx.py for ENC):

  /usr/bin/python3 bench/peers/export_vision.py --out build/bench-peers/models \
      --onnx-dir build/bench-peers/onnx [--models resnet18,mobilenet_v2,ENC] \
      [--force]
"""

import argparse
import json
import os
import sys
import zlib

import numpy as np
import torch
import torchvision

OPSET = 17
VISION = ["resnet18", "mobilenet_v2"]
MODELS = VISION + ["ENC"]


def fresh(path, sources_mtime, force):
    return (not force and os.path.exists(path)
            and os.path.getmtime(path) > sources_mtime)


def write_input(path, shape, model, name, sources_mtime, force):
    """A float32 standard normal input whose seed depends on model and name."""
    if fresh(path, sources_mtime, force):
        return
    seed = zlib.crc32(f"{model}.{name}".encode())
    rng = np.random.default_rng(seed)
    np.save(path, rng.standard_normal(shape, dtype=np.float32))


def calibrate_batch_norm(module, shape):
    """Sets the BatchNorm running statistics from random batches (see above)."""
    norms = [m for m in module.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over the passes
    gen = torch.Generator().manual_seed(2)
    module.train()
    with torch.no_grad():
        for _ in range(2):
            module(torch.randn(8, *shape[1:], generator=gen))
    module.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--onnx-dir", help="export_onnx.py's output (for ENC)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    sources_mtime = os.path.getmtime(os.path.abspath(__file__))

    for model in args.models.split(","):
        if model in VISION:
            path = os.path.join(args.out, f"{model}.onnx")
            inputs = [("x", [1, 3, 224, 224])]
            if not fresh(path, sources_mtime, args.force):
                print(f"export_vision: {path}", file=sys.stderr)
                torch.manual_seed(0)
                module = getattr(torchvision.models, model)(weights=None)
                calibrate_batch_norm(module, inputs[0][1])
                example = torch.zeros(*inputs[0][1])
                with torch.no_grad():
                    torch.onnx.export(module, (example,), path,
                                      input_names=["x"], output_names=["y"],
                                      opset_version=OPSET,
                                      do_constant_folding=True)
        elif model == "ENC":
            if not args.onnx_dir:
                parser.error("ENC needs --onnx-dir (export_onnx.py's output)")
            path = os.path.join(args.onnx_dir, "ENC.onnx")
            with open(os.path.join(args.onnx_dir, "manifest.json")) as f:
                inputs = json.load(f)["ENC"]
        else:
            parser.error(f"unknown model {model} (known: {','.join(MODELS)})")

        files = []
        for name, shape in inputs:
            file = os.path.join(args.out, f"{model}.{name}.npy")
            write_input(file, shape, model, name, sources_mtime, args.force)
            files.append(file)
        print("MODEL", model, path, *files)


if __name__ == "__main__":
    main()
