#!/bin/bash
# Results are bit-identical for 1, 2 and 3 ranks, 1 and 2 OpenMP threads,
# different pipeline step sizes and with the kernels beside the next step's
# read or after it (io.overlap on / off / auto: on for a rank of 2 threads),
# also with --normalize-frame, where values are not integers.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n s --rows 50 --cols 44 --frames 1200 --rate 0.4 --tau0 6 --n-dq 7
for extra in "" "--normalize-frame -a 3 -f 2"; do
    i=0
    for conf in "1 1 0 off" "2 1 0 auto" "3 1 90 on" "1 2 50 auto" "2 2 33 on" "3 1 7 off" "1 1 64 on"; do
        set -- $conf
        i=$((i + 1))
        OMP_NUM_THREADS=$2 corr "$1" -r d/s.h5 -q d/s_qmap.h5 -o "o$i" --step-frames "$3" \
            --set io.overlap="$4" $extra >"o$i.log" 2>&1 ||
            { cat "o$i.log"; bad "run np=$1 threads=$2 step=$3 overlap $4 $extra"; }
        # each rank's count of steps whose kernels ran beside the next read (the
        # "on" runs here have several steps; auto overlaps a rank of 2 threads)
        ov=$("$PY" -c 'import json, sys
print(min(r["steps_overlapped"] for r in json.load(open(sys.argv[1]))["ranks"]))' "o$i/s_profile.json")
        case $4-$2 in
        on-* | auto-2) check "overlap $4, $2 thread(s): every rank overlapped steps ($ov)" test "$ov" -gt 0 ;;
        off-*) check "overlap off: no rank overlapped a step ($ov)" test "$ov" -eq 0 ;;
        esac
        if [ "$i" -gt 1 ]; then
            check "np=$1 threads=$2 step=$3 overlap $4 $extra identical to np=1 threads=1" \
                run "$PY" "$ORACLES/compare.py" o1/s_results.hdf "o$i/s_results.hdf"
        fi
    done
    rm -rf o*
done
finish
