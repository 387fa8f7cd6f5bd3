"""Shared input side of the numpy oracles (oracle.py, oracle_linear.py,
oracle_twotime.py), written independently of the C code: the command line,
the q-map, and the frame selection a result's config claims."""
import sys

import h5py
import numpy as np


def args_and_rtol(default_rtol):
    """RAW.h5 QMAP.h5 RESULT.hdf [--rtol R] -> (raw, qmap, result, rtol)."""
    args = sys.argv[1:]
    rtol = default_rtol
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i:i + 2]
    raw_path, qmap_path, res_path = args
    return raw_path, qmap_path, res_path, rtol


def read_qmap(path):
    """(mask, dynamic map, static map): 2-D, maps zero outside the valid pixels."""
    with h5py.File(path, "r") as q:
        mask = q["/qmap/mask"][()].astype(np.int64) != 0
        if "blemish" in q["/qmap"]:
            mask &= q["/qmap/blemish"][()] != 0
        dmap = np.where(mask, q["/qmap/dynamic_roi_map"][()], 0).astype(np.int64)
        smap = np.where(mask, q["/qmap/static_roi_map"][()], 0).astype(np.int64)
    return mask, dmap, smap


def selected_frames(raw_path, cfg):
    """The frames the result's config group cfg names: raw frames
    [begin_frame:end_frame:stride_frame], sums of avg_frame consecutive ones,
    as an (n, rows * cols) float64 array; also returns avg."""
    begin = int(cfg["begin_frame"][()])
    end = int(cfg["end_frame"][()])
    stride = int(cfg["stride_frame"][()])
    avg = int(cfg["avg_frame"][()])
    dataset = cfg["dataset"][()].decode()
    with h5py.File(raw_path, "r") as f:
        data = f[dataset][begin:end:stride].astype(np.float64)
    nsel, rows, cols = data.shape
    n = nsel // avg
    return data[:n * avg].reshape(n, avg, rows * cols).sum(axis=1), avg


def frame_normalized(frames, m1):
    """--normalize-frame: each frame times n_mask / its masked sum (zero sums stay)."""
    fsum = frames[:, m1].sum(axis=1)
    scale = np.where(fsum > 0, m1.sum() / np.where(fsum > 0, fsum, 1), 1.0)
    return frames * scale[:, None]


def static_to_dynamic(s1, d1):
    """sq2dq[s]: the dynamic bin holding most of static bin s's pixels (0: none)."""
    nsq = s1.max()
    sq2dq = np.zeros(nsq + 1, dtype=np.int64)
    for s in range(1, nsq + 1):
        v = d1[(s1 == s) & (d1 > 0)]
        if v.size:
            sq2dq[s] = np.bincount(v).argmax()
    return sq2dq


def bin_g2(G2, IP, IF, sq, dq, sq2dq, nd):
    """APS normalization of one delay from per-pixel G2, IP (later window), IF
    (earlier window): g2 of dynamic bin q = mean over its static bins s of
    <G2>_s / (<IP>_s <IF>_s); error = std (ddof 1) / sqrt(n) of the pixel
    ratios G2 / (IP IF) - a zero denominator counts as 1e8.  -> (g2, err), [nd]."""
    g2, err = np.zeros(nd), np.zeros(nd)
    den = IP * IF
    gp = G2 / np.where(den != 0, den, 1e8)
    for q in range(1, nd + 1):
        vals = []
        for s in np.nonzero(sq2dq == q)[0]:
            sel = sq == s
            if sel.any():
                d = IP[sel].mean() * IF[sel].mean()
                vals.append(G2[sel].mean() / (d if d != 0 else 1e8))
        g2[q - 1] = np.mean(vals) if vals else 0.0
        p = gp[dq == q]
        err[q - 1] = p.std(ddof=1) / np.sqrt(p.size) if p.size > 1 else 0.0
    return g2, err
