#!/usr/bin/python3
"""compare_ext.py A B GROUP [--rtol R]: exit 0 when every dataset under GROUP
(config/ excluded: it holds timings and the rank count) is bit-identical in the
result files A and B, or agrees within relative R when --rtol is given.

compare_ext.py A B --lags8 [--rtol R]: /xpcs/linear g2 and error at lags 1..8 of A
against /xpcs/multitau (level 0, lags 1..8) of B."""
import sys

import h5py
import numpy as np


def same(name, x, y, rtol):
    if x.shape != y.shape:
        print(f"DIFFERENT {name}: shape {x.shape} vs {y.shape}")
        return False
    if rtol is None:
        ok = x.dtype == y.dtype and x.tobytes() == y.tobytes()
    else:
        ok = np.allclose(x, y, rtol=rtol, atol=0)
    if not ok:
        d = np.max(np.abs(x.astype(float) - y.astype(float)) / np.maximum(np.abs(y), 1e-300))
        print(f"DIFFERENT {name}: max rel diff {d:.3e}")
    return ok


def main():
    args = sys.argv[1:]
    rtol = None
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i:i + 2]
    a, b, group = args
    bad = 0
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        if group == "--lags8":
            for k in ("normalized_g2", "normalized_g2_err"):
                bad += not same(k, fa["/xpcs/linear/" + k][:8], fb["/xpcs/multitau/" + k][:8], rtol)
        else:
            names = []
            fa[group].visit(lambda n: names.append(n))
            for n in names:
                if n.startswith("config") or not isinstance(fa[group][n], h5py.Dataset):
                    continue
                bad += not same(n, fa[group][n][()], fb[group][n][()], rtol)
            if not names:
                bad += 1
    print("identical" if not bad and rtol is None else ("agree" if not bad else f"{bad} differ"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
