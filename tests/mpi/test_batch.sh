#!/bin/bash
# Batch runs: five files of different sizes (one with its own q-map, from
# --raw-list) plus a corrupt one on 3 ranks (rank 0 schedules, 2 groups of 1):
# every result is bit-identical to its single run, the corrupt file fails
# alone with its error, the exit status is non-zero, the summary JSON and the
# stdout lines say what happened.  Rerun: everything is skipped.  Resume: a
# batch killed with SIGKILL (every process of its session) mid-run and rerun
# leaves the same results as single runs and no temporary file.  Bad batch
# arguments stop before any file runs, with one error line.
source "$(dirname "$0")/../lib/lib.sh"
Q=d/s1_qmap.h5
for i in 1 2 3 4; do
    synth -o d -n s$i --rows 24 --cols 20 --frames $((i * i * 250 + 100)) --seed $i --n-dq 4
done
synth -o d -n s5 --rows 30 --cols 26 --frames 1700 --seed 5 --n-dq 3 # its own q-map
head -c 3000 d/s2.h5 >d/bad.h5
printf '# list: RAW [QMAP]\nd/s4.h5\n\n  d/s5.h5\td/s5_qmap.h5\n' >list.txt

for i in 1 2 3 4 5; do
    q=$Q
    [ $i = 5 ] && q=d/s5_qmap.h5
    corr 1 -r d/s$i.h5 -q $q -o single >single$i.log 2>&1 || { cat single$i.log; bad "single run s$i"; }
done

corr 3 --ranks-per-file 1 -q $Q -o b -r d/s1.h5 -r d/s2.h5 d/bad.h5 d/s3.h5 --raw-list list.txt \
    >b1.out 2>b1.err
rc=$?
cat b1.out
check "batch with a corrupt file exits non-zero (rc $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
for i in 1 2 3 4 5; do
    check "batch s$i identical to its single run" run "$PY" "$ORACLES/compare.py" single/s${i}_results.hdf b/s${i}_results.hdf
done
check "five 'done' lines and one 'failed' line" test "$(grep -c '^batch: done ' b1.out)" = 5 -a "$(grep -c '^batch: failed ' b1.out)" = 1
check "the failed line names the corrupt file" grep -q '^batch: failed .*bad_results.hdf.*error: d/bad.h5' b1.out
check "one error line on stderr, naming it" test "$(grep -c '^xpcs-corr: error: d/bad.h5' b1.err)" = 1
check "last stdout line is the summary path" test "$(tail -n 1 b1.out)" = b/batch_summary.json
check "no result and no temporary file for the corrupt file, no *.tmp" \
    test -z "$(find b -name 'bad_results*' -o -name '*.tmp')"
check "summary: 2 groups of 1 rank, both used, statuses, error" run "$PY" - b/batch_summary.json <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
f = {x["raw"]: x for x in s["files"]}
ok = s["complete"] and s["scheduler_rank"] and s["n_ranks"] == 3
ok &= [g["ranks"] for g in s["groups"]] == [1, 1] and all(g["files"] >= 1 for g in s["groups"])
ok &= s["totals"] == {"files": 6, "pending": 0, "running": 0, "done": 5, "skipped": 0, "failed": 1}
ok &= f["d/bad.h5"]["status"] == "failed" and "d/bad.h5" in f["d/bad.h5"]["error"]
ok &= f["d/s5.h5"]["qmap"] == "d/s5_qmap.h5" and f["d/s4.h5"]["qmap"] == "d/s1_qmap.h5"
ok &= all(x["status"] == "done" and x["seconds"] > 0 and x["error"] is None
          for k, x in f.items() if k != "d/bad.h5")
ok &= s["exit_status"] == 3
print([(g["group"], g["files"], round(g["busy_seconds"], 3)) for g in s["groups"]])
sys.exit(0 if ok else 1)
PYEOF

# rerun: existing results are skipped and left untouched
cp b/s3_results.hdf s3.before
corr 3 --ranks-per-file 1 -q $Q -o b -r d/s1.h5 -r d/s2.h5 d/bad.h5 d/s3.h5 --raw-list list.txt \
    >b2.out 2>b2.err
rc=$?
check "rerun: 5 skipped, the corrupt file fails again (rc $rc)" \
    test "$(grep -c '^batch: skipped ' b2.out)" = 5 -a "$(grep -c '^batch: failed ' b2.out)" = 1 -a "$rc" -eq 3
check "rerun: results untouched" cmp -s s3.before b/s3_results.hdf
# -w recomputes; automatic layout on 2 ranks; a quoted pattern
corr 2 -w -q $Q -o b -r 'd/s[1-3].h5' >b3.out 2>&1
rc=$?
check "-w with a pattern: 3 done (rc $rc)" test "$(grep -c '^batch: done ' b3.out)" = 3 -a "$rc" -eq 0
check "-w result identical" run "$PY" "$ORACLES/compare.py" single/s3_results.hdf b/s3_results.hdf

# bad batch arguments: one error line, exit 2, nothing runs
expect_usage() { # DESCRIPTION PATTERN ARGS...
    local d=$1 pattern=$2
    shift 2
    corr 2 "$@" >u.out 2>u.err
    local rc=$?
    if [ "$rc" -eq 2 ] && [ "$(grep -c '^xpcs-corr: error:' u.err)" -eq 1 ] &&
        grep '^xpcs-corr: error:' u.err | grep -Eq "$pattern"; then
        ok "$d: $(grep '^xpcs-corr: error:' u.err)"
    else
        cat u.out u.err
        bad "$d (rc $rc)"
    fi
}
mkdir -p d2 && cp d/s1.h5 d2/s1.h5
expect_usage "two raw files with one result name" "d/s1.h5 and d2/s1.h5 would both write" -q $Q -o u1 -r d/s1.h5 -r d2/s1.h5
expect_usage "pattern without a match" "no file matches" -q $Q -o u2 -r 'd/nothing*.h5' -r d/s1.h5
printf 'd/s1.h5\n' >noq.txt
expect_usage "list line without a q-map and no -q" "noq.txt line 1: no q-map" -o u3 --raw-list noq.txt
printf 'd/s1.h5 a b\n' >three.txt
expect_usage "list line with three fields" "three.txt line 1: 3 fields" -q $Q -o u4 --raw-list three.txt
expect_usage "missing list file" "nolist.txt: cannot open" -q $Q -o u5 --raw-list nolist.txt

# resume after SIGKILL: eight copies of one stack (identical results)
synth -o k -n k --rows 64 --cols 64 --frames 24000 --seed 9
for i in 1 2 3 4 5 6 7 8; do
    cp k/k.h5 k/c$i.h5
    cp k/k_metadata.hdf k/c${i}_metadata.hdf
done
corr 1 -r k/k.h5 -q k/k_qmap.h5 -o ksingle >ksingle.log 2>&1 || { cat ksingle.log; bad "single run k"; }
KOUT=$WORK/kout
echo "+ setsid $MPIEXEC $NPFLAG 3 xpcs-corr --ranks-per-file 1 ... -o $KOUT k/c?.h5 &"
setsid "$MPIEXEC" "$NPFLAG" 3 "$XPCS_BIN/xpcs-corr" --ranks-per-file 1 -q k/k_qmap.h5 -o "$KOUT" \
    k/c1.h5 k/c2.h5 k/c3.h5 k/c4.h5 k/c5.h5 k/c6.h5 k/c7.h5 k/c8.h5 >kill.out 2>&1 &
sid=$!
for _ in $(seq 1 1200); do
    [ -n "$(ls "$KOUT"/*_results.hdf 2>/dev/null)" ] && break
    sleep 0.05
done
# Open MPI gives each rank its own process group but keeps them in the
# session setsid made: kill every process of that session, by id
n_before=$(ls "$KOUT"/*_results.hdf 2>/dev/null | wc -l)
pids=$(ps -o pid= -s "$sid")
echo "+ kill -9 $(echo $pids) (session $sid; $n_before result(s) written)"
kill -9 $pids 2>/dev/null
wait "$sid" 2>/dev/null
for _ in $(seq 1 100); do
    alive=$(ps -o pid=,stat= -s "$sid" | awk '$2 !~ /^Z/')
    [ -z "$alive" ] && break
    sleep 0.05
done
check "no process of the killed batch survives" test -z "$alive"
n_after=$(ls "$KOUT"/*_results.hdf | wc -l)
check "killed mid-batch ($n_after of 8 results)" test "$n_before" -ge 1 -a "$n_after" -lt 8
check "the killed batch's summary says incomplete" run "$PY" -c "
import json, sys; sys.exit(0 if not json.load(open('$KOUT/batch_summary.json'))['complete'] else 1)"
# as if killed while writing c8: the temporary of a writer whose pid is gone
# (core/publish.h names: FINAL.<FNV-1a of the host name>.<pid>.<random>.tmp)
true &
dead=$!
wait "$dead"
run "$PY" - "$KOUT/c8_results.hdf" "$dead" <<'PYEOF'
import socket, sys
h = 2166136261
for c in socket.gethostname().encode():
    h = ((h ^ c) * 16777619) & 0xFFFFFFFF
open("%s.%08x.%s.%08x.tmp" % (sys.argv[1], h, sys.argv[2], 0x1234abcd), "w").write("garbage")
PYEOF
corr 3 --ranks-per-file 1 -q k/k_qmap.h5 -o "$KOUT" k/c1.h5 k/c2.h5 k/c3.h5 k/c4.h5 k/c5.h5 \
    k/c6.h5 k/c7.h5 k/c8.h5 >resume.out 2>&1
rc=$?
cat resume.out
check "rerun finishes the rest (rc $rc): $n_after skipped" \
    test "$rc" -eq 0 -a "$(grep -c '^batch: skipped ' resume.out)" = "$n_after" -a "$(grep -c '^batch: done ' resume.out)" = $((8 - n_after))
check "no temporary file left" test -z "$(find "$KOUT" -name '*.tmp')"
for i in 1 2 3 4 5 6 7 8; do
    check "resumed c$i identical to the single run" run "$PY" "$ORACLES/compare.py" ksingle/k_results.hdf "$KOUT/c${i}_results.hdf"
done
finish
