#!/bin/bash
# scaling_check.sh [BUILD_DIR] [OUT_DIR]: the numbers behind README "Scaling".
#
# 1. Calibration runs (profiles at 1 and 2 ranks of one set of shapes) ->
#    tools/scaling_model.py calibrate -> OUT/coef.json.
# 2. Validation runs of other shapes at 1, 2, 3 and 4 ranks -> check: the
#    model's prediction of each run against its measured time, term by term
#    (the model never sees these runs' times).
# 3. Message counts at 16, 32 and 64 ranks (oversubscribed) -> messages:
#    the all-to-all and ring messages the decomposition predicts against the
#    profile's counts, with the step rule of today (f frames per rank) and
#    the one before (--step-frames f: f frames for all ranks together).
# 4. The strong and weak scaling plots of the named workloads (OUT/plots).
# Every configuration runs REPEAT times (default 3); the fastest profile is
# kept (the machine is shared: the fastest run is the least disturbed).
# Threads: OMP_NUM_THREADS=1 per rank, --bind-to none (2 cores here).
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
OUT=${2:-/tmp/xpcs-scaling}
REPEAT=${REPEAT:-3}
TOOLS=$(cd "$(dirname "$0")" && pwd)
PY=${XPCS_PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMP_NUM_THREADS=1 XPCS_ENABLE_PROFILING=1
mkdir -p "$OUT"/data "$OUT"/runs "$OUT"/profiles
cd "$OUT"
synth() { "$BUILD/xpcs-synth" -o data "$@" >/dev/null; }
[ -f data/ca.h5 ] || {
    synth -n ca --rows 128 --cols 128 --frames 4000 --rate 0.5 --seed 11
    synth -n cb --rows 256 --cols 256 --frames 1000 --rate 0.2 --seed 12
    synth -n va --rows 192 --cols 192 --frames 2500 --rate 0.3 --seed 13
    synth -n ct --rows 64 --cols 64 --frames 1500 --rate 0.4 --n-dq 4 --seed 14
    synth -n cu --rows 48 --cols 48 --frames 2500 --rate 0.4 --n-dq 4 --seed 15
    synth -n vt --rows 56 --cols 56 --frames 2000 --rate 0.4 --n-dq 6 --seed 16
    synth -n cr --rows 512 --cols 1024 --frames 64 --rate 0.002 --seed 17 --format rigaku
    synth -n cs --rows 512 --cols 1024 --frames 200 --rate 0.001 --seed 18 --format rigaku
    synth -n vr --rows 512 --cols 1024 --frames 120 --rate 0.003 --seed 19 --format rigaku
    synth -n mm --rows 512 --cols 512 --frames 400 --rate 0.1 --seed 20
    synth -n ms --rows 32 --cols 32 --frames 1200 --rate 0.5 --seed 21
}
raw() { if [ -f "data/$1.bin" ]; then echo "data/$1.bin"; else echo "data/$1.h5"; fi; }
# one NAME STEM NP ARGS...: the fastest of REPEAT runs -> profiles/NAME.json
one() {
    local name=$1 stem=$2 np=$3 best="" bt=""
    shift 3
    for i in $(seq "$REPEAT"); do
        local d=runs/$name.$i
        mpiexec --bind-to none -n "$np" "$BUILD/xpcs-corr" -r "$(raw "$stem")" \
            -q "data/${stem}_qmap.h5" -o "$d" -w "$@" >/dev/null 2>"$d.err" ||
            { cat "$d.err"; exit 1; }
        t=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['wall_s'])" \
            "$d/${stem}_profile.json")
        if [ -z "$bt" ] || "$PY" -c "import sys; sys.exit(0 if $t < $bt else 1)"; then
            bt=$t
            best=$d
        fi
    done
    cp "$best/${stem}_profile.json" "profiles/$name.json"
    echo "$name: $np rank(s), fastest of $REPEAT: $bt s"
}
echo "== calibration runs"
for np in 1 2 3 4; do # 3 and 4: how oversubscribed ranks share the 2 cores
    one cal_ca_p$np ca $np --kernel dense
    one cal_ct_p$np ct $np -t twotime --kernel dense
    one cal_cs_p$np cs $np
done
for np in 1 2; do
    one cal_cb_p$np cb $np --kernel dense
    one cal_cr_p$np cr $np
done
one cal_cu_p1 cu 1 -t twotime --kernel dense
echo "== validation runs"
for np in 1 2 3 4; do
    one val_va_p$np va $np --kernel dense
    one val_vt_p$np vt $np -t twotime --kernel dense
    one val_vr_p$np vr $np
done
echo "== message counts at 16, 32, 64 ranks (today's step rule and the one before)"
REPEAT=1
for np in 16 32 64; do
    one msg_ms_p$np ms $np --kernel dense
    one msg_mm_p$np mm $np --kernel dense
    one msg_mm_before_p$np mm $np --kernel dense --step-frames 64
done
one msg_mm_p4 mm 4 --kernel dense
one msg_mm_before_p4 mm 4 --kernel dense --step-frames 64
M="$PY $TOOLS/scaling_model.py"
echo "== calibrate"
$M calibrate profiles/cal_*.json -o coef.json
echo "== check: validation runs (not used to calibrate)"
rc=0
$M check --coef coef.json --json check.json profiles/val_*.json || rc=1
echo "== check: the calibration runs themselves (for reference)"
$M check --coef coef.json profiles/cal_*.json --tolerance 10 || true
echo "== messages"
$M messages profiles/msg_*.json || rc=1
echo "== before/after at 4 ranks, 512 x 512 x 400 (measured)"
for n in msg_mm_before_p4 msg_mm_p4; do
    "$PY" - "profiles/$n.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
r, c = p["run"], p["comm"]["total"]
ph = {k: max(x["wall_s"].get(k, 0) for x in p["ranks"]) for k in ("read", "exchange", "multitau")}
print(f"{sys.argv[1]}: step_frames {r['step_frames']}, steps {r['steps']}, wall {p['summary']['wall_s']:.3f} s, "
      f"alltoallv msgs {c['alltoallv']['msgs_out']:.0f}, allgatherv msgs {c['allgatherv']['msgs_out']:.0f}, "
      + ", ".join(f"{k} {v:.3f} s" for k, v in ph.items()))
EOF
done
echo "== plots"
$M plot --coef coef.json -o plots
exit $rc
