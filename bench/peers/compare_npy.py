"""Compares the outputs a model run wrote (out0.npy, out1.npy, ...) with a
reference run's, for scripts/onnx-models.sh.

Prints one line over all the outputs:

  <max_rel> <elem_rel> <note>

  max_rel   max over outputs of max|k - o| / max|o| (k: the run, o: the
            reference), computed in float64
  elem_rel  max over outputs of |k - o| / |o| on the elements where |o| is not
            tiny: |o| > TINY * max|o|
  note      "ok", or what is wrong (a missing output, shapes or dtypes that
            differ, NaNs or Infs that differ from the reference's); then both
            errors are "inf"

Run:

  /usr/bin/python3 bench/peers/compare_npy.py RUN_DIR REFERENCE_DIR
"""

import glob
import os
import sys

import numpy as np

TINY = 1e-3


def compare(run_dir, ref_dir):
    refs = sorted(glob.glob(os.path.join(ref_dir, "out*.npy")),
                  key=lambda p: int(os.path.basename(p)[3:-4]))
    if not refs:
        return float("inf"), float("inf"), f"no outputs in {ref_dir}"
    max_rel = elem_rel = 0.0
    for ref_path in refs:
        name = os.path.basename(ref_path)
        run_path = os.path.join(run_dir, name)
        if not os.path.exists(run_path):
            return float("inf"), float("inf"), f"{name} is missing"
        k, o = np.load(run_path), np.load(ref_path)
        if k.shape != o.shape or k.dtype != o.dtype:
            return (float("inf"), float("inf"),
                    f"{name}: {k.dtype}{list(k.shape)} vs {o.dtype}{list(o.shape)}")
        k, o = k.astype(np.float64), o.astype(np.float64)
        finite = np.isfinite(o)
        if not (np.array_equal(np.isfinite(k), finite) and np.array_equal(
                k[~finite], o[~finite], equal_nan=True)):
            return (float("inf"), float("inf"),
                    f"{name}: NaNs or Infs that differ from the reference's")
        k, o = k[finite], o[finite]
        if o.size == 0:
            continue
        diff = np.abs(k - o)
        scale = np.abs(o).max()
        if scale == 0:
            max_rel = max(max_rel, 0.0 if diff.max() == 0 else float("inf"))
            continue
        max_rel = max(max_rel, diff.max() / scale)
        big = np.abs(o) > TINY * scale
        elem_rel = max(elem_rel, (diff[big] / np.abs(o[big])).max())
    return max_rel, elem_rel, "ok"


def main():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} RUN_DIR REFERENCE_DIR")
    max_rel, elem_rel, note = compare(sys.argv[1], sys.argv[2])
    print(f"{max_rel:.3e} {elem_rel:.3e} {note}")


if __name__ == "__main__":
    main()
