#!/usr/bin/python3
"""Writes the frames of an HDF5 raw file (/entry/data/data, uint16) as a legacy APS IMM file,
the layout boost_corr's imm_handler.py reads: per frame a 1024-byte little-endian header
(compression at byte 4, rows 108, cols 112, bytes per count 116, dlen 152) and the payload.

usage: imm_write.py RAW.h5 OUT.imm uncompressed|compressed
  uncompressed: dlen = rows * cols uint16 counts
  compressed:   compression 6; dlen = the frame's non-zero pixels: int32 indices, then uint16 counts
"""
import struct
import sys

import h5py
import numpy as np


def header(compression, rows, cols, dlen, number):
    h = bytearray(1024)
    struct.pack_into("<ii", h, 0, 2, compression)  # mode, compression
    struct.pack_into("<i", h, 56, number)
    struct.pack_into("<iii", h, 108, rows, cols, 2)  # rows, cols, bytes
    struct.pack_into("<I", h, 152, dlen)
    return bytes(h)


def main():
    raw, out, mode = sys.argv[1:4]
    x = h5py.File(raw, "r")["/entry/data/data"][()].astype("<u2")
    n, rows, cols = x.shape
    with open(out, "wb") as f:
        for k in range(n):
            fr = x[k].ravel()
            if mode == "compressed":
                idx = np.flatnonzero(fr).astype("<i4")
                f.write(header(6, rows, cols, idx.size, k + 1))
                f.write(idx.tobytes())
                f.write(fr[idx].tobytes())
            else:
                f.write(header(0, rows, cols, fr.size, k + 1))
                f.write(fr.tobytes())


if __name__ == "__main__":
    main()
