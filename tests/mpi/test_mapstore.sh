#!/bin/bash
# Two-time maps on disk (issue 13, point 6): chunked 256 x 256, LZF where
# HDF5 has the filter (deflate without it), the chunks below the diagonal
# never written; the values equal across the two codecs and across rank
# counts (1 rank, 2 ranks, a map split in tiles over 3 ranks, whose shared
# chunk rows go through HDF5's filter on rank 0); h5py (the viewer) reads
# them; one progress line per bin on stderr (none with progress off); at 3
# ranks each rank writes its own maps (issue 16).
source "$(dirname "$0")/../lib/lib.sh"
# 600 frames: 3 x 3 chunks of 256 (the last ones partial), 6 on or above the diagonal
synth -o d -n m --rows 40 --cols 40 --frames 600 --rate 0.4 --tau0 20 --n-dq 3 --seed 3

corr 2 -r d/m.h5 -q d/m_qmap.h5 -o lzf -t twotime >lzf.log 2>lzf.err || bad "two-time on 2 ranks"
corr 1 -r d/m.h5 -q d/m_qmap.h5 -o one -t twotime >one.log 2>&1 || bad "two-time on 1 rank"
HDF5_PLUGIN_PATH=/nonexistent corr 2 -r d/m.h5 -q d/m_qmap.h5 -o gz -t twotime >gz.log 2>&1 ||
    bad "two-time without the LZF plugin"
# a map over one rank's 20 MiB (as in test_scale.sh): tiles over 3 ranks
synth -o d -n t --rows 32 --cols 32 --frames 1200 --rate 0.5 --tau0 30 --n-dq 2 --seed 7
corr 1 -r d/t.h5 -q d/t_qmap.h5 -o tone -t twotime >tone.log 2>&1 || bad "two-time on 1 rank"
corr 3 -r d/t.h5 -q d/t_qmap.h5 -o split -t twotime --kernel dense --max-memory 20 -v \
    >split.log 2>&1 || bad "two-time split over 3 ranks"
check "the map is split in tiles whose rows cut a chunk row" grep -Eq "rows \[[0-9]*[1-9], " split.log

check "maps chunked, compressed, empty triangle absent, values equal" run "$PY" - <<'PYEOF'
import h5py, numpy as np, sys
def maps(path):
    g = h5py.File(path, "r")["/xpcs/twotime/correlation_map"]
    return {k: g[k] for k in g}
ok = True
lzf, gz, one = (maps(p + "/m_results.hdf") for p in ("lzf", "gz", "one"))
tone, split = (maps(p + "/t_results.hdf") for p in ("tone", "split"))
for k, d in split.items():
    print(k, "split", d.id.get_num_chunks(), "chunks")
    ok &= d.id.get_num_chunks() == 15 and np.array_equal(d[()], tone[k][()])
for k, d in lzf.items():
    n = d.shape[0]
    full = n * n * 4
    nc = -(-n // 256)
    print(k, d.shape, d.chunks, d.compression, gz[k].compression, "chunks", d.id.get_num_chunks(),
          "stored", d.id.get_storage_size(), "of", full)
    ok &= d.chunks == (256, 256) and d.compression == "lzf" and gz[k].compression == "gzip"
    ok &= d.id.get_num_chunks() == nc * (nc + 1) // 2 == gz[k].id.get_num_chunks()
    ok &= d.id.get_storage_size() < 0.6 * full and gz[k].id.get_storage_size() < 0.6 * full
    a = d[()]
    ok &= bool(np.all(np.tril(a, -1) == 0)) and bool(np.all(np.diag(a) > 0))
    for other in (gz, one):
        ok &= np.array_equal(a, other[k][()])
sys.exit(0 if ok and len(lzf) == 3 and len(split) == 2 else 1)
PYEOF

# issue 16: the maps written by their owners.  Each rank writes the chunks
# of the maps it computed (rank 0 reserves their space); the profile's
# per-rank map_bytes_written is then exactly the stored size of that rank's
# maps (bin_rank), and only the other ranks write through MPI-IO.
XPCS_ENABLE_PROFILING=1 corr 3 -r d/m.h5 -q d/m_qmap.h5 -o own -t twotime >own.log 2>&1 ||
    bad "two-time on 3 ranks, profiled"
check "each rank wrote its own maps' chunks; values equal to 1 rank" run "$PY" - <<'PYEOF'
import h5py, json, numpy as np, sys
f = h5py.File("own/m_results.hdf", "r")
one = h5py.File("one/m_results.hdf", "r")["/xpcs/twotime/correlation_map"]
g = f["/xpcs/twotime/correlation_map"]
owner = f["/xpcs/twotime/config/bin_rank"][()]
ranks = json.load(open("own/m_profile.json"))["ranks"]
ok = len(ranks) == 3 and len(g) == 3 and sorted(set(owner.tolist())) == [0, 1, 2]
for r in ranks:
    mine = [k for i, k in enumerate(sorted(g)) if owner[i] == r["rank"]]
    stored = sum(g[k].id.get_storage_size() for k in mine)
    chunks = sum(g[k].id.get_num_chunks() for k in mine)
    fw = r["comm"].get("file_write", {}).get("bytes_out", 0)
    print("rank", r["rank"], "maps", mine, "stored", stored, "written", r["map_bytes_written"],
          "chunks", chunks, r["map_chunks_written"], "MPI-IO bytes", fw)
    ok &= stored > 0 and r["map_bytes_written"] == stored and r["map_chunks_written"] == chunks
    ok &= fw == (0 if r["rank"] == 0 else stored)
for k in g:
    ok &= np.array_equal(g[k][()], one[k][()])
sys.exit(0 if ok else 1)
PYEOF

# the way a rank takes when it cannot open rank 0's file (a disk of rank
# 0's node only): its chunks go to rank 0, which writes them
XPCS_MAPS_TO_ROOT=1 XPCS_ENABLE_PROFILING=1 corr 3 -r d/m.h5 -q d/m_qmap.h5 -o viaroot -t twotime \
    >viaroot.log 2>&1 || bad "two-time on 3 ranks, the chunks through rank 0"
check "through rank 0: rank 0 wrote every chunk; values equal" run "$PY" - <<'PYEOF'
import h5py, json, numpy as np, sys
g = h5py.File("viaroot/m_results.hdf", "r")["/xpcs/twotime/correlation_map"]
one = h5py.File("one/m_results.hdf", "r")["/xpcs/twotime/correlation_map"]
ranks = json.load(open("viaroot/m_profile.json"))["ranks"]
stored = sum(g[k].id.get_storage_size() for k in g)
written = [r["map_bytes_written"] for r in ranks]
print("stored", stored, "written by rank", written)
ok = written == [stored, 0, 0] and all(np.array_equal(g[k][()], one[k][()]) for k in g)
sys.exit(0 if ok else 1)
PYEOF

check "one progress line per bin on stderr" test "$(grep -c 'two-time map [1-3]/3 (bin [1-3]) computed, elapsed' lzf.err)" -eq 3
corr 1 -r d/m.h5 -q d/m_qmap.h5 -o quiet -t twotime --set monitoring.progress=off >q.log 2>q.err ||
    bad "two-time with progress off"
check "no progress line with monitoring.progress=off" test "$(grep -c 'two-time map' q.err)" -eq 0
check "xpcs-report reads the compressed maps" run "$XPCS_BIN/xpcs-report" lzf/m_results.hdf -o lzf.html --no-profile
check "the report shows the three maps" test "$(grep -o '(c2_0000[1-3]): 600 x 600' lzf.html | sort -u | wc -l)" -eq 3
finish
