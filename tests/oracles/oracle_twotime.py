#!/usr/bin/python3
"""Brute-force oracle for xpcs-corr's two-time result (independent of the C code).

Recomputes, from the raw stack and the q-map alone, for every selected dynamic bin:
smoothing (sqmap: each pixel divided by the mean of the bin's pixels with its static
label at that frame; dqmap: by the bin mean; none), S(t) = sum over the bin's pixels
(<= 0 -> 1), C(t1,t2) = n sum_p Y_p(t1) Y_p(t2) / (S(t1) S(t2)) by a dense product,
its diagonal means and the 5 diagonal-block means, and compares them with
/xpcs/twotime: maps (float32, upper triangle, zeros below) to --rtol (1e-6), g2 and
segments to 1e-9.

usage: oracle_twotime.py RAW.h5 QMAP.h5 RESULT.hdf [--rtol R]
"""
import sys

import h5py
import numpy as np

from oracle_common import args_and_rtol, read_qmap, selected_frames


def selection(text, nd):
    if text in ("all", ""):
        return list(range(1, nd + 1))
    out = set()
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return sorted(out)


def diag_means(c):
    n = c.shape[0]
    return np.array([np.mean(np.diagonal(c, k)) for k in range(n)])


def main():
    raw_path, qmap_path, res_path, rtol = args_and_rtol(1e-6)
    r = h5py.File(res_path, "r")
    cfg = r["/xpcs/twotime/config"]
    smooth = cfg["smooth"][()].decode()
    dqsel = cfg["dq_selection"][()].decode()
    frames, avg = selected_frames(raw_path, cfg)
    n = frames.shape[0]
    mask, dmap, smap = read_qmap(qmap_path)
    dmap, smap = dmap.ravel(), smap.ravel()
    bins = [b for b in selection(dqsel, dmap.max()) if np.any(dmap == b)]
    ok = True

    def report(name, bad, msg):
        nonlocal ok
        print(f"{'FAIL' if bad else 'ok  '} {name}: {msg}")
        ok &= not bad

    got_bins = list(r["/xpcs/twotime/processed_bins"][()])
    report("processed_bins", got_bins != bins, f"{got_bins} (expected {bins})")
    if got_bins != bins:
        return 1
    g2 = r["/xpcs/twotime/normalized_g2"][()]
    seg = r["/xpcs/twotime/normalized_g2_segments"][()]
    report("shapes", g2.shape != (n, len(bins)) or seg.shape != (n // 5, 5, len(bins)),
           f"g2 {g2.shape}, segments {seg.shape}")
    plen = n // 5
    for i, b in enumerate(bins):
        sel = dmap == b
        y = frames[:, sel].copy()
        if smooth != "none":
            groups = smap[sel] if smooth == "sqmap" else np.zeros(sel.sum(), dtype=np.int64)
            for g in np.unique(groups):
                cols_g = groups == g
                m = y[:, cols_g].mean(axis=1)
                m[m <= 0] = 1.0
                y[:, cols_g] /= m[:, None]
        s = y.sum(axis=1)
        s[s <= 0] = 1.0
        c = (y @ y.T) * y.shape[1] / np.outer(s, s)
        got = r[f"/xpcs/twotime/correlation_map/c2_{i + 1:05d}"][()]
        up = np.triu(np.ones((n, n), dtype=bool))
        rel = np.max(np.abs(got[up] - c[up]) / np.abs(c[up]))
        low = np.all(got[~up] == 0)
        report(f"c2_{i + 1:05d} (bin {b}, {y.shape[1]} px)",
               got.dtype != np.float32 or rel > rtol or not low,
               f"max rel diff {rel:.2e}, lower triangle zero {low}")
        want = diag_means(c)
        d = np.max(np.abs(g2[:, i] - want) / np.abs(want))
        report(f"normalized_g2 bin {b}", d > 1e-9, f"max rel diff {d:.2e}")
        if plen:
            ws = np.stack([diag_means(c[k * plen:(k + 1) * plen, k * plen:(k + 1) * plen])
                           for k in range(5)], axis=1)
            d = np.max(np.abs(seg[:, :, i] - ws) / np.abs(ws))
            report(f"segments bin {b}", d > 1e-9, f"max rel diff {d:.2e}")
    print("oracle_twotime: PASS" if ok else "oracle_twotime: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
