#!/bin/bash
# Hostile inputs (issue 17): one error line, a non-zero exit, no hang and
# nothing left behind for every input that is not what it should be --
# FIFOs and directories where files belong, config files that would take
# the run's memory or time (alias bomb, 500 000-deep nesting) or hold
# duplicate keys, numbers out of range or not finite, NUL bytes, q-map labels
# that are NaN or up to 2^31-1, all-NaN masks, a contiguous dataset claiming
# 10x its frames, a damaged chunk index, a file truncated while it is read,
# long paths and control bytes in messages; and a virtual dataset (VDS) read
# like the plain file it stands for.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n s --rows 24 --cols 32 --frames 400
Q=d/s_qmap.h5

slow=1 # the time limits below, times this in the sanitizer build
[ -n "${ASAN_OPTIONS:-}" ] && slow=5
# elapsed SECONDS COMMAND...: runs it, fails when it took SECONDS or more
elapsed() {
    local limit=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    "$@"
    local rc=$?
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v l="$limit" 'BEGIN { exit !(b - a < l) }' || {
        echo "took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s, limit $limit s"
        return 99
    }
    return $rc
}
# quick DESCRIPTION PATTERN LIMIT ARGS...: xpcs-corr on 2 ranks must fail with one
# error line matching PATTERN within LIMIT seconds (no waiting on a FIFO)
quick() {
    local d=$1 pattern=$2 limit=$(($3 * slow))
    shift 3
    if elapsed "$limit" expect_fail "$d" "$pattern" 2 "$@"; then :; else
        bad "$d: not refused within $limit s"
    fi
}

# ---- FIFOs and directories where regular files belong ----------------------
mkdir -p f cdir
mkfifo f/raw.h5 f/ev.bin f/qmap.h5 f/list.txt f/c.json f/wisdom
cp d/s.h5 f/m.h5
mkfifo f/m_metadata.hdf
quick "FIFO as the raw file" "f/raw\.h5.*FIFO" 10 -r f/raw.h5 -q $Q
quick "FIFO as a .bin event file" "f/ev\.bin.*FIFO" 10 -r f/ev.bin -q $Q
quick "FIFO as the q-map" "f/qmap\.h5.*FIFO" 10 -r d/s.h5 -q f/qmap.h5
quick "FIFO as the metadata file" "m_metadata\.hdf.*FIFO" 10 -r f/m.h5 -q $Q
quick "FIFO as the config file" "config f/c\.json: cannot open: a FIFO" 10 -c f/c.json -r d/s.h5 -q $Q
quick "FIFO as the raw list" "raw-list f/list\.txt.*FIFO" 10 --raw-list f/list.txt -q $Q
quick "FIFO as the FFTW wisdom" "f/wisdom.*FIFO" 20 -r d/s.h5 -q $Q -t linear --max-lag 4 \
    --fftw-wisdom f/wisdom
quick "-c DIRECTORY" "config cdir.*a directory" 10 -c cdir -r d/s.h5 -q $Q
quick "a directory as the raw file" "cdir.*a directory" 10 -r cdir -q $Q

# ---- config files: size, depth, aliases, duplicate keys, NUL bytes --------------
"$PY" - <<'PYEOF'
lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for prev, cur in zip("abcdefgh", "bcdefghi"):
    lines.append("%s: &%s [%s]" % (cur, cur, ",".join(["*" + prev] * 9)))
bomb = "\n".join(lines) + "\n"
assert len(bomb) == 342, len(bomb)
open("bomb.yaml", "w").write(bomb)
open("deep.yaml", "w").write("raw: " + "[" * 500000 + "]" * 500000 + "\n")
open("deepb.yaml", "w").write("raw:\n" + "- " * 500000 + "x\n")
open("dup.json", "w").write('{"raw": "d/s.h5", "qmap": "d/s_qmap.h5", "raw": "d/s.h5"}')
open("deep.json", "w").write('{"gpu_id": ' + "[" * 40 + "]" * 40 + "}")
open("nul.json", "wb").write(b'{"raw": "d/s.h5\x00x", "qmap": "d/s_qmap.h5"}')
open("inf.json", "w").write('{"frame_time": 1e999}')
open("big.json", "w").write('{"avg_frame": 1e30}')
open("ok.yaml", "w").write("dataset: &ds /entry/data/data\nio:\n  dataset: *ds\n"
                           "monitoring: {progress: lines}\n")
PYEOF
# singleton runs (no launcher): the time is the parser's.  Without a launcher
# there is no binding to turn off (and with it set, LeakSanitizer's tracer
# crashes in a singleton).
alone() { env -u OMPI_MCA_hwloc_base_binding_policy "$XPCS_BIN/xpcs-corr" "$@"; }
one_line() { # one_line DESCRIPTION PATTERN LIMIT ARGS...: xpcs-corr alone, refused in time
    local d=$1 pattern=$2 limit=$(($3 * slow))
    shift 3
    elapsed "$limit" alone "$@" >o.txt 2>e.txt
    local rc=$?
    if [ "$rc" -eq 99 ]; then
        bad "$d: not refused within $limit s"
    elif [ "$rc" -eq 0 ] || [ "$(grep -c '^xpcs-corr: error:' e.txt)" -ne 1 ] ||
        ! grep '^xpcs-corr: error:' e.txt | grep -Eq "$pattern"; then
        cat e.txt
        bad "$d: expected one error line matching /$pattern/ (rc $rc)"
    else
        ok "$d (rc $rc): $(cut -c1-150 e.txt)"
    fi
}
R="-r d/s.h5 -q $Q --dry-run"
one_line "YAML alias bomb (342 bytes)" "bomb\.yaml.*more than 10000 values" 2 -c bomb.yaml $R
one_line "500 000-deep YAML (flow)" "deep\.yaml.*nested too deeply" 2 -c deep.yaml $R
one_line "500 000-deep YAML (block)" "deepb\.yaml.*nested too deeply" 2 -c deepb.yaml $R
one_line "duplicate JSON key" "dup\.json: duplicate key 'raw'" 5 -c dup.json $R
one_line "deep JSON" "deep\.json: nested too deeply" 5 -c deep.json $R
one_line "NUL byte in JSON" "nul\.json: a NUL byte" 5 -c nul.json $R
one_line "infinite JSON number, named" "inf\.json: key 'frame_time'.*got inf" 5 -c inf.json $R
one_line "out-of-range JSON integer, named" "big\.json: key 'avg_frame'.*got 1e\+30" 5 \
    -c big.json $R
alone -c ok.yaml $R -v >o.txt 2>&1
check "a YAML alias within the budget still works" grep -q 'io.dataset = "/entry/data/data" (config file' o.txt

# ---- numbers on the command line ------------------------------------------------
one_line "--frame-time nan" "frame-time.*nan" 5 $R --frame-time nan
one_line "--frame-time inf" "frame-time.*inf" 5 $R --frame-time inf
one_line "--frame-time -1" "frame-time.*-1" 5 $R --frame-time -1
one_line "--max-memory nan" "max-memory.*nan" 5 $R --max-memory nan
one_line "--max-memory inf" "max-memory.*inf" 5 $R --max-memory inf
one_line "-f x -a past 2^63: an empty range, no overflow" "empty frame range.*0 frame" 5 $R \
    -f 1000000000000000000 -a 1000000000000000000
one_line "--step-frames x pixels checked in 64 bits" "step-frames 1000000000000: too large" 5 \
    $R --step-frames 1000000000000

# ---- the raw list: a NUL byte ------------------------------------------------------
printf 'd/s.h5\0junk %s\n' "$Q" >nul.txt
quick "NUL byte in --raw-list" "nul\.txt line 1: a NUL byte" 10 --raw-list nul.txt -q $Q

# ---- q-map labels and masks ---------------------------------------------------------
"$PY" - <<'PYEOF'
import shutil
import h5py, numpy as np
def variant(name, key, f):
    shutil.copy("d/s_qmap.h5", "q_%s.h5" % name)
    with h5py.File("q_%s.h5" % name, "a") as h:
        v = f(h["/qmap/" + key][()])
        del h["/qmap/" + key]
        h["/qmap/" + key] = v
def big(m):
    m = m.astype(np.uint32); m[3, 5] = 2**31 - 1; return m
def nan(m):
    m = m.astype(np.float64); m[3, 5] = np.nan; return m
variant("big", "static_roi_map", big)
variant("nan", "dynamic_roi_map", nan)
variant("nanmask", "mask", lambda m: np.full(m.shape, np.nan))
PYEOF
expect_fail "q-map label 2^31-1: an input error" "q_big\.h5.*static_roi_map.*2147483647 at pixel \(3, 5\)" \
    2 -r d/s.h5 -q q_big.h5
corr 2 -r d/s.h5 -q q_big.h5 -o bad_out >/dev/null 2>&1
check "... exit status 3 (an input error, not 5: out of memory)" test $? -eq 3
expect_fail "NaN label reported as NaN" "q_nan\.h5.*dynamic_roi_map has a NaN label at pixel \(3, 5\)" \
    2 -r d/s.h5 -q q_nan.h5
expect_fail "all-NaN mask: no valid pixel" "q_nanmask\.h5.*no valid pixel" 2 -r d/s.h5 -q q_nanmask.h5

# ---- a contiguous dataset claiming 10x its frames ----------------------------------
"$PY" - <<'PYEOF'
import struct
import h5py, numpy as np
x = np.random.default_rng(4).poisson(0.5, (300, 24, 32)).astype(np.uint16)
with h5py.File("c10.h5", "w") as f:
    f["/entry/data/data"] = x
b = bytearray(open("c10.h5", "rb").read())
old, new = struct.pack("<QQQ", 300, 24, 32), struct.pack("<QQQ", 3000, 24, 32)
assert b.count(old) >= 1
open("c10.h5", "wb").write(b.replace(old, new))   # dims (and max dims) claim 3000
PYEOF
expect_fail "contiguous dataset claiming 10x its frames" "c10\.h5.*claims 3000 frames" 2 \
    -r c10.h5 -q $Q --frame-time 0.001

# ---- the damaged chunk index of the issue (64 x 64 x 2000, three bits) ------------------
synth -o d -n big --rows 64 --cols 64 --frames 2000
"$PY" - <<'PYEOF'
b = bytearray(open("d/big.h5", "rb").read())
b[639] ^= 2; b[3131] ^= 0x80; b[3737] ^= 8
open("flip.h5", "wb").write(b)
PYEOF
for np in 2 1; do
    expect_fail "chunk index flips (issue 17, np=$np)" "flip\.h5.*chunk at frame 640 is missing" \
        $np -r flip.h5 -q d/big_qmap.h5 --frame-time 0.001
done

# ---- a file truncated while it is read (2 ranks; one frame per step: 2000 steps) ----------
cp d/big.h5 shrink.h5
rm -rf tr_out
corr 2 -r shrink.h5 -q d/big_qmap.h5 -o tr_out --frame-time 0.001 --kernel dense \
    --step-frames 1 --set monitoring.progress=lines --set monitoring.progress_interval_s=0.001 \
    >tr.out 2>tr.err &
pid=$!
# truncate once the frames are being read; look often: the 2000 steps' reads
# take a few tenths of a second
for _ in $(seq 12000); do
    grep -q "progress" tr.err && break
    sleep 0.005
done
# the ranks pause while the file shrinks, so that the truncation falls in the
# middle of the reads also on a loaded machine (else a fast run may finish first)
tree() { local c; for c in $(ps -o pid= --ppid "$1"); do echo "$c"; tree "$c"; done; }
ranks=$(tree $pid)
kill -STOP $ranks 2>/dev/null
seen=$(grep -c progress tr.err)
truncate -s 3000000 shrink.h5
kill -CONT $ranks 2>/dev/null
wait $pid
rc=$?
if [ "$rc" -eq 124 ]; then
    bad "file truncated while read: hung"
elif [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then
    bad "file truncated while read: rc $rc (progress lines before the truncation: $seen)"
elif [ "$(grep -c '^xpcs-corr: error:' tr.err)" -ne 1 ] ||
    ! grep '^xpcs-corr: error:' tr.err | grep -Eq "shrink\.h5.*(shrank|cannot read)"; then
    cat tr.err
    bad "file truncated while read: expected one error line naming it"
elif [ -n "$(find tr_out -name '*_results.hdf*' 2>/dev/null)" ]; then
    bad "file truncated while read: left a file behind"
else
    ok "file truncated while read (rc $rc): $(grep '^xpcs-corr: error:' tr.err)"
fi

# ---- a virtual dataset: read like the plain file; a missing source named -----------------
"$PY" - <<'PYEOF'
import os
import h5py, numpy as np
os.makedirs("v", exist_ok=True)
with h5py.File("d/s.h5", "r") as f:
    x = f["/entry/data/data"][()]
lay = h5py.VirtualLayout(shape=x.shape, dtype=x.dtype)
for i, (a, b) in enumerate([(0, 150), (150, 400)]):
    with h5py.File("v/part%d.h5" % i, "w") as f:
        f.create_dataset("/data", data=x[a:b], chunks=(10,) + x.shape[1:])
    lay[a:b] = h5py.VirtualSource("part%d.h5" % i, "/data", shape=(b - a,) + x.shape[1:])
with h5py.File("v/vds.h5", "w", libver="latest") as f:
    f.create_virtual_dataset("/entry/data/data", lay, fillvalue=0)
PYEOF
corr 1 -r d/s.h5 -q $Q -o plain --frame-time 0.001 >/dev/null 2>&1 || bad "plain run"
cp plain/s_results.hdf plain/vds_results.hdf
for np in 1 2; do
    same_result "VDS raw file read like the plain file (np=$np)" plain/vds_results.hdf \
        vds$np/vds_results.hdf $np -r v/vds.h5 -q $Q --frame-time 0.001 --kernel dense
done
mv v/part1.h5 v/gone.h5
expect_fail "VDS with a missing source: named" "vds\.h5.*source file part1\.h5.*missing" 2 \
    -r v/vds.h5 -q $Q

# ---- messages: long paths whole, control bytes escaped -----------------------------------
long=d
for i in $(seq 14); do long="$long/$(printf 'p%.0s' $(seq 240))"; done
expect_fail "a 3400-byte path: the reason survives" "pppp/nope\.h5: cannot read raw data file: No such file" \
    2 -r "$long/nope.h5" -q $Q
check "... and the whole path is in the message" test "$(grep '^xpcs-corr: error:' err.txt | wc -c)" -gt 3400
expect_fail "control bytes escaped" 'x\\x1b\[31mred\\x07\.h5' 2 -r d/s.h5 -q "$(printf 'x\033[31mred\a.h5')"
check "... no raw ESC in the message" test "$(grep -c $'\033' err.txt)" -eq 0

# ---- xpcs-fit: an empty q list is named, not an underflowed range --------------------------
"$PY" - <<'PYEOF'
import shutil
import h5py, numpy as np
shutil.copy("plain/s_results.hdf", "noq.hdf")
with h5py.File("noq.hdf", "a") as f:
    del f["/xpcs/qmap/dynamic_v_list_dim0"]
    f["/xpcs/qmap/dynamic_v_list_dim0"] = np.zeros(0)
PYEOF
"$XPCS_BIN/xpcs-fit" noq.hdf >fit.out 2>fit.err
check "xpcs-fit: empty dynamic_v_list_dim0 named" grep -q "dynamic_v_list_dim0 is empty" fit.err
check "xpcs-fit: no 2^64-1 in the message" test "$(grep -c 18446744073709551615 fit.err)" -eq 0
finish
