#!/usr/bin/python3
"""Brute-force oracle for xpcs-corr's multitau result (independent of the C code).

Recomputes, from the raw stack and the q-map alone, with plain numpy sums over
the frame series at every delay and level (no multi-tau machinery):
  delay list (APS dpl 4 stop rule), per-pixel G2/IP/IF, static-bin means,
  dynamic-bin g2 and error, scattering_2d/1d/segments and intensity_vs_time,
and compares them with the result file.  Exit 0 when everything agrees within
--rtol (default 1e-9), 1 otherwise.

usage: oracle.py RAW.h5 QMAP.h5 RESULT.hdf [--rtol R]
The frame selection (begin/end/stride/avg/normalize) is taken from the
result's /xpcs/multitau/config, so the oracle checks what the run claims.
"""
import sys

import h5py
import numpy as np

from oracle_common import (args_and_rtol, bin_g2, frame_normalized, read_qmap, selected_frames,
                           static_to_dynamic)


def delay_list(n):
    out = []
    for level in range(62):
        nl = n >> level
        for m in (range(1, 9) if level == 0 else range(5, 9)):
            if m >= nl:
                return out
            out.append((level, m))
    return out


def main():
    raw_path, qmap_path, res_path, rtol = args_and_rtol(1e-9)
    with h5py.File(res_path, "r") as r:
        cfg = r["/xpcs/multitau/config"]
        norm = int(cfg["normalize_frame"][()])
        frames, avg = selected_frames(raw_path, cfg)  # sums of avg frames
        res = {k: r[k][()] for k in (
            "/xpcs/multitau/delay_list", "/xpcs/multitau/normalized_g2",
            "/xpcs/multitau/normalized_g2_err", "/xpcs/temporal_mean/scattering_2d",
            "/xpcs/temporal_mean/scattering_1d", "/xpcs/temporal_mean/scattering_1d_segments",
            "/xpcs/spatial_mean/intensity_vs_time")}
    mask, dmap, smap = read_qmap(qmap_path)
    n = frames.shape[0]
    m1 = mask.ravel()
    n_mask = m1.sum()
    fsum = frames[:, m1].sum(axis=1)

    ok = True

    def check(name, got, want, tol):
        nonlocal ok
        got = np.asarray(got, dtype=np.float64)
        want = np.asarray(want, dtype=np.float64)
        if got.shape != want.shape:
            print(f"FAIL {name}: shape {got.shape} != expected {want.shape}")
            ok = False
            return
        scale = np.maximum(np.abs(want), 1e-300)
        rel = np.max(np.abs(got - want) / scale) if want.size else 0.0
        bad = not np.allclose(got, want, rtol=tol, atol=0)
        print(f"{'FAIL' if bad else 'ok  '} {name}: max rel diff {rel:.3e}")
        ok &= not bad

    # --- SAXS and intensity (raw counts per raw frame) ---
    s2 = frames.mean(axis=0) / avg * m1
    check("scattering_2d", res["/xpcs/temporal_mean/scattering_2d"].ravel(), s2, 1e-12)
    s1 = smap.ravel()
    ns = s1.max()
    ids = [s for s in range(1, ns + 1) if np.any(s1 == s)]
    check("scattering_1d", res["/xpcs/temporal_mean/scattering_1d"].ravel(),
          [s2[s1 == s].mean() for s in ids], 1e-12)
    level = 0
    while (n >> level) > 16:
        level += 1
    seg_len, nseg = 1 << level, n >> level
    segs = [[frames[k * seg_len:(k + 1) * seg_len][:, s1 == s].mean() / avg for s in ids]
            for k in range(nseg)]
    check("scattering_1d_segments", res["/xpcs/temporal_mean/scattering_1d_segments"],
          np.array(segs).reshape(nseg, len(ids)), 1e-12)
    it = res["/xpcs/spatial_mean/intensity_vs_time"]
    check("intensity_vs_time", it, np.vstack([np.arange(n), fsum / n_mask / avg]), 1e-12)

    # --- correlations ---
    if norm:
        frames = frame_normalized(frames, m1)
    nd = dmap.max()
    d1 = dmap.ravel()
    sq2dq = static_to_dynamic(s1, d1)
    corr = m1 & ((d1 > 0) | ((s1 > 0) & (sq2dq[s1] > 0)))
    x = frames[:, corr]
    sq, dq = s1[corr], d1[corr]
    dl = delay_list(n)
    check("delay_list", res["/xpcs/multitau/delay_list"], [m << L for L, m in dl], 0)
    g2 = np.zeros((len(dl), nd))
    err = np.zeros((len(dl), nd))
    for j, (L, m) in enumerate(dl):
        nl = n >> L
        xl = x[:nl << L].reshape(nl, 1 << L, -1).sum(axis=1)
        npairs = nl - m
        G2 = (xl[:-m] * xl[m:]).sum(axis=0) / (npairs * 4.0 ** L)
        IP = xl[m:].sum(axis=0) / (npairs * 2.0 ** L)   # later window
        IF = xl[:-m].sum(axis=0) / (npairs * 2.0 ** L)  # earlier window
        g2[j], err[j] = bin_g2(G2, IP, IF, sq, dq, sq2dq, nd)
    check("normalized_g2", res["/xpcs/multitau/normalized_g2"], g2, rtol)
    # error bars: std of ~1 +- small values; compare relative to the bin's g2 scale
    got_err = res["/xpcs/multitau/normalized_g2_err"]
    diff = np.max(np.abs(got_err - err) / np.maximum(np.abs(err), 1e-6)) if err.size else 0
    bad = got_err.shape != err.shape or diff > rtol
    print(f"{'FAIL' if bad else 'ok  '} normalized_g2_err: max rel diff {diff:.3e}")
    ok &= not bad
    print("oracle: PASS" if ok else "oracle: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
