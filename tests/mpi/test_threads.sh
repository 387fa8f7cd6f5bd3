#!/bin/bash
# The default thread count (parallel/threads.h): without OMP_NUM_THREADS and
# without --threads a rank takes the CPUs of its affinity mask divided by the
# ranks of its node whose masks overlap it (at least 1); OMP_NUM_THREADS and
# the setting win; ranks x threads above the node's CPUs -> exactly one
# warning line naming the numbers.  Checked at 1 and 2 ranks, with and
# without OMP_NUM_THREADS (ctest sets it to 1 for every MPI test: unset here
# where the case needs it), under taskset masks and with Open MPI's core
# binding, through -v and the profile JSON.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n s --rows 24 --cols 20 --frames 300
# the CPUs this test may use, and the first of them
read -r N ONE < <("$PY" -c 'import os; c = sorted(os.sched_getaffinity(0)); print(len(c), c[0])')
echo "affinity: $N CPU(s), first $ONE"
[ "$N" -ge 2 ] || echo "note: 1 CPU: the 2-CPU cases below expect what 1 CPU gives"

# tcase DESC NP THREADS SOURCE SHARING WARN [VAR=VALUE|-VAR ...] [taskset CPUS] [bind] -- ARGS:
# xpcs-corr -v on NP ranks with the given environment changes (-VAR unsets
# VAR) under an optional taskset mask (bind: mpiexec binds each rank to a
# core); every rank must run THREADS threads
# from SOURCE, rank 0's mask shared by SHARING ranks, and stderr must hold
# WARN warning lines (0 or 1) about oversubscription.
n=0
tcase() {
    local d=$1 np=$2 want=$3 src=$4 share=$5 warn=$6
    shift 6
    local envs=() pre=() mpi=() args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        case $1 in
        taskset) pre=(taskset -c "$2"); shift ;;
        bind) mpi=(--bind-to core) ;;
        -*) envs+=(-u "${1#-}") ;;
        *) envs+=("$1") ;;
        esac
        shift
    done
    [ "${1:-}" = "--" ] && shift
    args=("$@")
    n=$((n + 1))
    local out=o$n
    echo "+ env ${envs[*]} ${pre[*]} $MPIEXEC ${mpi[*]} $NPFLAG $np xpcs-corr -v ${args[*]}"
    if ! env "${envs[@]}" "${pre[@]}" timeout 120 "$MPIEXEC" "${mpi[@]}" "$NPFLAG" "$np" \
        "$XPCS_BIN/xpcs-corr" -r d/s.h5 -q d/s_qmap.h5 -o "$out" -v "${args[@]}" \
        >"$out.log" 2>&1; then
        cat "$out.log"
        bad "$d: run failed"
        return
    fi
    local got_warn
    got_warn=$(grep -c '^xpcs-corr: warning: .* oversubscribed' "$out.log")
    if [ "$got_warn" -ne "$warn" ]; then
        cat "$out.log"
        bad "$d: $got_warn oversubscription warning line(s), expected $warn"
        return
    fi
    if [ "$warn" -eq 1 ]; then
        local line
        line=$(grep '^xpcs-corr: warning: .* oversubscribed' "$out.log")
        # the numbers: ranks x threads = total on the node, its cores, the source
        if ! grep -q "$np rank(s) x $want thread(s) = $((np * want)) threads on .* has [0-9]* core(s) for them (threads from $src)" <<<"$line"; then
            echo "$line"
            bad "$d: the warning does not name the numbers"
            return
        fi
    fi
    if ! grep -q "^xpcs-corr: threads: $want per rank ($src[:;]" "$out.log"; then
        grep 'threads' "$out.log"
        bad "$d: -v does not say '$want per rank ($src'"
        return
    fi
    check "$d: $np rank(s) x $want thread(s) from $src" \
        "$PY" - "$out/s_profile.json" "$np" "$want" "$src" "$share" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
np_, want, src, share = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
r = p["run"]
tc = r["threads_choice"]
ranks = [x["threads"] for x in p["ranks"]]
print("run:", {k: r[k] for k in ("n_ranks", "threads_per_rank", "threads_source")}, tc,
      "per rank:", ranks)
ok = (r["n_ranks"] == np_ and r["threads_per_rank"] == want and r["threads_source"] == src
      and tc["source"] == src and tc["threads"] == want and tc["ranks_sharing_them"] == share
      and tc["node_ranks"] == np_ and ranks == [want] * np_)
sys.exit(0 if ok else 1)
PYEOF
}

half=$((N / 2 > 0 ? N / 2 : 1))
over() { [ "$1" -gt "$N" ] && echo 1 || echo 0; } # WARN for a total of $1 threads

# the default: the mask's CPUs over the ranks sharing them
tcase "1 rank, default" 1 "$N" affinity/ranks-per-node 1 0 -OMP_NUM_THREADS --
tcase "2 ranks, default (never 2 x $N on $N)" 2 "$half" affinity/ranks-per-node 2 "$(over 2)" \
    -OMP_NUM_THREADS --
tcase "1 rank, taskset one CPU" 1 1 affinity/ranks-per-node 1 0 -OMP_NUM_THREADS taskset "$ONE" --
# 2 ranks on 1 CPU: 1 thread each, and still oversubscribed (too many ranks)
tcase "2 ranks, taskset one CPU" 2 1 affinity/ranks-per-node 2 1 -OMP_NUM_THREADS taskset "$ONE" --
grep -q "run at most 1 rank(s) there" o4.log && ok "2 ranks on 1 CPU: the warning says fewer ranks" ||
    bad "2 ranks on 1 CPU: the warning does not say fewer ranks"
# Open MPI binds each rank to its own core: masks that do not overlap
tcase "2 ranks, bound to a core each" 2 1 affinity/ranks-per-node 1 0 -OMP_NUM_THREADS bind --
# OMP_NUM_THREADS wins over the affinity
tcase "2 ranks, OMP_NUM_THREADS=1" 2 1 OMP_NUM_THREADS 2 "$(over 2)" OMP_NUM_THREADS=1 --
tcase "1 rank, OMP_NUM_THREADS=$N" 1 "$N" OMP_NUM_THREADS 1 0 OMP_NUM_THREADS="$N" --
tcase "2 ranks, OMP_NUM_THREADS=$N: oversubscribed" 2 "$N" OMP_NUM_THREADS 2 1 \
    OMP_NUM_THREADS="$N" --
# the setting wins over both, also when it oversubscribes
tcase "1 rank, --threads 3 over OMP_NUM_THREADS=1 on one CPU" 1 3 --threads 1 1 \
    OMP_NUM_THREADS=1 taskset "$ONE" -- --threads 3
tcase "2 ranks, XPCS_NUM_THREADS=1 without OMP_NUM_THREADS" 2 1 --threads 2 "$(over 2)" \
    -OMP_NUM_THREADS XPCS_NUM_THREADS=1 --
# the result does not depend on the count
check "results equal across the thread choices" "$PY" "$ORACLES/compare.py" o1/s_results.hdf \
    o8/s_results.hdf
finish
