#!/usr/bin/env python3
"""Makes the binary fixtures of the dln.runtime.io tests: run it here, commit what it writes.

The .npy files are written by NumPy itself (np.save, numpy.lib.format.write_array), so the tests
check DLN against the reference writer. The safetensors files are written by hand with struct and
json following https://github.com/huggingface/safetensors (the `safetensors` package is not needed):
an 8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8, the data.
"""
import json
import struct

import numpy as np
from numpy.lib import format as npformat


def npy():
    np.save("f4.npy", np.array([[1.5, -2.0, 0.0], [3.25, -0.0, 1e-3]], dtype="<f4"))
    np.save("f8.npy", np.array([0.1, -2.5, 1e-50, 3e38, 1e300], dtype="<f8"))
    np.save("f2.npy", np.array([1.0, -0.0, 65504.0, 2.0 ** -24, np.inf], dtype="<f2"))
    np.save("i4.npy", np.array([[-7, 0], [16777217, 2147483647]], dtype="<i4"))
    np.save("i8.npy", np.array([-1, 42, 2 ** 40], dtype="<i8"))
    np.save("u1.npy", np.array([[0], [1], [255]], dtype="|u1"))
    np.save("i1.npy", np.array([-128, -1, 127], dtype="|i1"))
    np.save("i2.npy", np.array([-32768, 5, 32767], dtype="<i2"))
    np.save("u4.npy", np.array([0, 4294967295], dtype="<u4"))
    np.save("u8.npy", np.array([0, 2 ** 63 + 2 ** 39 + 1, 2 ** 64 - 1], dtype="<u8"))
    np.save("u2.npy", np.array([0, 1000, 65535], dtype="<u2"))
    np.save("f4_big_endian.npy", np.array([1.5, -2.0, 1e-45], dtype=">f4"))
    np.save("bool.npy", np.array([[True, False], [True, True]]))
    np.save("scalar.npy", np.float32(3.5))
    np.save("empty.npy", np.zeros((0, 3), dtype="<f4"))
    with open("v2.npy", "wb") as f:
        npformat.write_array(f, np.arange(6, dtype="<f4").reshape(2, 3), version=(2, 0))
    with open("v3.npy", "wb") as f:
        npformat.write_array(f, np.arange(4, dtype="<i4"), version=(3, 0))
    # NaN payloads (quiet, signalling, negative), -0, the smallest subnormal, infinity: the writer
    # must keep every bit, and its bytes must equal np.save's.
    bits = np.array([0x7FC00000, 0x7F800001, 0xFFC12345, 0x80000000, 0x00000001, 0x7F800000], dtype="<u4")
    np.save("nan_payloads.npy", bits.view("<f4"))
    np.save("labels_i4.npy", np.array([[3, 1], [4, 1], [5, 9]], dtype="<i4"))

    # Written by hand: a Python 2 header (long integers), and Fortran order where it is harmless.
    header(b"py2.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }", np.arange(6, dtype="<i8"))
    header(b"fortran_column.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 1), }", np.arange(3, dtype="<f4"))

    # Files DLN must refuse, each for its own reason.
    np.save("fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    np.save("complex.npy", np.zeros(3, dtype="<c8"))
    np.save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))


def header(name, text, data):
    text = text.encode("latin1")
    padding = 64 - (10 + len(text) + 1) % 64
    with open(name, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text) + padding + 1) + text + b" " * padding + b"\n")
        f.write(data.tobytes())


def safetensors(name, tensors, metadata=None, compact=True, ascii=False):
    """tensors: list of (name, dtype, shape, raw bytes) in file order."""
    head, offset = {}, 0
    if metadata is not None:
        head["__metadata__"] = metadata
    for tensor, dtype, shape, raw in tensors:
        head[tensor] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(head, separators=separators, ensure_ascii=ascii).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(name, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(raw for *_, raw in tensors))


def raw(array):
    return array.tobytes()


def safetensors_files():
    weight = np.array([[1.5, -2.0, 0.0], [3.25, -0.0, 1e-3]], dtype="<f4")
    bias = np.array([0.1, -2.5, 1e300], dtype="<f8")
    half = np.array([1.0, -0.0, 65504.0, 2.0 ** -24, 2.0 ** -14, 1 / 3, np.inf, -np.inf, np.nan], dtype="<f2")
    f32 = np.array([1.0, -3.140625, 1e38, np.nan], dtype="<f4")
    bf16 = (f32.view("<u4") >> 16).astype("<u2")
    # Sorted as the reference sorts (dtype, widest first, then name); metadata escapes non-ASCII.
    safetensors("mixed.safetensors", [
        ("bias", "F64", bias.shape, raw(bias)),
        ("bf16.expected", "F32", bf16.shape, raw((bf16.astype("<u4") << 16).view("<f4"))),
        ("half.expected", "F32", half.shape, raw(half.astype("<f4"))),
        ("nothing", "F32", (0,), b""),
        ("step", "F32", (), raw(np.array(7.0, dtype="<f4"))),
        ("weight", "F32", weight.shape, raw(weight)),
        ("bf16", "BF16", bf16.shape, raw(bf16)),
        ("half", "F16", half.shape, raw(half)),
    ], metadata={"format": "pt", "note": "tab\t, quote \", \u00fcn\u00efc\u00f6de \u2713"}, compact=False, ascii=True)

    # Exactly what the reference writes for float32 tensors: names sorted, compact JSON, UTF-8.
    a_weight = np.array([[1, 2], [3, 4]], dtype="<f4")
    a_bias = np.array([-0.5, 0.25], dtype="<f4")
    safetensors("reference_f32.safetensors", [
        ("a.bias", "F32", (2,), raw(a_bias)),
        ("a.weight", "F32", (2, 2), raw(a_weight)),
        ("b\u00e9ta", "F32", (), raw(np.array(1e-3, dtype="<f4"))),
    ], metadata={"format": "pt"})

    # Integer tensors read as floats: batch norm's counter as PyTorch saves it, and a label table.
    safetensors("i64.safetensors", [("num_batches_tracked", "I64", (), raw(np.array(5, dtype="<i8"))),
                                    ("ids", "I32", (3,), raw(np.array([-7, 0, 16777216], dtype="<i4")))])

    # Files DLN must refuse.
    twelve = raw(np.arange(6, dtype="<f4"))
    safetensors("overlap.safetensors", [("a", "F32", (4,), twelve[:16]), ("b", "F32", (4,), twelve[:16])])
    with open("overlap.safetensors", "r+b") as f:  # b claims bytes 8..24, sharing 8..16 with a
        data = f.read().replace(b'"data_offsets":[16,32]', b'"data_offsets":[ 8,24]')
        f.seek(0)
        f.write(data)
    safetensors("f8.safetensors", [("scale", "F8_E4M3", (2,), bytes([0x38, 0xB8]))])
    safetensors("size_mismatch.safetensors", [("a", "F32", (2, 3), twelve[:20])])
    with open("lying_length.safetensors", "wb") as f:
        f.write(struct.pack("<Q", 4096) + b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}' + b"\0" * 4)


if __name__ == "__main__":
    npy()
    safetensors_files()
