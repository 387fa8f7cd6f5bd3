#!/usr/bin/python3
"""fit_check.py RESULT.hdf TRUTH.h5 [--tau-tol 0.05] [--beta-tol 0.10]

Fits each dynamic bin's g2 with baseline + beta*exp(-2 t/tau) (weighted by
the g2 errors; tau by a log grid then golden-section search, baseline and beta
by linear least squares at each tau) and checks tau and beta against the
generator's ground truth.  Independent of the C code.  Exit 0 when every bin
is within tolerance."""
import sys

import h5py
import numpy as np


def fit(t, y, e):
    w = 1.0 / np.maximum(e, 1e-12) ** 2

    def solve(tau):
        a = np.vstack([np.ones_like(t), np.exp(-2 * t / tau)]).T
        aw = a * np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(aw, y * np.sqrt(w), rcond=None)
        r = y - a @ coef
        return np.sum(w * r * r), coef

    grid = np.exp(np.linspace(np.log(t[0] / 10), np.log(t[-1] * 10), 400))
    chi = [solve(g)[0] for g in grid]
    i = int(np.argmin(chi))
    lo, hi = np.log(grid[max(i - 1, 0)]), np.log(grid[min(i + 1, len(grid) - 1)])
    g = (np.sqrt(5) - 1) / 2
    for _ in range(100):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if solve(np.exp(a))[0] < solve(np.exp(b))[0]:
            hi = b
        else:
            lo = a
    tau = np.exp((lo + hi) / 2)
    _, (base, beta) = solve(tau)
    return tau, beta, base


def main():
    args = sys.argv[1:]
    tau_tol, beta_tol = 0.05, 0.10
    if "--tau-tol" in args:
        tau_tol = float(args[args.index("--tau-tol") + 1])
    if "--beta-tol" in args:
        beta_tol = float(args[args.index("--beta-tol") + 1])
    with h5py.File(args[0], "r") as r, h5py.File(args[1], "r") as tr:
        t = r["/xpcs/multitau/delay_list"][()].astype(float)
        g2 = r["/xpcs/multitau/normalized_g2"][()]
        err = r["/xpcs/multitau/normalized_g2_err"][()]
        tau_true = tr["/truth/tau_frames"][()]
        beta_true = tr["/truth/beta"][()]
    ok = True
    for k in range(g2.shape[1]):
        tau, beta, base = fit(t, g2[:, k], err[:, k])
        dt = tau / tau_true[k] - 1
        db = beta / beta_true[k] - 1
        good = abs(dt) < tau_tol and abs(db) < beta_tol
        ok &= good
        print(f"{'ok  ' if good else 'FAIL'} bin {k + 1}: tau {tau:8.3f} (true {tau_true[k]:8.3f}, "
              f"{100 * dt:+.2f}%)  beta {beta:.4f} (true {beta_true[k]:.4f}, {100 * db:+.2f}%)  "
              f"baseline {base:.4f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
