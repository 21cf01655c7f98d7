"""Writes test tensors without numpy: a .npy file or an ONNX TensorProto .pb.

    make_tensor.py OUT DESCR SHAPE VALUES
      DESCR   a numpy descr: <f4 <f8 <i4 <i8 |b1 <f2 >f4 ...
      SHAPE   comma-separated dims ("" for a scalar)
      VALUES  comma-separated numbers, in C order
    make_tensor.py OUT.pb ONNX_TYPE SHAPE VALUES   (raw_data; 1=FLOAT, 6=INT32...)
    make_tensor.py --raw OUT TEXT                  (write TEXT as-is)
"""
import struct
import sys


def pack(descr, values):
    order = "<" if descr[0] in "<|" else ">"
    fmt = {"f4": "f", "f8": "d", "i4": "i", "i8": "q", "b1": "?", "f2": "e", "u2": "H",
           "u4": "I"}[descr[1:]]
    conv = float if fmt in "fde" else int
    return struct.pack(order + fmt * len(values), *[conv(v) for v in values])


def varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def main():
    if sys.argv[1] == "--raw":
        open(sys.argv[2], "w").write(sys.argv[3])
        return
    out, kind, shape, values = sys.argv[1:5]
    dims = [int(d) for d in shape.split(",") if d]
    values = [v for v in values.split(",") if v]
    if out.endswith(".pb"):
        onnx_type = int(kind)
        descr = {1: "<f4", 4: "<u2", 6: "<i4", 7: "<i8", 9: "|b1", 10: "<f2", 11: "<f8",
                 12: "<u4"}[onnx_type]
        data = pack(descr, values)
        msg = b"".join(b"\x08" + varint(d) for d in dims)
        msg += b"\x10" + varint(onnx_type) + b"\x4a" + varint(len(data)) + data
        open(out, "wb").write(msg)
        return
    shape_text = "(" + "".join(f"{d}, " for d in dims).rstrip(" ")
    shape_text = (shape_text[:-1] if len(dims) > 1 else shape_text) + ")"
    header = f"{{'descr': '{kind}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(out, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + pack(kind, values))


main()
