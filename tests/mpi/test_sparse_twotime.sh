#!/bin/bash
# Two-time on events (issue 7): the event kernel (--kernel sparse) gives
# two-time maps, diagonal-mean g2 and segments bit-identical to the dense
# kernel (tests/compare_ext.py, no tolerance) on random data at occupancies
# about 1e-4, 1e-2 and 0.5, at 1, 2 and 3 ranks, with every smoothing mode,
# bin selections, frame selection and averaging; -t both gives the multitau
# and the two-time results of the dense kernels in one pass; the numpy oracle
# (tests/oracle_twotime.py) agrees with the event kernel's maps; a Rigaku .bin
# file gives the maps of the same counts as dense HDF5 (event kernel, and the
# dense kernel fed from events); --kernel auto records its choice; -t linear
# on a .bin is refused with a clear message and exit 2.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n o4 --rows 40 --cols 40 --frames 900 --rate 0.0003 --tau0 30 --n-dq 4 --seed 21 --hot 0
synth -o d -n o2 --rows 32 --cols 32 --frames 500 --rate 0.01 --tau0 10 --n-dq 4 --seed 22
synth -o d -n o5 --rows 24 --cols 20 --frames 400 --rate 0.9 --tau0 5 --n-dq 3 --seed 23

tt_same() { # tt_same A B: two-time group bit-identical
    run "$PY" "$ORACLES/compare_ext.py" "$1" "$2" /xpcs/twotime
}
for n in o4 o2 o5; do
    i=0
    for x in "" "-s dqmap -d 1,3" "-s none -b 5 -e 390 -f 2 -a 2 --step-frames 17"; do
        i=$((i + 1))
        corr 1 -r d/$n.h5 -q d/${n}_qmap.h5 -o dn_$n$i -t twotime --kernel dense $x >dn.log 2>&1 ||
            { cat dn.log; bad "dense reference $n $x"; continue; }
        nps="1 2 3"
        [ -n "$x" ] && nps="2"
        for np in $nps; do
            if corr "$np" -r d/$n.h5 -q d/${n}_qmap.h5 -o sp_$n${i}_$np -t twotime --kernel sparse -v \
                $x >sp.log 2>&1; then
                check "$n $x: two-time event kernel np=$np identical to dense" \
                    tt_same dn_$n$i/${n}_results.hdf sp_$n${i}_$np/${n}_results.hdf
            else
                cat sp.log
                bad "$n sparse two-time np=$np $x"
            fi
        done
    done
    check "$n: the numpy oracle agrees with the event kernel" \
        run "$PY" "$ORACLES/oracle_twotime.py" d/$n.h5 d/${n}_qmap.h5 sp_${n}1_2/${n}_results.hdf
done
check "-v: the event kernel's events per bin" grep -q "event kernel .* events" sp.log
check "config: two-time kernel sparse" run "$PY" -c "
import h5py, sys
c = h5py.File('sp_o21_2/o2_results.hdf')['/xpcs/twotime/config']
sys.exit(0 if c['kernel'][()] == b'sparse' and c['bin_events'][()].sum() > 0 else 1)"

# -t both: multitau and two-time of the event kernels == the dense kernels
corr 2 -r d/o2.h5 -q d/o2_qmap.h5 -o bd -t both --kernel dense --normalize-frame >b.log 2>&1 || bad "both dense"
corr 3 -r d/o2.h5 -q d/o2_qmap.h5 -o bs -t both --kernel sparse --normalize-frame >b.log 2>&1 || bad "both sparse"
check "-t both: multitau of the event kernel identical to dense" \
    run "$PY" "$ORACLES/compare.py" bd/o2_results.hdf bs/o2_results.hdf
check "-t both: two-time of the event kernel identical to dense" tt_same bd/o2_results.hdf bs/o2_results.hdf

# --kernel auto at occupancy 1e-4: the event kernels, recorded
corr 2 -r d/o4.h5 -q d/o4_qmap.h5 -o au -t twotime -v >au.log 2>&1 || { cat au.log; bad "auto run"; }
check "auto: event kernel chosen at low occupancy" grep -q "kernel: sparse (--kernel auto, occupancy" au.log
check "auto: identical to dense" tt_same dn_o41/o4_results.hdf au/o4_results.hdf
check "auto: two-time config records kernel, option and occupancy" run "$PY" -c "
import h5py, sys
c = h5py.File('au/o4_results.hdf')['/xpcs/twotime/config']
sys.exit(0 if c['kernel'][()] == b'sparse' and c['kernel_option'][()] == b'auto'
         and 0 < c['occupancy'][()] < 1e-3 else 1)"

# Rigaku .bin: the same counts as dense HDF5
synth -o d -n rg --rows 512 --cols 1024 --frames 120 --rate 0.003 --tau0 12 --n-dq 6 \
    --dtype u8 --gzip 1 --format both
x="-t both -d 2,5"
corr 2 -r d/rg.h5 -q d/rg_qmap.h5 -o rh --kernel dense $x >rh.log 2>&1 || { cat rh.log; bad "rg dense HDF5"; }
# the event pipeline from HDF5 frames of 0.5 MB (gzip): several read blocks per step
corr 2 -r d/rg.h5 -q d/rg_qmap.h5 -o rs --kernel sparse $x >rs.log 2>&1 || { cat rs.log; bad "rg sparse HDF5"; }
check ".h5 512 x 1024 -t both: event kernels identical to dense (two-time)" \
    tt_same rh/rg_results.hdf rs/rg_results.hdf
check ".h5 512 x 1024 -t both: event kernels identical to dense (multitau)" \
    run "$PY" "$ORACLES/compare.py" rh/rg_results.hdf rs/rg_results.hdf
# 3 ranks, steps of 25 frames (9 + 8 + 8 frames of 0.5 MB): uneven numbers of read blocks
corr 3 -r d/rg.h5 -q d/rg_qmap.h5 -o ru --kernel sparse --step-frames 25 $x >ru.log 2>&1 ||
    { cat ru.log; bad "rg sparse HDF5 np=3 step 25"; }
check ".h5 512 x 1024, np=3, uneven read blocks: identical to dense (two-time)" \
    tt_same rh/rg_results.hdf ru/rg_results.hdf
check ".h5 512 x 1024, np=3, uneven read blocks: identical to dense (multitau)" \
    run "$PY" "$ORACLES/compare.py" rh/rg_results.hdf ru/rg_results.hdf
for conf in "sparse 1" "sparse 3" "dense 2"; do
    set -- $conf
    if corr "$2" -r d/rg.bin -q d/rg_qmap.h5 -o rb$1$2 --kernel "$1" $x >rb.log 2>&1; then
        check ".bin -t both ($1 kernel, np=$2): two-time identical to .h5 (dense)" \
            tt_same rh/rg_results.hdf rb$1$2/rg_results.hdf
        check ".bin -t both ($1 kernel, np=$2): multitau identical to .h5 (dense)" \
            run "$PY" "$ORACLES/compare.py" rh/rg_results.hdf rb$1$2/rg_results.hdf
    else
        cat rb.log
        bad ".bin -t both $1 np=$2"
    fi
done
# an event file at 18 % occupancy: auto picks the event multitau kernel and
# the dense two-time kernel (fed from the events)
synth -o d -n r1 --rows 512 --cols 1024 --frames 24 --rate 0.2 --iid --hot 0 --n-dq 4 \
    --dtype u8 --gzip 1 --format both
corr 2 -r d/r1.h5 -q d/r1_qmap.h5 -o r1h --kernel dense -t both >r1.log 2>&1 || { cat r1.log; bad "r1 dense HDF5"; }
corr 2 -r d/r1.bin -q d/r1_qmap.h5 -o r1b -t both -v >r1b.log 2>&1 || { cat r1b.log; bad "r1 .bin auto"; }
check ".bin at 18 %: auto runs multitau sparse, two-time dense" \
    grep -q "kernel: multitau sparse, twotime dense (--kernel auto" r1b.log
check ".bin at 18 % (auto): two-time identical to .h5 (dense)" tt_same r1h/r1_results.hdf r1b/r1_results.hdf
check ".bin at 18 % (auto): multitau identical to .h5 (dense)" \
    run "$PY" "$ORACLES/compare.py" r1h/r1_results.hdf r1b/r1_results.hdf

# memory: the event kernel needs no dense series store (budget between the two)
corr 2 -r d/rg.bin -q d/rg_qmap.h5 -o ms -t twotime -d 2,5 --kernel sparse --max-memory 110 \
    >ms.log 2>&1
check "budget: the event kernel fits without the dense store" test -s ms/rg_results.hdf
corr 2 -r d/rg.bin -q d/rg_qmap.h5 -o md -t twotime -d 2,5 --kernel dense --max-memory 110 \
    >md.out 2>md.err
rc=$?
check "budget: the dense kernel's store does not fit: exit 5, suggests --kernel sparse" \
    test "$rc" -eq 5 -a -n "$(grep "dense two-time kernel needs about .* use --kernel sparse" md.err)"
check "budget: no result left behind" test ! -e md/rg_results.hdf

# memory: auto's event kernel plans its events from the measured occupancy
# (0.09 here: about 6 MiB on top of an 80 MiB plan)
synth -o d -n r9 --rows 512 --cols 1024 --frames 60 --rate 0.094 --iid --hot 0 --n-dq 6 \
    --format rigaku
corr 2 -r d/r9.bin -q d/r9_qmap.h5 -o m9 -t twotime -d 2,5 --max-memory 83 >m9.out 2>m9.err
rc=$?
check "budget: auto's event kernel and its events do not fit: exit 5, named" \
    test "$rc" -eq 5 -a -n "$(grep "event two-time kernel needs about .* for the events of its bins" m9.err)"
check "budget: no result left behind (events)" test ! -e m9/r9_results.hdf
corr 2 -r d/r9.bin -q d/r9_qmap.h5 -o m9b -t twotime -d 2,5 --max-memory 95 >m9b.log 2>&1
check "budget: with room for the events the run completes" test -s m9b/r9_results.hdf

corr 2 -r d/rg.bin -q d/rg_qmap.h5 -o rl -t linear >rl.out 2>rl.err
rc=$?
check ".bin -t linear: exit 2 with a clear message" \
    test "$rc" -eq 2 -a -n "$(grep "rg.bin: -t linear is not available for Rigaku .bin input" rl.err)"
check ".bin -t linear: no result file" test ! -e rl/rg_results.hdf
finish
