#!/bin/bash
# HDF5 frames compressed as detectors write them give results bit-identical
# to the same frames uncompressed: bitshuffle/LZ4 (Eiger, filter 32008)
# through the openmpi plugin of Debian's `bitshuffle` package and through the
# built-in decoder (empty HDF5_PLUGIN_PATH), bitshuffle without compression,
# LZ4 (32004, built in: Debian builds its plugin for serial HDF5 only) and
# LZF (32000, plugin).  A filter nobody provides (bzip2; LZF without its
# plugin) is one clear error naming it, and no result file.  The compressed
# files are written by h5py with the reference (serial) plugins.
source "$(dirname "$0")/../lib/lib.sh"
# 37 x 61 pixels, chunks of 5 frames: 11285 elements, so bitshuffle has full
# blocks, a shorter block and 5 elements left over
synth -o d -n u --rows 37 --cols 61 --frames 1200 --rate 0.05 --tau0 9 --n-dq 4
synth -o d -n b --rows 37 --cols 61 --frames 700 --rate 0.3 --dtype u8 --n-dq 4 --seed 5
"$PY" - <<'PYEOF' || bad "h5py could not write the compressed files (tools/install-deps.sh installs bitshuffle, hdf5-filter-plugin)"
import h5py, shutil, sys
ok = all(h5py.h5z.filter_avail(f) for f in (32008, 32004, 307))
if not ok:
    sys.exit("serial filter plugins missing")
for src in ("u", "b"):
    x = h5py.File(f"d/{src}.h5", "r")["/entry/data/data"][()]
    kinds = {"bslz4": dict(compression=32008, compression_opts=(0, 2)),
             "bsraw": dict(compression=32008, compression_opts=(0, 0)),
             "lz4": dict(compression=32004, compression_opts=(3000,)),
             "lzf": dict(compression="lzf"),
             "bz2": dict(compression=307, compression_opts=(9,))}
    for k, kw in kinds.items():
        with h5py.File(f"d/{src}_{k}.h5", "w") as f:
            f.create_dataset("/entry/data/data", data=x, chunks=(5,) + x.shape[1:], **kw)
        shutil.copy(f"d/{src}_metadata.hdf", f"d/{src}_{k}_metadata.hdf")
PYEOF
mkdir -p noplugins
same() { # same NAME REF_DIR DIR
    run "$PY" "$ORACLES/compare.py" "$2/$1_results.hdf" "$3/$1_results.hdf"
}
case_() { # case_ SRC KIND NP PLUGINS(default|none) DECODER ARGS...
    local src=$1 kind=$2 np=$3 pl=$4 dec=$5
    shift 5
    local out="o_${src}_${kind}_${np}_$pl" env=()
    [ "$pl" = none ] && env=(env HDF5_PLUGIN_PATH="$PWD/noplugins")
    if "${env[@]}" "$MPIEXEC" "$NPFLAG" "$np" -x HDF5_PLUGIN_PATH "$XPCS_BIN/xpcs-corr" \
        -r "d/${src}_$kind.h5" -q "d/${src}_qmap.h5" -o "$out" -v "$@" >"$out.log" 2>&1; then
        local got
        got=$(grep -o "filters: .*" "$out.log")
        if [[ "$got" != *"($dec)"* ]]; then
            bad "$src $kind np=$np plugins=$pl: decoded by '$got', expected $dec"
            return
        fi
        mv "$out/${src}_${kind}_results.hdf" "$out/${src}_results.hdf"
        check "$src $kind ($got) np=$np plugins=$pl $* identical to uncompressed" same "$src" "ref_$src" "$out"
    else
        cat "$out.log"
        bad "$src $kind np=$np plugins=$pl"
    fi
}
for src in u b; do
    corr 2 -r d/$src.h5 -q d/${src}_qmap.h5 -o ref_$src --kernel dense >/dev/null 2>&1 || bad "reference $src"
done
case_ u bslz4 2 default plugin --kernel dense
case_ u bslz4 3 none built-in --kernel sparse
case_ b bslz4 1 none built-in
case_ b bslz4 2 default plugin --kernel sparse
case_ u bsraw 2 none built-in
case_ u lz4 3 default built-in
case_ b lz4 2 default built-in --kernel sparse
case_ u lzf 2 default plugin

expect_err() { # expect_err DESCRIPTION PATTERN PLUGINS ARGS...
    local d=$1 pattern=$2 pl=$3
    shift 3
    local env=()
    [ "$pl" = none ] && env=(env HDF5_PLUGIN_PATH="$PWD/noplugins")
    "${env[@]}" timeout 120 "$MPIEXEC" "$NPFLAG" 2 -x HDF5_PLUGIN_PATH "$XPCS_BIN/xpcs-corr" \
        -o err_out "$@" >out.txt 2>err.txt
    local rc=$?
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
        bad "$d: exit status $rc"
    elif [ "$(grep -c '^xpcs-corr: error:' err.txt)" -ne 1 ] ||
        ! grep '^xpcs-corr: error:' err.txt | grep -Eq "$pattern"; then
        cat err.txt
        bad "$d: expected one error line matching /$pattern/"
    elif [ -n "$(find err_out -name '*_results.hdf*' 2>/dev/null)" ]; then
        bad "$d: left a result file behind"
    else
        ok "$d: $(grep '^xpcs-corr: error:' err.txt)"
    fi
}
expect_err "bzip2: no parallel plugin" "u_bz2\.h5: dataset /entry/data/data needs HDF5 filter 307 \(bzip2\)" \
    default -r d/u_bz2.h5 -q d/u_qmap.h5
expect_err "LZF without its plugin" "u_lzf\.h5: dataset /entry/data/data needs HDF5 filter 32000 \(lzf\).*noplugins" \
    none -r d/u_lzf.h5 -q d/u_qmap.h5
finish
