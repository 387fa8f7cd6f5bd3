#!/bin/bash
# Batch job scripts and the scaling / regression tools: every job script
# passes bash -n, carries its scheduler header and commented module load
# lines; run outside a scheduler with a local launcher and XPCS_DRY_RUN=1
# each one reaches xpcs-corr --dry-run (the plan is printed, nothing is
# written), on a Rigaku 3M set too; the batch and array scripts go through
# xpcs-corr's batch mode, whose dry run skips finished files (the 3M set's
# result under xpcs-corr's own name); array tasks are small and shared; the
# batch resumes and reports failures; the scaling driver makes its table and
# plots, warns when oversubscribed; the regression check fails on a
# throughput drop beyond the tolerance and passes within it.  The Spack
# recipe mirrors the CMake options (tests/lib/spack_check.py).
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

# The batch scripts hand the list to xpcs-corr's batch mode: its dry run
# names what would run and what would be skipped, with xpcs-corr's own
# result names (a Rigaku 3M set NAME.bin.000 -> NAME_results.hdf).
printf 'd/j1.h5\n# a comment\n\nd/j2.h5 d/j2_qmap.h5\n' >list.txt
for f in slurm/xpcs_batch.sbatch pbs/xpcs_batch.pbs; do
    RAW_LIST=list.txt run bash "$REPO/jobs/$f" >"$(basename "$f").log" 2>&1
    check "$f dry run: batch mode plans both files" \
        test "$(grep -c '^batch: would run' "$(basename "$f").log")" -eq 2
done
check "dry runs wrote no result" test ! -e jobout/j1_results.hdf -a ! -e jobout/j2_results.hdf

# a Rigaku 3M module set: the single-file scripts plan it (2 ranks, the 1676 x 2100 canvas)
synth -o d -n r3 --rows 1676 --cols 2100 --frames 6 --rate 0.001 --iid --n-dq 4 --format rigaku3m
for f in slurm/xpcs_single.sbatch pbs/xpcs_single.pbs; do
    RAW=d/r3.bin.003 QMAP=d/r3_qmap.h5 run bash "$REPO/jobs/$f" >"r3-$(basename "$f").log" 2>&1
    rc=$?
    check "$f dry run of a Rigaku 3M set exits 0 (got $rc)" test "$rc" -eq 0
    check "$f dry run plans the 3M canvas on 2 ranks" \
        bash -c "grep -q 'rank 1 owns pixels' r3-$(basename "$f").log && grep -q '1676 x 2100' r3-$(basename "$f").log"
done
check "3M dry runs wrote no result" test ! -e jobout/r3_results.hdf

# finished files are skipped: the 3M set (its result under xpcs-corr's name) and j1
unset XPCS_DRY_RUN
corr 1 -r d/r3.bin.000 -q d/r3_qmap.h5 -o "$OUTDIR" >r3real.log 2>&1 || { cat r3real.log; bad "3M run"; }
corr 1 -r d/j1.h5 -q d/j1_qmap.h5 -o "$OUTDIR" >/dev/null 2>&1
check "the 3M set's result is NAME_results.hdf" test -s jobout/r3_results.hdf
printf 'd/r3.bin.000 d/r3_qmap.h5\nd/j1.h5\nd/j2.h5 d/j2_qmap.h5\n' >list3.txt
export XPCS_DRY_RUN=1
for f in slurm/xpcs_batch.sbatch pbs/xpcs_batch.pbs; do
    RAW_LIST=list3.txt run bash "$REPO/jobs/$f" >"skip-$(basename "$f").log" 2>&1
    L=skip-$(basename "$f").log
    check "$f dry run skips the finished 3M set" grep -q "^batch: would skip d/r3.bin.000 (result exists)" "$L"
    check "$f dry run skips the finished j1" grep -q "^batch: would skip d/j1.h5 (result exists)" "$L"
    check "$f dry run runs only j2" \
        bash -c "test \$(grep -c '^batch: would run' $L) -eq 1 && grep -q '^batch: would run d/j2.h5 -> .*jobout/j2_results.hdf' $L"
done
check "no result for j2 after the dry runs" test ! -e jobout/j2_results.hdf

# array tasks: task 2 of CHUNK=1 plans the list's second entry into OUTDIR/part-2
for f in slurm/xpcs_array.sbatch pbs/xpcs_array.pbs; do
    rm -rf jobout/part-2
    RAW_LIST=list3.txt SLURM_ARRAY_TASK_ID=2 PBS_ARRAY_INDEX=2 run bash "$REPO/jobs/$f" \
        >"array-$(basename "$f").log" 2>&1
    L=array-$(basename "$f").log
    check "$f task 2: its entry only, into part-2" \
        bash -c "test \$(grep -c '^batch: would run' $L) -eq 1 && grep -q '^batch: would run d/j1.h5 -> .*jobout/part-2/j1_results.hdf' $L"
    check "$f: small shared tasks (no exclusive node)" \
        bash -c "! grep -qE '^#SBATCH --exclusive|^#PBS -l place=.*excl' '$REPO/jobs/$f'"
done
unset XPCS_DRY_RUN

# a real batch: one file done before (skipped), one missing file fails alone
printf 'd/j1.h5\nd/nope.h5\nd/j2.h5 d/j2_qmap.h5\n' >list2.txt
RAW_LIST=list2.txt run bash "$REPO/jobs/slurm/xpcs_batch.sbatch" >real.log 2>&1
rc=$?
check "batch with a bad file exits non-zero (got $rc)" test "$rc" -ne 0
check "batch: 1 done, 1 skipped, 1 failed" grep -q "batch: 3 file(s): 1 done, 1 skipped, 1 failed" real.log
check "the good file after the bad one was done" test -s jobout/j2_results.hdf
check "the batch summary was written" test -s jobout/batch_summary.json
for f in "$REPO"/jobs/slurm/*.sbatch "$REPO"/jobs/pbs/*.pbs; do
    check "$(basename "$f"): commented module load lines" grep -q "^#   module load" "$f"
    check "$(basename "$f"): no loop of its own over raw files" bash -c "! grep -q 'while read' '$f'"
done

# the Spack recipe: loads, mirrors every CMake option, maps the BLAS providers
check "spack/packages/xpcs-toolkit/package.py mirrors the CMake options" \
    run "$PY" "$TESTS/lib/spack_check.py" "$REPO"

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
