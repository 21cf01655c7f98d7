#!/usr/bin/env python3
"""Converts the UCI 8x8 handwritten digits as Debian's python3-sklearn ships
them (sklearn/datasets/data/digits.csv.gz: 1797 lines of 64 pixels in 0..16
and a label) into digits.u8: 1797 records of 65 bytes, the 64 pixels in row
order, then the label. Run once; digits.u8 is in the repository.

Usage: convert_digits.py DIGITS.CSV.GZ OUT.u8
"""
import gzip
import sys

rows = []
with gzip.open(sys.argv[1], "rt") as f:
    for line in f:
        values = [int(float(v)) for v in line.split(",")]
        assert len(values) == 65 and all(0 <= v <= 16 for v in values[:64])
        assert 0 <= values[64] <= 9
        rows.append(bytes(values))
assert len(rows) == 1797
with open(sys.argv[2], "wb") as out:
    out.write(b"".join(rows))
