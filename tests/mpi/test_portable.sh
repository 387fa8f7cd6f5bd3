#!/bin/bash
# Portable builds (README "Install"): a build with the user's flags
# -DCMAKE_C_FLAGS_RELEASE="-O2 -march=x86-64-v2" keeps them (--version), has
# AVX-512 instructions only in the dispatched x86-64-v4 copies of the SIMD
# kernels (objdump: tests/lib/check_isa.py), runs, and gives results
# bit-identical to this build's; XPCS_SIMD forcing each level this CPU runs
# gives bit-identical results too (dense and event kernels, integer counts
# and --normalize-frame's non-integer values, averaging); a level that is
# not one is refused with one line.  The build provenance in every
# result config group and the profile equals --version.  The v2 build is made once in
# $XPCS_BIN/portable-v2 (then only rebuilt when sources change).
source "$(dirname "$0")/../lib/lib.sh"
REPO=$(cd "$TESTS/.." && pwd)
V2=$XPCS_BIN/portable-v2
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if ! { cmake -S "$REPO" -B "$V2" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
        "-DCMAKE_C_FLAGS_RELEASE=-O2 -march=x86-64-v2" -DXPCS_DOCS=OFF \
        -DPython3_EXECUTABLE="$PY" && cmake --build "$V2" -j2 --target xpcs-corr; } >v2build.log 2>&1; then
    tail -n 30 v2build.log
    bad "the -O2 -march=x86-64-v2 build"
    finish
    exit 1
fi
ok "built with -DCMAKE_C_FLAGS_RELEASE=\"-O2 -march=x86-64-v2\" in $V2"
"$V2/xpcs-corr" --version >v2version.txt
check "--version: the user's flags kept" grep -q "^flags .*-O2 -march=x86-64-v2" v2version.txt
check "--version: not forced to -march=native" bash -c '! grep -q "march=native" v2version.txt'
run "$PY" "$TESTS/lib/check_isa.py" "$V2/xpcs-corr" --expect >isa.txt
rc=$?
cat isa.txt
check "no AVX-512 outside the dispatched v4 kernels (and some inside them)" test "$rc" -eq 0

synth -o d -n p --rows 40 --cols 36 --frames 900 --rate 0.3 --tau0 7 --n-dq 5
synth -o d -n q --rows 40 --cols 36 --frames 700 --rate 0.02 --tau0 9 --n-dq 4 --iid
levels=$(for l in generic v2 v3 v4; do
    XPCS_SIMD=$l "$XPCS_BIN/xpcs-fit" --version >/dev/null 2>&1 &&
        XPCS_SIMD=$l "$XPCS_BIN/xpcs-fit" --version | grep -q "^simd *$l " && echo $l
done)
echo "levels this build runs here: $levels"
cpu_v4=$(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)
check "every compiled level this CPU supports runs (v4: $cpu_v4)" \
    test "$(echo $levels | wc -w)" -ge $([ "$cpu_v4" = yes ] && echo 4 || echo 3)
n=0
for args in "-r d/p.h5 -q d/p_qmap.h5 --kernel dense" \
    "-r d/p.h5 -q d/p_qmap.h5 --kernel dense --normalize-frame -a 2 -b 3" \
    "-r d/q.h5 -q d/q_qmap.h5 --kernel sparse --normalize-frame" \
    "-r d/q.h5 -q d/q_qmap.h5 --kernel sparse -f 2"; do
    n=$((n + 1))
    stem=$(basename "$(echo "$args" | cut -d' ' -f2)" .h5)
    # shellcheck disable=SC2086
    corr 2 $args -o "ref$n" >"ref$n.log" 2>&1 || { cat "ref$n.log"; bad "reference run $n"; continue; }
    # shellcheck disable=SC2086
    run timeout 120 "$MPIEXEC" "$NPFLAG" 2 "$V2/xpcs-corr" $args -o "v2_$n" >"v2_$n.log" 2>&1 ||
        { cat "v2_$n.log"; bad "v2 build run $n"; }
    check "v2 build = this build ($args)" \
        run "$PY" "$ORACLES/compare.py" "ref$n/${stem}_results.hdf" "v2_$n/${stem}_results.hdf"
    for l in $levels; do
        # shellcheck disable=SC2086
        XPCS_SIMD=$l corr 2 $args -o "$l$n" >"$l$n.log" 2>&1 || { cat "$l$n.log"; bad "XPCS_SIMD=$l run $n"; }
        check "XPCS_SIMD=$l = default level ($args)" \
            run "$PY" "$ORACLES/compare.py" "ref$n/${stem}_results.hdf" "$l$n/${stem}_results.hdf"
        check "XPCS_SIMD=$l recorded in the result" run "$PY" -c "
import h5py, sys
v = h5py.File('$l$n/${stem}_results.hdf', 'r')['/xpcs/multitau/config/build/simd'][()].decode()
sys.exit(0 if v == '$l' else 1)"
    done
done
# the provenance in every config group and in the profile: this build's --version
corr 1 -r d/p.h5 -q d/p_qmap.h5 -o prov_b -t both >prov_b.log 2>&1 || { cat prov_b.log; bad "-t both"; }
corr 1 -r d/p.h5 -q d/p_qmap.h5 -o prov_l -t linear --max-lag 20 >prov_l.log 2>&1 || { cat prov_l.log; bad "-t linear"; }
"$XPCS_BIN/xpcs-corr" --version >version.txt
check "build provenance in /xpcs/{multitau,twotime,linear}/config/build and the profile = --version" \
    run "$PY" - version.txt prov_b/p_results.hdf prov_l/p_results.hdf prov_b/p_profile.json <<'PYEOF'
import json, sys
import h5py
v = {l.split(None, 1)[0]: l.split(None, 1)[1].strip() for l in open(sys.argv[1]) if l.strip()}
want = {"git": v["git"], "compiler": v["compiler"], "simd_detail": v["simd"], "blas": v["blas"],
        "flags": v["flags"].rsplit(" (", 1)[0]}
groups = [(sys.argv[2], "/xpcs/multitau/config/build"), (sys.argv[2], "/xpcs/twotime/config/build"),
          (sys.argv[3], "/xpcs/linear/config/build")]
bad = 0
for path, g in groups:
    with h5py.File(path, "r") as f:
        got = {k: f[g + "/" + k][()].decode() for k in want}
    if got != want:
        print("DIFFERENT", g, got, want)
        bad += 1
prof = json.load(open(sys.argv[4]))["build"]
if any(prof[k] != want[k] for k in want):
    print("DIFFERENT profile", prof)
    bad += 1
sys.exit(1 if bad else 0)
PYEOF

XPCS_SIMD=avx9 corr 2 -r d/p.h5 -q d/p_qmap.h5 -o bad_out >out.txt 2>err.txt
rc=$?
cat err.txt
check "XPCS_SIMD=avx9: exit 2 with one error line naming it" \
    test "$rc" -eq 2 -a "$(grep -c "^xpcs-corr: error: environment XPCS_SIMD: 'avx9'" err.txt)" -eq 1
check "XPCS_SIMD=avx9: no result" test ! -e bad_out/p_results.hdf
finish
