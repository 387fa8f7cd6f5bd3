#!/bin/bash
# Results are bit-identical for 1, 2 and 3 ranks, 1 and 2 OpenMP threads and
# different pipeline step sizes (also with --normalize-frame, where values
# are not integers).
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n s --rows 50 --cols 44 --frames 1200 --rate 0.4 --tau0 6 --n-dq 7
for extra in "" "--normalize-frame -a 3 -f 2"; do
    i=0
    for conf in "1 1 0" "2 1 0" "3 1 0" "1 2 0" "2 2 33" "3 1 7"; do
        set -- $conf
        i=$((i + 1))
        OMP_NUM_THREADS=$2 corr "$1" -r d/s.h5 -q d/s_qmap.h5 -o "o$i" --step-frames "$3" $extra >"o$i.log" 2>&1 ||
            { cat "o$i.log"; bad "run np=$1 threads=$2 step=$3 $extra"; }
        if [ "$i" -gt 1 ]; then
            check "np=$1 threads=$2 step=$3 $extra identical to np=1 threads=1" \
                run "$PY" "$ORACLES/compare.py" o1/s_results.hdf "o$i/s_results.hdf"
        fi
    done
    rm -rf o*
done
finish
