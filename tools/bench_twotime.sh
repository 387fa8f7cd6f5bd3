#!/bin/bash
# Benchmark (not a test): two-time maps (-t twotime) for N = 5000 frames and 10
# dynamic bins (ROWS x COLS uint16 at mean 1 count, file in /dev/shm), at 1
# rank x 2 threads and 2 ranks x 1 thread.  Reports, from -v, the GFLOP/s of
# the correlation step per bin (exact products per static group by dgemm
# tiles + smoothing + normalization + diagonal means, flops = N (N+1)
# n_pixels) and next to it a bare cblas_dsyrk (the best BLAS call for it) of the
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
        -o "$dir/out" -w -t twotime -v >"$log" 2>&1
    echo "bench: $1 rank(s) x $2 thread(s)"
    grep -E "^twotime:|rank\(s\)" "$log" | sed 's/^/bench:   /'
    # bare dsyrk of every bin's shape with the threads of one rank; with
    # several ranks, one bare process per rank at the same time, each with
    # the bins that rank computed (the same competition for the cores)
    for r in $(seq 0 $(($1 - 1))); do
        (
            sed -nE "s/^twotime: bin [0-9]+ \(([0-9]+) px\) on rank $r:.*/\1/p" "$log" |
                while read -r k; do OMP_NUM_THREADS=$2 "$dir/bench_dsyrk" "$frames" "$k" 2; done
        ) >"$dir/bare_$r.txt" &
    done
    wait
    cat "$dir"/bare_*.txt | sed 's/^/bench:   bare /'
    cat "$dir"/bare_*.txt | awk -v log_="$log" -v np="$1" '
        { split($0, a, "K="); split(a[2], b, " "); k = b[1]; t = $0; sub(/.*: /, "", t); sub(/ s,.*/, "", t)
          n = $2; sub("N=", "", n); f += n * (n + 1) * k; bt += t }
        END {
            while ((getline line < log_) > 0)
                if (line ~ /^twotime: all bins:/) { split(line, w, " GFLOP in "); split(w[2], v, " s"); ours = v[1] }
            printf "bench:   correlation step %.1f GFLOP/s per rank vs bare dsyrk %.1f GFLOP/s per rank (same shapes, same threads): %.0f %%\n",
                   f / ours / 1e9, f / bt / 1e9, 100 * bt / ours }'
    rm -f "$dir"/bare_*.txt
done
