#!/bin/bash
# Bad input: one clear error line naming the file, dataset and what was
# expected; non-zero exit; every rank exits (runs are killed after 120 s, so
# a hang fails); no result or temporary file left behind.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n good --rows 20 --cols 24 --frames 300
synth -o d -n other --rows 21 --cols 24 --frames 10
head -c 40000 d/good.h5 >d/truncated.h5
echo "this is not HDF5" >d/text.h5
"$PY" - <<'PYEOF'
import h5py, numpy as np
with h5py.File("d/flat.h5", "w") as f:
    f["/entry/data/data"] = np.zeros((20, 24), np.uint16)
with h5py.File("d/signed.h5", "w") as f:
    f["/entry/data/data"] = np.zeros((10, 20, 24), np.int16)
with h5py.File("d/noqmap.h5", "w") as f:
    f["/other"] = np.zeros(3)
PYEOF
mkdir -p ro && chmod 555 ro
touch afile

expect_fail() { # expect_fail DESCRIPTION "TEXT1|TEXT2" OUTDIR ARGS...
    local d=$1 pattern=$2 out=$3
    shift 3
    local before
    before=$(find "$out" -name '*_results.hdf*' 2>/dev/null | sort)
    corr 2 -o "$out" "$@" >out.txt 2>err.txt
    local rc=$?
    local line
    line=$(grep -c '^xpcs-corr: error:' err.txt)
    if [ "$rc" -eq 124 ]; then
        bad "$d: hung (killed after 120 s)"
    elif [ "$rc" -eq 0 ]; then
        bad "$d: exit status 0"
    elif [ "$line" -ne 1 ]; then
        cat err.txt
        bad "$d: expected exactly one error line, got $line"
    elif ! grep '^xpcs-corr: error:' err.txt | grep -Eq "$pattern"; then
        cat err.txt
        bad "$d: message does not match /$pattern/"
    elif [ "$(find "$out" -name '*_results.hdf*' 2>/dev/null | sort)" != "$before" ]; then
        ls -la "$out"
        bad "$d: left a file behind"
    else
        ok "$d (rc $rc): $(grep '^xpcs-corr: error:' err.txt)"
    fi
}
Q=d/good_qmap.h5
expect_fail "missing raw file" "nope\.h5.*cannot read" o1 -r d/nope.h5 -q $Q
expect_fail "raw is not HDF5" "text\.h5.*not an HDF5" o2 -r d/text.h5 -q $Q
expect_fail "truncated raw file" "truncated\.h5.*(cannot open|truncated|not an HDF5)" o3 -r d/truncated.h5 -q $Q
expect_fail "missing frames dataset" "noqmap\.h5.*/entry/data/data is missing" o4 -r d/noqmap.h5 -q $Q
expect_fail "other dataset path missing" "good\.h5.*/entry/data/nope is missing" o5 -r d/good.h5 -q $Q --dataset /entry/data/nope
expect_fail "2-D frames dataset" "flat\.h5.*/entry/data/data.*\(20, 24\).*expected a non-empty 3-D" o6 -r d/flat.h5 -q $Q
expect_fail "signed frames" "signed\.h5.*expected unsigned 8, 16 or 32-bit" o7 -r d/signed.h5 -q $Q
expect_fail "qmap shape differs from frames" "other_qmap\.h5.*\(21, 24\).*expected the frame shape \(20, 24\)" o8 -r d/good.h5 -q d/other_qmap.h5
expect_fail "qmap file without /qmap" "noqmap\.h5.*/qmap is missing" o9 -r d/good.h5 -q d/noqmap.h5
expect_fail "qmap not HDF5" "text\.h5.*not an HDF5" o10 -r d/good.h5 -q d/text.h5
expect_fail "empty frame range" "good\.h5.*empty frame range" o11 -r d/good.h5 -q $Q -b 200 -e 100
expect_fail "begin past the end" "good\.h5.*empty frame range" o12 -r d/good.h5 -q $Q -b 300
expect_fail "stride leaves one frame" "empty frame range" o13 -r d/good.h5 -q $Q -f 200
expect_fail "unwritable output directory" "ro.*not writable" ro -r d/good.h5 -q $Q
expect_fail "output is a file" "afile.*not a directory" afile -r d/good.h5 -q $Q
expect_fail "output below a file (parents are created, a file is no directory)" "afile/sub.*cannot create the output directory" afile/sub -r d/good.h5 -q $Q
expect_fail "bad dq selection" "dq-selection" o14 -r d/good.h5 -q $Q -d 1,99
expect_fail "memory budget" "MiB per rank.*budget" o15 -r d/good.h5 -q $Q --max-memory 0.01
expect_fail "unknown option" "unknown or incomplete option" o16 -r d/good.h5 -q $Q --frobnicate
# an existing result is not replaced without -w
corr 2 -r d/good.h5 -q $Q -o keep >/dev/null 2>&1
cp keep/good_results.hdf keep.orig
corr 2 -r d/good.h5 -q $Q -o keep >keep.out 2>&1
check "existing result without -w: the next free name (boost_corr's rule)" test "$(tail -n 1 keep.out)" = keep/good_results_1.hdf
check "existing result untouched" cmp -s keep/good_results.hdf keep.orig
corr 2 -r d/good.h5 -q $Q -o keep -w >/dev/null 2>&1
check "-w replaces it" test -s keep/good_results.hdf
chmod 755 ro
finish
