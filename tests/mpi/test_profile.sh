#!/bin/bash
# Profiling and site settings: the profile JSON has every documented field
# and its numbers add up (bytes read, pixel-frames, min <= mean <= max); the
# short table and the health lines are printed and the result path stays the
# last stdout line; --fail-on-critical exits 8 (result still written) when a
# threshold is forced critical and 0 when none is; XPCS_* environment < config
# file (YAML or JSON) < command line; unknown keys and bad values are errors
# that name the key; the effective configuration is stored in the result;
# progress lines go to stderr; XPCS_ENABLE_PROFILING=0 turns the profile off;
# the storage bandwidth can be measured.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n p --rows 32 --cols 40 --frames 600 --frame-time 0.001

corr 2 -r d/p.h5 -q d/p_qmap.h5 -o o --step-frames 128 >out.txt 2>err.txt || { cat out.txt err.txt; bad "run"; }
check "last stdout line is the result path" test "$(tail -n 1 out.txt)" = "o/p_results.hdf"
check "phase table printed" grep -Eq "^  multitau +[0-9.]+ +[0-9.]+ +[0-9.]+ +[01] +[01] " err.txt
check "health lines printed" grep -Eq "^health: (parallel_efficiency|memory|io_throughput) .*(ok|warning|critical|unknown)" err.txt
check "profile file announced" grep -q "^xpcs-corr: profile o/p_profile.json" err.txt
check "profile JSON: schema fields and consistent numbers" run "$PY" - o/p_profile.json d/p.h5 <<'PYEOF'
import sys, json, h5py
p = json.load(open(sys.argv[1]))
raw = h5py.File(sys.argv[2], "r")["/entry/data/data"]
nf, rows, cols = raw.shape
err = []
def need(obj, keys, where):
    for k in keys:
        if k not in obj:
            err.append(f"{where}: missing {k}")
need(p, ["schema", "schema_version", "program", "version", "created", "raw", "result",
         "timing_enabled", "run", "summary", "phases", "indicators", "health", "ranks"], "top")
if p.get("schema") != "xpcs-toolkit/profile" or p.get("schema_version") != 1:
    err.append("schema")
need(p["run"], ["n_ranks", "threads_per_rank", "n_nodes", "frames", "raw_frames", "rows", "cols",
                "correlated_pixels", "delays", "step_frames", "steps"], "run")
need(p["summary"], ["wall_s", "pixel_frames_per_s", "correlated_pixel_frames_per_s",
                    "read_gb_per_s", "bytes_read", "bytes_exchanged", "pixel_frames_computed",
                    "parallel_efficiency", "load_balance", "peak_rss_max_bytes",
                    "peak_rss_max_rank", "memory_budget_bytes", "memory_estimate_bytes",
                    "storage_gb_per_s", "storage_source"], "summary")
phases = ["total", "plan", "open", "read", "saxs", "redistribute", "pack", "exchange",
          "multitau", "reduce", "write"]
if list(p["phases"]) != phases:
    err.append(f"phases {list(p['phases'])}")
for name, ph in p["phases"].items():
    need(ph, ["depth", "busy", "min_s", "min_rank", "mean_s", "max_s", "max_rank", "imbalance",
              "span_s", "cpu_mean_s"], name)
    if not (0 <= ph["min_s"] <= ph["mean_s"] * (1 + 1e-12) <= ph["max_s"] * (1 + 1e-12)):
        err.append(f"{name}: min/mean/max out of order")
    if ph["max_s"] > p["summary"]["wall_s"] * 1.0001 + 1e-6:
        err.append(f"{name}: longer than the wall time")
for name in ["parallel_efficiency", "memory", "io_throughput"]:
    ind = p["indicators"].get(name, {})
    need(ind, ["value_pct", "target_pct", "critical_pct", "better", "status"], name)
    if ind.get("status") not in ("ok", "warning", "critical", "unknown"):
        err.append(f"{name}: status")
if p["indicators"]["io_throughput"]["status"] != "unknown":
    err.append("io without a storage bandwidth must be unknown")
ranks = p["ranks"]
if p["run"]["n_ranks"] != 2 or len(ranks) != 2:
    err.append("ranks")
for r in ranks:
    need(r, ["rank", "host", "threads", "pixels", "wall_s", "cpu_s", "busy_s", "efficiency",
             "bytes_read", "bytes_sent", "bytes_received", "frames_read", "pixel_frames",
             "peak_rss_bytes"], f"rank {r.get('rank')}")
    if r["peak_rss_bytes"] <= 1e6:
        err.append("peak RSS not measured")
# the counters add up to what the run must have done
if sum(r["bytes_read"] for r in ranks) != nf * rows * cols * raw.dtype.itemsize:
    err.append("bytes_read != the stack's bytes")
if sum(r["frames_read"] for r in ranks) != nf:
    err.append("frames_read")
ncorr = p["run"]["correlated_pixels"]
if sum(r["pixel_frames"] for r in ranks) != ncorr * nf:
    err.append("pixel_frames != correlated pixels x frames")
if sum(r["pixels"] for r in ranks) != ncorr:
    err.append("pixels")
if sum(r["bytes_sent"] for r in ranks) != sum(r["bytes_received"] for r in ranks):
    err.append("sent != received")
s = p["summary"]
if abs(s["pixel_frames_per_s"] * s["wall_s"] - rows * cols * nf) > 1e-6 * rows * cols * nf:
    err.append("throughput != pixel-frames / wall")
if s["wall_s"] < p["phases"]["total"]["max_s"] * 0.999:
    err.append("wall < slowest total")
print("\n".join(err))
sys.exit(1 if err else 0)
PYEOF

# --fail-on-critical: memory thresholds forced far below the peak RSS
corr 2 -r d/p.h5 -q d/p_qmap.h5 -o o -w --fail-on-critical \
    --set monitoring.alert_threshold_memory=0.001 --set monitoring.critical_threshold_memory=0.002 \
    >fo.txt 2>fe.txt
rc=$?
check "--fail-on-critical with memory critical exits 8 (got $rc)" test "$rc" -eq 8
check "the critical indicator is named" grep -Eq "critical with --fail-on-critical: .*memory [0-9.]+ % > 0.002 %" fe.txt
check "the result is still written and printed" test "$(tail -n 1 fo.txt)" = "o/p_results.hdf" -a -s o/p_results.hdf
check "profile says critical" "$PY" -c "import json,sys; p=json.load(open('o/p_profile.json')); sys.exit(0 if p['indicators']['memory']['status']=='critical' and p['health']=='critical' else 1)"
corr 2 -r d/p.h5 -q d/p_qmap.h5 -o o -w \
    --set monitoring.alert_threshold_memory=0.001 --set monitoring.critical_threshold_memory=0.002 >/dev/null 2>&1
check "the same run without --fail-on-critical exits 0" test $? -eq 0
XPCS_FAIL_ON_CRITICAL=1 corr 2 -r d/p.h5 -q d/p_qmap.h5 -o o -w \
    --set monitoring.critical_threshold_efficiency=0 --set monitoring.critical_threshold_memory=1000 >/dev/null 2>&1
check "--fail-on-critical (from XPCS_FAIL_ON_CRITICAL) exits 0 when nothing is critical" test $? -eq 0

# precedence: environment < config file < command line
cat >site.yaml <<'EOF'
# site settings
threading:
  num_threads: 1
memory:
  max_memory_mb: 234
monitoring:
  progress: "off"
EOF
dry() { corr 1 -r d/p.h5 -q d/p_qmap.h5 -o od --dry-run -v "$@" 2>&1; }
XPCS_MAX_MEMORY_MB=123 dry >p1.txt
check "env sets memory.max_memory_mb" grep -q "setting memory.max_memory_mb = 123 (environment" p1.txt
check "env budget used by the plan" grep -q "budget 123.0 MiB" p1.txt
XPCS_MAX_MEMORY_MB=123 dry -c site.yaml >p2.txt
check "YAML file beats env" grep -q "setting memory.max_memory_mb = 234 (config file" p2.txt
XPCS_MAX_MEMORY_MB=123 dry -c site.yaml --max-memory 345 >p3.txt
check "command line beats the YAML file" grep -q "setting memory.max_memory_mb = 345 (command line" p3.txt
echo '{"memory": {"max_memory_mb": 456}, "monitoring": {"progress": "lines"}}' >site.json
XPCS_MAX_MEMORY_MB=123 dry -c site.json >p4.txt
check "JSON file takes the same sections" grep -q "setting memory.max_memory_mb = 456 (config file" p4.txt
echo '{"max_memory": 567}' >boost.json
XPCS_MAX_MEMORY_MB=123 dry -c boost.json >p5.txt
check "boost_corr's max_memory key is the same setting" grep -q "setting memory.max_memory_mb = 567 (config file" p5.txt

# threads: XPCS_NUM_THREADS applies (over OMP_NUM_THREADS), the file beats it;
# the effective configuration is stored in the result
XPCS_NUM_THREADS=2 corr 1 -r d/p.h5 -q d/p_qmap.h5 -o oe >/dev/null 2>&1 || bad "run with XPCS_NUM_THREADS"
XPCS_NUM_THREADS=2 corr 1 -r d/p.h5 -q d/p_qmap.h5 -o oy -c site.yaml >/dev/null 2>&1 || bad "run with XPCS_NUM_THREADS and YAML"
check "threads from env (2) and from the file (1); effective config stored" run "$PY" - <<'PYEOF'
import sys, json, h5py
def cfg(path):
    c = h5py.File(path, "r")["/xpcs/multitau/config"]
    return int(c["n_threads_per_rank"][()]), json.loads(c["effective_config"][()].decode())
t1, e1 = cfg("oe/p_results.hdf")
t2, e2 = cfg("oy/p_results.hdf")
ok = t1 == 2 and e1["threading"]["num_threads"] == 2 and e1["sources"]["threading.num_threads"] == "environment"
ok &= t2 == 1 and e2["sources"]["threading.num_threads"] == "config file"
ok &= e2["memory"]["max_memory_mb"] == 234 and e2["monitoring"]["progress"] == "off"
print(t1, t2, e1["sources"]["threading.num_threads"], e2["sources"]["threading.num_threads"])
sys.exit(0 if ok else 1)
PYEOF

# unknown keys and bad values are errors naming them
printf 'monitoring:\n  alert_treshold_memory: 70\n' >typo.yaml
dry -c typo.yaml >t1.txt
check "unknown YAML key named" grep -q "error: config typo.yaml: unknown key 'monitoring.alert_treshold_memory'" t1.txt
printf 'monitorin:\n  progress: off\n' >typo2.yaml
dry -c typo2.yaml >t2.txt
check "unknown YAML section named" grep -q "unknown key 'monitorin'" t2.txt
printf 'memory:\n  max_memory_mb: [1, 2\n' >broken.yaml
dry -c broken.yaml >t3.txt
check "YAML syntax error with a line number" grep -Eq "error: config broken.yaml: line [0-9]+" t3.txt
XPCS_NUM_THREADS=many dry >t4.txt
check "bad environment value names the variable" grep -q "error: environment XPCS_NUM_THREADS: key 'threading.num_threads': expected an integer" t4.txt
dry --set monitoring.critical_threshold_efficiency=90 >t5.txt
check "inconsistent thresholds refused" grep -q "thresholds of parallel_efficiency" t5.txt

# progress on stderr, stdout untouched
XPCS_PROGRESS=lines XPCS_PROGRESS_INTERVAL_S=0 corr 2 -r d/p.h5 -q d/p_qmap.h5 -o op --step-frames 100 >po.txt 2>pe.txt
check "progress lines on stderr" grep -q "xpcs-corr: progress 300/600 frames (.*ETA" pe.txt
check "no progress on stdout" test "$(grep -c progress po.txt)" -eq 0

# profiling off: no profile file, no table
XPCS_ENABLE_PROFILING=0 corr 2 -r d/p.h5 -q d/p_qmap.h5 -o on >no.txt 2>&1
check "XPCS_ENABLE_PROFILING=0: no profile, no table" test ! -e on/p_profile.json -a "$(grep -c '^health:' no.txt)" -eq 0

# storage bandwidth measured by a bare read: the I/O indicator gets a value
corr 2 -r d/p.h5 -q d/p_qmap.h5 -o om --set io.measure_storage_bandwidth=true >mo.txt 2>&1
check "bare read reported" grep -q "storage: bare read of" mo.txt
check "I/O indicator measured" "$PY" -c "import json,sys; p=json.load(open('om/p_profile.json')); i=p['indicators']['io_throughput']; sys.exit(0 if p['summary']['storage_source']=='measured' and i['value_pct'] and i['status']!='unknown' else 1)"
finish
