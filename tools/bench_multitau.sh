#!/bin/bash
# Benchmark (not a test): dense multi-tau end to end on 256 x 256 x 20000
# uint16 frames at mean 0.1 counts, file in page cache, at 1 and 2 ranks.
# Reports pixel-frames per second and read bandwidth, next to the speed of a
# bare sequential read of the same file, and the health indicators (the I/O
# one against a bare read of the file by the same ranks).
# Usage: bash tools/bench_multitau.sh [DIR] [FRAMES]   (DIR default /dev/shm/xpcs-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
dir=${1:-/dev/shm/xpcs-bench}
frames=${2:-20000}
mkdir -p "$dir"
if [ ! -s "$dir/b256.h5" ]; then
    echo "bench: generating $dir/b256.h5 (256 x 256 x $frames uint16, rate 0.1)"
    build/xpcs-synth -o "$dir" -n b256 --rows 256 --cols 256 --frames "$frames" --rate 0.1 >/dev/null
fi
bytes=$(stat -c %s "$dir/b256.h5")
t0=$(date +%s.%N)
cat "$dir/b256.h5" >/dev/null
t1=$(date +%s.%N)
awk -v b="$bytes" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "bench: bare read of %.0f bytes: %.2f GB/s\n", b, b / (t1 - t0) / 1e9 }'
for conf in "1 1" "1 2" "2 1"; do
    set -- $conf
    echo "bench: $1 rank(s) x $2 thread(s)"
    OMP_NUM_THREADS=$2 mpirun -np "$1" build/xpcs-corr -r "$dir/b256.h5" -q "$dir/b256_qmap.h5" \
        -o "$dir/out" -w --set io.measure_storage_bandwidth=true --set monitoring.enable_report=false 2>&1 |
        grep -E "throughput|rank\(s\) x|^health:|storage:"
done
