#!/bin/bash
# Rigaku XSPA-500k event files (.bin): the same counts as a .bin and as a
# dense HDF5 stack (xpcs-synth --format both) give bit-identical results
# with the sparse and the dense kernel, at 1, 2 and 3 ranks (and 1 rank x 2
# threads), with frame selection, averaging and normalization; the <stem>_metadata.hdf beside
# the .bin is used.  Bad event files (truncated word, pixel outside the
# detector, frames going backwards, empty) give one clear error line, a
# non-zero exit, no hang and no result file.
source "$(dirname "$0")/../lib/lib.sh"
# 512 x 1024 (the detector), few frames; the .h5 in u8 with gzip stays small
synth -o d -n rg --rows 512 --cols 1024 --frames 300 --rate 0.004 --tau0 12 --n-dq 8 \
    --dtype u8 --gzip 1 --format both
synth -o d -n o --rows 20 --cols 24 --frames 10
check "synth wrote rg.bin and rg.h5" test -s d/rg.bin -a -s d/rg.h5

i=0
for x in "" "-b 7 -e 290 -f 2 -a 2 --normalize-frame"; do
    i=$((i + 1))
    corr 2 -r d/rg.h5 -q d/rg_qmap.h5 -o h$i --kernel dense $x >h.log 2>&1 ||
        { cat h.log; bad "dense HDF5 $x"; continue; }
    confs="sparse 1,sparse 2,sparse 3,dense 2"
    [ -n "$x" ] && confs="sparse 3,dense 1"
    IFS=, read -ra list <<<"$confs"
    for conf in "${list[@]}"; do
        set -- $conf
        same_result ".bin ($1 kernel, np=$2) $x identical to .h5 (dense)" h$i/rg_results.hdf \
            b$i$1$2/rg_results.hdf "$2" -r d/rg.bin -q d/rg_qmap.h5 --kernel "$1" $x
    done
    # one rank with two threads: the SAXS sums on the second thread while
    # the first routes the same step's events (and two steps of words)
    OMP_NUM_THREADS=2 same_result ".bin (sparse kernel, 1 rank x 2 threads) $x identical to .h5" \
        h$i/rg_results.hdf t$i/rg_results.hdf 1 -r d/rg.bin -q d/rg_qmap.h5 --kernel sparse $x
done
check "result named after the .bin stem, /entry from rg_metadata.hdf" "$PY" -c "
import h5py, sys
a = h5py.File('b1sparse2/rg_results.hdf', 'r'); b = h5py.File('h1/rg_results.hdf', 'r')
sys.exit(0 if a['/entry/start_time'][()] == b['/entry/start_time'][()] and
         a['/xpcs/multitau/config/kernel'][()] == b'sparse' else 1)"

# bad event files, made from the good one
"$PY" - <<'PYEOF'
import numpy as np
w = np.fromfile("d/rg.bin", "<u8")
open("d/trunc.bin", "wb").write(w.tobytes()[:-3])           # last word cut
b = w.copy(); b[len(b) // 2] = (b[len(b) // 2] & ~np.uint64(0x1fffff << 16)) | np.uint64(600000 << 16)
b.tofile("d/pixel.bin")                                       # pixel 600000 >= 512*1024
b = w.copy(); f = b >> np.uint64(40); k = int(np.argmax(f >= 150))
b[k:k + 5] = b[k:k + 5] - np.uint64(100 << 40)                # frames jump back by 100
b.tofile("d/back.bin")
open("d/empty.bin", "wb").close()
PYEOF
Q=d/rg_qmap.h5
expect_fail "truncated word" "trunc\.bin.*not a multiple of 8: truncated" 3 -r d/trunc.bin -q $Q
for np in 1 3; do
    expect_fail "pixel outside the detector" "pixel\.bin.*pixel index 600000 outside the 512 x 1024" $np -r d/pixel.bin -q $Q --frame-time 1e-3
done
expect_fail "frames going backwards" "back\.bin.*(after frame|outside frames).*sorted by frame" 3 -r d/back.bin -q $Q --frame-time 1e-3
expect_fail "dense kernel: frames going backwards" "back\.bin.*sorted by frame" 2 -r d/back.bin -q $Q --kernel dense --frame-time 1e-3
expect_fail "empty file" "empty\.bin.*empty file" 1 -r d/empty.bin -q $Q
expect_fail "missing .bin" "nope\.bin.*cannot read" 2 -r d/nope.bin -q $Q
expect_fail "q-map of another shape" "o_qmap\.h5.*expected the frame shape \(512, 1024\) of d/rg\.bin" 2 \
    -r d/rg.bin -q d/o_qmap.h5
finish
