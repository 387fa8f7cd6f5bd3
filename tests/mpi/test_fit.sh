#!/bin/bash
# Fitting end to end: synthetic speckle whose tau follows q^-2 (and a second
# set with q^-1.5), xpcs-corr --fit single, then the standalone xpcs-fit on
# the result; tau(q) exponent within 5 % of the generator's, per-bin tau
# within 3 % (tests/fit_result_check.py).  Error cases leave the result
# byte-identical and no temporary file behind.
source "$(dirname "$0")/../lib/lib.sh"
SP="--rows 128 --cols 128 --frames 10000 --rate 1 --beta 0.3 --tau0 60 --beamstop 30 --n-dq 6"
synth -o d -n sp $SP --seed 11
corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o o --fit single >o.log 2>&1 || { cat o.log; bad "xpcs-corr --fit single"; }
check "xpcs-corr --fit: last stdout line is the result path" [ "$(tail -n 1 o.log)" = "o/sp_results.hdf" ]
check "xpcs-corr --fit single: tau(q), tau, beta, D" run "$PY" "$ORACLES/fit_result_check.py" o/sp_results.hdf d/sp_truth.h5 single

R=o/sp_results.hdf
run "$XPCS_BIN/xpcs-fit" "$R" --model stretched -v >f.log 2>&1 || { cat f.log; bad "xpcs-fit --model stretched"; }
cat f.log
check "xpcs-fit: last stdout line is the result path" [ "$(tail -n 1 f.log)" = "$R" ]
check "xpcs-fit --model stretched: gamma ~ 1, tau(q)" run "$PY" "$ORACLES/fit_result_check.py" "$R" d/sp_truth.h5 stretched
check "the single fit is still there" run "$PY" "$ORACLES/fit_result_check.py" "$R" d/sp_truth.h5 single

# error cases: exit code, one line naming the problem, result untouched
CHK=$R # the file that must stay byte-identical
SUM=$(md5sum <"$CHK")
expect_fail() { # expect_fail DESCRIPTION CODE PATTERN ARGS...
    local d=$1 code=$2 pat=$3
    shift 3
    run "$XPCS_BIN/xpcs-fit" "$@" >e.out 2>e.err
    local rc=$?
    cat e.err
    if [ $rc -eq "$code" ] && [ "$(wc -l <e.err)" -eq 1 ] && grep -q -- "$pat" e.err &&
        [ "$(md5sum <"$CHK")" = "$SUM" ] && ! ls o/*.tmp >/dev/null 2>&1; then
        ok "$d"
    else
        bad "$d (exit $rc)"
    fi
}
expect_fail "missing file" 3 "no such result file" o/none.hdf
expect_fail "existing fit without -w" 4 "/xpcs/fit/stretched exists: use -w" "$R" --model stretched
expect_fail "unknown parameter" 2 "model single has parameters baseline, beta, tau" "$R" --fix gamma=1
expect_fail "bad range" 2 "expected LO < HI" "$R" --fit-range 5:1
echo "not hdf5" >o/text.hdf
expect_fail "not an HDF5 file" 3 "not a readable HDF5" o/text.hdf
cp "$R" o/nog2err.hdf
"$PY" -c "import h5py; f = h5py.File('o/nog2err.hdf', 'a'); del f['/xpcs/multitau/normalized_g2_err']"
CHK=o/nog2err.hdf
SUM=$(md5sum <"$CHK")
expect_fail "missing g2 errors" 3 "dataset /xpcs/multitau/normalized_g2_err is missing" \
    o/nog2err.hdf --model double -w

# a q map with a second (phi) axis: bin k has natural index i0 * n1 + i1, q = dim0[i0]
cp "$R" o/phi.hdf
"$PY" -c "
import h5py, numpy as np
f = h5py.File('o/phi.hdf', 'a')
q = f['/xpcs/qmap']
for n, v in (('dynamic_v_list_dim0', [0.001, 0.002, 0.003]), ('dynamic_v_list_dim1', [0.0, 90.0]),
             ('dynamic_index_mapping', [5, 4, 3, 2, 1, 0])):
    del q[n]
    q[n] = np.array(v)
"
run "$XPCS_BIN/xpcs-fit" o/phi.hdf --model single -w >p.log 2>&1 || { cat p.log; bad "xpcs-fit, phi bins"; }
check "q through dynamic_index_mapping with 2 phi bins" "$PY" -c "
import h5py, sys
q = h5py.File('o/phi.hdf', 'r')['/xpcs/fit/single/q'][()]
sys.exit(list(q) != [0.003, 0.003, 0.002, 0.002, 0.001, 0.001])"

# -w replaces the group (here with a fixed baseline and a range)
run "$XPCS_BIN/xpcs-fit" "$R" -w --fix baseline=1 --fit-range 0.002:4 >w.log 2>&1 || { cat w.log; bad "xpcs-fit -w"; }
check "-w replaced /xpcs/fit/single" "$PY" -c "
import h5py, sys
g = h5py.File('$R', 'r')['/xpcs/fit/single']
sys.exit(not (list(g['fixed'][()]) == [1, 0, 0] and (g['params'][:, 0] == 1).all()
              and list(g['fit_range'][()]) == [0.002, 4] and 'stretched' in g.parent))"
check "refit with a fixed baseline: tau(q)" run "$PY" "$ORACLES/fit_result_check.py" "$R" d/sp_truth.h5 single

# xpcs-corr with a bad model fails before correlating, writes nothing
corr 1 -r d/sp.h5 -q d/sp_qmap.h5 -o o_bad --fit triple >b.log 2>&1
check "xpcs-corr --fit triple: usage error, no result" [ $? -eq 2 -a ! -e o_bad/sp_results.hdf ]

# a different exponent is recovered (the check is not tied to -2)
synth -o d -n sp15 $SP --tau-exponent -1.5 --seed 12
# (through the JSON config keys fit and fit_range)
echo '{"raw": "d/sp15.h5", "qmap": "d/sp15_qmap.h5", "output": "o", "fit": "single", "fit_range": [0, 8]}' >c15.json
corr 2 -c c15.json >o15.log 2>&1 || { cat o15.log; bad "xpcs-corr, exponent -1.5"; }
check "tau ~ q^-1.5 recovered" run "$PY" "$ORACLES/fit_result_check.py" o/sp15_results.hdf d/sp15_truth.h5 single
check "fit_range from the JSON config" "$PY" -c "
import h5py, sys
sys.exit(list(h5py.File('o/sp15_results.hdf', 'r')['/xpcs/fit/single/fit_range'][()]) != [0, 8])"
finish
