#!/bin/bash
# Hostile writes (issue 17, part A): every writer publishes through
# core/publish.h.
#  1. symbolic links at the old fixed temporary names and at the final names
#     of the result, profile, report, xpcs-fit, xpcs-average, xpcs-report,
#     the batch summary and xpcs-synth: the link's target keeps its content
#     and mode, the run fails cleanly or writes a regular file, never a link;
#  2. two runs into one folder at once, with and without HDF5 file locking:
#     the result is one run's complete result, the other run fails with one
#     line (without -w) or both succeed (-w); no mixture, no temporary left;
#  3. full disks (20 KiB and 100 KiB tmpfs; a result that fits but its copy
#     does not, for xpcs-fit), a read-only file system and a report name
#     taken by a directory: exit 4, one line naming the file and the cause,
#     nothing left behind, no crash;
#  4. signals: SIGTERM to mpirun mid-run (no temporary within 3 s, the
#     ranks' 143 or mpirun's report of it), SIGTERM to the ranks (143),
#     SIGUSR1 (138); a batch stopped by SIGTERM leaves the file pending and a
#     rerun resumes it; a batch starting beside a live run keeps that run's
#     temporary.
# Mounting tmpfs needs root: where it is refused the full-disk checks are
# skipped ("skipped: cannot mount tmpfs"), the rest runs, and the test exits
# 77 (ctest: skipped) if everything else passed.
source "$(dirname "$0")/../lib/lib.sh"
# tmpfs left mounted by an interrupted earlier run of this test
awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null
done
rm -rf "${WORK:?}"/*

synth -o d -n s --rows 64 --cols 64 --frames 1500 --seed 3
Q=d/s_qmap.h5
corr 2 -r d/s.h5 -q $Q -o ref >ref.log 2>&1 || { cat ref.log; bad "reference run"; }
corr 2 -r d/s.h5 -q $Q -o refB -a 2 >refB.log 2>&1 || { cat refB.log; bad "reference run -a 2"; }

mpi() { "$MPIEXEC" "$NPFLAG" "$@"; }
victim() { printf 'VICTIM\n' >victim && chmod 600 victim; }
victim_ok() { [ "$(cat victim)" = VICTIM ] && [ "$(stat -c %a victim)" = 600 ]; }
regular() { [ -f "$1" ] && [ ! -L "$1" ]; }
no_tmp() { [ -z "$(find "$@" -name '*.tmp*' ! -type l 2>/dev/null)" ]; }
errors() { grep -c 'error:' "$1"; } # error lines of a run's stderr
# same_run RESULT REFERENCE: one run's complete result (data and frame range)
same_run() {
    "$PY" - "$1" "$2" <<'PYEOF'
import sys, h5py
paths = ["/xpcs/multitau/normalized_g2", "/xpcs/multitau/normalized_g2_err",
         "/xpcs/multitau/delay_list", "/xpcs/temporal_mean/scattering_2d",
         "/xpcs/temporal_mean/scattering_1d", "/xpcs/spatial_mean/intensity_vs_time",
         "/xpcs/multitau/config/avg_frame", "/xpcs/multitau/config/begin_frame",
         "/xpcs/multitau/config/end_frame", "/entry/instrument/detector_1/frame_time"]
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    sys.exit(0 if all(a[p][()].tobytes() == b[p][()].tobytes() for p in paths) else 1)
PYEOF
}

# ---- 1. symbolic links ------------------------------------------------------
victim
mkdir o1
for n in s_results.hdf.tmp s_profile.json.tmp s_report.html.tmp s_profile.json s_report.html; do
    ln -s ../victim "o1/$n"
done
corr 2 -r d/s.h5 -q $Q -o o1 >o1.log 2>&1
rc=$?
check "links at the old temporary names and at profile/report: run succeeds (rc $rc)" test $rc -eq 0
check "result, profile and report are regular files" \
    regular o1/s_results.hdf -a regular o1/s_profile.json -a regular o1/s_report.html
check "the links' target is untouched (content, mode 0600)" victim_ok

mkdir o2
ln -s ../victim o2/s_results.hdf
corr 2 -r d/s.h5 -q $Q -o o2 >o2.out 2>o2.err
rc=$?
check "a link at the result path without -w: the next free name, as boost_corr (rc $rc)" \
    eval "test $rc -eq 0 && test \"\$(tail -n 1 o2.out)\" = o2/s_results_1.hdf && regular o2/s_results_1.hdf"
check "... the link stays, its target untouched, no temporary" \
    eval "test -L o2/s_results.hdf && victim_ok && no_tmp o2"
corr 2 -r d/s.h5 -q $Q -o o2 -w >o2w.log 2>&1
rc=$?
check "with -w: the link is replaced by the result (rc $rc)" \
    eval "test $rc -eq 0 && regular o2/s_results.hdf && victim_ok && same_run o2/s_results.hdf ref/s_results.hdf"
mkdir o3
ln -s ../nowhere o3/s_results.hdf # dangling
corr 2 -r d/s.h5 -q $Q -o o3 >o3.out 2>o3.err
check "a dangling link at the result path counts as existing (rc $?)" \
    eval "regular o3/s_results_1.hdf && test -L o3/s_results.hdf && no_tmp o3"

mkdir f1
cp ref/s_results.hdf f1/real.hdf
chmod 640 f1/real.hdf
ln -s real.hdf f1/l_results.hdf
ln -s ../victim f1/l_results.hdf.tmp
SUM=$(md5sum <f1/real.hdf)
run "$XPCS_BIN/xpcs-fit" f1/l_results.hdf --model single >fit1.out 2>&1
rc=$?
check "xpcs-fit through a link: succeeds, the link becomes a regular file with the fit (rc $rc)" \
    eval "test $rc -eq 0 && regular f1/l_results.hdf && '$PY' -c \"import h5py; h5py.File('f1/l_results.hdf','r')['/xpcs/fit/single/params']\""
check "... the link's target and the victim are untouched" \
    eval "test \"\$(md5sum <f1/real.hdf)\" = '$SUM' && test \$(stat -c %a f1/real.hdf) = 640 && victim_ok"
cp ref/s_results.hdf f1/m_results.hdf
chmod 640 f1/m_results.hdf
run "$XPCS_BIN/xpcs-fit" f1/m_results.hdf >/dev/null 2>&1
check "xpcs-fit keeps the result's mode (640)" test "$(stat -c %a f1/m_results.hdf)" = 640

mkdir a1
cp ref/s_results.hdf a1/r1_results.hdf
cp ref/s_results.hdf a1/r2_results.hdf
ln -s ../victim a1/avg.hdf.tmp
ln -s ../victim a1/avg.hdf
run "$XPCS_BIN/xpcs-average" -o a1/avg.hdf a1/r1_results.hdf a1/r2_results.hdf >a1.out 2>a1.err
rc=$?
check "xpcs-average onto a link without -w: exit 4, one line, link kept (rc $rc)" \
    eval "test $rc -eq 4 && test \$(grep -c . a1.err) = 1 && test -L a1/avg.hdf && victim_ok"
run "$XPCS_BIN/xpcs-average" -w -o a1/avg.hdf a1/r1_results.hdf a1/r2_results.hdf >a1w.out 2>&1
rc=$?
check "xpcs-average -w: a regular file, target untouched (rc $rc)" \
    eval "test $rc -eq 0 && regular a1/avg.hdf && victim_ok && no_tmp a1"

mkdir r1
ln -s ../victim r1/page.html
ln -s ../victim r1/page.html.tmp
run "$XPCS_BIN/xpcs-report" o1/s_results.hdf -o r1/page.html >r1.log 2>&1
rc=$?
check "xpcs-report onto links: a regular page, target untouched (rc $rc)" \
    eval "test $rc -eq 0 && regular r1/page.html && victim_ok"

mkdir b1
ln -s ../victim b1/batch_summary.json
ln -s ../victim b1/batch_summary.json.tmp
corr 2 -q $Q -o b1 -r d/s.h5 ref/s_results.hdf >b1.log 2>&1 # the second file fails: no frames
check "batch summary onto links: a regular file, target untouched" \
    eval "regular b1/batch_summary.json && victim_ok && no_tmp b1"

mkdir y1
ln -s ../victim y1/n.h5.tmp
ln -s ../victim y1/n_qmap.h5
run "$XPCS_BIN/xpcs-synth" -o y1 -n n --rows 16 --cols 16 --frames 50 >/dev/null 2>&1
rc=$?
check "xpcs-synth onto links: regular files, target untouched (rc $rc)" \
    eval "test $rc -eq 0 && regular y1/n.h5 && regular y1/n_qmap.h5 && victim_ok && no_tmp y1"

# ---- 2. two runs into one folder ---------------------------------------------
for lock in TRUE FALSE; do
    for w in "" -w; do
        c=c_${lock}$w
        mkdir "$c"
        HDF5_USE_FILE_LOCKING=$lock mpi 2 "$XPCS_BIN/xpcs-corr" -r d/s.h5 -q $Q -o "$c" $w \
            >"$c.a.out" 2>"$c.a.err" &
        pa=$!
        HDF5_USE_FILE_LOCKING=$lock mpi 2 "$XPCS_BIN/xpcs-corr" -r d/s.h5 -q $Q -o "$c" -a 2 $w \
            >"$c.b.out" 2>"$c.b.err" &
        pb=$!
        wait $pa
        ra=$?
        wait $pb
        rb=$?
        if [ -z "$w" ] && [ $((ra + rb)) -eq 0 ]; then
            # the later run saw the first one's result and took the next name (boost_corr's rule)
            check "locking $lock, two runs: both succeed, one in s_results_1.hdf" \
                eval "regular $c/s_results_1.hdf"
        elif [ -z "$w" ]; then
            okrc=$([ $((ra + rb)) -eq 4 ] && [ $((ra * rb)) -eq 0 ] && echo 1)
            lost=$([ $ra -eq 4 ] && echo a || echo b)
            check "locking $lock, two runs: one wins, the other exits 4 with one line (rc $ra, $rb)" \
                eval "test '$okrc' = 1 && test \$(errors $c.$lost.err) = 1 && grep -q 'exists' $c.$lost.err"
        else
            check "locking $lock, two runs with -w: both succeed (rc $ra, $rb)" test $ra -eq 0 -a $rb -eq 0
        fi
        check "... the result is one run's complete result, no temporary" \
            eval "(same_run $c/s_results.hdf ref/s_results.hdf || same_run $c/s_results.hdf refB/s_results.hdf) && no_tmp $c"
    done
done

# ---- 3. full disks and write errors ------------------------------------------
SKIPPED=0
MOUNTS=()
tmpfs() { # tmpfs DIR SIZE: mount a tmpfs of SIZE at DIR
    mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null && MOUNTS+=("$1")
}
trap 'for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done' EXIT
# full DESCRIPTION DIR RC_FILE ERR_FILE: exit 4, one error line naming DIR's file
# and ENOSPC, no crash, nothing left in DIR
full() {
    local d=$1 dir=$2 rc=$3 err=$4
    if [ "$rc" -eq 4 ] && [ "$(errors "$err")" = 1 ] && grep -q "$dir/.*No space left on device (ENOSPC)" "$err" &&
        ! grep -qi 'segmentation\|signal\|core dumped' "$err" && [ -z "$(find "$dir" -type f)" ]; then
        ok "$d: $(grep 'error:' "$err")"
    else
        cat "$err"
        find "$dir"
        bad "$d (rc $rc)"
    fi
}
if tmpfs m20 20k && tmpfs m100 100k; then
    for m in m20 m100; do
        corr 2 -r d/s.h5 -q $Q -o $m/out >$m.out 2>$m.err
        full "result on a full ${m#m} KiB tmpfs" $m/out $? $m.err
    done
    # two-time maps that the ranks write themselves (issue 16): the result's
    # first part fits in 2 MiB, the 2 maps (about 9 MB) do not
    synth -o d -n tt --rows 32 --cols 32 --frames 1500 --n-dq 2 --seed 9
    if tmpfs m2m 2m; then
        corr 3 -r d/tt.h5 -q d/tt_qmap.h5 -o m2m/out -t twotime >m2m.out 2>m2m.err
        full "two-time maps of 3 ranks on a full 2 MiB tmpfs" m2m/out $? m2m.err
    fi
    run "$XPCS_BIN/xpcs-synth" -o m100/syn -n n --rows 64 --cols 64 --frames 200 >/dev/null 2>m100s.err
    full "xpcs-synth on a full 100 KiB tmpfs" m100/syn $? m100s.err
    run "$XPCS_BIN/xpcs-average" -o m20/avg.hdf a1/r1_results.hdf a1/r2_results.hdf >/dev/null 2>m20a.err
    full "xpcs-average on a full 20 KiB tmpfs" m20 $? m20a.err
    # the result fits, its copy for the update does not
    KB=$(($(stat -c %s ref/s_results.hdf) / 1024 + 24))
    if tmpfs mfit ${KB}k; then
        cp ref/s_results.hdf mfit/s_results.hdf
        SUM=$(md5sum <mfit/s_results.hdf)
        run "$XPCS_BIN/xpcs-fit" mfit/s_results.hdf >mfit.out 2>mfit.err
        rc=$?
        check "xpcs-fit on a full disk: exit 4, one line with ENOSPC, result untouched (rc $rc)" \
            eval "test $rc -eq 4 && test \$(grep -c . mfit.err) = 1 && grep -q 'ENOSPC' mfit.err && test \"\$(md5sum <mfit/s_results.hdf)\" = '$SUM' && test \$(ls mfit | wc -l) = 1"
    fi
    if tmpfs mro 100k && mkdir mro/out && mount -o remount,ro mro; then
        corr 2 -r d/s.h5 -q $Q -o mro/out >mro.out 2>mro.err
        rc=$?
        check "read-only file system: exit 4, one line (rc $rc): $(grep error: mro.err)" \
            test $rc -eq 4 -a "$(errors mro.err)" = 1
    fi
else
    echo "skipped: cannot mount tmpfs (the full-disk checks need root)"
    SKIPPED=1
fi
mkdir o4
mkdir o4/s_report.html # the report's name is taken: the run fails after its result
corr 2 -r d/s.h5 -q $Q -o o4 >o4.out 2>o4.err
rc=$?
check "a report that cannot be published: exit 4, one line, the result rolled back (rc $rc)" \
    eval "test $rc -eq 4 && test \$(errors o4.err) = 1 && test -z \"\$(find o4 -type f)\""

# ---- 4. signals ----------------------------------------------------------------
synth -o L -n l --rows 64 --cols 64 --frames 3000 --seed 5
TT="-t twotime -d 1-4" # four maps of 36 MB: a run of a few seconds
# start NAME ARGS...: xpcs-corr on 2 ranks in the background (pid in $MPID)
start() {
    local n=$1
    shift
    echo "+ $MPIEXEC $NPFLAG 2 xpcs-corr $* &"
    "$MPIEXEC" "$NPFLAG" 2 "$XPCS_BIN/xpcs-corr" "$@" >"$n.out" 2>"$n.err" & # $! is mpirun
    MPID=$!
}
# finish_in SECONDS: waits for $MPID at most that long; its status in $RC (999: still running)
finish_in() {
    local t
    for t in $(seq 1 $(($1 * 20))); do
        kill -0 $MPID 2>/dev/null || break
        sleep 0.05
    done
    local hung=0
    if kill -0 $MPID 2>/dev/null; then
        hung=1
        kill -9 $MPID $(ps -o pid= --ppid $MPID) 2>/dev/null
    fi
    wait $MPID
    RC=$?
    [ $hung = 0 ] || RC=999
}
stopped() { # stopped NAME DIR SIG: one line naming the signal and the file, nothing in DIR
    [ "$(errors "$1.err")" = 1 ] && grep -q "interrupted by $3 while processing L/l.h5" "$1.err" &&
        [ -z "$(find "$2" -type f 2>/dev/null)" ]
}
# until PATTERN matches a file under DIR (or the run ends)
wait_for() {
    for _ in $(seq 1 800); do
        [ -n "$(find "$1" -name "$2" 2>/dev/null)" ] && return 0
        kill -0 $MPID 2>/dev/null || return 1
        sleep 0.0125
    done
    return 1
}
# SIGTERM to mpirun mid-run: Open MPI 4.1's mpirun passes it on to the ranks
# 1 s later, kills them 1 s after that, and exits 1 itself.  No temporary
# within 3 s; the ranks either stop (one line naming the signal and the
# file, nothing left) or had published their complete result before the
# signal reached them.
STEPS="--step-frames 1" # a frame per step: a run of a few seconds
RC=0
start tm -r L/l.h5 -q L/l_qmap.h5 -o tm $STEPS $TT
wait_for . tm
echo "+ kill -TERM mpirun"
kill -TERM $MPID
sleep 3
check "SIGTERM to mpirun mid-run: no temporary within 3 s" no_tmp tm
finish_in 5
if stopped tm tm SIGTERM; then
    how="stopped: $(grep error: tm.err)"
elif regular tm/l_results.hdf && [ "$(errors tm.err)" = 0 ]; then
    how="finished before the signal reached the ranks"
else
    how=neither
fi
check "... mpirun's exit $RC (its report of it: 1, or the ranks' 143); $how" \
    eval "{ test $RC -eq 1 || test $RC -eq 143; } && test '$how' != neither"
# SIGTERM to the ranks themselves (as srun and scancel send it): during the
# steps and while the result's temporary is being written
for when in steps write; do
    RC=0
    args=$TT
    [ $when = write ] || args=$STEPS
    start t$when -r L/l.h5 -q L/l_qmap.h5 -o t$when $args
    if [ $when = steps ]; then
        wait_for . t$when
    else
        wait_for t$when '*.tmp'
    fi
    echo "+ kill -TERM ranks ($when: $(find t$when -name '*.tmp' 2>/dev/null | wc -l) temporary)"
    kill -TERM $(ps -o pid= --ppid $MPID)
    sleep 3
    check "SIGTERM to the ranks during the $when: no temporary within 3 s" no_tmp t$when
    finish_in 5
    check "... exit 143 = 128 + 15 (rc $RC), one line naming the file, nothing left" \
        eval "test $RC -eq 143 && stopped t$when t$when SIGTERM"
done
RC=0
start tu -r L/l.h5 -q L/l_qmap.h5 -o tu $STEPS
wait_for . tu
kill -USR1 $MPID # mpirun passes it on at once
finish_in 5
check "SIGUSR1 to mpirun (Slurm's warning): exit 138 = 128 + 10 (rc $RC), nothing left" \
    eval "test $RC -eq 138 && stopped tu tu SIGUSR1"

# a batch stopped by SIGTERM resumes on rerun
for i in 1 2 3 4 5 6; do
    ln -sf l.h5 L/c$i.h5
    ln -sf l_metadata.hdf L/c${i}_metadata.hdf
done
corr 2 -r L/l.h5 -q L/l_qmap.h5 -o lref >lref.log 2>&1 || { cat lref.log; bad "single run l"; }
RC=0
start bt --ranks-per-file 2 -q L/l_qmap.h5 -o bt L/c1.h5 L/c2.h5 L/c3.h5 L/c4.h5 L/c5.h5 L/c6.h5
# the signal once the first file is done (its summary entry), not merely once its
# result exists: a file stopped in its epilog is not done, and its result goes
for _ in $(seq 1 6000); do # up to 300 s: the first file on a loaded machine (sanitizers, CI)
    grep -q '"status":[[:space:]]*"done"' bt/batch_summary.json 2>/dev/null && break
    sleep 0.05
done
kill -TERM $(ps -o pid= --ppid $MPID)
finish_in 10
n_done=$(ls bt/*_results.hdf 2>/dev/null | wc -l)
check "batch stopped by SIGTERM: exit 143 (rc $RC), $n_done of 6 done, no temporary" \
    eval "test $RC -eq 143 && test $n_done -ge 1 -a $n_done -lt 6 && no_tmp bt"
check "... the summary: incomplete, exit 143, the files not done pending" "$PY" - bt/batch_summary.json <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
st = [f["status"] for f in s["files"]]
sys.exit(0 if not s["complete"] and s["exit_status"] == 143 and "pending" in st and
         set(st) <= {"done", "pending"} else 1)
PYEOF
corr 2 --ranks-per-file 2 -q L/l_qmap.h5 -o bt L/c1.h5 L/c2.h5 L/c3.h5 L/c4.h5 L/c5.h5 L/c6.h5 \
    >bt2.out 2>&1
rc=$?
check "rerun resumes: $n_done skipped, the rest done (rc $rc)" \
    test $rc -eq 0 -a "$(grep -c '^batch: skipped ' bt2.out)" = "$n_done" -a "$(grep -c '^batch: done ' bt2.out)" = $((6 - n_done))
for i in 1 2 3 4 5 6; do
    same_run bt/c${i}_results.hdf lref/l_results.hdf || bad "resumed c$i differs from the single run"
done
check "resumed results identical to the single run, no temporary" no_tmp bt

# a batch starting beside a live run keeps the live run's temporary
RC=0
start lv -r L/l.h5 -q L/l_qmap.h5 -o lv $TT -w
for _ in $(seq 1 400); do
    [ -n "$(find lv -name 'l_results.hdf.*.tmp' 2>/dev/null)" ] && break
    sleep 0.025
done
live=$(find lv -name 'l_results.hdf.*.tmp')
corr 2 -q L/l_qmap.h5 -o lv L/l.h5 d/s.h5 >lvb.out 2>&1
finish_in 30
check "a batch beside a live run: the live run's temporary survives, the run succeeds (rc $RC)" \
    eval "test -n '$live' && grep -q '^batch: 2 file' lvb.out && test $RC -eq 0 && regular lv/l_results.hdf && no_tmp lv"
rm -rf lv # 150 MB of maps

if [ "$SKIPPED" = 1 ] && [ "$FAILED" -eq 0 ]; then
    echo "$PASSED passed, 0 failed; skipped: cannot mount tmpfs (full-disk checks)"
    exit 77
fi
finish
