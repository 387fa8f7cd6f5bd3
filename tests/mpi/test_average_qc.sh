#!/bin/bash
# xpcs-average compares files by absolute intensity and SAXS (issue 13,
# point 3): of three good repeats, a 10x brighter repeat and a damaged one
# (intensity drifting down over its run, tests/oracles/plant_defects.py),
# the last two are rejected with the reason recorded; with the new rules off
# the brighter one passes (the old rules normalise each file by itself).
source "$(dirname "$0")/../lib/lib.sh"
G="--rows 64 --cols 64 --frames 2000 --hot 0 --dead 0"
for s in 1 2 3; do synth -o d -n good$s $G --seed $s; done
synth -o d -n bright $G --seed 4 --rate 1.0
synth -o d -n dmg0 $G --seed 5
run "$PY" "$ORACLES/plant_defects.py" d/dmg0.h5 d/dmg0_qmap.h5 d/damaged.h5 dmg.json --only damage >/dev/null
# one q-map for all (the same hash): without hot and dead pixels the synth's q-maps agree
for n in good1 good2 good3 bright damaged; do
    corr 2 -r d/$n.h5 -q d/good1_qmap.h5 -o r --set monitoring.enable_report=false >/dev/null 2>&1 || bad "run $n"
done
IN="r/good1_results.hdf r/good2_results.hdf r/good3_results.hdf r/bright_results.hdf r/damaged_results.hdf"
run "$XPCS_BIN/xpcs-average" -o avg.hdf $IN >avg.out 2>avg.err || { cat avg.err; bad "xpcs-average"; }
cat avg.out
check "the good repeats are accepted" [ "$(grep -c '^accepted r/good' avg.out)" -eq 3 ]
check "the 10x brighter repeat is rejected for its absolute intensity" grep -Eq '^rejected r/bright_results.hdf .*absolute intensity .* is [0-9.]+x the files. median' avg.out
check "the damaged repeat is rejected for its SAXS drift" grep -q '^rejected r/damaged_results.hdf .*SAXS drifts within the file' avg.out
check "the reasons are recorded in the file" run "$PY" - <<'PYEOF'
import h5py, sys
g = h5py.File("avg.hdf", "r")["/xpcs/average"]
rej = [s.decode() for s in g["rejected"][()]]
why = [s.decode() for s in g["reasons"][()]]
inten = g["intensity"][()]
print(rej, [w[:60] for w in why], inten, g["saxs_drift"][()], g["config/int_tol"][()])
sys.exit(0 if rej == ["r/bright_results.hdf", "r/damaged_results.hdf"] and "absolute intensity" in why[0]
         and "SAXS drifts" in why[1] and 8 < inten[3] / inten[0] < 12 else 1)
PYEOF
run "$XPCS_BIN/xpcs-average" -o old.hdf --int-tol 0 --saxs-tol 0 --drift-tol 0 $IN >old.out 2>&1 || bad "xpcs-average, new rules off"
check "with the new rules off the brighter repeat passes (the old per-file normalisation)" grep -q '^accepted r/bright_results.hdf' old.out
finish
