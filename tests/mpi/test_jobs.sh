#!/bin/bash
# Batch job scripts and the scaling / regression tools: every job script
# passes bash -n and carries its scheduler header; run outside a scheduler
# with a local launcher and XPCS_DRY_RUN=1 each one reaches xpcs-corr
# --dry-run (the plan is printed, nothing is written); the batch script
# resumes and reports failures; the scaling driver makes its table and
# plots, warns when oversubscribed; the regression check fails on a
# throughput drop beyond the tolerance and passes within it.
source "$(dirname "$0")/../lib/lib.sh"
REPO=$(cd "$TESTS/.." && pwd)
synth -o d -n j1 --rows 24 --cols 20 --frames 300
synth -o d -n j2 --rows 24 --cols 20 --frames 200

for f in "$REPO"/jobs/slurm/*.sbatch "$REPO"/jobs/pbs/*.pbs; do
    check "bash -n $(basename "$f")" bash -n "$f"
done
for f in "$REPO"/jobs/slurm/*.sbatch; do
    check "$(basename "$f") has Slurm binding settings" \
        grep -q -- "^#SBATCH --cpus-per-task" "$f"
done
for f in "$REPO"/jobs/pbs/*.pbs; do
    check "$(basename "$f") has a PBS select line" grep -q "^#PBS -l select=.*ompthreads=" "$f"
done

# dry runs outside the scheduler: the local launcher stands in for srun / mpiexec
export XPCS_HOME=$REPO XPCS_DRY_RUN=1 XPCS_LAUNCHER="$MPIEXEC $NPFLAG 2"
export RAW=d/j1.h5 QMAP=d/j1_qmap.h5 OUTDIR=$WORK/jobout
for f in slurm/xpcs_single.sbatch pbs/xpcs_single.pbs; do
    run bash "$REPO/jobs/$f" >"$(basename "$f").log" 2>&1
    rc=$?
    check "$f dry run exits 0 (got $rc)" test "$rc" -eq 0
    check "$f dry run prints the 2-rank plan" grep -q "rank 1 owns pixels" "$(basename "$f").log"
done
check "dry runs wrote no result" test ! -e jobout/j1_results.hdf

printf 'd/j1.h5\n# a comment\n\nd/j2.h5 d/j2_qmap.h5\n' >list.txt
for f in slurm/xpcs_batch.sbatch pbs/xpcs_batch.pbs; do
    RAW_LIST=list.txt run bash "$REPO/jobs/$f" >"$(basename "$f").log" 2>&1
    check "$f dry run plans both files" test "$(grep -c 'rank 1 owns pixels' "$(basename "$f").log")" -eq 2
done
check "batch summary line" grep -q "batch: 2 done, 0 skipped, 0 failed" xpcs_batch.sbatch.log

# a real batch: one file done before (skipped), one missing file fails alone
unset XPCS_DRY_RUN
corr 1 -r d/j1.h5 -q d/j1_qmap.h5 -o "$OUTDIR" >/dev/null 2>&1
printf 'd/j1.h5\nd/nope.h5\nd/j2.h5 d/j2_qmap.h5\n' >list2.txt
RAW_LIST=list2.txt run bash "$REPO/jobs/slurm/xpcs_batch.sbatch" >real.log 2>&1
rc=$?
check "batch with a bad file exits non-zero (got $rc)" test "$rc" -ne 0
check "batch: 1 done, 1 skipped, 1 failed" grep -q "batch: 1 done, 1 skipped, 1 failed" real.log
check "the good file after the bad one was done" test -s jobout/j2_results.hdf

# the scaling job scripts reach the driver's dry run
export XPCS_DRY_RUN=1 XPCS_LAUNCHER="$MPIEXEC $NPFLAG {ranks}" RANKS=1,2 THREADS=1 REPEAT=1
for f in slurm/xpcs_scaling.sbatch pbs/xpcs_scaling.pbs; do
    OUTDIR=$WORK/sc-$(basename "$f") run bash "$REPO/jobs/$f" >"$(basename "$f").log" 2>&1
    check "$f dry run plans 2 configurations" grep -q "dry run of 2 configuration(s) done" "$(basename "$f").log"
done
unset XPCS_DRY_RUN RAW QMAP OUTDIR

# the scaling driver for real on a tiny problem, with an oversubscribed point
run "$PY" "$REPO/tools/scaling_study.py" --bin "$XPCS_BIN" --ranks 1,2 --threads 1 \
    --synth 32x32x600 --outdir sc --cores 1 --launcher "$MPIEXEC $NPFLAG {ranks}" >sc.log 2>&1 ||
    { cat sc.log; bad "scaling_study.py"; }
check "oversubscription warned" grep -q "warning: 2 rank(s) x 1 thread(s) = 2 > 1 cores: oversubscribed" sc.log
check "scaling outputs written" test -s sc/scaling.csv -a -s sc/scaling.md -a -s sc/speedup.svg -a -s sc/efficiency.svg -a -s sc/phases.svg -a -s sc/profiles/r2_t1.json
check "scaling table: base speedup 1, a row per run" run "$PY" - sc/scaling.csv <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ok = len(rows) == 2 and float(rows[0]["speedup"]) == 1.0 and rows[1]["oversubscribed"] == "yes"
ok &= all(float(r["pixel_frames_per_s"]) > 0 and float(r["multitau_max_s"]) > 0 for r in rows)
ok &= abs(float(rows[1]["scaling_efficiency"]) - float(rows[1]["speedup"]) / 2) < 1e-2
sys.exit(0 if ok else 1)
PYEOF

# regression check: the same profile passes; 30 % slower fails at 10 % tolerance
P=sc/profiles/r1_t1.json
"$PY" - "$P" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
for name, f in (("slow.json", 0.7), ("fine.json", 0.95)):
    q = json.loads(json.dumps(p))
    q["summary"]["pixel_frames_per_s"] *= f
    json.dump(q, open(name, "w"))
q = json.loads(json.dumps(p))
q["run"]["rows"] += 1
json.dump(q, open("other.json", "w"))
PYEOF
run "$PY" "$REPO/tools/profile_regress.py" "$P" "$P" >r0.txt
check "regression check: identical profiles pass" test $? -eq 0
run "$PY" "$REPO/tools/profile_regress.py" "$P" fine.json --tolerance 0.10 >r1.txt
check "regression check: 5 % slower passes at 10 %" test $? -eq 0
run "$PY" "$REPO/tools/profile_regress.py" "$P" slow.json --tolerance 0.10 >r2.txt
rc=$?
check "regression check: 30 % slower fails at 10 % (exit $rc)" test "$rc" -eq 1
check "regression verdict printed" grep -q "REGRESSION" r2.txt
run "$PY" "$REPO/tools/profile_regress.py" "$P" other.json >r3.txt 2>&1
check "regression check: different problem refused (exit 2)" test $? -eq 2
finish
