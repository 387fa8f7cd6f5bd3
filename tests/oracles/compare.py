#!/usr/bin/python3
"""compare.py A B: exit 0 when the result datasets of A and B are bit-identical."""
import sys

import h5py
import numpy as np

PATHS = ["/xpcs/multitau/delay_list", "/xpcs/multitau/normalized_g2",
         "/xpcs/multitau/normalized_g2_err", "/xpcs/temporal_mean/scattering_2d",
         "/xpcs/temporal_mean/scattering_1d", "/xpcs/temporal_mean/scattering_1d_segments",
         "/xpcs/spatial_mean/intensity_vs_time"]

a, b = sys.argv[1:3]
bad = 0
with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
    for p in PATHS:
        x, y = fa[p][()], fb[p][()]
        same = x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()
        if not same:
            d = np.max(np.abs(x - y)) if x.shape == y.shape else "shape"
            print(f"DIFFERENT {p}: {d}")
            bad += 1
print("identical" if not bad else f"{bad} dataset(s) differ")
sys.exit(1 if bad else 0)
