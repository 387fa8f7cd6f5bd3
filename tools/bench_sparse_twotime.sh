#!/bin/bash
# Benchmark (not a test): two-time maps (-t twotime) with the dense kernel
# (dgemm of the integer counts per static group) and the event kernel (pairs
# of photon events per pixel) at occupancies 1e-4 .. 1e-1.  ROWS x COLS uint16
# frames (default 256 x 256, 10 dynamic bins, smoothing sqmap), FRAMES frames
# (default 2000), independent Poisson counts (xpcs-synth --iid), file in
# /dev/shm; 1 rank x 2 threads and 2 ranks x 1 thread.  Prints the wall time
# of xpcs-corr's run and of its correlation step (-v "twotime: all bins"),
# photon events/s and pixel-frames/s end to end, best of REPS runs.
# Usage: bash tools/bench_sparse_twotime.sh [ROWS] [COLS] [FRAMES] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
rows=${1:-256}
cols=${2:-256}
frames=${3:-2000}
reps=${4:-2}
occs=${OCCS:-"1e-4 1e-3 1e-2 1e-1"}
dir=${DIR:-/dev/shm/xpcs-bench-stt}
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
npf=$((rows * cols * frames))

# best NP THREADS ARGS... -> "wall correlation events" (best wall over reps)
best() {
    local np=$1 th=$2 bw="" bc="" ev=0 out w c
    shift 2
    for _ in $(seq "$reps"); do
        out=$(OMP_NUM_THREADS=$th mpirun -np "$np" build/xpcs-corr -w -o "$dir/out" -t twotime -v "$@" 2>&1) ||
            { echo "$out" >&2; return 1; }
        w=$(echo "$out" | sed -n 's/^xpcs-corr: .* in \([0-9.]*\) s$/\1/p')
        c=$(echo "$out" | sed -n 's/^twotime: all bins: .* in \([0-9.]*\) s.*/\1/p')
        ev=$(echo "$out" | sed -n 's/.*kernel: \([0-9]*\) photon events.*/\1/p')
        if [ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
            bw=$w
            bc=$c
        fi
    done
    echo "$bw $bc ${ev:-0}"
}
echo "bench: $(nproc) cores, $(uptime | sed 's/.*load/load/'); $rows x $cols x $frames frames"
echo
echo "| occ. | kernel | ranks x threads | wall s | correlation s | events/s | pixel-frames/s |"
echo "|---|---|---|---|---|---|---|"
for occ in $occs; do
    rate=$(awk -v o="$occ" 'BEGIN { printf "%.6g", -log(1 - o) }')
    build/xpcs-synth -o "$dir" -n h --rows "$rows" --cols "$cols" --frames "$frames" \
        --rate "$rate" --iid --hot 0 --dead 0 --n-dq 10 >/dev/null
    ev_all=""
    for k in sparse dense; do
        for conf in "1 2" "2 1"; do
            set -- $conf
            read -r w c ev < <(best "$1" "$2" -r "$dir/h.h5" -q "$dir/h_qmap.h5" --kernel "$k")
            [ "$k" = sparse ] && ev_all=$ev
            awk -v o="$occ" -v k="$k" -v np="$1" -v th="$2" -v w="$w" -v c="$c" -v ev="$ev_all" \
                -v pf="$npf" 'BEGIN { printf "| %s | %s | %d x %d | %.3f | %.3f | %.3g | %.3g |\n",
                    o, k, np, th, w, c, ev / w, pf / w }'
        done
    done
    rm -f "$dir/h.h5"
done
