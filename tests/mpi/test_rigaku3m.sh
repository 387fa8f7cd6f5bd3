#!/bin/bash
# Rigaku 3M event sets (six module files NAME.bin.000 ... .005 tiled into a
# 1676 x 2100 canvas with gaps): the module files xpcs-synth writes hold the
# frames of the dense HDF5 copy under boost_corr's layout (checked here with
# numpy, independently of the C code); the 3M set and the HDF5 copy give
# bit-identical results at 1, 2 and 3 ranks, with both kernels and a frame
# selection, and two-time maps too; the gaps get no events; bad sets (a module file missing, frames
# going backwards, a pixel outside the module, a q-map of another shape)
# give one clear error line naming the file, a non-zero exit, no hang and
# no result file.
source "$(dirname "$0")/../lib/lib.sh"
# a beamstop of 640 px: the q bins (an annulus of radius 640 ... 838 around the
# centre) cross all six modules with 0.8 M of the 3.5 M pixels (run time)
synth -o d -n r3 --rows 1676 --cols 2100 --frames 24 --rate 0.01 --tau0 8 --n-dq 8 \
    --dtype u8 --gzip 1 --format both3m --beamstop 640
synth -o d -n o --rows 20 --cols 24 --frames 10
check "synth wrote r3.bin.000 ... r3.bin.005 and r3.h5" \
    test -s d/r3.bin.000 -a -s d/r3.bin.005 -a -s d/r3.h5 -a ! -e d/r3.bin

# boost_corr's layout (rigaku_3M_handler.py): files in the order 5, 0, 4, 1,
# 3, 2 fill tiles (0,0), (0,1), (1,0), (1,1), (2,0), (2,1); gaps 70 rows, 52
# cols; a file whose smallest index is >= 1024^2 has 1024^2 subtracted
check "module files = the HDF5 frames under boost_corr's tiling; gaps empty" "$PY" - <<'PYEOF'
import sys
import h5py, numpy as np
frames = h5py.File("d/r3.h5", "r")["/entry/data/data"][()]
nf = frames.shape[0]
canvas = np.zeros(frames.shape, np.int64)
offsets = set()
for k, m in enumerate((5, 0, 4, 1, 3, 2)):
    w = np.fromfile("d/r3.bin.%03d" % m, "<u8")
    pix = ((w >> np.uint64(16)) & np.uint64(2**21 - 1)).astype(np.int64)
    fr = (w >> np.uint64(40)).astype(np.int64)
    ct = (w & np.uint64(4095)).astype(np.int64)
    if pix.min() >= 1024 * 1024:
        pix -= 1024 * 1024
        offsets.add(m % 2)
    assert pix.max() < 512 * 1024 and fr.max() < nf and np.all(np.diff(fr) >= 0)
    r0, c0 = (k // 2) * (512 + 70), (k % 2) * (1024 + 52)
    tile = np.zeros((nf, 512 * 1024), np.int64)
    np.add.at(tile, (fr, pix), ct)
    canvas[:, r0:r0 + 512, c0:c0 + 1024] = tile.reshape(nf, 512, 1024)
gap = np.zeros(frames.shape[1:], bool)
gap[512:582] = gap[1094:1164] = True
gap[:, 1024:1076] = True
ok = np.array_equal(canvas, frames) and not frames[:, gap].any() and offsets == {1}
print("events", int((frames > 0).sum()), "offset on odd files only", offsets == {1})
sys.exit(0 if ok else 1)
PYEOF

Q=d/r3_qmap.h5
NOREP="--set monitoring.enable_report=false" # the HTML report of a 3.5 M pixel image: 2 s
i=0
for x in "" "-b 2 -e 22 -f 2 -a 2 --normalize-frame"; do
    i=$((i + 1))
    corr 2 -r d/r3.h5 -q $Q -o h$i $NOREP $x >h.log 2>&1 || { cat h.log; bad "HDF5 $x"; continue; }
    confs="sparse 1,sparse 2,sparse 3"
    [ -n "$x" ] && confs="sparse 3,dense 2"
    IFS=, read -ra list <<<"$confs"
    for conf in "${list[@]}"; do
        set -- $conf
        raw=d/r3.bin.00$((i + $2)) # any module file names the set
        same_result "3M set ($1 kernel, np=$2, -r $raw) $x identical to .h5" h$i/r3_results.hdf \
            b$i$1$2/r3_results.hdf "$2" -r $raw -q $Q --kernel "$1" $NOREP $x
    done
done

# two-time on the 3M set's events: the maps of the HDF5 copy (dense kernel)
corr 2 -r d/r3.h5 -q $Q -o th -t both -d 2,7 --kernel dense $NOREP >th.log 2>&1 || { cat th.log; bad "HDF5 -t both"; }
corr 3 -r d/r3.bin.003 -q $Q -o tb -t both -d 2,7 --kernel sparse $NOREP >tb.log 2>&1 || { cat tb.log; bad "3M -t both"; }
check "3M set -t both (event kernels, np=3): two-time maps identical to .h5 (dense)" \
    run "$PY" "$ORACLES/compare_ext.py" th/r3_results.hdf tb/r3_results.hdf /xpcs/twotime
check "3M set -t both (event kernels, np=3): multitau identical to .h5 (dense)" \
    run "$PY" "$ORACLES/compare.py" th/r3_results.hdf tb/r3_results.hdf

# every pixel valid (gaps included): the mean image is zero in the gaps and
# the HDF5 mean in the modules; --kernel auto estimates the occupancy
"$PY" - <<'PYEOF'
import h5py
with h5py.File("d/r3_qmap.h5", "r") as a, h5py.File("d/all_qmap.h5", "w") as b:
    for k in a:
        a.copy(k, b)
    b["/qmap/mask"][...] = 1
PYEOF
if corr 2 -r d/r3.bin.000 -q d/all_qmap.h5 -o g -v $NOREP >g.log 2>&1; then
    check "--kernel auto on a 3M set: occupancy = words of the six files / canvas pixel-frames" \
        "$PY" -c "
import re, sys, os
occ = float(re.search(r'kernel: sparse \(--kernel auto, occupancy ([0-9.e+-]+)', open('g.log').read()).group(1))
n = sum(os.path.getsize('d/r3.bin.%03d' % m) // 8 for m in range(6))
sys.exit(0 if abs(occ / (n / (24 * 1676 * 2100)) - 1) < 2e-3 else 1)"
    check "gaps of the canvas get no events; modules = mean of the HDF5 frames" "$PY" -c "
import sys, h5py, numpy as np
s = h5py.File('g/r3_results.hdf', 'r')['/xpcs/temporal_mean/scattering_2d'][()][0]
f = h5py.File('d/r3.h5', 'r')['/entry/data/data'][()].astype(np.float64)
gap = np.zeros(s.shape, bool); gap[512:582] = gap[1094:1164] = True; gap[:, 1024:1076] = True
sys.exit(0 if not s[gap].any() and np.allclose(s, f.mean(axis=0)) and s.sum() > 0 else 1)"
else
    cat g.log
    bad "3M with an all-valid mask"
fi

# bad sets, made from the good one
"$PY" - <<'PYEOF'
import os, shutil
import numpy as np
for d in ("dm", "db", "dp"):
    os.makedirs(d, exist_ok=True)
    for m in range(6):
        if not (d == "dm" and m == 4):
            shutil.copy("d/r3.bin.%03d" % m, "%s/r3.bin.%03d" % (d, m))
w = np.fromfile("db/r3.bin.002", "<u8"); f = w >> np.uint64(40); k = int(np.argmax(f >= 15))
w[k:k + 5] -= np.uint64(10 << 40)                        # frames jump back by 10
w.tofile("db/r3.bin.002")
w = np.fromfile("dp/r3.bin.003", "<u8"); k = len(w) // 2  # odd file: offset 1024^2
w[k] = (w[k] & ~np.uint64((2**21 - 1) << 16)) | np.uint64((1048576 + 600000) << 16)
w.tofile("dp/r3.bin.003")
PYEOF
expect_fail "a module file missing" "dm/r3\.bin\.004.*cannot read.*six module files" 2 -r dm/r3.bin.000 -q $Q
expect_fail "module frames going backwards" "db/r3\.bin\.002: event word [0-9]+: frame.*sorted by frame" \
    3 -r db/r3.bin.005 -q $Q --frame-time 1e-3
expect_fail "dense kernel: module frames going backwards" "db/r3\.bin\.002.*sorted by frame" 2 \
    -r db/r3.bin.001 -q $Q --kernel dense --frame-time 1e-3
expect_fail "pixel outside the module" \
    "dp/r3\.bin\.003: event word [0-9]+: pixel index 1648576 outside the 512 x 1024 module" 2 \
    -r dp/r3.bin.000 -q $Q --frame-time 1e-3
expect_fail "q-map of another shape" "expected the frame shape \(1676, 2100\) of d/r3\.bin\.000" 2 \
    -r d/r3.bin.000 -q d/o_qmap.h5
finish
