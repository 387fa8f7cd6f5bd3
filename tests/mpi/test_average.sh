#!/bin/bash
# xpcs-average: five synthetic repeats of one sample, correlated in one
# batch; repeat 3 has a beam drop (1/8 of its frames set to 0) and a sixth
# "repeat" has a g2 baseline of 1.2 (its g2 scaled).  The beam drop is
# rejected by the intensity rule, the sixth by the g2 rule, both with their
# reason recorded; the average equals numpy's mean of the four others (g2_err:
# mean / sqrt(4)) bit for bit and keeps the viewer's layout.  The rules can be
# loosened or switched off; incompatible files (q-map hash, delay list,
# shape) are refused with one clear line and no output.
source "$(dirname "$0")/../lib/lib.sh"
for i in 1 2 3 4 5; do
    synth -o d -n r$i --rows 40 --cols 40 --frames 2000 --rate 0.5 --tau0 5 --hot 0 --dead 0 --seed $i
done
run "$PY" - <<'PYEOF'
import h5py
with h5py.File("d/r3.h5", "r+") as f:  # beam drop
    d = f["/entry/data/data"]
    n = d.shape[0]
    d[n // 3:n // 3 + n // 8] = 0
PYEOF
corr 2 -q d/r1_qmap.h5 -o o -r d/r1.h5 d/r2.h5 d/r3.h5 d/r4.h5 d/r5.h5 >batch.log 2>&1 || { cat batch.log; bad "batch"; }
run "$PY" - <<'PYEOF'
import shutil, h5py
shutil.copy("o/r5_results.hdf", "o/r6_results.hdf")
with h5py.File("o/r6_results.hdf", "r+") as f:  # wrong baseline
    f["/xpcs/multitau/normalized_g2"][...] = 1.2 * f["/xpcs/multitau/normalized_g2"][()]
PYEOF
IN="o/r1_results.hdf o/r2_results.hdf o/r3_results.hdf o/r4_results.hdf o/r5_results.hdf o/r6_results.hdf"
avg() { run "$XPCS_BIN/xpcs-average" "$@"; }

avg -o avg.hdf $IN >avg.out 2>avg.err
rc=$?
cat avg.out avg.err
check "xpcs-average succeeds (rc $rc), last line is the output" test "$rc" -eq 0 -a "$(tail -n 1 avg.out)" = avg.hdf
check "beam drop rejected by the intensity rule" grep -q '^rejected o/r3_results.hdf .*: intensity vs time outlier: lowest block mean' avg.out
check "scaled g2 rejected by the baseline rule" grep -q '^rejected o/r6_results.hdf .*: g2 baseline 1.2.* outside \[0.95, 1.05\]' avg.out
check "the four others accepted" test "$(grep -c '^accepted o/r[1245]_results.hdf' avg.out)" = 4
check "no temporary file" test ! -e avg.hdf.tmp
check "average = numpy mean of the accepted files, record complete" run "$PY" - avg.hdf <<'PYEOF'
import sys, h5py, numpy as np
acc = ["o/r1_results.hdf", "o/r2_results.hdf", "o/r4_results.hdf", "o/r5_results.hdf"]
P = ["/xpcs/multitau/normalized_g2", "/xpcs/multitau/normalized_g2_err",
     "/xpcs/temporal_mean/scattering_2d", "/xpcs/temporal_mean/scattering_1d",
     "/xpcs/temporal_mean/scattering_1d_segments", "/xpcs/spatial_mean/intensity_vs_time"]
ok = True
with h5py.File(sys.argv[1], "r") as a:
    for p in P:
        stack = np.stack([h5py.File(f, "r")[p][()] for f in acc])
        want = stack.mean(axis=0)
        if p.endswith("_err"):
            want = want / np.sqrt(len(acc))
        if p.endswith("intensity_vs_time"):
            want[0] = stack[0][0]
        got = a[p][()]
        same = got.shape == want.shape and np.array_equal(got, want)
        print(p, "bit-identical" if same else f"DIFFERS max {np.max(np.abs(got - want))}")
        ok &= same
    # the rest is the first accepted file's
    ok &= np.array_equal(a["/xpcs/multitau/delay_list"][()], h5py.File(acc[0])["/xpcs/multitau/delay_list"][()])
    g = a["/xpcs/average"]
    dec = lambda k: [x.decode() for x in g[k][()]]
    print(dec("accepted"), dec("rejected"), dec("reasons"))
    ok &= dec("accepted") == acc
    ok &= dec("rejected") == ["o/r3_results.hdf", "o/r6_results.hdf"]
    ok &= "intensity" in dec("reasons")[0] and "baseline" in dec("reasons")[1]
    ok &= len(dec("files")) == 6 and g["g2_baseline"].shape == (6,)
    ok &= list(g["config/bounds"][()]) == [0.95, 1.05] and g["config/window"][()] == 3
sys.exit(0 if ok else 1)
PYEOF
check "average keeps the viewer layout" run "$PY" "$ORACLES/viewer_check.py" avg.hdf

avg -o avg.hdf $IN >/dev/null 2>exists.err
rc=$?
check "existing output refused without -w (rc $rc)" test "$rc" -eq 4 && grep -q 'avg.hdf: file exists' exists.err
avg -w -o loose.hdf --int-t-sigma 0 --bounds 0.9:1.3 --window 5 --q-bin 2 $IN >loose.out 2>&1
check "rules loosened / switched off: all six accepted" test "$(grep -c '^accepted' loose.out)" = 6
avg -o none.hdf --bounds 2:3 $IN >none.out 2>none.err
rc=$?
check "nothing accepted: error, no output (rc $rc)" test "$rc" -eq 3 -a ! -e none.hdf && grep -q 'no file accepted out of 6' none.err

# incompatible inputs: one line, exit 3, no output
refuse() { # DESCRIPTION PATTERN FILES...
    local d=$1 pattern=$2
    shift 2
    "$XPCS_BIN/xpcs-average" -o refused.hdf "$@" >r.out 2>r.err
    local rc=$?
    if [ "$rc" -eq 3 ] && [ ! -e refused.hdf ] && [ "$(wc -l <r.err)" -eq 1 ] && grep -Eq "$pattern" r.err; then
        ok "$d: $(cat r.err)"
    else
        cat r.out r.err
        bad "$d (rc $rc)"
    fi
}
run "$PY" - <<'PYEOF'
import shutil, h5py, numpy as np
shutil.copy("o/r2_results.hdf", "hash.hdf")
with h5py.File("hash.hdf", "r+") as f:
    f["/xpcs/qmap"].attrs["hash"] = "0123456789abcdef"
shutil.copy("o/r2_results.hdf", "shape.hdf")
with h5py.File("shape.hdf", "r+") as f:
    s = f["/xpcs/temporal_mean/scattering_1d"][()]
    del f["/xpcs/temporal_mean/scattering_1d"]
    f["/xpcs/temporal_mean/scattering_1d"] = np.hstack([s, s])
PYEOF
corr 1 -r d/r2.h5 -q d/r1_qmap.h5 -o short -e 900 >short.log 2>&1 || { cat short.log; bad "short run"; }
refuse "different q-map hash" "hash.hdf: /xpcs/qmap hash '0123456789abcdef' differs" o/r1_results.hdf hash.hdf
refuse "different delay list" "short/r2_results.hdf: /xpcs/multitau/delay_list .* differs .*expected the same delay list" o/r1_results.hdf short/r2_results.hdf
refuse "different shape" "shape.hdf: /xpcs/temporal_mean/scattering_1d has shape \(1, [0-9]+\): expected \(1, [0-9]+\)" o/r1_results.hdf shape.hdf
refuse "not a result file" "d/r1.h5: dataset .* is missing" o/r1_results.hdf d/r1.h5
"$XPCS_BIN/xpcs-average" -o x.hdf --bounds 1 o/r1_results.hdf >/dev/null 2>u.err
check "bad option value: usage error" test $? -eq 2 && grep -q 'expected LO:HI' u.err
finish
