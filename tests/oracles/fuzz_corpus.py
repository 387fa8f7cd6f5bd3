#!/usr/bin/python3
"""A deterministic corpus of damaged inputs for tests/mpi/test_fuzz.sh.

    fuzz_corpus.py BASE OUT > manifest.tsv

BASE holds the good inputs the test made (xpcs-synth and h5py writers):
  s.h5 (xpcs-synth, chunked), g.h5 (xpcs-synth, gzip), p.h5 (h5py,
  contiguous), l.h5 (h5py, gzip chunks, newest format: another chunk index),
  each with <stem>_qmap.h5 beside it (all 32 x 32), s_metadata.hdf;
  e.bin + e_qmap.h5 (Rigaku events); u.imm and z.imm (the frames of s.h5
  as legacy APS IMM, uncompressed and compressed) with u_qmap.h5 and
  z_qmap.h5; c.json, c.yaml (valid configs).
Every case is a directory OUT/NNN holding one damaged file and, linked,
the good files it needs; the manifest has one line per case:
    NNN <tab> rank counts ("1 2" or "1") <tab> description <tab> xpcs-corr arguments
(paths relative to the case directory).  The damage: truncations at many
offsets, bit flips in the header (first 4 KiB), in the chunk index and in
chunk data; word truncation and flips in .bin files; IMM files cut inside a
header and inside a payload, with bits flipped in the first header, in a
later frame's header fields (compression, rows, cols, bytes, dlen) and in the
payload (compressed: pixel indices); JSON and YAML
mutations (truncated, flipped bytes, duplicate keys, deep nesting, an alias
bomb, huge and non-finite numbers, a NUL byte).  The seed is fixed: the same
corpus every run.  Cases where HDF5 can tell nothing is wrong (a flip in raw
chunk data of an uncompressed file) may succeed; the test only requires a
clean success or one error line, no hang, no signal, nothing left behind.
"""
import os
import random
import sys

import h5py

base, out = sys.argv[1], sys.argv[2]
rnd = random.Random(17)
cases = []


def new_case(desc, ranks, files, args, damaged, data):
    """files: names linked from base; damaged: (name, bytes) written here."""
    n = "%03d" % len(cases)
    d = os.path.join(out, n)
    os.makedirs(d)
    for f in files:
        os.symlink(os.path.abspath(os.path.join(base, f)), os.path.join(d, f))
    with open(os.path.join(d, damaged), "wb") as fh:
        fh.write(data)
    cases.append((n, str(ranks), desc, args))


def read(name):
    with open(os.path.join(base, name), "rb") as fh:
        return bytearray(fh.read())


def flipped(data, lo, hi, nflips):
    b = bytearray(data)
    hi = min(hi, len(b))
    spots = []
    for _ in range(nflips):
        off = rnd.randrange(lo, hi)
        bit = 1 << rnd.randrange(8)
        b[off] ^= bit
        spots.append("%d^%d" % (off, bit))
    return bytes(b), ",".join(spots)


def first_chunk(name):
    with h5py.File(os.path.join(base, name), "r") as f:
        d = f["/entry/data/data"]
        if d.chunks is None:
            return None, None
        a = d.id.get_chunk_info(0)
        b = d.id.get_chunk_info(d.id.get_num_chunks() // 2)
        return a.byte_offset, (b.byte_offset, b.size)


# ---- HDF5 frames: every writer, truncations, header / index / data flips ----
BOTH = "1 2"  # data cases run at 1 and at 2 ranks; config cases at 1
for stem in "sgpl":
    ranks = BOTH
    raw = stem + ".h5"
    qmap = stem + "_qmap.h5"
    need = [qmap] + (["s_metadata.hdf"] if stem == "s" else [])
    args = "-r %s -q %s -o out --frame-time 0.001" % (raw, qmap)
    data = read(raw)
    n = len(data)
    for cut in (96, 700, 2500, n // 3, n - 1):
        new_case("%s truncated to %d bytes" % (raw, cut), ranks, need, args, raw, data[:cut])
    for k in range(3):
        b, spots = flipped(data, 0, 4096, rnd.randint(1, 3))
        new_case("%s header flips %s" % (raw, spots), ranks, need, args, raw, b)
    c0, mid = first_chunk(raw)
    if c0 is not None:  # the chunk index sits between the header and the first chunk
        b, spots = flipped(data, 512, c0, 2)
        new_case("%s chunk index flips %s" % (raw, spots), ranks, need, args, raw, b)
    tree = data.find(b"TREE")  # a version 1 B-tree node of chunks (type 1): its keys
    while tree >= 0 and data[tree + 4] != 1:  # name the chunks
        tree = data.find(b"TREE", tree + 4)
    if tree >= 0:
        # entries after signature, type, level, count and two siblings; a key is
        # chunk size, filter mask and (rank + 1) offsets, then the child address
        for k in (1, 5):
            b = bytearray(data)
            off = tree + 24 + k * 48 + 8 + rnd.randrange(2)
            b[off] ^= 1 << rnd.randrange(8)
            new_case("%s chunk key %d flipped at %d" % (raw, k, off), ranks, need, args, raw,
                     bytes(b))
        b, spots = flipped(data, mid[0], mid[0] + mid[1], 4)
        new_case("%s chunk data flips %s" % (raw, spots), ranks, need, args, raw, b)

# ---- the q-map and the metadata file ----------------------------------------
q = read("s_qmap.h5")
for k in range(3):
    b, spots = flipped(q, 0, 4096, 2)
    new_case("q-map flips %s" % spots, BOTH, ["s.h5", "s_metadata.hdf"],
             "-r s.h5 -q s_qmap.h5 -o out", "s_qmap.h5", b)
new_case("q-map truncated", BOTH, ["s.h5"], "-r s.h5 -q s_qmap.h5 -o out --frame-time 0.001",
         "s_qmap.h5", q[:len(q) // 2])
m = read("s_metadata.hdf")
for k in range(2):
    b, spots = flipped(m, 0, 4096, 2)
    new_case("metadata flips %s" % spots, BOTH, ["s.h5", "s_qmap.h5"],
             "-r s.h5 -q s_qmap.h5 -o out", "s_metadata.hdf", b)

# ---- Rigaku events ----------------------------------------------------------
e = read("e.bin")
eargs = "-r e.bin -q e_qmap.h5 -o out --frame-time 0.001"
new_case("e.bin cut inside a word", BOTH, ["e_qmap.h5"], eargs, "e.bin", e[:len(e) - 3])
new_case("e.bin cut at a word", BOTH, ["e_qmap.h5"], eargs, "e.bin", e[:len(e) // 16 * 8])
for k in range(3):  # the high bytes: frame numbers and pixel indices
    b = bytearray(e)
    w = rnd.randrange(len(e) // 8)
    b[w * 8 + rnd.randrange(2, 8)] ^= 1 << rnd.randrange(8)
    new_case("e.bin word %d flipped" % w, BOTH, ["e_qmap.h5"], eargs, "e.bin", bytes(b))

# ---- IMM frames -----------------------------------------------------------
def imm_frames(data):
    """(offset, header + payload bytes) of every frame of an IMM file."""
    at, out = 0, []
    while at + 1024 <= len(data):
        comp = int.from_bytes(data[at + 4:at + 8], "little")
        nb = int.from_bytes(data[at + 116:at + 120], "little")
        dlen = int.from_bytes(data[at + 152:at + 156], "little")
        size = 1024 + (dlen * (4 + nb) if comp == 6 else dlen * nb)
        out.append((at, size))
        at += size
    return out


for stem in "uz":
    imm = stem + ".imm"
    args = "-r %s -q %s_qmap.h5 -o out --frame-time 0.001" % (imm, stem)
    need = [stem + "_qmap.h5"]
    data = read(imm)
    frames = imm_frames(data)
    mid_at, mid_size = frames[len(frames) // 2]
    for cut, where in ((500, "inside the first header"), (mid_at + 300, "inside a header"),
                       (mid_at + 1024 + mid_size // 3, "inside a payload"), (mid_at, "at a frame")):
        new_case("%s cut %s (%d bytes)" % (imm, where, cut), BOTH, need, args, imm, data[:cut])
    for k in range(2):
        b, spots = flipped(data, 0, 1024, rnd.randint(1, 3))
        new_case("%s first header flips %s" % (imm, spots), BOTH, need, args, imm, b)
    for field, name in ((4, "compression"), (108, "rows"), (112, "cols"), (116, "bytes"),
                        (152, "dlen")):
        b = bytearray(data)
        off = mid_at + field + rnd.randrange(4)
        b[off] ^= 1 << rnd.randrange(8)
        new_case("%s frame header %s flipped at %d" % (imm, name, off), BOTH, need, args, imm,
                 bytes(b))
    b, spots = flipped(data, mid_at + 1024, mid_at + mid_size, 4)
    new_case("%s payload flips %s" % (imm, spots), BOTH, need, args, imm, b)
    if stem == "z":  # an index's high byte: a pixel far outside the frame
        b = bytearray(data)
        b[mid_at + 1024 + 3] ^= 0x40
        new_case("%s pixel index out of range" % imm, BOTH, need, args, imm, bytes(b))

# ---- config files -------------------------------------------------------------
cargs = "-c %s --dry-run"
cj = read("c.json")
cy = read("c.yaml")
need = ["s.h5", "s_qmap.h5", "s_metadata.hdf"]
for cut in (1, len(cj) // 2):
    new_case("JSON truncated to %d" % cut, 1, need, cargs % "c.json", "c.json", cj[:cut])
for k in range(2):
    b, spots = flipped(cj, 0, len(cj), 2)
    new_case("JSON flips %s" % spots, 1, need, cargs % "c.json", "c.json", b)
json_texts = [
    ("duplicate key", b'{"raw": "s.h5", "qmap": "s_qmap.h5", "raw": "s.h5"}'),
    ("deep nesting", b'{"raw": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ("infinite number", b'{"raw": "s.h5", "qmap": "s_qmap.h5", "frame_time": 1e999}'),
    ("NUL byte", b'{"raw": "s.h5\x00x", "qmap": "s_qmap.h5"}'),
    ("escaped NUL", b'{"raw": "s.h5\\u0000x", "qmap": "s_qmap.h5"}'),
]
for desc, text in json_texts:
    new_case("JSON " + desc, 1, need, cargs % "c.json", "c.json", text)
for cut in (3, len(cy) * 2 // 3):
    new_case("YAML truncated to %d" % cut, 1, need, cargs % "c.yaml", "c.yaml", cy[:cut])
for k in range(2):
    b, spots = flipped(cy, 0, len(cy), 2)
    new_case("YAML flips %s" % spots, 1, need, cargs % "c.yaml", "c.yaml", b)
bomb = [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for prev, cur in zip("abcdefgh", "bcdefghi"):
    bomb.append(("%s: &%s [" % (cur, cur)).encode() + b",".join([b"*" + prev.encode()] * 9) + b"]")
yaml_texts = [
    ("alias bomb", b"\n".join(bomb) + b"\n"),
    ("deep flow nesting", b"raw: " + b"[" * 200000 + b"]" * 200000 + b"\n"),
    ("deep block nesting", b"raw:\n" + b"- " * 100000 + b"x\n"),
    ("duplicate key", b"raw: s.h5\nqmap: s_qmap.h5\nraw: s.h5\n"),
    ("huge number", b"raw: s.h5\nqmap: s_qmap.h5\navg_frame: 1e300\n"),
    ("tab indentation", b"io:\n\tstep_frames: 4\n"),
    ("NUL byte", b"raw: s.h5\x00\nqmap: s_qmap.h5\n"),
]
for desc, text in yaml_texts:
    new_case("YAML " + desc, 1, need, cargs % "c.yaml", "c.yaml", text)

for n, ranks, desc, args in cases:
    print("%s\t%s\t%s\t%s" % (n, ranks, desc, args))
