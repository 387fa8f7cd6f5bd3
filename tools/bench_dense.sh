#!/bin/bash
# Benchmark (not a test): the dense multi-tau pipeline end to end, issue 14.
#   cases: 256 x 256 x 20000 uint16 at mean 0.5, 0.05 and 5 counts per pixel
#          per frame, and 1024 x 1024 x 5000 at 0.5 (files in DIR, page cache);
#   settings: 2 ranks x 1 thread, 1 rank x 2 threads, and the default
#          environment (mpirun -np 2, no OMP_NUM_THREADS);
#   per run: wall seconds (mpirun included), pixel-frames/s = rows x cols x
#          frames / wall, each phase's max over the ranks (profile JSON) and
#          the steps whose kernels ran beside the next read (io.overlap; the
#          fewest over the ranks).
# Options:
#   --cases "R C N RATE;..."  other cases (default: the four above)
#   --runs K          repeat each setting K times, report the fastest (1)
#   --before BUILD    also another build (its directory, with xpcs-corr): each
#                     setting runs it and this build in turn, K times each, and
#                     reports the fastest of each (the host's noise moves both)
#   --slow MBPS       also storage slower than compute: the first case's file
#                     copied to SLOWDIR (a disk, default /var/tmp/xpcs-bench-slow),
#                     dropped from the page cache before every read, reads
#                     throttled to MBPS MB/s with a cgroup (root; v1 blkio or v2
#                     io.max): prints read alone (cat), correlation alone (the
#                     page-cache run) and end to end, and the ratio
#                     end to end / max(read, correlation) (issue: <= 1.15)
#   --boost SRC       side by side with boost_corr's CPU path on the first case
#                     (tools/boost_cpu.py: its CLI with 2 torch threads and 2
#                     loader processes instead of 16, which ran out of memory)
#                     (SRC: a boost_corr source tree, src/boost_corr inside; it
#                     needs python3-torch python3-tqdm python3-hdf5plugin:
#                     bash tools/install-deps.sh --bench)
# Usage: bash tools/bench_dense.sh [DIR] [options]   (DIR default /dev/shm/xpcs-dense)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/xpcs-corr ] || bash tools/setup.sh
source tools/mpirun-env.sh
PY=/usr/bin/python3
dir=/dev/shm/xpcs-dense
cases="256 256 20000 0.5;256 256 20000 0.05;256 256 20000 5;1024 1024 5000 0.5"
runs=1 slow="" boost="" before="" slowdir=${SLOWDIR:-/var/tmp/xpcs-bench-slow}
while [ $# -gt 0 ]; do
    case "$1" in
    --cases) cases=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    --slow) slow=$2; shift 2 ;;
    --boost) boost=$2; shift 2 ;;
    -*) echo "bench_dense: unknown option $1" >&2; exit 2 ;;
    *) dir=$1; shift ;;
    esac
done
mkdir -p "$dir"

# phases ROWS COLS FRAMES WALL OUTDIR LABEL: one line per run
report() {
    "$PY" - "$@" <<'PY'
import glob, json, sys
rows, cols, frames, wall = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
prof = json.load(open(glob.glob(sys.argv[5] + "/*_profile.json")[0]))
ph = " ".join("%s %.2f" % (k, v["max_s"]) for k, v in prof["phases"].items()
              if k != "total" and v["max_s"] >= 0.005)
ov = min(r.get("steps_overlapped", 0) for r in prof["ranks"])
print("bench: %-22s wall %6.2f s  %.3g pixel-frames/s  | %s | steps overlapped %d" %
      (sys.argv[6], wall, rows * cols * frames / wall, ph, ov))
PY
}

# run LABEL NP THREADS(or "") RAW QMAP OUTDIR [BUILD] -> prints the wall seconds
run() {
    local np=$2 th=$3 raw=$4 qmap=$5 out=$6 exe=${7:-build}/xpcs-corr t0 t1
    local env=(env -u OMP_NUM_THREADS)
    [ -n "$th" ] && env=(env OMP_NUM_THREADS="$th")
    t0=$(date +%s.%N)
    "${env[@]}" mpirun --bind-to none -np "$np" "$exe" -r "$raw" -q "$qmap" -o "$out" -w \
        --set monitoring.enable_report=false >/dev/null 2>"$out.log" ||
        { echo "bench: $1 failed:" >&2; tail -3 "$out.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# walls LABEL NP THREADS RAW QMAP OUT BUILD...: the builds in turn, $runs times
# each; prints the fastest wall of each build, in order, and keeps the profile
# of that run in OUT (the last build) or OUT.before (an earlier one: --before)
walls() {
    local a=("${@:1:5}") out=$6 w i b dst
    local builds=("${@:7}") best=()
    for ((i = 0; i < runs; i++)); do
        for ((b = 0; b < ${#builds[@]}; b++)); do
            dst=$out
            [ "$b" -lt $((${#builds[@]} - 1)) ] && dst=$out.before
            w=$(run "${a[@]}" "$out.try" "${builds[b]}")
            if [ -z "${best[b]:-}" ] || awk -v w="$w" -v b="${best[b]}" 'BEGIN { exit !(w < b) }'; then
                best[b]=$w
                rm -rf "$dst" && mv "$out.try" "$dst"
            fi
        done
    done
    echo "${best[*]}"
}

first_raw="" first_qmap="" first_dims="" first_wall21=""
IFS=';' read -ra list <<<"$cases"
for c in "${list[@]}"; do
    read -r rows cols frames rate <<<"$c"
    name="d${rows}x${cols}x${frames}_r${rate}"
    raw="$dir/$name.h5" qmap="$dir/${name}_qmap.h5"
    if [ ! -s "$raw" ]; then
        echo "bench: generating $raw ($rows x $cols x $frames uint16, mean $rate)"
        build/xpcs-synth -o "$dir" -n "$name" --rows "$rows" --cols "$cols" --frames "$frames" \
            --rate "$rate" >/dev/null
    fi
    cat "$raw" >/dev/null # into the page cache
    for conf in "2 1 2x1" "1 2 1x2" "2 - default"; do
        read -r np th label <<<"$conf"
        [ "$th" = "-" ] && th=""
        out="$dir/out_${name}_$label"
        if [ -n "$before" ]; then
            read -r wb w <<<"$(walls "$label" "$np" "$th" "$raw" "$qmap" "$out" "$before" build)"
            report "$rows" "$cols" "$frames" "$wb" "$out.before" "$name $label before"
        else
            w=$(walls "$label" "$np" "$th" "$raw" "$qmap" "$out" build)
        fi
        report "$rows" "$cols" "$frames" "$w" "$out" "$name $label"
        if [ -z "$first_raw" ] && [ "$label" = 2x1 ]; then
            first_wall21=$w
        fi
    done
    if [ -z "$first_raw" ]; then
        first_raw=$raw first_qmap=$qmap first_dims="$rows $cols $frames"
    fi
done

if [ -n "$boost" ]; then
    read -r rows cols frames <<<"$first_dims"
    bout="$dir/out_boost"
    rm -rf "$bout" && mkdir -p "$bout"
    echo "bench: boost_corr CPU path (-i -1, 2 threads, 2 loader processes) on $first_raw"
    t0=$(date +%s.%N)
    OMP_NUM_THREADS=2 PYTHONPATH="$boost/src" "$PY" tools/boost_cpu.py 2 2 -r "$first_raw" \
        -q "$first_qmap" -o "$bout" -i -1 -t Multitau -w >"$bout.log" 2>&1 ||
        { echo "bench: boost_corr failed:" >&2; tail -5 "$bout.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    wb=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }')
    w2=$(walls "2x1" 2 1 "$first_raw" "$first_qmap" "$dir/out_side" build)
    awk -v wb="$wb" -v w="$w2" -v n="$rows $cols $frames" 'BEGIN {
        split(n, d, " "); pf = d[1] * d[2] * d[3]
        printf "bench: boost_corr %.2f s (%.3g pixel-frames/s), xpcs-corr 2x1 %.2f s (%.3g): %.1fx\n",
               wb, pf / wb, w, pf / w, wb / w }'
fi

if [ -n "$slow" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench: --slow needs root (a cgroup I/O limit)" >&2; exit 2; }
    read -r rows cols frames <<<"$first_dims"
    mkdir -p "$slowdir"
    base=$(basename "$first_raw" .h5)
    for f in "$first_raw" "$first_qmap" "$dir/${base}_metadata.hdf"; do
        [ -s "$slowdir/$(basename "$f")" ] || cp "$f" "$slowdir/"
    done
    sync
    sraw="$slowdir/$base.h5" sqmap="$slowdir/${base}_qmap.h5"
    dev=$(stat -c %d "$sraw")
    majmin="$((dev >> 8)):$((dev & 255))"
    # the whole disk when the file sits on a partition (limits apply to disks)
    disk=$(lsblk -no PKNAME "/dev/block/$majmin" 2>/dev/null | head -1 || true)
    [ -n "$disk" ] && majmin=$(cat "/sys/class/block/$disk/dev")
    bps=$((slow * 1000000))
    if [ -d /sys/fs/cgroup/blkio ]; then
        cg=/sys/fs/cgroup/blkio/xpcs-bench-slow
        mkdir -p "$cg"
        echo "$majmin $bps" >"$cg/blkio.throttle.read_bps_device"
    else
        cg=/sys/fs/cgroup/xpcs-bench-slow
        echo "+io" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
        mkdir -p "$cg"
        echo "$majmin rbps=$bps" >"$cg/io.max"
    fi
    evict() { "$PY" -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$sraw"; }
    throttled() { bash -c 'echo $$ >"$0/cgroup.procs"; exec "$@"' "$cg" "$@"; }
    evict
    t0=$(date +%s.%N)
    throttled cat "$sraw" >/dev/null
    t1=$(date +%s.%N)
    wr=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }')
    evict
    out="$dir/out_slow"
    t0=$(date +%s.%N)
    throttled env OMP_NUM_THREADS=1 mpirun --bind-to none -np 2 build/xpcs-corr -r "$sraw" \
        -q "$sqmap" -o "$out" -w --set monitoring.enable_report=false >/dev/null 2>"$out.log"
    t1=$(date +%s.%N)
    we=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }')
    report "$rows" "$cols" "$frames" "$we" "$out" "slow-storage 2x1"
    awk -v r="$wr" -v c="$first_wall21" -v e="$we" -v m="$slow" 'BEGIN {
        mx = r > c ? r : c
        printf "bench: storage at %d MB/s: read alone %.2f s, correlation alone (page cache, 2x1) %.2f s, end to end %.2f s = %.2f x max\n",
               m, r, c, e, e / mx }'
    rmdir "$cg" 2>/dev/null || true # the throttle goes with the cgroup (its processes have ended)
fi
