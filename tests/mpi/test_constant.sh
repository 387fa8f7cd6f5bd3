#!/bin/bash
# Constant frames give g2 = 1 and error 0 exactly, scattering_2d = the
# constant on valid pixels (0 on masked ones), intensity_vs_time = the
# constant, for 1 and 3 ranks and with stride/avg.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n c --rows 30 --cols 34 --frames 517 --constant 3
for args in "1" "3 -f 2 -a 3"; do
    set -- $args
    np=$1
    shift
    out=o$np
    corr "$np" -r d/c.h5 -q d/c_qmap.h5 -o "$out" "$@" >"$out.log" 2>&1 || { cat "$out.log"; bad "run np=$np"; continue; }
    check "constant frames np=$np $*" run "$PY" - "$out/c_results.hdf" d/c_qmap.h5 <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as r, h5py.File(sys.argv[2], "r") as q:
    g2 = r["/xpcs/multitau/normalized_g2"][()]
    err = r["/xpcs/multitau/normalized_g2_err"][()]
    s2 = r["/xpcs/temporal_mean/scattering_2d"][()][0]
    it = r["/xpcs/spatial_mean/intensity_vs_time"][()]
    s1 = r["/xpcs/temporal_mean/scattering_1d"][()]
    mask = q["/qmap/mask"][()] != 0
ok = np.all(g2 == 1.0) and np.all(err == 0.0) and np.all(s2[mask] == 3.0) \
    and np.all(s2[~mask] == 0.0) and np.all(it[1] == 3.0) and np.all(s1 == 3.0)
print("g2 range", g2.min(), g2.max(), "err max", err.max(), "Int_t", it[1].min(), it[1].max())
sys.exit(0 if ok else 1)
PYEOF
done
finish
