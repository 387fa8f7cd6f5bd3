#!/bin/bash
# Fuzzing: a deterministic corpus of damaged inputs (tests/oracles/fuzz_corpus.py:
# HDF5 frames from xpcs-synth and h5py truncated at many offsets and with bits
# flipped in the header, the chunk index and chunk data; damaged q-map and
# metadata files; Rigaku .bin files cut and flipped; IMM files (uncompressed and
# compressed) cut and flipped in headers and payloads; JSON and YAML mutations),
# the data cases at 1 and at 2 ranks, the config cases at 1, under a short
# timeout.  Every case must exit 0, or
# non-zero with exactly one "xpcs-corr: error:" line; never hang (killed after
# 30 s), never die of a signal, and leave no result or temporary file behind
# (none at all after a failure).
source "$(dirname "$0")/../lib/lib.sh"
# Open MPI waits a second (twice) before it kills the ranks of a job whose
# rank exited non-zero, although they have exited too: most cases fail, so
# that wait would be most of the test's time.
export OMPI_MCA_odls_base_sigkill_timeout=0
synth -o base -n s --rows 32 --cols 32 --frames 400 --chunk-frames 16
synth -o base -n g --rows 32 --cols 32 --frames 400 --chunk-frames 16 --gzip 4 --no-metadata
synth -o base -n e --rows 512 --cols 1024 --frames 60 --rate 0.002 --format rigaku --iid \
    --no-metadata
"$PY" - <<'PYEOF'
import shutil
import h5py, numpy as np
x = np.random.default_rng(5).poisson(0.4, (400, 32, 32)).astype(np.uint16)
with h5py.File("base/p.h5", "w") as f:          # h5py, contiguous
    f["/entry/data/data"] = x
with h5py.File("base/l.h5", "w", libver="latest") as f:   # h5py, newest format, gzip
    f.create_dataset("/entry/data/data", data=x, chunks=(8, 32, 32), maxshape=(None, 32, 32),
                     compression="gzip")
for stem in "pluz":
    shutil.copy("base/s_qmap.h5", "base/%s_qmap.h5" % stem)
open("base/c.json", "w").write('{"raw": "s.h5", "qmap": "s_qmap.h5", "output": "out", '
                               '"avg_frame": 2, "io": {"step_frames": 64}}\n')
open("base/c.yaml", "w").write("raw: s.h5\nqmap: s_qmap.h5\noutput: out\nstride_frame: 2\n"
                               "monitoring:\n  progress: \"off\"\n  alert_threshold_memory: 70\n")
PYEOF
"$PY" "$ORACLES/imm_write.py" base/s.h5 base/u.imm uncompressed || bad "IMM writer"
"$PY" "$ORACLES/imm_write.py" base/s.h5 base/z.imm compressed || bad "IMM writer"
echo "+ $PY $ORACLES/fuzz_corpus.py base cases >manifest.tsv"
"$PY" "$ORACLES/fuzz_corpus.py" base cases >manifest.tsv || bad "corpus"
echo "corpus: $(wc -l <manifest.tsv) cases"

t0=$(date +%s)
n_ok=0 n_fail=0
one_case() { # one_case ID NP DESCRIPTION ARGS: run it, check the outcome
    local id=$1 np=$2 desc=$3 args=$4 d=cases/$1
    rm -rf "$d/out"
    (
        cd "$d" || exit 9
        # shellcheck disable=SC2086  # args are words
        timeout -k 5 30 "$MPIEXEC" "$NPFLAG" "$np" "$XPCS_BIN/xpcs-corr" $args </dev/null \
            >stdout.txt 2>stderr.txt
    )
    local rc=$? lines left
    lines=$(grep -c '^xpcs-corr: error:' "$d/stderr.txt")
    left=$(find "$d" -name '*.tmp*' 2>/dev/null)
    [ "$rc" -ne 0 ] && left="$left$(find "$d" -name '*_results.hdf' 2>/dev/null)"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        bad "$id ($desc, np=$np): hung (killed after 30 s)"
    elif [ "$rc" -ge 128 ] || grep -q 'Signal:\|signal [0-9]\|MPI_ABORT' "$d/stderr.txt"; then
        head -5 "$d/stderr.txt"
        bad "$id ($desc, np=$np): died of a signal or aborted (rc $rc)"
    elif [ "$rc" -ne 0 ] && [ "$lines" -ne 1 ]; then
        head -5 "$d/stderr.txt"
        bad "$id ($desc, np=$np): rc $rc with $lines error lines, expected one"
    elif [ -n "$left" ]; then
        bad "$id ($desc, np=$np): left behind: $left"
    elif [ "$rc" -eq 0 ]; then
        n_ok=$((n_ok + 1))
        PASSED=$((PASSED + 1))
    else
        n_fail=$((n_fail + 1))
        ok "$id ($desc, np=$np): rc $rc: $(grep '^xpcs-corr: error:' "$d/stderr.txt" | cut -c1-160)"
    fi
}
while IFS=$'\t' read -r id nps desc args; do
    for np in $nps; do
        one_case "$id" "$np" "$desc" "$args"
    done
done <manifest.tsv
echo "fuzz: $n_ok ran cleanly, $n_fail refused with one line, in $(($(date +%s) - t0)) s"
check "the corpus refused most cases (it is damaged)" test "$n_fail" -gt "$n_ok"
finish
