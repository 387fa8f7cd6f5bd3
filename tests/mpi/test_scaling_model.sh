#!/bin/bash
# The mechanics of tools/scaling_model.py (not its accuracy, not a timing):
# its copy of the automatic step rule equals the plan's (--dry-run) at 1 to
# 64 ranks; its message counts equal the profile's at 8 and 24 ranks, with
# the automatic step and with --step-frames; calibrate, check, predict and
# plot run, predictions add up term by term, the step rule of before grows
# the steps with the data and today's does not grow them with the ranks; a
# check with a tolerance it cannot meet fails.
source "$(dirname "$0")/../lib/lib.sh"
M="$PY $TESTS/../tools/scaling_model.py"
synth -o d -n a --rows 96 --cols 64 --frames 900 --rate 0.4 --n-dq 4 --seed 3
synth -o d -n b --rows 400 --cols 300 --frames 200 --rate 0.1 --n-dq 4 --seed 4

# the step rule: the model's copy against the plan of --dry-run
for np in 1 3 8 64; do
    for s in a b; do
        corr $np -r d/$s.h5 -q d/${s}_qmap.h5 -o dry --dry-run >dry_${s}_$np.log 2>&1 ||
            { cat dry_${s}_$np.log; bad "dry run $s at $np ranks"; }
    done
done
for s in a b; do # a tight budget: the step of before (b: 128 frames, not 200)
    corr 3 -r d/$s.h5 -q d/${s}_qmap.h5 -o dry --dry-run --max-memory 100 >dry_${s}_m.log 2>&1 ||
        { cat dry_${s}_m.log; bad "dry run $s at 3 ranks, 100 MiB"; }
done
check "the model's step rule is the plan's (2 shapes x 1, 3, 8, 64 ranks, and 3 at --max-memory 100, where b keeps the step of before)" "$PY" - "$TESTS/../tools" <<'PYEOF'
import json, sys
sys.path.insert(0, sys.argv[1])
import scaling_model as sm
bad = 0
for np, s in [(n, s) for n in (1, 3, 8, 64) for s in "ab"] + [("m", "a"), ("m", "b")]:
    line = [l for l in open(f"dry_{s}_{np}.log") if l.startswith("plan: json ")][0]
    p = json.loads(line[len("plan: json "):])
    want = sm.auto_step(p["n_ranks"], p["rows"] * p["cols"], p["n_corr_pixels"], 2, 2,
                        p["n_frames"], budget=p["mem_budget_bytes"])
    print(s, np, "plan", p["step_frames"], "model", want)
    bad += want != p["step_frames"]
sys.exit(bad)
PYEOF

# profiles at 1, 2 and 8 ranks (and 24 with a fixed step): messages and calibration
export XPCS_ENABLE_PROFILING=1
for np in 1 2 8; do
    corr $np -r d/a.h5 -q d/a_qmap.h5 -o p$np -w --kernel dense >/dev/null 2>&1 || bad "run at $np"
    cp p$np/a_profile.json prof_a_$np.json
done
corr 24 -r d/b.h5 -q d/b_qmap.h5 -o p24 -w --step-frames 48 >/dev/null 2>&1 || bad "run at 24"
cp p24/b_profile.json prof_b_24.json
corr 8 -r d/a.h5 -q d/a_qmap.h5 -o p8t -w -t twotime --kernel dense >/dev/null 2>&1 || bad "2t"
cp p8t/a_profile.json prof_t_8.json
unset XPCS_ENABLE_PROFILING
check "message counts predicted = measured (8 ranks; 24 ranks with --step-frames 48)" \
    $M messages prof_a_8.json prof_b_24.json prof_a_1.json
check "calibrate from 1, 2 and 8 ranks (multi-tau and two-time)" \
    $M calibrate prof_a_1.json prof_a_2.json prof_a_8.json prof_t_8.json -o coef.json
check "check: a tolerance that is met passes" $M check --coef coef.json --tolerance 100 prof_a_2.json
expect_rc=0
$M check --coef coef.json --tolerance 0 prof_a_2.json prof_a_8.json >tight.log 2>&1 || expect_rc=$?
check "check: a tolerance of 0 fails (exit 1)" test $expect_rc -eq 1

# predictions: terms add up, the two step rules, the plots
for rule in per-rank fixed; do
    $M predict --coef coef.json --machine polaris-cpu --workload eiger4m-multitau \
        --step-rule $rule --json >pred_$rule.json || bad "predict $rule"
done
check "predictions: every term >= 0, totals = sum of the terms; steps: before fixed, today 1/P" \
    "$PY" - <<'PYEOF'
import json, sys
terms = ["setup", "read", "decode", "saxs", "pack", "exchange", "kernel", "reduce", "write"]
new, old = json.load(open("pred_per-rank.json")), json.load(open("pred_fixed.json"))
for rows in (new, old):
    for r in rows:
        assert all(r[t] >= 0 for t in terms), r
        assert abs(sum(r[t] for t in terms) - r["total"]) <= 1e-9 * r["total"], r
assert len({r["steps"] for r in old}) == 1, [r["steps"] for r in old]  # before: fixed
assert all(a["steps"] > b["steps"] for a, b in zip(new, new[1:]) if b["step_frames"] < 100000), new
assert new[-1]["total"] < old[-1]["total"], (new[-1], old[-1])
print("steps before", old[0]["steps"], "today", [r["steps"] for r in new])
PYEOF
check "plots: one strong and one weak SVG per workload, well-formed" "$PY" - "$M" <<'PYEOF'
import glob, subprocess, sys, xml.dom.minidom
subprocess.run(sys.argv[1].split() + ["plot", "--coef", "coef.json", "-o", "plots"], check=True,
               stdout=subprocess.DEVNULL)
svgs = sorted(glob.glob("plots/*.svg"))
assert len(svgs) == 6, svgs
for s in svgs:
    xml.dom.minidom.parse(s)
PYEOF
finish
