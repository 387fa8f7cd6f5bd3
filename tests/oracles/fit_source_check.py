#!/usr/bin/python3
"""fit_source_check.py FILE GROUP RESULT TRUTH.h5 [--tau-tol 0.03]

Checks /xpcs/fit/GROUP in FILE (the result itself or an xpcs-fit -o file)
written by xpcs-fit --source linear|twotime against the generator's truth and
the result's own g2, with the tolerances of fit_result_check.py (multitau):
  - the source attribute, t from the source's delays (linear: delay_list;
    twotime: lags 1 .. N/5-1) times frame_time * stride * avg;
  - bins = the result's columns (twotime: processed_bins), q through them;
  - every bin converged; tau within tau-tol and beta within 5 % of the truth;
  - g2_fit is the model at the fitted parameters.
Exit 0 when all hold."""
import sys

import h5py
import numpy as np


def main():
    args = sys.argv[1:]
    path, group, result, truth = args[:4]
    tau_tol = float(args[args.index("--tau-tol") + 1]) if "--tau-tol" in args else 0.03
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok &= bool(cond)

    with h5py.File(path, "r") as f, h5py.File(result, "r") as r, h5py.File(truth, "r") as tr:
        g = f["/xpcs/fit/" + group]
        source = g.attrs["source"]
        source = source.decode() if isinstance(source, bytes) else source
        names = [s.decode() for s in g["param_names"][()]]
        p, t, bins, q = g["params"][()], g["t"][()], g["bins"][()], g["q"][()]
        smap = [s.decode() for s in g["status_names"][()]]
        status = g["status"][()]
        ft = r["/entry/instrument/detector_1/frame_time"][()]
        cfg = r[f"/xpcs/{source}/config"]
        scale = ft * cfg["stride_frame"][()] * cfg["avg_frame"][()]
        if source == "twotime":
            n = r["/xpcs/twotime/normalized_g2"].shape[0]
            t_exp = np.arange(1, n // 5) * scale
            bins_exp = r["/xpcs/twotime/processed_bins"][()]
        else:
            t_exp = r[f"/xpcs/{source}/delay_list"][()] * scale
            bins_exp = np.arange(1, r[f"/xpcs/{source}/normalized_g2"].shape[1] + 1)
        q_exp = r["/xpcs/qmap/dynamic_v_list_dim0"][()][bins_exp - 1]
        g2_fit = g["g2_fit"][()]
        tau_true = tr["/truth/tau_seconds"][()][bins - 1]
        beta_true = tr["/truth/beta"][()][bins - 1]
    check(source == group.split("_")[0], f"source attribute {source}")
    check(np.allclose(t, t_exp, rtol=1e-12), f"t from the {source} delays ({len(t)} points)")
    check(np.array_equal(bins, bins_exp) and np.allclose(q, q_exp, rtol=1e-12), "bins and q")
    check(all(smap[s] == "converged" for s in status), f"all bins converged: {[smap[s] for s in status]}")
    single = p[:, 0][:, None] + p[:, 1][:, None] * np.exp(-2 * t[None, :] / p[:, 2][:, None])
    if names == ["baseline", "beta", "tau"]:
        check(np.allclose(g2_fit, single.T, rtol=1e-12), "g2_fit is the model at the parameters")
    for k in range(p.shape[0]):
        dt = p[k, 2] / tau_true[k] - 1
        db = p[k, 1] / beta_true[k] - 1
        check(abs(dt) < tau_tol and abs(db) < 0.05,
              f"bin {bins[k]}: tau {p[k, 2]:.5g} s (true {tau_true[k]:.5g}, {100 * dt:+.2f} %), "
              f"beta {100 * db:+.2f} %")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
