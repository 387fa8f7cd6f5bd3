#!/bin/bash
# Linear-lag g2 (-t linear): the numpy oracle (direct O(N L) sums at every
# lag, tests/oracle_linear.py) agrees to 1e-9 on uint16, uint8/gzip and uint32
# data, with frame selection, avg, normalization, --max-lag, small pipeline
# steps and the several-block path of the kernel, on 1, 2 and 3 ranks; results
# are bit-identical across ranks (integer counts) or within 1e-12 (normalized
# frames); lags 1..8 equal multitau's; an FFTW wisdom file is written, reused
# and gives the same numbers; a run that does not fit the memory budget stops
# with a message that names the need and suggests --max-lag.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n u16 --rows 30 --cols 28 --frames 701 --rate 0.7 --beta 0.3 --tau0 8 --n-dq 5
synth -o d -n u8z --dtype u8 --gzip 4 --chunk-frames 7 --rows 21 --cols 25 --frames 400 --rate 2 --n-dq 4 --seed 7
synth -o d -n u32 --dtype u32 --rows 16 --cols 18 --frames 300 --rate 5 --n-dq 3 --seed 3
# 17000 frames, lags up to 100; a budget of 6 MiB makes the kernel cut the
# run into blocks of ~8300 frames (overlapping by the 100 lags)
synth -o d -n long --rows 10 --cols 12 --frames 17000 --rate 0.5 --tau0 30 --n-dq 2 --beamstop 1 --seed 5

case_() { # case_ NP NAME OUT ARGS...
    local np=$1 name=$2 out=$3
    shift 3
    if corr "$np" -r "d/$name.h5" -q "d/${name}_qmap.h5" -o "$out" -t linear "$@" >"$out.log" 2>&1 &&
        run "$PY" "$ORACLES/oracle_linear.py" "d/$name.h5" "d/${name}_qmap.h5" "$out/${name}_results.hdf"; then
        ok "oracle np=$np $name $*"
    else
        cat "$out.log"
        bad "oracle np=$np $name $*"
    fi
}
case_ 1 u16 l1
case_ 2 u16 l2
case_ 3 u16 l3
case_ 2 u16 ls -b 3 -e 690 -f 2 -a 3 --max-lag 40 --step-frames 17
case_ 3 u16 ln1 --normalize-frame --max-lag 300
case_ 1 u16 ln2 --normalize-frame --max-lag 300
case_ 3 u8z lz -a 2
case_ 2 u32 lu --max-lag 100
case_ 2 long lb1 --max-lag 100 --max-memory 6 -v
case_ 3 long lb3 --max-lag 100 --max-memory 6 --step-frames 999 -v
check "short budget: time blocks" grep -q "lags 1..100; blocks of" lb1.log lb3.log

for np in 2 3; do
    check "np=$np bit-identical to np=1" run "$PY" "$ORACLES/compare_ext.py" "l$np/u16_results.hdf" l1/u16_results.hdf /xpcs/linear
done
check "several blocks: np=3 bit-identical to np=2" run "$PY" "$ORACLES/compare_ext.py" lb3/long_results.hdf lb1/long_results.hdf /xpcs/linear
check "normalized frames: np=3 within 1e-12 of np=1" run "$PY" "$ORACLES/compare_ext.py" ln1/u16_results.hdf ln2/u16_results.hdf /xpcs/linear --rtol 1e-12

corr 2 -r d/u16.h5 -q d/u16_qmap.h5 -o m -t multitau >m.log 2>&1 || { cat m.log; bad "multitau run"; }
check "lags 1..8 bit-identical to multitau" run "$PY" "$ORACLES/compare_ext.py" l2/u16_results.hdf m/u16_results.hdf --lags8
corr 2 -r d/u16.h5 -q d/u16_qmap.h5 -o mn -t multitau --normalize-frame >mn.log 2>&1 || bad "multitau run"
check "normalized frames: lags 1..8 within 1e-12 of multitau" run "$PY" "$ORACLES/compare_ext.py" ln1/u16_results.hdf mn/u16_results.hdf --lags8 --rtol 1e-12

corr 2 -r d/u16.h5 -q d/u16_qmap.h5 -o w1 -t linear --fftw-wisdom wis.txt -v >w1.log 2>&1 || { cat w1.log; bad "wisdom run"; }
check "wisdom file written" test -s wis.txt
check "-v prints the linear plan and FFTW planner" grep -q "FFTW planner: wisdom wis.txt" w1.log
corr 3 -r d/u16.h5 -q d/u16_qmap.h5 -o w2 -t linear --fftw-wisdom wis.txt >w2.log 2>&1 || { cat w2.log; bad "wisdom rerun"; }
check "wisdom runs equal the estimate run" run "$PY" "$ORACLES/compare_ext.py" w2/u16_results.hdf l1/u16_results.hdf /xpcs/linear

corr 2 -r d/long.h5 -q d/long_qmap.h5 -o mem -t linear --max-lag 16000 --max-memory 8 >mem.out 2>mem.err
rc=$?
check "over the budget: exit 5" test "$rc" -eq 5
check "message names the need and suggests --max-lag" grep -q "needs about .* MiB per rank.*--max-lag" mem.err
check "no result left behind" test ! -e mem/long_results.hdf
corr 2 -r d/long.h5 -q d/long_qmap.h5 -o auto -t linear --max-memory 8 -v >auto.log 2>&1 || { cat auto.log; bad "auto lags"; }
check "default: the lags that fit the budget, in time blocks" grep -Eq "lags 1\.\.1[0-9][0-9][0-9]; blocks of" auto.log
check "auto-lag result agrees with the oracle" run "$PY" "$ORACLES/oracle_linear.py" d/long.h5 d/long_qmap.h5 auto/long_results.hdf
finish
