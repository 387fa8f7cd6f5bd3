#!/bin/bash
# Every g2 fittable (issue 13, point 4): xpcs-fit --source linear and
# --source twotime recover the generator's tau (3 %) and beta (5 %), the
# tolerances of the multitau fits (test_fit.sh, same data); -o FIT.h5 writes
# the fits to a file of their own linked both ways, without copying the
# result, also when the result's directory is read-only; --q-range and
# --tauq-range; the usage and input errors.
source "$(dirname "$0")/../lib/lib.sh"
SP="--rows 128 --cols 128 --frames 10000 --rate 1 --beta 0.3 --tau0 60 --beamstop 30 --n-dq 6"
synth -o d -n sp $SP --seed 11
corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o lin -t linear --max-lag 2000 >lin.log 2>&1 || bad "-t linear"
# two-time maps of 10000^2 are large: frames averaged by 4 (t counts it)
corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o tt -t twotime -a 4 >tt.log 2>&1 || bad "-t twotime"
FIT="$XPCS_BIN/xpcs-fit"

run "$FIT" lin/sp_results.hdf --source linear -v >fl.log 2>&1 || { cat fl.log; bad "xpcs-fit --source linear"; }
check "linear g2 fit: tau, beta" run "$PY" "$ORACLES/fit_source_check.py" lin/sp_results.hdf linear_single lin/sp_results.hdf d/sp_truth.h5
check "xpcs-fit: last stdout line is the file written" [ "$(tail -n 1 fl.log)" = lin/sp_results.hdf ]

# -o: the fits in a file of their own, the result not copied (same inode,
# a few kB more for the link)
ino0=$(stat -c %i tt/sp_results.hdf)
size0=$(stat -c %s tt/sp_results.hdf)
run "$FIT" tt/sp_results.hdf --source twotime -o tt/fit.h5 >ft.log 2>&1 || { cat ft.log; bad "xpcs-fit --source twotime -o"; }
cat ft.log
check "two-time g2 fit (in FIT.h5): tau, beta" run "$PY" "$ORACLES/fit_source_check.py" tt/fit.h5 twotime_single tt/sp_results.hdf d/sp_truth.h5
check "-o: last stdout line is FIT.h5" [ "$(tail -n 1 ft.log)" = tt/fit.h5 ]
check "-o: the result updated in place, not copied" [ "$(stat -c %i tt/sp_results.hdf)" = "$ino0" -a "$(stat -c %s tt/sp_results.hdf)" -lt $((size0 + 65536)) ]
check "-o: linked both ways" run "$PY" - <<'PYEOF'
import h5py, sys
r = h5py.File("tt/sp_results.hdf", "r")
f = h5py.File("tt/fit.h5", "r")
link = r["/xpcs/fit"].get("twotime_single", getlink=True)
print(type(link).__name__, link.filename, link.path, f.attrs["result_file"])
ok = f.attrs["result_file"] in (b"sp_results.hdf", "sp_results.hdf")
ok &= isinstance(link, h5py.ExternalLink) and link.filename == "fit.h5"
ok &= (r["/xpcs/fit/twotime_single/params"][()] == f["/xpcs/fit/twotime_single/params"][()]).all()
ok &= (f["/result/xpcs/twotime/processed_bins"][()] == r["/xpcs/twotime/processed_bins"][()]).all()
sys.exit(0 if ok else 1)
PYEOF
run "$FIT" tt/sp_results.hdf --source twotime -o tt/fit.h5 >e.out 2>e.err
check "-o again without -w: exit 4, named" [ $? -eq 4 -a -n "$(grep 'twotime_single exists: use -w' e.err)" ]
run "$FIT" tt/sp_results.hdf --source twotime --model stretched -o tt/fit.h5 >fs.log 2>&1 || bad "a second model into FIT.h5"
check "FIT.h5 holds both models, the result links both" "$PY" -c "
import h5py, sys
f = h5py.File('tt/fit.h5', 'r')['/xpcs/fit']; r = h5py.File('tt/sp_results.hdf', 'r')['/xpcs/fit']
sys.exit(0 if sorted(f) == ['twotime_single', 'twotime_stretched'] == sorted(r) else 1)"

# a read-only result directory (a read-only bind mount as root; else chmod)
mkdir -p ro fits
cp lin/sp_results.hdf ro/
ROMOUNT=0
if [ "$(id -u)" = 0 ] && mount --bind ro ro 2>/dev/null; then
    mount -o remount,ro,bind ro 2>/dev/null && ROMOUNT=1 || umount ro
fi
[ "$ROMOUNT" = 1 ] || chmod a-w ro ro/sp_results.hdf
sum0=$(md5sum <ro/sp_results.hdf)
run "$FIT" ro/sp_results.hdf --source linear --model stretched -o fits/lin.h5 -w >fro.log 2>&1 || { cat fro.log; bad "-o with a read-only result"; }
check "read-only result: untouched, said so" [ "$(md5sum <ro/sp_results.hdf)" = "$sum0" -a -n "$(grep 'cannot be written: only fits/lin.h5 links to it' fro.log)" ]
check "read-only result: FIT.h5 links to it" "$PY" -c "
import h5py, sys
f = h5py.File('fits/lin.h5', 'r')
sys.exit(0 if f['/result/xpcs/linear/delay_list'].shape == (2000,) and str(f.attrs['result_file'].decode()).endswith('/ro/sp_results.hdf') else 1)"
run "$FIT" ro/sp_results.hdf --source linear >e.out 2>e.err
check "without -o a read-only result cannot take the fit: one error line" [ $? -eq 4 -a "$(wc -l <e.err)" -eq 1 ]
[ "$ROMOUNT" = 1 ] && umount ro
chmod -R u+w ro

# q ranges: bins outside are not fitted, tau(q) over its own range
run "$FIT" lin/sp_results.hdf --source linear -w --q-range 0.0029:0.0046 --tauq-range 0.0033: >fq.log 2>&1 || { cat fq.log; bad "--q-range"; }
check "--q-range and --tauq-range" "$PY" -c "
import h5py, sys
g = h5py.File('lin/sp_results.hdf', 'r')['/xpcs/fit/linear_single']
names = [s.decode() for s in g['status_names'][()]]
st = [names[s] for s in g['status'][()]]
used = list(g['tau_q/bins_used'][()])
print(st, used, list(g['q_range'][()]))
sys.exit(0 if st == ['outside_q_range'] + ['converged'] * 5 and used == [0, 0, 1, 1, 1, 1] else 1)"

# errors
run "$FIT" lin/sp_results.hdf --source twotime -o x.h5 >e.out 2>e.err
check "--source twotime without maps: exit 3, the dataset named" [ $? -eq 3 -a -n "$(grep 'dataset /xpcs/twotime/normalized_g2 is missing' e.err)" -a ! -e x.h5 ]
run "$FIT" lin/sp_results.hdf --source fft >e.out 2>e.err
check "--source fft: exit 2" [ $? -eq 2 -a -n "$(grep 'expected multitau, linear or twotime' e.err)" ]
run "$FIT" lin/sp_results.hdf --source linear --q-range 5:1 >e.out 2>e.err
check "--q-range 5:1: exit 2" [ $? -eq 2 -a -n "$(grep 'expected LO < HI' e.err)" ]
finish
