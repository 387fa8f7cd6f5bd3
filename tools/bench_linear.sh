#!/bin/bash
# Benchmark (not a test): linear-lag g2 (-t linear) end to end on 256 x 256 x
# 20000 uint16 frames at mean 0.1 counts, file in /dev/shm, at 1 and 2 ranks
# (1 OpenMP thread each) and 1 rank x 2 threads.  Reports pixel-frames per
# second end to end and the share of the run spent inside FFTW executes
# (thread-seconds in FFTW / (threads x wall)), from -v.
# Usage: bash tools/bench_linear.sh [MAX_LAG] [DIR] [FRAMES]
#   MAX_LAG default 1000 (all 19999 lags need ~10 GB on one rank);
#   DIR default /dev/shm/xpcs-bench-linear (removed afterwards unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
lag=${1:-1000}
dir=${2:-/dev/shm/xpcs-bench-linear}
frames=${3:-20000}
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
if [ ! -s "$dir/b256.h5" ]; then
    echo "bench: generating $dir/b256.h5 (256 x 256 x $frames uint16, rate 0.1)"
    build/xpcs-synth -o "$dir" -n b256 --rows 256 --cols 256 --frames "$frames" --rate 0.1 >/dev/null
fi
for conf in "1 1" "2 1" "1 2"; do
    set -- $conf
    log="$dir/lin_$1x$2.log"
    OMP_NUM_THREADS=$2 mpirun -np "$1" build/xpcs-corr -r "$dir/b256.h5" -q "$dir/b256_qmap.h5" \
        -o "$dir/out" -w -t linear --max-lag "$lag" -v >"$log" 2>&1
    grep -E "plan: linear|linear: rank|throughput|rank\(s\)" "$log" | sed 's/^/bench: /'
    awk -v th="$2" -v np="$1" '
        /^total / && !t { t = $4 }                       # max over ranks of the run
        /^linear: rank/ { for (i = 1; i <= NF; i++) if ($i == "FFTW") f += $(i + 1) }
        END { printf "bench: %s rank(s) x %s thread(s): FFTW %.1f %% of the run (%.2f thread-s of %.2f s x %d)\n",
                     np, th, 100 * f / (t * th * np), f, t, th * np }' "$log"
done
