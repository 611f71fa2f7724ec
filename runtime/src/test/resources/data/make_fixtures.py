#!/usr/bin/env python3
"""Makes the fixtures of the dln.runtime.data tests: run it here, commit what it writes.

IDX files are written with struct following http://yann.lecun.com/exdb/mnist/ (magic: two zero
bytes, the element type, the number of dimensions; each dimension big-endian; big-endian values);
.npy files with NumPy's np.save; the CSV files are plain text written out below.
"""
import gzip
import struct

import numpy as np

TYPES = {"ubyte": (0x08, "B"), "byte": (0x09, "b"), "short": (0x0B, "h"), "int": (0x0C, "i"),
         "float": (0x0D, "f"), "double": (0x0E, "d")}


def idx(kind, dims, values):
    code, fmt = TYPES[kind]
    header = struct.pack(">BBBB", 0, 0, code, len(dims)) + struct.pack(">%dI" % len(dims), *dims)
    return header + struct.pack(">%d%s" % (len(values), fmt), *values)


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def idx_files():
    # Three 2x2 images and their labels, in every element type.
    pixels = [0, 1, 2, 3, 10, 20, 30, 40, 100, 110, 120, 127]
    labels = [2, 0, 1]
    for kind in TYPES:
        write("tiny-%s-images.idx" % kind, idx(kind, [3, 2, 2], pixels))
    write("tiny-labels-idx1-ubyte", idx("ubyte", [3], labels))
    # Gzipped, under a name that does not say so: the reader must look at the magic bytes.
    write("tiny-images-gzipped.idx", gzip.compress(idx("ubyte", [3, 2, 2], pixels), mtime=0))
    write("tiny-labels-float.idx", idx("float", [3], [2.0, 0.0, 1.0]))
    write("tiny-labels-half.idx", idx("float", [3], [2.0, 0.5, 1.0]))
    write("tiny-labels-10.idx", idx("ubyte", [3], [2, 10, 1]))  # out of range for 10 classes
    write("two-labels-idx1-ubyte", idx("ubyte", [2], [2, 0]))
    # Broken: 10 of the 12 pixel bytes; a gzip stream cut in the middle; a PNG's first bytes; an
    # unknown element type; bytes after the data.
    write("truncated-images-idx3-ubyte", idx("ubyte", [3, 2, 2], pixels)[:16 + 10])
    noise = [(i * 1103515245 + 12345) >> 16 & 0xff for i in range(50 * 28 * 28)]  # compresses poorly, like photos
    big = idx("ubyte", [50, 28, 28], noise)
    whole = gzip.compress(big, mtime=0)
    write("cut-images-idx3-ubyte.gz", whole[:len(whole) // 2])
    write("fifty-labels-idx1-ubyte", idx("ubyte", [50], [i % 10 for i in range(50)]))
    write("png-magic.idx", b"\x89PNG\r\n\x1a\n" + bytes(16))
    write("type-07.idx", b"\x00\x00\x07\x03" + struct.pack(">3I", 1, 2, 2) + bytes(4))
    write("trailing-images.idx", idx("ubyte", [3, 2, 2], pixels) + b"\x00\x00")
    # Not finite: NaN in image 1 (value 3, byte 16 + 7·4); a double beyond float32's range in image 2
    # (value 0, byte 16 + 8·8).
    write("nan-float-images.idx", idx("float", [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, float("nan"), 8, 9, 10, 11]))
    write("huge-double-images.idx", idx("double", [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 1e300, 9, 10, 11]))


def npy_files():
    np.save("inputs.npy", np.arange(12, dtype="<f4").reshape(3, 4))
    np.save("labels.npy", np.array([1, 0, 2], dtype="<i8"))
    np.save("targets.npy", np.array([[0.5, 1.0], [1.5, 2.0], [2.5, 3.0]], dtype="<f4"))
    np.save("float-labels.npy", np.array([1.0, 0.0, 2.0], dtype="<f4"))
    np.save("two-labels.npy", np.array([1, 0], dtype="<i4"))
    # Not finite: NaN at [1, 2]; +inf at [2, 0, 1] of an example [2, 2]; a float64 beyond float32's range at [2, 1].
    nan = np.arange(12, dtype="<f4").reshape(3, 4)
    nan[1, 2] = np.nan
    np.save("nan-inputs.npy", nan)
    inf = np.zeros((3, 2, 2), dtype="<f4")
    inf[2, 0, 1] = np.inf
    np.save("inf-inputs.npy", inf)
    np.save("huge-float64-targets.npy", np.array([[0.5, 1.0], [1.5, 2.0], [2.5, -1e300]], dtype="<f8"))


CSV = {
    # A header, quotes (one around a comma-free number, one around a name), CRLF line ends and a
    # blank line, which is skipped but still counted.
    "iris-like.csv": 'sepal,"petal width",species\r\n5.1,"0.2",0\r\n\r\n4.9,0.2, 1\r\n6.3,1.8,2\r\n',
    # Float targets in columns 0 and 3.
    "targets.csv": "y1,x1,x2,y2\n0.5,1,2,-1\n1.5,3,4,-2\n",
    # The letter is in the third row of data, line 4 of the file.
    "letter.csv": "a,b,label\n1,2,0\n3,4,1\n5,x,1\n7,8,0\n",
    "ragged.csv": "1,2,0\n3,4,1\n5,6\n",
    "empty-cell.csv": "1,2,0\n3,,1\n",
    "out-of-range.csv": "1,2,0\n3,4,9\n5,6,10\n",
    "fractional-label.csv": "1,2,0\n3,4,1.5\n",
    "header-only.csv": "a,b,label\n",
    "open-quote.csv": '1,2,0\n3,"4,1\n',
    # Numbers beyond float32's range (±3.4028235e38): an input (1e400 is beyond a double's too) and a
    # float target.
    "beyond-float32.csv": "1,2,0\n3,1e400,1\n",
    "beyond-float32-target.csv": "y,x\n0.5,1\n-3.5e38,2\n",
}


def csv_files():
    for name, text in CSV.items():
        with open(name, "w", newline="") as f:
            f.write(text)
    with open("tiny.csv.gz", "wb") as f:
        f.write(gzip.compress(b"1,2,0\n3,4,1\n", mtime=0))
    rows = "".join("%d,%d,%d\n" % ((i * 7919) % 1000, (i * 104729) % 1000, i % 10) for i in range(5000))
    whole = gzip.compress(rows.encode(), mtime=0)
    with open("cut.csv.gz", "wb") as f:
        f.write(whole[:len(whole) // 2])


if __name__ == "__main__":
    idx_files()
    npy_files()
    csv_files()
