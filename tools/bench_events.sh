#!/bin/bash
# Benchmark (not a test): the event path on one rank, the issue-14 point
# "a Rigaku .bin at 1e-3 occupancy on 1 rank".  A 512 x 1024 .bin of about
# 5e7 events (xpcs-synth --iid, no hot or dead pixels) in DIR (page cache),
# run with the sparse kernel on 1 rank in the default environment (no
# OMP_NUM_THREADS: the rank takes the cores of its mask) and at 1 thread,
# best of RUNS.  Prints photon events/s from xpcs-corr's own timer (plan to
# result file) and its phases.  --before BUILD runs another build's
# xpcs-corr (BUILD/xpcs-corr) in turn with this one, on the same file.
#
# Usage: bash tools/bench_events.sh [DIR] [--runs K] [--before BUILD] [--events N]
#        (DIR default /dev/shm/xpcs-events; kept for the next run)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
dir=/dev/shm/xpcs-events runs=3 before="" events=50000000
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift ;;
    --before) before=$2; shift ;;
    --events) events=$2; shift ;;
    *) dir=$1 ;;
    esac
    shift
done
mkdir -p "$dir"
occ=1e-3
npix=$((512 * 1024))
frames=$(awk -v e="$events" -v o="$occ" -v n="$npix" 'BEGIN { printf "%d", e / (n * o) }')
rate=$(awk -v o="$occ" 'BEGIN { printf "%.6g", -log(1 - o) }')
stem=ev_${frames}
if [ ! -s "$dir/$stem.bin" ]; then
    build/xpcs-synth -o "$dir" -n "$stem" --rows 512 --cols 1024 --frames "$frames" \
        --rate "$rate" --iid --hot 0 --dead 0 --format rigaku >/dev/null
fi
echo "bench_events: $(nproc) cores, $(uptime | sed 's/.*load/load/'); $dir/$stem.bin," \
    "$frames frames, $(stat -c %s "$dir/$stem.bin") bytes"

# one BUILD THREADS: "seconds events/s phases" of one run (threads "" = default)
one() {
    local b=$1 t=$2 out env=(-u OMP_NUM_THREADS)
    [ -n "$t" ] && env=(OMP_NUM_THREADS="$t")
    out=$(env "${env[@]}" XPCS_ENABLE_PROFILING=1 mpirun --bind-to none -np 1 "$b/xpcs-corr" -w \
        -o "$dir/out" -r "$dir/$stem.bin" -q "$dir/${stem}_qmap.h5" --kernel sparse 2>&1) ||
        { echo "$out" >&2; return 1; }
    local s e ph
    s=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
    e=$(echo "$out" | sed -n 's/.* at \([0-9.e+]*\) events\/s end to end/\1/p')
    ph=$(echo "$out" | awk '$1 ~ /^(read|decode|saxs|redistribute|multitau|reduce)$/ {
        printf "%s %s ", $1, $4 }')
    echo "$s $e $ph"
}

builds=(build)
[ -n "$before" ] && builds=("$before" build)
for t in "" 1; do
    for b in "${builds[@]}"; do
        best="" line=""
        for _ in $(seq "$runs"); do
            r=$(one "$b" "$t")
            s=${r%% *}
            if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
                best=$s line=$r
            fi
        done
        read -r s e ph <<<"$line"
        printf '%-28s threads %-7s %6.3f s  %9s events/s  (%s)\n' "$b" "${t:-default}" "$s" "$e" "$ph"
    done
done
