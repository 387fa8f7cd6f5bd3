#!/usr/bin/python3
"""fit_result_check.py RESULT.hdf TRUTH.h5 MODEL [--tau-tol 0.03] [--exp-tol 0.05]

Checks /xpcs/fit/MODEL written by xpcs-fit / xpcs-corr --fit against the
generator's ground truth and against the result's own g2:
  - every bin converged; per-bin tau within tau-tol of /truth/tau_seconds,
    beta within 5 % of /truth/beta, gamma (stretched) within 5 % of 1;
  - tau(q) exponent within exp-tol (relative) of /truth/tau_exponent; for a
    true exponent of -2, D within 3 % of 1/(tau q^2) of the truth and
    exponent_is_m2 = 1, otherwise exponent_is_m2 = 0;
  - t = delay_list * frame_time * stride * avg; q = dynamic_v_list_dim0;
    g2_fit = the model at the fitted parameters, recomputed here.
Exit 0 when all hold."""
import sys

import h5py
import numpy as np


def model(name, p, t):
    if name == "single":
        return p[0] + p[1] * np.exp(-2 * t / p[2])
    if name == "stretched":
        return p[0] + p[1] * np.exp(-2 * (t / p[2]) ** p[3])
    g1, g2 = (p[5], p[6]) if name == "double_stretched" else (1.0, 1.0)
    f = p[4] * np.exp(-(t / p[2]) ** g1) + (1 - p[4]) * np.exp(-(t / p[3]) ** g2)
    return p[0] + p[1] * f * f


def main():
    args = sys.argv[1:]
    res, truth, name = args[:3]
    tau_tol = float(args[args.index("--tau-tol") + 1]) if "--tau-tol" in args else 0.03
    exp_tol = float(args[args.index("--exp-tol") + 1]) if "--exp-tol" in args else 0.05
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok &= bool(cond)

    with h5py.File(res, "r") as r, h5py.File(truth, "r") as tr:
        g = r["/xpcs/fit/" + name]
        names = [s.decode() for s in g["param_names"][()]]
        p = g["params"][()]
        pe = g["params_err"][()]
        status = g["status"][()]
        smap = [s.decode() for s in g["status_names"][()]]
        t = g["t"][()]
        q = g["q"][()]
        tq = g["tau_q"]
        exponent, exponent_err = tq["exponent"][()], tq["exponent_err"][()]
        d_a2 = tq["diffusion_A2_per_s"][()]
        d_um2 = tq["diffusion_um2_per_s"][()]
        is_m2 = int(tq["exponent_is_m2"][()])
        ft = r["/entry/instrument/detector_1/frame_time"][()]
        cfg = r["/xpcs/multitau/config"]
        t_exp = r["/xpcs/multitau/delay_list"][()] * ft * cfg["stride_frame"][()] * cfg["avg_frame"][()]
        q_exp = r["/xpcs/qmap/dynamic_v_list_dim0"][()]
        g2 = r["/xpcs/multitau/normalized_g2"][()]
        g2_fit = g["g2_fit"][()]
        tau_true = tr["/truth/tau_seconds"][()]
        beta_true = tr["/truth/beta"][()]
        x_true = float(tr["/truth/tau_exponent"][()])
        q_true = tr["/truth/q"][()]
    check(np.allclose(t, t_exp, rtol=1e-12), "t = delay_list * frame_time * stride * avg")
    check(np.allclose(q, q_exp, rtol=1e-12), "q = dynamic_v_list_dim0")
    check(p.shape == (g2.shape[1], len(names)) and pe.shape == p.shape, f"params shape {p.shape}")
    check(np.allclose(g2_fit, np.stack([model(name, p[k], t) for k in range(p.shape[0])], 1),
                      rtol=1e-12), "g2_fit is the model at the fitted parameters")
    check(all(smap[s] == "converged" for s in status), f"all bins converged: {[smap[s] for s in status]}")
    itau = names.index("tau" if "tau" in names else "tau1")
    for k in range(p.shape[0]):
        dt = p[k, itau] / tau_true[k] - 1
        db = p[k, names.index("beta")] / beta_true[k] - 1
        line = f"bin {k + 1}: tau {p[k, itau]:.5g} +- {pe[k, itau]:.2g} s (true {tau_true[k]:.5g}, {100 * dt:+.2f} %), beta {100 * db:+.2f} %"
        good = abs(dt) < tau_tol and abs(db) < 0.05
        if "gamma" in names:
            gm = p[k, names.index("gamma")]
            line += f", gamma {gm:.4f}"
            good &= abs(gm - 1) < 0.05
        check(good, line)
    check(abs(exponent / x_true - 1) < exp_tol,
          f"tau(q) exponent {exponent:.4f} +- {exponent_err:.4f} (true {x_true}, {100 * (exponent / x_true - 1):+.2f} %)")
    if x_true == -2.0:
        d_true = np.mean(1 / (tau_true * q_true ** 2))
        check(abs(d_a2 / d_true - 1) < 0.03 and abs(d_um2 / (d_a2 * 1e-8) - 1) < 1e-12,
              f"D {d_a2:.5g} A^2/s = {d_um2:.5g} um^2/s (true {d_true:.5g} A^2/s)")
        check(is_m2 == 1, "exponent consistent with -2")
    else:
        check(is_m2 == 0, f"exponent {exponent:.3f} told apart from -2")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
