#!/bin/bash
# xpcs-corr as a drop-in for boost_corr (README "Coming from boost_corr"): the APS
# Globus flow's exact command string -- one string, flags that are off as empty
# words, run by a shell -- for -t Multitau, Twotime and Both, with and without
# -w and -v; stdout holds only the result path; without -nf the g2 is the exact
# frame-normalized g2 (boost_corr's command-line default); -nf / --normalize-frame
# take 0|1 and a number after them is never a raw file; -i notes the CPU; -n
# ends with dry_run_only; Timepix4 options, a missing frame time and a value
# that is not a number are one-line errors with nothing written.
source "$(dirname "$0")/../lib/lib.sh"
unset XPCS_NORMALIZE_FRAME # this test checks the default itself
synth -o d -n a --rows 24 --cols 28 --frames 600 --frame-time 0.002 --n-dq 4
synth -o d -n b --rows 20 --cols 30 --frames 300 --no-metadata
CORR=$XPCS_BIN/xpcs-corr

# flow RANKS TYPE OUT G W V: the flow's " ".join(cmd) with shell=True
flow() {
    local np=$1 type=$2 out=$3 G=$4 W=$5 V=$6 launch=""
    [ "$np" -gt 1 ] && launch="$MPIEXEC $NPFLAG $np"
    local cmd="$launch $CORR -r d/a.h5 -q d/a_qmap.h5 -o $out -i 0 -s sqmap -b 0 -e -1 -f 1 -a 1 -t $type -d all $G $W $V"
    echo "+ sh -c \"$cmd\"" >&2
    timeout 120 sh -c "$cmd"
}
# one_line FILE PATH: FILE (stdout of xpcs-corr, without the "+ timeout ..." line of
# lib.sh's corr) holds exactly one line, PATH, and it exists
one_line() {
    local body
    body=$(grep -v '^+ timeout ' "$1")
    test "$(printf '%s\n' "$body" | wc -l)" -eq 1 -a "$body" = "$2" -a -s "$2"
}

for type in Multitau Twotime Both; do
    for gwv in "  " "-w  " " -v" "-w -v" "-G  " "-G -w -v"; do
        G=$(echo "$gwv" | grep -o -- -G)
        w=$(echo "$gwv" | grep -o -- -w)
        v=$(echo "$gwv" | grep -o -- -v)
        tag=$type${G:+-G}${w:+-w}${v:+-v}
        out=o_$tag
        [ -n "$w" ] && { flow 1 "$type" "$out" "" "" "" >/dev/null 2>&1 || bad "$tag: first run"; }
        if flow 1 "$type" "$out" "$G" "$w" "$v" >"$tag.out" 2>"$tag.err"; then
            check "$tag: stdout is the result path only" one_line "$tag.out" "$out/a_results.hdf"
        else
            cat "$tag.err"
            bad "$tag: flow command failed"
        fi
        check "$tag: the -i note once on stderr" test "$(grep -c 'gpu-id 0: .*running on the CPU' "$tag.err")" -eq 1
        if [ -n "$v" ]; then
            check "$tag: -v plan on stderr, crop note once" \
                test "$(grep -c 'owns pixels' "$tag.err")" -ge 1 -a "$(grep -c 'crop-ratio-threshold 0.5 is recorded' "$tag.err")" -eq 1
        fi
    done
done
check "Multitau: default -nf 1 recorded, g2 is the exact frame-normalized g2" run "$PY" - o_Multitau/a_results.hdf d/a.h5 d/a_qmap.h5 "$ORACLES/oracle.py" <<'PYEOF'
import subprocess, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    ok = int(f["/xpcs/multitau/config/normalize_frame"][()]) == 1
ok &= subprocess.run([sys.executable, sys.argv[4], sys.argv[2], sys.argv[3], sys.argv[1]]).returncode == 0
sys.exit(0 if ok else 1)
PYEOF
check "Both: the oracle agrees" run "$PY" "$ORACLES/oracle.py" d/a.h5 d/a_qmap.h5 o_Both-w-v/a_results.hdf
for type in Multitau Both; do
    check "$type -G: the cube equals the exact per-pixel G2/IP/IF (float32 rounding)" \
        run "$PY" "$ORACLES/oracle_g2cube.py" d/a.h5 d/a_qmap.h5 "o_$type-G/a_results.hdf"
    check "$type -G -w: the cube replaced" run "$PY" "$ORACLES/oracle_g2cube.py" d/a.h5 d/a_qmap.h5 "o_$type-G-w-v/a_results.hdf"
done
check "Twotime -G: a note, no cube (multitau only, as boost_corr)" \
    eval "grep -q 'save-G2: no effect with -t Twotime' Twotime-G.err && test ! -e o_Twotime-G/a_results_G2.hdf"
check "without -G no cube" test ! -e o_Multitau/a_results_G2.hdf
check "Twotime: maps written, no multitau" run "$PY" -c "
import h5py, sys
f = h5py.File('o_Twotime/a_results.hdf', 'r')
sys.exit(0 if 'c2_00001' in f['/xpcs/twotime/correlation_map'] and 'multitau' not in f['/xpcs'] else 1)"
flow 2 Both o_np2 "" "" "" >np2.out 2>np2.err || { cat np2.err; bad "2 ranks under mpiexec"; }
check "2 ranks: stdout is the result path only" one_line np2.out o_np2/a_results.hdf
check "2 ranks: bit-identical to 1 rank" run "$PY" "$ORACLES/compare.py" o_Both/a_results.hdf o_np2/a_results.hdf

# -nf / --normalize-frame: an integer argument, boost's spelling
nf() { # nf TAG ARGS...: run into o_TAG, print normalize_frame of the result
    corr 1 -r d/a.h5 -q d/a_qmap.h5 -o "o_$1" -w "${@:2}" >"$1.out" 2>"$1.err" || { cat "$1.err"; return 1; }
    "$PY" -c "import h5py; print(int(h5py.File('o_$1/a_results.hdf')['/xpcs/multitau/config/normalize_frame'][()]))"
}
check "-nf 0 turns it off" test "$(nf nf0 -nf 0)" = 0
check "--normalize-frame 0 turns it off (0 is no raw file)" test "$(nf lnf0 --normalize-frame 0)" = 0
check "--normalize-frame 0 ran one file, not a batch" one_line lnf0.out o_lnf0/a_results.hdf
check "-nf 1 turns it on" test "$(nf nf1 -nf 1)" = 1
check "--normalize-frame alone turns it on" test "$(nf lnf --normalize-frame)" = 1
check "-nf 0 equals the former default (bit for bit)" run "$PY" "$ORACLES/compare.py" o_nf0/a_results.hdf o_lnf0/a_results.hdf
XPCS_NORMALIZE_FRAME=0 nf env0 >/dev/null
check "XPCS_NORMALIZE_FRAME=0: off by default" run "$PY" "$ORACLES/compare.py" o_nf0/a_results.hdf o_env0/a_results.hdf
expect_fail "-nf 2 refused" "normalize-frame: expected 0 or 1, got '2'" 1 -r d/a.h5 -q d/a_qmap.h5 -nf 2
check "-np 0, --gpu_id spellings accepted" test "$(nf sp -np 0 --gpu_id -1)" = 1
nf crop --crop-ratio-threshold 0.3 >/dev/null
check "--crop-ratio-threshold recorded in the effective configuration" run "$PY" -c "
import h5py, json, sys
e = json.loads(h5py.File('o_crop/a_results.hdf')['/xpcs/multitau/config/effective_config'][()])
sys.exit(0 if e['crop_ratio_threshold'] == 0.3 and e['gpu_id'] == -1 else 1)"

# boost_corr's refusals and checks
expect_fail "--bin-time-s: Timepix4" "Timepix4 input is not supported" 1 -r d/a.h5 -q d/a_qmap.h5 --bin-time-s 1e-6
expect_fail "--run-config-path: Timepix4" "Timepix4 input is not supported" 1 -r d/a.h5 -q d/a_qmap.h5 --run-config-path x.yaml
expect_fail "no metadata, no --frame-time: both named" "b_metadata\.hdf.*--frame-time" 1 -r d/b.h5 -q d/b_qmap.h5
check "no metadata: nothing written" test -z "$(find bad_out -name '*_results.hdf*' 2>/dev/null)"
expect_fail "a begin frame that is not a number" "begin-frame: expected an integer, got 'x'" 1 -r d/a.h5 -q d/a_qmap.h5 -b x
expect_fail "-i that is not a number" "gpu-id: expected an integer, got 'gpu0'" 1 -r d/a.h5 -q d/a_qmap.h5 -i gpu0

# -n: the plan, last dry_run_only; -o with parents
corr 1 -r d/a.h5 -q d/a_qmap.h5 -o od -n >dry.out 2>dry.err || bad "-n failed"
check "-n: last stdout line dry_run_only" test "$(tail -n 1 dry.out)" = dry_run_only
check "-n: the plan printed, nothing written" bash -c "grep -q 'plan: json' dry.out && test ! -e od/a_results.hdf"
corr 1 -r d/a.h5 -q d/a_qmap.h5 -o deep/er/out >deep.out 2>deep.err || { cat deep.err; bad "-o with parents"; }
check "-o: created with its parents" one_line deep.out deep/er/out/a_results.hdf
# JSON: boost_corr's example config (paths replaced) and its dry-run dump, as boost writes them
cat >example.json <<'JSON'
{
  "qmap": "d/a_qmap.h5",
  "output": "o_example",
  "smooth": "sqmap",
  "gpu_id": 0,                      
  "begin_frame": 1,          
  "end_frame": -1,
  "stride_frame": 1, 
  "avg_frame": 1,
  "type": "Multitau",
  "dq_selection": "all",
  "verbose": true,
  "overwrite": false,
  "dryrun": false
}
JSON
corr 1 -c example.json -r d/a.h5 >ex.out 2>ex.err || { cat ex.err; bad "boost's example config"; }
check "example config: run, result path only on stdout" one_line ex.out o_example/a_results.hdf
check "example config: its keys applied (begin_frame 1)" run "$PY" -c "
import h5py, sys
c = h5py.File('o_example/a_results.hdf')['/xpcs/multitau/config']
sys.exit(0 if c['begin_frame'][()] == 1 and c['normalize_frame'][()] == 1 else 1)"
sed 's/"dryrun": false/"dryrun": true/' example.json >example_dry.json
corr 1 -c example_dry.json -r d/a.h5 -o o_exdry >exd.out 2>exd.err
check "example config: dryrun true is a dry run" bash -c "test \"\$(tail -n 1 exd.out)\" = dry_run_only && test ! -e o_exdry/a_results.hdf"
dump() { # dump DRY_RUN: boost_corr -r d/a.h5 -q d/a_qmap.h5 -o o_dump -i 0 -t Twotime -d 1,3-4 -n
    cat <<JSON
{
    "raw": "d/a.h5",
    "qmap": "d/a_qmap.h5",
    "output": "o_dump",
    "smooth": "sqmap",
    "gpu_id": 0,
    "normalize_frame": true,
    "begin_frame": 0,
    "end_frame": -1,
    "stride_frame": 1,
    "avg_frame": 1,
    "type": "Twotime",
    "dq_selection": [
        1,
        3,
        4
    ],
    "verbose": false,
    "save_G2": false,
    "dry_run": $1,
    "num_partial_g2": 0,
    "crop_ratio_threshold": 0.5,
    "prefix": null,
    "suffix": null,
    "bin_time_s": 1e-06,
    "run_config_path": null,
    "overwrite": false,
    "config": null
}
JSON
}
dump true >dump.json
corr 1 -c dump.json >dump.out 2>dump.err || { cat dump.err; bad "boost's dry-run dump"; }
check "dump (dry_run true): a dry run" bash -c "test \"\$(tail -n 1 dump.out)\" = dry_run_only && test ! -e o_dump"
for key in bin_time_s run_config_path config; do
    check "dump: key '$key' named once on stderr" test "$(grep -c "key '$key' has no effect here" dump.err)" -eq 1
done
dump false >dump_run.json
corr 1 -c dump_run.json >dumpr.out 2>dumpr.err || { cat dumpr.err; bad "boost's dump, dry_run false"; }
check "dump (dry_run false): the list dq_selection [1, 3, 4] applied" run "$PY" -c "
import h5py, sys
f = h5py.File('o_dump/a_results.hdf')
sys.exit(0 if list(f['/xpcs/twotime/processed_bins'][()]) == [1, 3, 4] else 1)"
check "dump: the -i note once" test "$(grep -c 'gpu-id 0: .*running on the CPU' dumpr.err)" -eq 1
echo '{"raw": "d/a.h5", "qmap": "d/a_qmap.h5", "gpu_idx": 0}' >typo.json
expect_fail "an unknown key is still an error" "unknown key 'gpu_idx'" 1 -c typo.json
echo '{"raw": "d/a.h5", "qmap": "d/a_qmap.h5", "run_config_path": "tpx.yaml"}' >tpx.json
expect_fail "a Timepix4 run_config_path in a file is refused" "run_config_path.*Timepix4 input is not supported" 1 -c tpx.json
echo '{"raw": "d/a.h5", "qmap": "d/a_qmap.h5", "dq_selection": [1, "x"]}' >badlist.json
expect_fail "a dq_selection list of non-integers" "dq_selection.*a string or a list of integers" 1 -c badlist.json
# result names as boost_corr: the metadata file names the result, prefix/suffix, _1, _2
mkdir -p n/in n/other
synth -o n/in -n u1_a --rows 20 --cols 30 --frames 200 --frame-time 0.001
mv n/in/u1_a.h5 n/in/u1_a_00001-00200.h5
cp n/in/u1_a_qmap.h5 n/q.h5
nm() { corr 1 -r n/in/u1_a_00001-00200.h5 -q n/q.h5 -o n/out "$@" 2>nm.err | grep -v '^+ timeout '; }
check "the metadata file beside the raw file names the result (u1_a, not boost's rstrip u1)" \
    test "$(nm -v)" = n/out/u1_a_results.hdf
check "-v names the metadata file used" grep -q "metadata n/in/u1_a_metadata.hdf (boost_corr's rule" nm.err
check "without -w: _1" test "$(nm)" = n/out/u1_a_results_1.hdf
check "without -w: _2" test "$(nm)" = n/out/u1_a_results_2.hdf
check "with -w: the name itself, replaced" test "$(nm -w)" = n/out/u1_a_results.hdf
check "prefix_ and _suffix as boost (one '_' each)" test "$(nm -p pre__ -u __suf)" = n/out/pre_u1_a_suf_results.hdf
check "the metadata's /entry copied" run "$PY" -c "
import h5py, sys
sys.exit(0 if h5py.File('n/out/u1_a_results.hdf')['/entry/instrument/detector_1/frame_time'][()] == 0.001 else 1)"
cp n/in/u1_a_00001-00200.h5 n/other/
"$PY" -c "import h5py; h5py.File('n/other/u1_metadata.hdf', 'w')['/entry/title'] = 'no schema_version'"
cp n/in/u1_a_metadata.hdf n/other/u1_b_metadata.hdf # a neighbour's, named otherwise
expect_fail "neither a *_metadata.hdf without /entry/schema_version nor a neighbour's is taken" \
    "no metadata file.*--frame-time" 1 -r n/other/u1_a_00001-00200.h5 -q n/q.h5
# batch resume with boost's names: an existing result is a finished file, never _1
mkdir -p nb
synth -o nb -n j1 --rows 20 --cols 30 --frames 200
synth -o nb -n j2 --rows 20 --cols 30 --frames 200
corr 1 -r nb/j1.h5 -q nb/j1_qmap.h5 -o nb/out -p P >/dev/null 2>&1
corr 2 -q nb/j1_qmap.h5 -o nb/out -p P -r nb/j1.h5 -r nb/j2.h5 >batch.out 2>&1
check "batch: the finished file is skipped, the other runs; no _1" \
    eval "grep -q 'batch: skipped .*nb/out/P_j1_results.hdf' batch.out && test -s nb/out/P_j2_results.hdf && test ! -e nb/out/P_j1_results_1.hdf"
# -np: partial k is the g2 of the first k segments computed alone (bit for bit)
synth -o p -n s --rows 24 --cols 28 --frames 1300 --n-dq 4
synth -o p -n c --rows 16 --cols 16 --frames 500 --constant 3
corr 2 -r p/s.h5 -q p/s_qmap.h5 -o p/o -np 3 -b 10 -a 2 --step-frames 100 >/dev/null 2>p.err || { cat p.err; bad "-np run"; }
for k in 1 2 3; do # 645 output frames: segments of 215 = 430 raw frames
    corr 1 -r p/s.h5 -q p/s_qmap.h5 -o "p/o$k" -b 10 -e $((10 + k * 430)) -a 2 >/dev/null 2>&1 || bad "segments 1..$k alone"
done
check "-np 3: partial k equals the g2 (and error) of the first k segments alone" run "$PY" - <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File("p/o/s_results.hdf", "r")["/xpcs/multitau"]
P, E = f["normalized_g2_partial"][()], f["normalized_g2_partial_err"][()]
ok = P.shape == E.shape == (3,) + f["normalized_g2"].shape
ok &= list(f["normalized_g2_partial_labels"][()]) == [215, 430, 645]
for k in range(3):
    r = h5py.File("p/o%d/s_results.hdf" % (k + 1), "r")["/xpcs/multitau"]
    g, e = r["normalized_g2"][()], r["normalized_g2_err"][()]
    n = g.shape[0]
    ok &= np.array_equal(P[k, :n], np.where(g == 0, np.nan, g), equal_nan=True)
    ok &= np.array_equal(E[k, :n], e) and bool(np.isnan(P[k, n:]).all())
print("partials equal to the runs alone:", ok)
sys.exit(0 if ok else 1)
PYEOF
corr 1 -r p/c.h5 -q p/c_qmap.h5 -o p/oc -np 25 >/dev/null 2>&1 || bad "-np on constant frames"
check "-np: a partial equal to the one before is dropped (constant frames)" run "$PY" - "$ORACLES" <<'PYEOF'
import sys, h5py
sys.path.insert(0, sys.argv[1])
from oracle import delay_list
f = h5py.File("p/oc/c_results.hdf", "r")["/xpcs/multitau"]
# g2 = 1 everywhere: partials differ only where a new delay is reached
want = [k * 20 for k in range(1, 26) if k == 1 or len(delay_list(k * 20)) != len(delay_list(k * 20 - 20))]
got = list(f["normalized_g2_partial_labels"][()])
print("kept", got, "expected", want)
sys.exit(0 if got == want and len(want) < 25 and f["normalized_g2_partial"].shape[0] == len(want) else 1)
PYEOF
expect_fail "-np: more segments than frames" "num-partial-g2 501: more segments than the 500 frames" 1 -r p/c.h5 -q p/c_qmap.h5 -np 501
# -G on 3 ranks: each owner writes its pixels (collective parallel HDF5); same cube as 1 rank
corr 3 -r p/s.h5 -q p/s_qmap.h5 -o g3 -G -b 5 -a 2 --step-frames 64 >/dev/null 2>g3.err || { cat g3.err; bad "-G on 3 ranks"; }
corr 1 -r p/s.h5 -q p/s_qmap.h5 -o g1 --save_G2 -b 5 -a 2 >/dev/null 2>g1.err || { cat g1.err; bad "--save_G2 on 1 rank"; }
check "-G 3 ranks, -b 5 -a 2: the oracle agrees" run "$PY" "$ORACLES/oracle_g2cube.py" p/s.h5 p/s_qmap.h5 g3/s_results.hdf
check "-G: 3 ranks bit-identical to 1 rank (--save_G2 spelling)" run "$PY" -c "
import h5py, numpy as np, sys
a, b = (h5py.File(f + '/s_results.hdf')['/xpcs/multitau/unnormalized_G2'][()] for f in ('g3', 'g1'))
sys.exit(0 if a.tobytes() == b.tobytes() else 1)"
check "-G: no temporary left" test -z "$(find g1 g3 -name '*.tmp')"
corr 1 -r p/s.h5 -q p/s_qmap.h5 -o g1 -G -b 5 -a 2 >g1b.out 2>&1
check "-G without -w: the cube of the _1 result is _1_G2.hdf" run "$PY" "$ORACLES/oracle_g2cube.py" p/s.h5 p/s_qmap.h5 g1/s_results_1.hdf
# IMM (legacy APS): both modes give the HDF5 results bit for bit, at 1-3 ranks, on the
# frame and the event pipeline; the metadata file names the result as boost_corr's
synth -o m -n A005_x_001 --rows 20 --cols 30 --frames 500 --rate 0.05
for mode in uncompressed compressed; do
    mkdir -p "m/$mode"
    cp m/A005_x_001_metadata.hdf "m/$mode/"
    run "$PY" "$ORACLES/imm_write.py" m/A005_x_001.h5 "m/$mode/A005_x_001_00001-00500.imm" "$mode"
done
Q=m/A005_x_001_qmap.h5
corr 2 -r m/A005_x_001.h5 -q $Q -o m/h5 >/dev/null 2>&1 || bad "IMM: the HDF5 reference"
corr 2 -r m/A005_x_001.h5 -q $Q -o m/h5ev --kernel sparse -t both -b 3 -f 2 -a 2 >/dev/null 2>&1 || bad "IMM: the HDF5 event reference"
for mode in uncompressed compressed; do
    for np in 1 2 3; do
        same_result "IMM $mode, $np rank(s): bit-identical to HDF5" m/h5/A005_x_001_results.hdf \
            "m/o_${mode}_$np/A005_x_001_results.hdf" "$np" -r "m/$mode/A005_x_001_00001-00500.imm" -q $Q
    done
    same_result "IMM $mode, event pipeline, -t both -b 3 -f 2 -a 2: bit-identical to HDF5" \
        m/h5ev/A005_x_001_results.hdf "m/ev_$mode/A005_x_001_results.hdf" 2 \
        -r "m/$mode/A005_x_001_00001-00500.imm" -q $Q --kernel sparse -t both -b 3 -f 2 -a 2
done
check "IMM: the two-time maps too" run "$PY" -c "
import h5py, sys
a, b = (h5py.File(f)['/xpcs/twotime/correlation_map/c2_00001'][()] for f in
        ('m/h5ev/A005_x_001_results.hdf', 'm/ev_compressed/A005_x_001_results.hdf'))
sys.exit(0 if a.tobytes() == b.tobytes() else 1)"
# bad IMM files: one line naming the problem, no hang, nothing written
"$PY" - <<'PYEOF'
import struct
u = open("m/uncompressed/A005_x_001_00001-00500.imm", "rb").read()
c = open("m/compressed/A005_x_001_00001-00500.imm", "rb").read()
open("m/bad_truncated.imm", "wb").write(u[:len(u) - 700])
lie = bytearray(u)
struct.pack_into("<I", lie, 152, 20 * 30 * 4)  # frame 0 declares four frames' counts
open("m/bad_header.imm", "wb").write(lie)
one = bytearray(c[:1024]) + struct.pack("<iH", 999999, 1)  # frame 0: one event, pixel 999999
struct.pack_into("<I", one, 152, 1)
rest = 1024 + 6 * struct.unpack_from("<I", c, 152)[0]  # frame 1 onwards as written
open("m/bad_index.imm", "wb").write(bytes(one) + c[rest:])
open("m/bad_short.imm", "wb").write(u[:500])
PYEOF
for np in 1 2; do
    expect_fail "IMM truncated inside a frame ($np rank(s))" "bad_truncated\.imm: frame 499 declares 600 counts.*holds" $np -r m/bad_truncated.imm -q $Q --frame-time 1e-3
    expect_fail "IMM header declaring sizes the file does not hold ($np)" "bad_header\.imm: frame 0 declares 2400 counts" $np -r m/bad_header.imm -q $Q --frame-time 1e-3
    expect_fail "IMM event outside the detector ($np)" "bad_index\.imm: frame 0: event 0 names pixel 999999" $np -r m/bad_index.imm -q $Q --frame-time 1e-3
    expect_fail "IMM shorter than one header ($np)" "bad_short\.imm: frame 0: the file ends inside its 1024-byte header" $np -r m/bad_short.imm -q $Q --frame-time 1e-3
done
finish
