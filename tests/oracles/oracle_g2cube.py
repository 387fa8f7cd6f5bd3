#!/usr/bin/python3
"""Oracle for xpcs-corr -G: the per-pixel G2, IP, IF cube (boost_corr's layout).

usage: oracle_g2cube.py RAW.h5 QMAP.h5 RESULT.hdf

Reads the cube through the result's /xpcs/multitau/unnormalized_G2 (an external link to
<result less .hdf>_G2.hdf), and checks it against direct numpy sums per pixel at every delay
(the same definitions as oracle.py): shape (n_tau, 3, rows, cols) float32; [:, 0] G2, [:, 1] IP
(later window), [:, 2] IF (earlier window) of every correlated pixel equal to the exact value
rounded to float32 (relative 2^-24; plus 1e-12 of the delay's largest value, for the double
cancellation of normalized frames); every other pixel 0.  Exit 0 when all agree.
"""
import os
import sys

import h5py
import numpy as np

from oracle import delay_list
from oracle_common import frame_normalized, read_qmap, selected_frames, static_to_dynamic


def main():
    raw_path, qmap_path, res_path = sys.argv[1:4]
    with h5py.File(res_path, "r") as r:
        link = r["/xpcs/multitau"].get("unnormalized_G2", getlink=True)
        cube = r["/xpcs/multitau/unnormalized_G2"][()]
        cfg = r["/xpcs/multitau/config"]
        norm = int(cfg["normalize_frame"][()])
        frames, _ = selected_frames(raw_path, cfg)
    ok = isinstance(link, h5py.ExternalLink) and link.path == "/xpcs/multitau/unnormalized_G2"
    ok &= link.filename == os.path.basename(res_path)[:-4] + "_G2.hdf"
    print("external link:", link.filename, link.path, "ok" if ok else "FAIL")
    mask, dmap, smap = read_qmap(qmap_path)
    m1, d1, s1 = mask.ravel(), dmap.ravel(), smap.ravel()
    if norm:
        frames = frame_normalized(frames, m1)
    n = frames.shape[0]
    sq2dq = static_to_dynamic(s1, d1)
    corr = m1 & ((d1 > 0) | ((s1 > 0) & (sq2dq[s1] > 0)))
    x = frames[:, corr]
    dl = delay_list(n)
    want = np.zeros((len(dl), 3, m1.size))
    for j, (L, m) in enumerate(dl):
        nl = n >> L
        xl = x[:nl << L].reshape(nl, 1 << L, -1).sum(axis=1)
        npairs = nl - m
        want[j, 0, corr] = (xl[:-m] * xl[m:]).sum(axis=0) / (npairs * 4.0 ** L)
        want[j, 1, corr] = xl[m:].sum(axis=0) / (npairs * 2.0 ** L)
        want[j, 2, corr] = xl[:-m].sum(axis=0) / (npairs * 2.0 ** L)
    want = want.reshape(len(dl), 3, *mask.shape)
    shape_ok = cube.shape == want.shape and cube.dtype == np.float32
    print("shape", cube.shape, cube.dtype, "ok" if shape_ok else "FAIL (want %s)" % (want.shape,))
    ok &= shape_ok
    if shape_ok:
        dev = np.abs(cube.astype(np.float64) - want)
        rel = np.max(dev / np.maximum(np.abs(want), 1e-300))
        # float32 rounding of the value; with --normalize-frame (non-integer frames) the
        # kernel's IP = total - head and numpy's direct sum may also differ by a double's
        # cancellation, at most 1e-12 of the plane's largest value
        floor = 1e-12 * np.abs(want).max(axis=(2, 3), keepdims=True)
        close = bool(np.all(dev <= 2.0 ** -24 * np.abs(want) + floor))
        zeros = bool(np.all(cube.reshape(len(dl), 3, -1)[:, :, ~corr] == 0))
        print("per-pixel G2/IP/IF: max rel diff %.3e (float32 rounding only: %s); "
              "uncorrelated pixels 0: %s" % (rel, close, zeros))
        ok &= close and zeros
    print("oracle_g2cube: PASS" if ok else "oracle_g2cube: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
