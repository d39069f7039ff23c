#!/usr/bin/python3
"""Builds golden.safetensors by hand, with the Python standard library only.

The file is an independent reference for SafetensorsReader (it must read every value below)
and SafetensorsWriter (it must produce these exact bytes for the same entries). So this script
follows the writer's layout, documented on SafetensorsWriter:

* tensors ordered by element size, largest first, then by name (Python's str order, which is
  the C# ordinal order for the ASCII names used here);
* compact JSON: "__metadata__" first with sorted keys, then one object per tensor with keys
  dtype, shape, data_offsets in that order; non-ASCII written as raw UTF-8;
* the header padded with spaces to a multiple of 8 bytes.

Run from anywhere:  /usr/bin/python3 make_golden.py   (writes golden.safetensors next to it)
"""

import json
import math
import pathlib
import struct

ITEMSIZE = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "I16": 2, "U8": 1, "I8": 1, "BOOL": 1}


def bf16(values):
    """bfloat16 is the top half of a float32; exact for the values used here."""
    return b"".join(struct.pack("<f", v)[2:4] for v in values)


# name -> (dtype, shape, little-endian bytes). The C# test checks these same values.
TENSORS = {
    "weight": ("F32", [2, 3], struct.pack("<6f", 1.0, -2.5, 0.125, 1024.0, 3.5, -0.75)),
    "bias": ("F32", [3], struct.pack("<3f", 0.5, -1.0, 2.0)),
    "empty": ("F32", [0, 4], b""),
    "labels": ("I64", [4], struct.pack("<4q", 0, 9, -1, 2**40)),
    "temperature": ("F64", [], struct.pack("<d", 2.0)),
    "counts": ("I32", [2], struct.pack("<2i", 7, -(2**31))),
    "half": ("F16", [3], struct.pack("<3e", 1.0, -0.5, 65504.0)),
    "brain": ("BF16", [2], bf16([1.0, -3.0])),
    "shorts": ("I16", [2], struct.pack("<2h", -32768, 12345)),
    "mask": ("BOOL", [4], bytes([1, 0, 0, 1])),
    "pixels": ("U8", [2, 2], bytes([0, 255, 128, 7])),
    "deltas": ("I8", [3], struct.pack("<3b", -128, 0, 127)),
}

METADATA = {"producer": "make_golden.py", "format": "pt"}


def main():
    header = {"__metadata__": dict(sorted(METADATA.items()))}
    data = []
    offset = 0
    for name in sorted(TENSORS, key=lambda n: (-ITEMSIZE[TENSORS[n][0]], n)):
        dtype, shape, raw = TENSORS[name]
        assert len(raw) == math.prod(shape) * ITEMSIZE[dtype], name
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data.append(raw)

    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    blob = struct.pack("<Q", len(text)) + text + b"".join(data)

    out = pathlib.Path(__file__).with_name("golden.safetensors")
    out.write_bytes(blob)
    print(f"wrote {out} ({len(blob)} bytes, header {len(text)} bytes)")


if __name__ == "__main__":
    main()
