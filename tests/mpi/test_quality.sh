#!/bin/bash
# Data quality (issue 13, points 1 and 2): defects planted inside the mask
# (tests/oracles/plant_defects.py) -- hot pixels, a saturated pixel, dead
# pixels, a dropped frame, a beam drop, intensity drifting down (radiation
# damage) -- are each flagged by their indicator, alone and all together,
# naming the pixel or frame, under /xpcs/quality and on stderr; critical
# ones make --fail-on-critical exit 8 with the result written; --auto-mask
# writes the q-map without the flagged pixels and leaves the result as it
# is; the thresholds are settings; clean synthetic data at 10 seeds raise
# no warning.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n c --rows 64 --cols 64 --frames 2000 --seed 1
run "$PY" "$ORACLES/plant_defects.py" d/c.h5 d/c_qmap.h5 d/all.h5 all.json || bad "planting defects"

# every defect at once
corr 2 -r d/all.h5 -q d/c_qmap.h5 -o all --auto-mask --fail-on-critical >all.out 2>all.err
rc=$?
cat all.err
check "--fail-on-critical: exit 8, one error line naming the indicators" [ $rc -eq 8 -a "$(grep -c '^xpcs-corr: error:' all.err)" -eq 1 -a -n "$(grep 'data-quality indicator(s) critical with --fail-on-critical: saturated_pixels, hot_pixels' all.err)" ]
check "the result is written all the same" test -s all/all_results.hdf
check "data quality is the first line on stderr" [ "$(head -n 1 all.err | cut -c1-34)" = "xpcs-corr: data quality: critical:" ]
check "stderr names the pixels and the frame" grep -q "hot_pixels critical: 3 pixels: (row" all.err
QCHECK='
import h5py, json, sys
res, plan_path = sys.argv[1], sys.argv[2]
plan = json.load(open(plan_path))
g = h5py.File(res, "r")["/xpcs/quality"]
def st(k): return g[k]["status"][()].decode()
def pixels(k): return {tuple(map(int, rc)) for rc in g[k]["pixels"][()]}
def items(k): return set(map(int, g[k]["items"][()]))
ok = True
def check(cond, what):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok &= bool(cond)
for k in ["saturated_pixels", "hot_pixels", "dead_pixels", "zero_frames", "beam_drops", "intensity_jumps",
          "saxs_drift", "g2_baseline", "contrast"]:
    print(k, st(k), g[k]["value"][()], list(g[k]["items"][()])[:8])
if "hot" in plan:
    check(st("hot_pixels") != "ok" and {tuple(p) for p in plan["hot"]} <= pixels("hot_pixels"), "hot pixels flagged by pixel")
if "saturated" in plan:
    check(st("saturated_pixels") != "ok" and {tuple(p) for p in plan["saturated"]} <= pixels("saturated_pixels"), "saturated pixel flagged by pixel")
if "dead" in plan:
    check(st("dead_pixels") != "ok" and {tuple(p) for p in plan["dead"]} <= pixels("dead_pixels"), "dead pixels flagged by pixel")
if "dropped" in plan:
    check(st("zero_frames") != "ok" and set(plan["dropped"]) <= items("zero_frames"), "dropped frame flagged by frame")
if "beam_drop" in plan:
    a, b = plan["beam_drop"]
    check(st("beam_drops") != "ok" and len(items("beam_drops") & set(range(a, b))) >= 0.9 * (b - a), "beam drop flagged by frame")
if "damage" in plan:
    check(st("saxs_drift") != "ok" and g["saxs_drift"]["value"][()] > 0.1, "radiation damage flagged as SAXS drift")
if len(plan) == 1:  # one defect alone: the pixel and frame indicators of the others stay quiet
    quiet = {"hot": "dead_pixels", "saturated": "dead_pixels", "dead": "hot_pixels", "dropped": "hot_pixels",
             "beam_drop": "dead_pixels", "damage": "hot_pixels"}[next(iter(plan))]
    check(st(quiet) == "ok", quiet + " stays ok")
sys.exit(0 if ok else 1)
'
check "every planted defect flagged by its indicator" run "$PY" -c "$QCHECK" all/all_results.hdf all.json

check "report: data-quality badges first, compute health in the profile" run "$PY" - all/all_report.html <<'PYEOF'
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
iq, ig, ip, ie = (h.find(s) for s in ("<h2>Data quality", "<h2>g2 per q bin", "<h2>Run profile",
                                       "<b>parallel_efficiency"))
badges = re.findall(r'<div class="badge (\w+)"><b>(\w+)</b>', h[iq:ig])
print(iq, ig, ip, ie, badges)
sys.exit(0 if 0 < iq < ig < ip < ie and ("critical", "hot_pixels") in badges
         and ("critical", "saturated_pixels") in badges and "(26, 32)" in h[iq:ig] else 1)
PYEOF

# one defect at a time
for k in hot saturated dead dropped beam_drop damage; do
    run "$PY" "$ORACLES/plant_defects.py" d/c.h5 d/c_qmap.h5 "d/$k.h5" "$k.json" --only "$k" >/dev/null
    corr 2 -r "d/$k.h5" -q d/c_qmap.h5 -o one >"$k.out" 2>"$k.err" || bad "$k: xpcs-corr"
    check "$k alone: flagged by its indicator" run "$PY" -c "$QCHECK" "one/${k}_results.hdf" "$k.json"
done

# --auto-mask: the q-map copy without the flagged pixels; the result unchanged
corr 2 -r d/all.h5 -q d/c_qmap.h5 -o plain >plain.out 2>plain.err || bad "the run without --auto-mask"
check "--auto-mask leaves the result as it is" run h5diff -q all/all_results.hdf plain/all_results.hdf /xpcs/multitau/normalized_g2 /xpcs/multitau/normalized_g2
check "--auto-mask: the q-map without the flagged pixels" run "$PY" - <<'PYEOF'
import h5py, numpy as np, sys
q0 = h5py.File("d/c_qmap.h5", "r")["/qmap"]
q1 = h5py.File("all/all_automask.h5", "r")["/qmap"]
g = h5py.File("all/all_results.hdf", "r")["/xpcs/quality"]
m0, m1 = q0["mask"][()], q1["mask"][()]
flagged = set()
for k in ("saturated_pixels", "hot_pixels", "dead_pixels"):
    flagged |= set(map(int, g[k]["items"][()]))
off = set(map(int, np.flatnonzero((m0.ravel() != 0) & (m1.ravel() == 0))))
print(len(flagged), sorted(off)[:10], q1.attrs["hash"])
same = np.array_equal(q0["dynamic_roi_map"][()], q1["dynamic_roi_map"][()])
sys.exit(0 if off == flagged and len(off) >= 7 and same and q1.attrs["hash"] != q0.attrs["hash"]
         and np.count_nonzero(m1.ravel() != m0.ravel()) == len(off) else 1)
PYEOF
check "without --auto-mask no mask file" test ! -e plain/all_automask.h5

# thresholds are settings
corr 1 -r d/hot.h5 -q d/c_qmap.h5 -o set --set quality.hot_sigma=1e6 >set.out 2>set.err || bad "--set quality.hot_sigma"
check "quality.hot_sigma=1e6: no hot pixel" [ -z "$(grep hot_pixels set.err)" -a -n "$(grep 'data quality:' set.err)" ]
XPCS_DRIFT_WARNING=0.9 XPCS_DRIFT_CRITICAL=0.95 corr 1 -r d/damage.h5 -q d/c_qmap.h5 -o env >env.out 2>env.err || bad "XPCS_DRIFT_*"
check "XPCS_DRIFT_WARNING=0.9: no drift" grep -q "data quality: ok" env.err

# clean data, 10 seeds: no warning
clean=0
for s in 1 2 3 4 5 6 7 8 9 10; do
    synth -o cl -n s$s --rows 64 --cols 64 --frames 2000 --seed $s
    corr 2 -r cl/s$s.h5 -q cl/s${s}_qmap.h5 -o clo --set monitoring.enable_report=false >cl.out 2>cl.err || bad "seed $s"
    grep "quality" cl.err
    grep -q "^xpcs-corr: data quality: ok$" cl.err && clean=$((clean + 1))
done
check "clean synthetic data at 10 seeds: no warning ($clean of 10 ok)" [ $clean -eq 10 ]
finish
