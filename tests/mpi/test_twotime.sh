#!/bin/bash
# Two-time maps (-t twotime, -t both): the numpy oracle (tests/oracle_twotime.py:
# dense products per bin, boost_corr's smoothing and normalization) agrees to 1e-6
# (float32 maps) and 1e-9 (diagonal means, segments) with every smoothing mode,
# bin selections, frame selection and avg, on 1, 2 and 3 ranks; maps and g2 are
# bit-identical for any rank count; constant frames give maps of ones (upper
# triangle, zeros below); -t both gives the multitau result of -t multitau and
# the maps of -t twotime in one pass; -v says which rank computed which bin and
# the config stores it; a run over the memory budget stops with a message that
# suggests --avg-frame or fewer bins; options and the JSON config apply; when
# rank 0 cannot write, every rank stops with the error; on synthetic speckle the
# diagonal-mean g2 agrees with the linear g2 within the statistical error.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n s --rows 32 --cols 30 --frames 401 --rate 0.8 --beta 0.3 --tau0 10 --n-dq 5
synth -o d -n c --rows 16 --cols 20 --frames 120 --constant 3 --n-dq 3
synth -o d -n sp --rows 48 --cols 48 --frames 2000 --rate 1 --beta 0.3 --tau0 40 --n-dq 3 --beamstop 4 --seed 11

case_() { # case_ NP NAME OUT ARGS...
    local np=$1 name=$2 out=$3
    shift 3
    if corr "$np" -r "d/$name.h5" -q "d/${name}_qmap.h5" -o "$out" "$@" >"$out.log" 2>&1 &&
        run "$PY" "$ORACLES/oracle_twotime.py" "d/$name.h5" "d/${name}_qmap.h5" "$out/${name}_results.hdf"; then
        ok "oracle np=$np $name $*"
    else
        cat "$out.log"
        bad "oracle np=$np $name $*"
    fi
}
case_ 1 s t1 -t twotime
case_ 2 s t2 -t twotime -v
case_ 3 s t3 -t twotime
case_ 2 s td -t twotime -d 1,3-4 --smooth dqmap
case_ 3 s tn -t twotime -d 2,5 -s none -b 5 -e 390 -f 2 -a 2 --step-frames 33
case_ 2 s tb -t both -d 4,1 --normalize-frame
case_ 3 c tc -t twotime

for np in 2 3; do
    check "np=$np bit-identical to np=1" run "$PY" "$ORACLES/compare_ext.py" "t$np/s_results.hdf" t1/s_results.hdf /xpcs/twotime
done
check "-v: which rank computes which bin" grep -q "rank 1 computes" t2.log
check "-v: GFLOP/s per bin" grep -q "GFLOP/s" t2.log
check "config: the rank of every bin" run "$PY" -c "
import h5py, sys
c = h5py.File('t2/s_results.hdf')['/xpcs/twotime/config']
sys.exit(0 if sorted(set(c['bin_rank'][()])) == [0, 1] and c['smooth'][()] == b'sqmap' else 1)"
check "constant frames: maps of ones, g2 = 1" run "$PY" -c "
import h5py, numpy as np, sys
r = h5py.File('tc/c_results.hdf')
ok = True
for k in r['/xpcs/twotime/correlation_map']:
    m = r['/xpcs/twotime/correlation_map/' + k][()]
    ok &= np.all(np.triu(m) == np.triu(np.ones_like(m))) and np.all(np.tril(m, -1) == 0)
ok &= np.all(r['/xpcs/twotime/normalized_g2'][()] == 1)
sys.exit(0 if ok else 1)"

corr 2 -r d/s.h5 -q d/s_qmap.h5 -o bm -t multitau --normalize-frame >bm.log 2>&1 || bad "multitau run"
corr 2 -r d/s.h5 -q d/s_qmap.h5 -o bt -t twotime -d 4,1 >bt.log 2>&1 || bad "twotime run"
check "-t both: multitau identical to -t multitau" run "$PY" "$ORACLES/compare.py" tb/s_results.hdf bm/s_results.hdf
check "-t both: maps identical to -t twotime (frame normalization cancels)" run "$PY" "$ORACLES/compare_ext.py" tb/s_results.hdf bt/s_results.hdf /xpcs/twotime --rtol 1e-12
check "-t twotime writes no multitau group" run "$PY" -c "
import h5py, sys; sys.exit(1 if 'multitau' in h5py.File('t1/s_results.hdf')['/xpcs'] else 0)"

corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o mem -t twotime --max-memory 20 >mem.out 2>mem.err
rc=$?
check "over the budget: exit 5" test "$rc" -eq 5
check "message suggests --avg-frame or fewer bins" grep -q "two-time needs about .* MiB on rank .*-a/--avg-frame, fewer bins" mem.err
check "no result left behind" test ! -e mem/sp_results.hdf

corr 1 -r d/s.h5 -q d/s_qmap.h5 -o bad -t twotime -s median >bad.out 2>bad.err
rc=$?
check "bad --smooth: exit 2, named" test "$rc" -eq 2 -a -n "$(grep "expected sqmap, dqmap or none, got 'median'" bad.err)"
cat >cfg.json <<JSON
{"raw": "d/s.h5", "qmap": "d/s_qmap.h5", "output": "oc", "type": "Twotime", "smooth": "dqmap",
 "dq_selection": "2-3"}
JSON
corr 2 -c cfg.json >cfg.log 2>&1 || { cat cfg.log; bad "run with -c"; }
check "JSON config: type, smooth, dq_selection" run "$PY" -c "
import h5py, sys
r = h5py.File('oc/s_results.hdf')
ok = list(r['/xpcs/twotime/processed_bins'][()]) == [2, 3]
ok &= r['/xpcs/twotime/config/smooth'][()] == b'dqmap'
sys.exit(0 if ok else 1)"
# rank 0 cannot write (the metadata file beside the raw file is not HDF5): the
# owners, waiting to send their maps, are told to stop; nobody hangs
mkdir -p e && cp d/s.h5 d/s_qmap.h5 e/ && echo "not hdf5" >e/s_metadata.hdf
corr 3 -r e/s.h5 -q e/s_qmap.h5 -o eo -t twotime >e.out 2>e.err
rc=$?
check "writer fails before the maps: exit 3, no hang, nothing left" test "$rc" -eq 3 -a ! -e eo/s_results.hdf

corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o spt -t twotime >spt.log 2>&1 || { cat spt.log; bad "speckle twotime"; }
corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o spl -t linear --max-lag 200 >spl.log 2>&1 || { cat spl.log; bad "speckle linear"; }
check "speckle: diagonal-mean g2 within the statistical error of linear g2" run "$PY" - <<'PYEOF'
import h5py, numpy as np, sys
t = h5py.File("spt/sp_results.hdf")["/xpcs/twotime/normalized_g2"][()]
lf = h5py.File("spl/sp_results.hdf")["/xpcs/linear"]
g, e = lf["normalized_g2"][()], lf["normalized_g2_err"][()]
ok = True
for b in range(g.shape[1]):
    z = (t[1:201, b] - g[:, b]) / e[:, b]
    print(f"bin {b + 1}: lags 1..200: mean |diff|/err {np.mean(np.abs(z)):.2f}, max {np.max(np.abs(z)):.2f}")
    ok &= np.mean(np.abs(z)) < 1.0 and np.max(np.abs(z)) < 4.0
sys.exit(0 if ok else 1)
PYEOF
finish
