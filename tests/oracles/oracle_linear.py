#!/usr/bin/python3
"""Brute-force oracle for xpcs-corr's linear-lag result (independent of the C code).

Recomputes, from the raw stack and the q-map alone, with direct numpy sums over
the frame series at every lag 1..L (no transforms):
  per pixel G2(tau) = sum_t x(t) x(t+tau) / (N-tau), IP/IF = means of the later/earlier
  N-tau frames; static-bin means, dynamic-bin g2 and error (APS convention),
and compares them with /xpcs/linear.  Exit 0 when everything agrees within --rtol
(default 1e-9), 1 otherwise.

usage: oracle_linear.py RAW.h5 QMAP.h5 RESULT.hdf [--rtol R]
The frame selection (begin/end/stride/avg/normalize) and max_lag are taken from
the result's /xpcs/linear/config, so the oracle checks what the run claims.
"""
import sys

import h5py
import numpy as np

from oracle_common import (args_and_rtol, bin_g2, frame_normalized, read_qmap, selected_frames,
                           static_to_dynamic)


def main():
    raw_path, qmap_path, res_path, rtol = args_and_rtol(1e-9)
    with h5py.File(res_path, "r") as r:
        cfg = r["/xpcs/linear/config"]
        norm = int(cfg["normalize_frame"][()])
        max_lag = int(cfg["max_lag"][()])
        frames, avg = selected_frames(raw_path, cfg)
        delays = r["/xpcs/linear/delay_list"][()]
        got_g2 = r["/xpcs/linear/normalized_g2"][()]
        got_err = r["/xpcs/linear/normalized_g2_err"][()]
    mask, dmap, smap = read_qmap(qmap_path)
    n = frames.shape[0]
    m1 = mask.ravel()
    if norm:
        frames = frame_normalized(frames, m1)
    s1, d1 = smap.ravel(), dmap.ravel()
    nd = dmap.max()
    sq2dq = static_to_dynamic(s1, d1)
    corr = m1 & ((d1 > 0) | ((s1 > 0) & (sq2dq[s1] > 0)))
    x = frames[:, corr]
    sq, dq = s1[corr], d1[corr]
    ok = True
    if max_lag < 1 or max_lag > n - 1 or list(delays) != list(range(1, max_lag + 1)):
        print(f"FAIL delay_list: {delays[:5]}... for max_lag {max_lag}, N {n}")
        return 1
    g2 = np.zeros((max_lag, nd))
    err = np.zeros((max_lag, nd))
    for tau in range(1, max_lag + 1):
        npairs = n - tau
        G2 = (x[:-tau] * x[tau:]).sum(axis=0) / npairs
        IP = x[tau:].sum(axis=0) / npairs   # later window
        IF = x[:-tau].sum(axis=0) / npairs  # earlier window
        g2[tau - 1], err[tau - 1] = bin_g2(G2, IP, IF, sq, dq, sq2dq, nd)
    rel = np.max(np.abs(got_g2 - g2) / np.maximum(np.abs(g2), 1e-300)) if g2.size else 0
    bad = got_g2.shape != g2.shape or not np.allclose(got_g2, g2, rtol=rtol, atol=0)
    print(f"{'FAIL' if bad else 'ok  '} normalized_g2 ({max_lag} lags): max rel diff {rel:.3e}")
    ok &= not bad
    diff = np.max(np.abs(got_err - err) / np.maximum(np.abs(err), 1e-6)) if err.size else 0
    bad = got_err.shape != err.shape or diff > rtol
    print(f"{'FAIL' if bad else 'ok  '} normalized_g2_err: max rel diff {diff:.3e}")
    ok &= not bad
    print("oracle_linear: PASS" if ok else "oracle_linear: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
