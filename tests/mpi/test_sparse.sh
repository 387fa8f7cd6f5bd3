#!/bin/bash
# The event-based (sparse) kernel gives results bit-identical to the dense
# kernel (g2, errors, SAXS, intensity vs time: tests/compare.py) on random
# data at occupancies about 1e-4, 1e-2 and 0.5, at 1, 2 and 3 ranks, also
# with frame normalization (non-integer values), averaging, stride, small
# pipeline steps and 2 threads.  --kernel auto records its choice and the
# measured occupancy in the result's config.
source "$(dirname "$0")/../lib/lib.sh"
# rate -> occupancy: 1 - exp(-rate * I), speckle intensity I of mean 1
synth -o d -n o4 --rows 64 --cols 64 --frames 4000 --rate 0.0001 --tau0 30 --n-dq 6 --seed 11 --hot 0
synth -o d -n o2 --rows 64 --cols 64 --frames 2000 --rate 0.01 --tau0 10 --n-dq 6 --seed 12
synth -o d -n o5 --rows 48 --cols 40 --frames 1000 --rate 0.9 --tau0 5 --n-dq 5 --seed 13

kernel_of() { # kernel_of RESULT -> "kernel occupancy"
    "$PY" -c "import h5py,sys; g=h5py.File(sys.argv[1],'r')['/xpcs/multitau/config']; \
print(g['kernel'][()].decode(), '%.3g' % g['occupancy'][()])" "$1"
}

for n in o4 o2 o5; do
    corr 1 -r d/$n.h5 -q d/${n}_qmap.h5 -o ref_$n --kernel dense >ref_$n.log 2>&1 ||
        { cat ref_$n.log; bad "dense reference $n"; continue; }
    for np in 1 2 3; do
        if corr "$np" -r d/$n.h5 -q d/${n}_qmap.h5 -o s_${n}_$np --kernel sparse >s.log 2>&1; then
            check "$n ($(grep -o 'occupancy [0-9.e-]*' s.log)): sparse np=$np identical to dense" \
                run "$PY" "$ORACLES/compare.py" ref_$n/${n}_results.hdf s_${n}_$np/${n}_results.hdf
        else
            cat s.log
            bad "$n sparse np=$np"
        fi
    done
    # non-integer values (normalization), averaging, stride; small steps; threads
    x="--normalize-frame -a 3 -f 2 -b 5"
    corr 2 -r d/$n.h5 -q d/${n}_qmap.h5 -o rn_$n --kernel dense $x >/dev/null 2>&1 || bad "dense $n $x"
    for conf in "1 1 0" "3 2 13"; do
        set -- $conf
        OMP_NUM_THREADS=$2 corr "$1" -r d/$n.h5 -q d/${n}_qmap.h5 -o sn_${n}_$1 --kernel sparse \
            --step-frames "$3" $x >/dev/null 2>&1 || bad "sparse $n $x np=$1"
        check "$n $x: sparse np=$1 threads=$2 step=$3 identical to dense" \
            run "$PY" "$ORACLES/compare.py" rn_$n/${n}_results.hdf sn_${n}_$1/${n}_results.hdf
    done
    rm -rf s_${n}_* sn_${n}_* rn_$n
done

# auto: sparse at low occupancy, dense at 0.5; the choice is in the config
corr 2 -r d/o4.h5 -q d/o4_qmap.h5 -o a4 >/dev/null 2>&1
corr 2 -r d/o5.h5 -q d/o5_qmap.h5 -o a5 >/dev/null 2>&1
k4=$(kernel_of a4/o4_results.hdf)
k5=$(kernel_of a5/o5_results.hdf)
check "auto at low occupancy picks sparse ($k4)" test "${k4%% *}" = sparse
check "auto at occupancy 0.5 picks dense ($k5)" test "${k5%% *}" = dense
check "auto result identical to dense (o4)" run "$PY" "$ORACLES/compare.py" ref_o4/o4_results.hdf a4/o4_results.hdf
check "auto result identical to dense (o5)" run "$PY" "$ORACLES/compare.py" ref_o5/o5_results.hdf a5/o5_results.hdf
corr 1 -r d/o2.h5 -q d/o2_qmap.h5 -o v2 -v >v2.log 2>&1
check "-v prints the kernel choice and occupancy" grep -Eq '^kernel: (sparse|dense) \(--kernel auto, occupancy 0\.0[0-9]* in the first frames\)' v2.log
corr 1 -r d/o2.h5 -q d/o2_qmap.h5 -o bad --kernel fast >bk.log 2>&1
check "--kernel fast is a usage error" grep -q "expected dense, sparse or auto" bk.log
finish
