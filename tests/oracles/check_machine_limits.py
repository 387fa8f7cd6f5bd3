#!/usr/bin/python3
"""check_machine_limits.py MACHINE_LIMITS: runs tools/machine_limits small (8 MiB arrays, one
repeat, 1 and 2 threads) and checks its JSON: every thread count has the stream numbers and,
for each SIMD width the CPU runs (at least 128-bit), positive operations per second; the
runtime's SIMD level and width agree.  Not a timing test: only the shape and the signs."""
import json
import subprocess
import sys

out = subprocess.run([sys.argv[1], "--mib", "8", "--repeat", "1", "--threads", "2"],
                     check=True, capture_output=True, text=True).stdout
j = json.loads(out)
bits = {"generic": 128, "v2": 128, "v3": 256, "v4": 512}
bad = []
if j["runtime_simd_bits"] != bits.get(j["runtime_simd"]):
    bad.append("runtime_simd %s vs %s bits" % (j["runtime_simd"], j["runtime_simd_bits"]))
if sorted(j["threads"]) != ["1", "2"]:
    bad.append("thread counts %s" % sorted(j["threads"]))
for t, v in j["threads"].items():
    for k in ("copy_gb_per_s", "triad_gb_per_s", "f64_mul_add_128_gops", "i64_add_128_gops"):
        if not v.get(k, 0) > 0:
            bad.append("threads %s: %s = %s" % (t, k, v.get(k)))
    # the runtime's width is measured too (its kernels run here, so the CPU has it)
    w = j["runtime_simd_bits"]
    if w > 128 and not v.get("f64_fma_%d_gops" % w, 0) > 0:
        bad.append("threads %s: no f64_fma_%d_gops" % (t, w))
print(json.dumps(j["threads"]["1"]))
print("\n".join(bad) if bad else "machine_limits: JSON complete")
sys.exit(1 if bad else 0)
