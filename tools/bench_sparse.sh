#!/bin/bash
# Benchmark (not a test): dense vs sparse (event) multi-tau kernels on a
# 512 x 1024 detector (Rigaku XSPA-500k size) at occupancies 1e-4 .. 1e-1,
# 1 and 2 ranks, from Rigaku .bin event files and from dense HDF5 (uint16,
# uncompressed, 1-frame chunks), files in page cache (/dev/shm).
# Prints photon events/s and pixel-frames/s end to end (xpcs-corr's own wall
# time, best of REPS runs) next to the time of a bare read of the input.
#
# Data: xpcs-synth --iid (independent Poisson counts at the given rate, no
# hot pixels), so occupancy = 1 - exp(-rate).  The .bin files hold about
# 5e7 events (frames = 5e7 / (524288 * occupancy)); dense-kernel runs on them
# use only the first DENSE_FRAMES frames (-e), as the dense kernel's cost is
# per pixel-frame.  The .h5 files have H5_FRAMES frames (1000 at 1e-1).
#
# Usage: bash tools/bench_sparse.sh [DIR] [REPS]   (DIR default /dev/shm/xpcs-sparse-bench;
#        removed at the end unless KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
dir=${1:-/dev/shm/xpcs-sparse-bench}
reps=${2:-3}
occs=${OCCS:-"1e-4 1e-3 1e-2 1e-1"}
events_target=${EVENTS:-50000000}
h5_frames=${H5_FRAMES:-2000}
dense_frames=${DENSE_FRAMES:-2000}
py=${XPCS_PYTHON:-/usr/bin/python3}
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
npix=$((512 * 1024))

# best_run NP ARGS... -> "seconds events" (best wall time over reps)
best_run() {
    local np=$1 best="" ev=0 out t
    shift
    for _ in $(seq "$reps"); do
        out=$(OMP_NUM_THREADS=1 mpirun -np "$np" build/xpcs-corr -w -o "$dir/out" "$@" 2>&1) ||
            { echo "$out" >&2; return 1; }
        t=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
        ev=$(echo "$out" | sed -n 's/.*kernel: \([0-9]*\) photon events.*/\1/p')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best ${ev:-0}"
}
bare_bin() { # seconds to read the file (cat, best of reps)
    local best="" t0 t1 t
    for _ in $(seq "$reps"); do
        t0=$(date +%s.%N)
        cat "$1" >/dev/null
        t1=$(date +%s.%N)
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best"
}
bare_h5() { # seconds to read the dataset into memory with h5py, 16 frames at a time
    "$py" - "$1" "$reps" <<'PYEOF'
import sys, time, h5py, numpy as np
d = h5py.File(sys.argv[1], "r")["/entry/data/data"]
buf = np.empty((16,) + d.shape[1:], d.dtype)
best = 1e9
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    for i in range(0, d.shape[0], 16):
        k = min(16, d.shape[0] - i)
        d.read_direct(buf, np.s_[i:i + k], np.s_[0:k])
    best = min(best, time.perf_counter() - t0)
print(f"{best:.3f}")
PYEOF
}
row() { # row INPUT OCC KERNEL NP FRAMES SECONDS EVENTS BARE
    awk -v in_="$1" -v occ="$2" -v k="$3" -v np="$4" -v fr="$5" -v s="$6" -v ev="$7" \
        -v bare="$8" -v npix="$npix" 'BEGIN {
        printf "| %-5s | %-5s | %-6s | %d | %7d | %7.3f | %9.3g | %9.3g | %6.2f |\n",
            in_, occ, k, np, fr, s, ev / s, npix * fr / s, s / bare }'
}

echo "bench: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo
echo "| input | occ.  | kernel | ranks | frames | wall s | events/s | pixel-frames/s | wall / bare read |"
echo "|---|---|---|---|---|---|---|---|---|"
for occ in $occs; do
    rate=$(awk -v o="$occ" 'BEGIN { printf "%.6g", -log(1 - o) }')
    # Rigaku .bin, about events_target events
    bf=$(awk -v e="$events_target" -v o="$occ" -v n="$npix" 'BEGIN { printf "%d", e / (n * o) }')
    [ "$bf" -gt 16000000 ] && bf=16000000
    build/xpcs-synth -o "$dir" -n b --rows 512 --cols 1024 --frames "$bf" --rate "$rate" --iid \
        --hot 0 --dead 0 --format rigaku >/dev/null
    bare=$(bare_bin "$dir/b.bin")
    df=$((dense_frames < bf ? dense_frames : bf))
    bare_d=$(awk -v b="$bare" -v d="$df" -v f="$bf" 'BEGIN { printf "%.4f", b * d / f }')
    for np in 1 2; do
        read -r s ev < <(best_run "$np" -r "$dir/b.bin" -q "$dir/b_qmap.h5" --kernel sparse)
        row bin "$occ" sparse "$np" "$bf" "$s" "$ev" "$bare"
        read -r s ev < <(best_run "$np" -r "$dir/b.bin" -q "$dir/b_qmap.h5" --kernel dense -e "$df")
        row bin "$occ" dense "$np" "$df" "$s" "$ev" "$bare_d"
    done
    rm -f "$dir/b.bin"
    # dense HDF5
    hf=$h5_frames
    [ "$occ" = 1e-1 ] && hf=$((h5_frames / 2))
    build/xpcs-synth -o "$dir" -n h --rows 512 --cols 1024 --frames "$hf" --rate "$rate" --iid \
        --hot 0 --dead 0 >/dev/null
    bare=$(bare_h5 "$dir/h.h5")
    for np in 1 2; do
        read -r s ev < <(best_run "$np" -r "$dir/h.h5" -q "$dir/h_qmap.h5" --kernel sparse)
        row h5 "$occ" sparse "$np" "$hf" "$s" "$ev" "$bare"
        evh=$ev
        read -r s ev < <(best_run "$np" -r "$dir/h.h5" -q "$dir/h_qmap.h5" --kernel dense)
        row h5 "$occ" dense "$np" "$hf" "$s" "$evh" "$bare"
    done
    rm -f "$dir/h.h5"
done
echo
echo "bare read: .bin = cat of the file (scaled to the frames used for dense runs); .h5 = h5py"
echo "read_direct of the dataset, 16 frames at a time, one process.  Times are wall seconds"
echo "of xpcs-corr's run (its own timer: plan to result file), best of $reps."
