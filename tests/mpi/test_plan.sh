#!/bin/bash
# The plan --dry-run prints is the plan the run records: for each analysis
# and kernel choice (auto measures the occupancy before the dry run stops),
# the "plan: json" line of --dry-run equals /xpcs/<group>/config/plan of the
# result; the dry run writes nothing; the plan names the kernels, the
# pipeline and every memory item, and they add up to mem_per_rank_bytes.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n p --rows 48 --cols 40 --frames 400 --rate 0.02 --tau0 6 --n-dq 5
synth -o d -n r --format rigaku --rows 512 --cols 1024 --frames 120 --rate 0.001 --n-dq 4
i=0
while read -r np group raw args; do
    i=$((i + 1))
    q=d/${raw%.*}_qmap.h5
    corr "$np" -r "d/$raw" -q "$q" -o "dry$i" --dry-run $args </dev/null >dry$i.log 2>&1 ||
        { cat dry$i.log; bad "dry run $i: $args"; continue; }
    check "dry run $i writes nothing" test ! -e "dry$i/${raw%.*}_results.hdf"
    corr "$np" -r "d/$raw" -q "$q" -o "run$i" $args </dev/null >run$i.log 2>&1 ||
        { cat run$i.log; bad "run $i: $args"; continue; }
    check "np=$np $args: the dry run's plan is the recorded plan ($group)" run "$PY" - "$i" "$group" "${raw%.*}" <<'PYEOF'
import json, sys, h5py
i, group, stem = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [l for l in open(f"dry{i}.log") if l.startswith("plan: json ")]
assert len(lines) == 1, f"{len(lines)} plan: json lines"
printed = lines[0][len("plan: json "):].rstrip("\n")
rec = h5py.File(f"run{i}/{stem}_results.hdf", "r")[f"/xpcs/{group}/config/plan"][()].decode()
assert printed == rec, f"printed {printed}\nrecorded {rec}"
p = json.loads(rec)
assert "kernels" in p and p["kernels"]["pipeline"] in ("frame", "event"), p.get("kernels")
total = sum(p["memory_bytes"].values())
assert abs(total - p["mem_per_rank_bytes"]) <= 1 + 1e-9 * total, (total, p["mem_per_rank_bytes"])
assert p["mem_per_rank_bytes"] <= p["mem_budget_bytes"]
print("same plan:", p["kernels"], "memory", p["mem_per_rank_bytes"])
PYEOF
done <<'EOF2'
1 multitau p.h5 -t multitau
2 multitau p.h5 -t multitau --kernel sparse
2 multitau p.h5 -t both --kernel auto
2 twotime p.h5 -t twotime -d 1,3 --kernel dense
3 linear p.h5 -t linear --max-lag 40
2 multitau r.bin -t both
EOF2
grep -q '"pipeline": "event"' dry3.log && ok "auto chose the event pipeline at low occupancy before the dry run stopped" ||
    bad "auto's kernel choice in the dry-run plan"
finish
