#!/bin/bash
# Benchmark (not a test): two-time maps (-t twotime) for N = 5000 frames and 10
# dynamic bins (ROWS x COLS uint16 at mean 1 count, file in /dev/shm), at 1
# rank x 2 threads and 2 ranks x 1 thread.  Reports, from -v, the GFLOP/s of
# the correlation step per bin (smoothing + dsyrk + normalization + diagonal
# means, flops = N (N+1) n_pixels) and next to it a bare cblas_dsyrk of the
# same shapes with the same threads (tools/bench_dsyrk.c, built here against
# the same OpenBLAS), and the end-to-end wall time.
# Usage: bash tools/bench_twotime.sh [ROWS] [COLS] [FRAMES]   (default 128 128 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
rows=${1:-128}
cols=${2:-128}
frames=${3:-5000}
dir=${DIR:-/dev/shm/xpcs-bench-tt}
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
cc -O3 -march=native -fopenmp tools/bench_dsyrk.c $(pkg-config --cflags --libs openblas) -o "$dir/bench_dsyrk"
if [ ! -s "$dir/tt.h5" ]; then
    echo "bench: generating $dir/tt.h5 ($rows x $cols x $frames uint16, rate 1, 10 dynamic bins)"
    build/xpcs-synth -o "$dir" -n tt --rows "$rows" --cols "$cols" --frames "$frames" --rate 1 \
        --n-dq 10 >/dev/null
fi
for conf in "1 2" "2 1"; do
    set -- $conf
    log="$dir/tt_$1x$2.log"
    OMP_NUM_THREADS=$2 mpirun -np "$1" build/xpcs-corr -r "$dir/tt.h5" -q "$dir/tt_qmap.h5" \
        -o "$dir/out" -w -t twotime -v >"$log"
    echo "bench: $1 rank(s) x $2 thread(s)"
    grep -E "^twotime:|rank\(s\)" "$log" | sed 's/^/bench:   /'
    # bare dsyrk of every bin's shape with the threads of one rank
    tot_f=0
    tot_t=0
    while read -r k; do
        out=$(OMP_NUM_THREADS=$2 "$dir/bench_dsyrk" "$frames" "$k" 3)
        echo "bench:   bare $out"
        t=$(echo "$out" | sed -E 's/.*: ([0-9.]+) s,.*/\1/')
        tot_f=$(awk -v a="$tot_f" -v n="$frames" -v k="$k" 'BEGIN { print a + n * (n + 1) * k }')
        tot_t=$(awk -v a="$tot_t" -v b="$t" 'BEGIN { print a + b }')
    done < <(sed -nE 's/^twotime: bin [0-9]+ \(([0-9]+) px\).*/\1/p' "$log")
    ours=$(sed -nE 's/^twotime: all bins: .*: ([0-9.]+) GFLOP\/s per rank/\1/p' "$log")
    awk -v f="$tot_f" -v t="$tot_t" -v o="$ours" 'BEGIN {
        b = f / t / 1e9
        printf "bench:   correlation step %.1f GFLOP/s per rank vs bare dsyrk %.1f GFLOP/s: %.0f %%\n", o, b, 100 * o / b }'
done
