#!/bin/bash
# Installed like any HPC library (README "Install"): cmake --install into a
# prefix inside the build directory holds the tools, libxpcs shared (with
# its SOVERSION) and static, the public headers (not the io-private ones),
# the CMake package, the .pc file, man pages, bash completion, the Python
# package, the job scripts and the license files.  A 10-line C consumer
# (tests/consumer) built with find_package(xpcs-toolkit) -- against the
# shared and the static library -- and one built with pkg-config run a
# multi-tau whose numbers equal a numpy oracle's.  From the prefix,
# `python3 -c "import xpcs_toolkit"` works and correlate() on numpy frames
# gives the arrays of xpcs-corr on the same frames written as HDF5 bit for
# bit (plain, with a frame selection, with --normalize-frame); run(),
# load(), fit() and average() work.  --version works in every tool;
# `man TOOL` from the prefix shows every option --help lists; the
# completion completes option names and choices.
source "$(dirname "$0")/../lib/lib.sh"
REPO=$(cd "$TESTS/.." && pwd)
PREFIX=$XPCS_BIN/install-test
rm -rf "$PREFIX"
run cmake --install "$XPCS_BIN" --prefix "$PREFIX" >install.log 2>&1 || { cat install.log; bad "cmake --install"; }
LIBDIR=$(cd "$PREFIX" && dirname "$(find . -name 'libxpcs.so' | head -n 1)")
LIBDIR=$PREFIX/${LIBDIR#./}
for f in bin/xpcs-corr bin/xpcs-synth bin/xpcs-average bin/xpcs-fit bin/xpcs-report \
    include/xpcs/kernels/multitau.h include/xpcs/pipeline/stack.h include/xpcs/core/status.h \
    share/man/man1/xpcs-corr.1 share/bash-completion/completions/xpcs-corr \
    share/xpcs-toolkit/jobs/slurm/xpcs_batch.sbatch share/doc/xpcs-toolkit/LICENSE; do
    check "installed: $f" test -e "$PREFIX/$f"
done
check "installed: libxpcs.a, libxpcs.so -> libxpcs.so.0 (SOVERSION)" \
    test -e "$LIBDIR/libxpcs.a" -a "$(readlink "$LIBDIR/libxpcs.so")" = libxpcs.so.0
check "libxpcs.so's SONAME is libxpcs.so.0" bash -c "objdump -p '$LIBDIR/libxpcs.so' | grep -q 'SONAME *libxpcs.so.0$'"
check "not installed: io's private headers, comm_mpi.h" \
    test -z "$(find "$PREFIX/include" -name 'h5util.h' -o -name 'resfile.h' -o -name 'comm_mpi.h')"
check "installed: package config, version file, .pc" test -e "$LIBDIR/cmake/xpcs-toolkit/xpcs-toolkitConfig.cmake" \
    -a -e "$LIBDIR/cmake/xpcs-toolkit/xpcs-toolkitConfigVersion.cmake" -a -e "$LIBDIR/pkgconfig/xpcs-toolkit.pc"

# the multi-tau of tests/consumer/multitau.c, from the definitions (numpy)
"$PY" - >oracle.txt <<'PYEOF'
import numpy as np
x = (np.arange(16 * 3).reshape(16, 3) * 7 % 5).astype(float)[:, 1]
lev = x.copy()
for L in range(4):
    N = len(lev)
    for m in (range(1, 9) if L == 0 else range(5, 9)):
        if m >= N:
            break
        n = N - m
        print("%d %.17g %.17g %.17g" % (m << L, (lev[:-m] * lev[m:]).sum() / (n * 4**L),
                                        lev[m:].sum() / (n * 2**L), lev[:-m].sum() / (n * 2**L)))
    lev = lev[: N // 2 * 2].reshape(-1, 2).sum(1)
PYEOF
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
for target in xpcs::xpcs xpcs::xpcs_static; do
    b=consumer-${target#xpcs::}
    if run cmake -S "$TESTS/consumer" -B "$b" "${gen[@]}" -DCMAKE_PREFIX_PATH="$PREFIX" \
        -DXPCS_TARGET=$target >"$b.log" 2>&1 && run cmake --build "$b" >>"$b.log" 2>&1; then
        ok "find_package(xpcs-toolkit) consumer builds with $target"
        "./$b/consumer" >"$b.txt"
        check "find_package consumer ($target) runs the multi-tau: the oracle's numbers" \
            cmp oracle.txt "$b.txt"
    else
        cat "$b.log"
        bad "find_package(xpcs-toolkit) consumer with $target"
    fi
done
check "the static consumer does not load libxpcs.so" bash -c "! ldd consumer-xpcs_static/consumer | grep -q libxpcs"
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
# shellcheck disable=SC2046
if run cc -o pc_consumer "$TESTS/consumer/multitau.c" $(pkg-config --cflags --libs xpcs-toolkit) \
    -Wl,-rpath,"$(pkg-config --variable=libdir xpcs-toolkit)" >pc.log 2>&1; then
    ./pc_consumer >pc.txt
    check "pkg-config consumer runs the multi-tau: the oracle's numbers" cmp oracle.txt pc.txt
else
    cat pc.log
    bad "pkg-config consumer builds"
fi
unset PKG_CONFIG_PATH

# tools: --version, man pages, completion
export PATH=$PREFIX/bin:$PATH
for t in xpcs-corr xpcs-synth xpcs-average xpcs-fit xpcs-report; do
    "$PREFIX/bin/$t" --version >"$t.version" 2>&1
    check "$t --version (exit 0, version, git, compiler, flags, simd, blas)" \
        bash -c "grep -q '^$t [0-9]' $t.version && grep -q '^git ' $t.version && grep -q '^flags ' $t.version && grep -q '^simd ' $t.version && grep -q '^blas ' $t.version"
    LC_ALL=C MANWIDTH=250 MANPATH=$PREFIX/share/man man "$t" >"$t.man" 2>"$t.man.err"
    "$PREFIX/bin/$t" --help >"$t.help"
    missing=$(grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' "$t.help" | grep -oE -- '--[a-z][a-z0-9-]*' |
        while read -r o; do grep -qF -- "$o" "$t.man" || echo "$o"; done)
    n=$(grep -cE '^ +(-[a-zA-Z], )?--[a-z]' "$t.help")
    check "man $t (from the prefix) shows all $n options of --help${missing:+ (missing: $missing)}" \
        test -s "$t.man" -a -z "$missing" -a "$n" -gt 3
done
missing=$(grep -oE 'XPCS_[A-Z_]+' xpcs-corr.help | sort -u | while read -r v; do grep -qF "$v" xpcs-corr.man || echo "$v"; done)
check "man xpcs-corr lists every setting's environment variable${missing:+ (missing: $missing)}" test -z "$missing"
complete_words() { # complete_words FILE WORDS...: the completions of the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _${COMP_WORDS[0]//-/_}; echo "${COMPREPLY[*]}"' \
        _ "$@"
}
C=$PREFIX/share/bash-completion/completions
check "completion: xpcs-corr --ty -> --type" test "$(complete_words "$C/xpcs-corr" xpcs-corr --ty)" = "--type"
check "completion: xpcs-corr -t mu -> multitau" test "$(complete_words "$C/xpcs-corr" xpcs-corr -t mu)" = "multitau"
check "completion: xpcs-corr --kernel '' -> dense sparse auto" \
    test "$(complete_words "$C/xpcs-corr" xpcs-corr --kernel '')" = "dense sparse auto"
check "completion: xpcs-corr --set monitoring.pro -> two settings" \
    test "$(complete_words "$C/xpcs-corr" xpcs-corr --set monitoring.pro)" = "monitoring.progress= monitoring.progress_interval_s="
check "completion: xpcs-synth --dtype '' -> u8 u16 u32" test "$(complete_words "$C/xpcs-synth" xpcs-synth --dtype '')" = "u8 u16 u32"

# Python from the prefix (no XPCS_* paths: it finds libxpcs and the tools beside itself)
PYDIR=$(dirname "$(find "$PREFIX" -type d -name xpcs_toolkit | head -n 1)")
unset XPCS_LIBRARY
export PYTHONPATH=$PYDIR
# -DXPCS_SANITIZE=ON: the interpreter loads a sanitized libxpcs through
# ctypes, so the sanitizer runtimes must come first (lib/lsan.supp lists the
# interpreter's own allocations)
if [ -n "${ASAN_OPTIONS:-}" ]; then
    export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi
check "python3 -c 'import xpcs_toolkit' from the prefix" \
    run env -u XPCS_BIN "$PY" -c "import xpcs_toolkit, sys; sys.exit(0 if xpcs_toolkit.__version__[0].isdigit() else 1)"
synth -o d -n s --rows 36 --cols 30 --frames 700 --rate 0.3 --tau0 6 --n-dq 5
n=0
for opts in "" "-b 7 -e -20 -f 2 -a 3" "--normalize-frame -a 2"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    corr 2 -r d/s.h5 -q d/s_qmap.h5 -o "c$n" $opts >"c$n.log" 2>&1 || { cat "c$n.log"; bad "xpcs-corr $opts"; }
    check "correlate() on numpy frames = xpcs-corr on the HDF5 (${opts:-plain}), bit for bit" \
        run env -u XPCS_BIN "$PY" - "c$n/s_results.hdf" $opts <<'PYEOF'
import sys
import h5py
import numpy as np
import xpcs_toolkit as xt
args, kw = sys.argv[2:], {}
names = {"-b": "begin_frame", "-e": "end_frame", "-f": "stride_frame", "-a": "avg_frame"}
while args:
    a = args.pop(0)
    if a == "--normalize-frame":
        kw["normalize_frame"] = True
    else:
        kw[names[a]] = int(args.pop(0))
frames = h5py.File("d/s.h5", "r")["/entry/data/data"][()]
q = h5py.File("d/s_qmap.h5", "r")["/qmap"]
r = xt.correlate(frames, dynamic_map=q["dynamic_roi_map"][()], static_map=q["static_roi_map"][()],
                 mask=q["mask"][()], **kw)
paths = {"delay_list": "multitau/delay_list", "normalized_g2": "multitau/normalized_g2",
         "normalized_g2_err": "multitau/normalized_g2_err",
         "scattering_2d": "temporal_mean/scattering_2d", "scattering_1d": "temporal_mean/scattering_1d",
         "intensity_vs_time": "spatial_mean/intensity_vs_time"}
bad = 0
with h5py.File(sys.argv[1], "r") as f:
    for k, p in paths.items():
        a, b = f["/xpcs/" + p][()], r[k]
        if not (a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()):
            print("DIFFERENT", k, a.shape, b.shape)
            bad += 1
    for k in ("begin_frame", "end_frame"):
        if int(f["/xpcs/multitau/config/" + k][()]) != r[k]:
            print("DIFFERENT", k)
            bad += 1
sys.exit(1 if bad else 0)
PYEOF
done
check "correlate() refuses float frames with one clear error" run env -u XPCS_BIN "$PY" -c "
import numpy as np, xpcs_toolkit as xt
try:
    xt.correlate(np.zeros((10, 4, 4)), dynamic_map=np.ones((4, 4)))
except TypeError as e:
    print(e); raise SystemExit(0 if 'integer' in str(e) else 1)
raise SystemExit(1)"
check "correlate() passes libxpcs's error (frame range)" run env -u XPCS_BIN "$PY" -c "
import numpy as np, xpcs_toolkit as xt
try:
    xt.correlate(np.ones((10, 4, 4), np.uint16), dynamic_map=np.ones((4, 4)), begin_frame=9)
except xt.XpcsError as e:
    print(e); raise SystemExit(0 if 'frame' in str(e) else 1)
raise SystemExit(1)"
check "run() (2 ranks), load(), fit(), average() from the prefix" run env -u XPCS_BIN "$PY" - <<'PYEOF'
import os
os.environ.pop("LD_PRELOAD", None)  # sanitizer build: for this process only, not mpiexec
import numpy as np
import xpcs_toolkit as xt
mpi = ["--oversubscribe", "--bind-to", "none"] if "Open MPI" in os.popen("mpiexec --version").read() else []
paths = [xt.run("d/s.h5", "d/s_qmap.h5", "py%d" % k, ranks=2, mpiexec_args=mpi, avg_frame=2,
                overwrite=True, set=["monitoring.progress=off"]) for k in (1, 2, 3)]
assert all(p.endswith("s_results.hdf") and os.path.exists(p) for p in paths), paths
r = xt.load(paths[0])
ft = r["frame_time"]
assert np.array_equal(r["delay_s"], r["delay_list"] * ft * 2), "delay_s"
assert r["units"]["delay_s"] == "s" and r["q"].shape == (r["normalized_g2"].shape[1],)
assert r["config"]["build"]["version"] == xt.__version__
f = xt.fit(paths[0], model="single")
assert f["params"].shape[0] == r["normalized_g2"].shape[1] and "tau_q" in f
out = xt.average(paths, "avg.hdf", overwrite=True, int_t_sigma=0)
assert out == "avg.hdf" and os.path.exists(out)
try:
    xt.run("d/none.h5", "d/s_qmap.h5", "py9")
    raise SystemExit(1)
except xt.XpcsError as e:
    assert e.returncode == 3 and "none.h5" in str(e), e
print("ok")
PYEOF
finish
