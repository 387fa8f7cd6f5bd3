#!/bin/bash
# The demo job: set up (packages + build), generate a small synthetic XPCS
# measurement with a known correlation time, correlate it on 2 MPI ranks and
# print where the result is.  Usage: bash tools/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
source tools/mpirun-env.sh
mkdir -p demo
echo "demo: generating demo/demo.h5 (128 x 128 pixels, 5000 frames, tau0 = 40 frames)"
build/xpcs-synth -o demo -n demo --rows 128 --cols 128 --frames 5000 --rate 0.5 \
    --beta 0.25 --tau0 40 --beamstop 24 --n-dq 8 --frame-time 0.001
echo "demo: mpirun -np 2 build/xpcs-corr -r demo/demo.h5 -q demo/demo_qmap.h5 -o demo/results -w"
OMP_NUM_THREADS=1 mpirun -np 2 build/xpcs-corr -r demo/demo.h5 -q demo/demo_qmap.h5 \
    -o demo/results -w | tee demo/run.log
result=$(tail -n 1 demo/run.log)
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    /usr/bin/python3 - "$result" demo/demo_truth.h5 <<'PY'
import sys, h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as r, h5py.File(sys.argv[2], "r") as t:
    d = r["/xpcs/multitau/delay_list"][()]
    g2 = r["/xpcs/multitau/normalized_g2"][()]
    tau = t["/truth/tau_frames"][()]
    beta = t["/truth/beta"][()]
    print("demo: g2 of dynamic bin 1 next to the generator's 1 + beta exp(-2 t / tau),"
          " tau = %.1f frames, beta = %.2f:" % (tau[0], beta[0]))
    for i in range(0, len(d), 4):
        print("  delay %6d frames  g2 %.4f  (theory %.4f)"
              % (d[i], g2[i, 0], 1 + beta[0] * np.exp(-2 * d[i] / tau[0])))
PY
fi
echo "demo: result file: $result"
