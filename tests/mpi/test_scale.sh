#!/bin/bash
# Past one node, on one machine: 16, 32 and 64 ranks (oversubscribed, small
# data) give results bit-identical to 1 rank for every analysis, both
# kernels, HDF5 and Rigaku .bin input (more ranks than pixels of a bin, than
# frames of a step, than bins); a two-time map over one rank's budget runs
# split over 4 ranks and equals the one-rank map; a batch runs in 8 groups;
# a rank that fails at 64 ranks gives one error line and no hang.
source "$(dirname "$0")/../lib/lib.sh"
# the sanitizer build (every malloc fully unwound) runs 16 ranks only: the
# code paths are those of 64, the time is not (tests/CMakeLists.txt)
SCALE_RANKS=${XPCS_SCALE_RANKS:-16 32 64}
MAX_RANKS=${SCALE_RANKS##* }
synth -o d -n h --rows 24 --cols 20 --frames 300 --rate 0.3 --tau0 8 --n-dq 5 --seed 5
synth -o d -n r --rows 512 --cols 1024 --frames 64 --rate 0.002 --tau0 6 --n-dq 6 --seed 6 \
    --format rigaku
synth -o d -n t --rows 32 --cols 32 --frames 1200 --rate 0.5 --tau0 30 --n-dq 2 --seed 7

# h5diff over the whole file but the run's provenance and timings (config
# groups) and the raw file's path
EXCL=(--exclude-path /xpcs/multitau/config --exclude-path /xpcs/twotime/config
      --exclude-path /xpcs/linear/config --exclude-path /xpcs/rawdata_path)
same() { # same DESCRIPTION A B
    if h5diff -q "${EXCL[@]}" "$2" "$3" >/dev/null 2>&1; then
        ok "$1"
    else
        h5diff "${EXCL[@]}" "$2" "$3" 2>&1 | head -5
        bad "$1"
    fi
}
# run NP OUT ARGS...: xpcs-corr on NP ranks, killed after 300 s
run_np() {
    local np=$1 out=$2
    shift 2
    run timeout 300 "$MPIEXEC" "$NPFLAG" "$np" "$XPCS_BIN/xpcs-corr" -o "$out" -w "$@" \
        </dev/null >"$out.log" 2>&1 || { tail -3 "$out.log"; return 1; }
}

cases=("h multitau dense" "h multitau sparse" "h twotime dense" "h twotime sparse"
       "h both dense" "h both sparse" "h linear dense"
       "r multitau dense" "r multitau sparse" "r twotime dense" "r twotime sparse"
       "r both dense" "r both sparse")
for c in "${cases[@]}"; do
    set -- $c
    raw=d/$1.h5
    [ "$1" = r ] && raw=d/r.bin
    args=(-r "$raw" -q "d/$1_qmap.h5" -t "$2" --kernel "$3")
    ref="ref_$1_$2_$3"
    run_np 1 "$ref" "${args[@]}" || { bad "1 rank: $c"; continue; }
    for np in $SCALE_RANKS; do
        # 32 ranks: one case per input and kernel is enough
        [ "$np" = 32 ] && [ "$2" != both ] && continue
        out="np${np}_$1_$2_$3"
        if run_np "$np" "$out" "${args[@]}"; then
            same "$np ranks: $c bit-identical to 1 rank" "$ref/$1_results.hdf" "$out/$1_results.hdf"
        else
            bad "$np ranks: $c ran"
        fi
    done
done

# a map over one rank's budget: split in row tiles over 4 ranks, identical
# to the one-rank map (and its exact two-time g2)
run_np 1 tt1 -r d/t.h5 -q d/t_qmap.h5 -t twotime || bad "two-time on 1 rank"
for k in dense sparse; do
    run_np 1 ttsmall$k -r d/t.h5 -q d/t_qmap.h5 -t twotime --kernel $k --max-memory 20
    check "--kernel $k: the map does not fit one rank's 20 MiB" grep -q "two-time needs about" ttsmall$k.log
    if XPCS_ENABLE_PROFILING=1 run_np 4 tt4$k -r d/t.h5 -q d/t_qmap.h5 -t twotime --kernel $k --max-memory 20 -v; then
        check "--kernel $k: split in tiles over ranks" grep -q "rows \[0, " tt4$k.log
        same "--kernel $k: split map bit-identical to one rank" tt1/t_results.hdf tt4$k/t_results.hdf
        # each rank compresses the chunks of the rows it computed and sends
        # them to rank 0 (issue 13): rank 0 receives compressed chunks from
        # more than one rank, less than the maps' raw bytes
        check "--kernel $k: maps compressed by the ranks that computed them" run "$PY" - tt4$k <<'PYEOF'
import h5py, json, sys
out = sys.argv[1]
prof = json.load(open(out + "/t_profile.json"))
sent = [r["comm"].get("p2p", {}).get("bytes_out", 0) for r in prof["ranks"]]
maps = h5py.File(out + "/t_results.hdf")["/xpcs/twotime/correlation_map"]
nbytes = sum(maps[k].size * maps[k].dtype.itemsize for k in maps)
stored = sum(maps[k].id.get_storage_size() for k in maps)
got0 = prof["ranks"][0]["comm"].get("p2p", {}).get("bytes_in", 0)
print("sent per rank", sent, "maps", nbytes, "stored", stored, "rank 0 received", got0)
sys.exit(0 if sum(s > stored / 10 for s in sent[1:]) >= 1 and got0 < nbytes and stored < 0.6 * nbytes else 1)
PYEOF
    else
        bad "--kernel $k: the split run over 4 ranks"
    fi
done

# a batch on 18 ranks: rank 0 schedules 8 groups (2 or 3 ranks each)
mkdir -p bd
for i in 1 2 3 4 5 6 7 8 9 10; do
    cp d/h.h5 "bd/f$i.h5"
    cp d/h_metadata.hdf "bd/f${i}_metadata.hdf"
done
run timeout 300 "$MPIEXEC" "$NPFLAG" 18 "$XPCS_BIN/xpcs-corr" -q d/h_qmap.h5 -o bo \
    --ranks-per-file 2 bd/f*.h5 </dev/null >batch.log 2>&1
check "batch: 8 groups" grep -Eq " 8 groups \(" batch.log
check "batch: 10 files done" grep -q "10 file(s): 10 done" batch.log
same "batch: a file equals its single run" ref_h_multitau_dense/h_results.hdf bo/f7_results.hdf

# one rank fails (an event word out of order, met by the rank that reads
# it): every rank stops, one error line, no hang, nothing left
"$PY" - <<'PYEOF'
import numpy as np
w = np.fromfile("d/r.bin", "<u8")
f = w >> np.uint64(40)
k = int(np.argmax(f >= 40))
w[k:k + 3] = w[k:k + 3] - np.uint64(30 << 40)  # frames jump back
w.tofile("d/back.bin")
PYEOF
expect_fail "$MAX_RANKS ranks: one rank meets a bad event word" "back\.bin.*sorted by frame" $MAX_RANKS \
    -r d/back.bin -q d/r_qmap.h5 --frame-time 1e-3
finish
