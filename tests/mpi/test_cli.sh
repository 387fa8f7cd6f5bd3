#!/bin/bash
# Command line and files: the result holds every path the viewer reads; the
# metadata file is copied; without one a minimal /entry is written from
# --frame-time; the JSON config (boost_corr keys) applies and the command line
# wins over it; unknown config keys are an error; -v prints the plan, which is
# also stored in the result; --dry-run plans only; the last stdout line is the
# result path; --help and --version work.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n a --rows 20 --cols 30 --frames 400 --frame-time 0.002
synth -o d -n b --rows 20 --cols 30 --frames 400 --no-metadata

corr 2 -r d/a.h5 -q d/a_qmap.h5 -o o -v >out.txt 2>err.txt || { cat out.txt err.txt; bad "run"; }
check "last stdout line is the result path" test "$(tail -n 1 out.txt)" = "o/a_results.hdf"
check "-v prints the plan (on stderr)" grep -q "rank 1 owns pixels" err.txt
check "viewer layout" run "$PY" "$ORACLES/viewer_check.py" o/a_results.hdf
check "metadata copied, plan and qmap hash stored" run "$PY" - o/a_results.hdf d/a_qmap.h5 <<'PYEOF'
import sys, json, h5py
with h5py.File(sys.argv[1], "r") as r, h5py.File(sys.argv[2], "r") as q:
    ft = r["/entry/instrument/detector_1/frame_time"][()]
    plan = json.loads(r["/xpcs/multitau/config/plan"][()].decode())
    ok = abs(ft - 0.002) < 1e-12 and plan["n_ranks"] == 2 and len(plan["pixel_first"]) == 3
    ok &= r["/xpcs/qmap"].attrs["hash"] == q["/qmap"].attrs["hash"]
    ok &= "schema_version" in r["/entry"]
sys.exit(0 if ok else 1)
PYEOF

corr 1 -r d/b.h5 -q d/b_qmap.h5 -o o --frame-time 0.005 >/dev/null 2>&1 || bad "run without metadata"
check "minimal /entry without metadata" run "$PY" "$ORACLES/viewer_check.py" o/b_results.hdf
check "frame time from --frame-time" run "$PY" -c "import h5py,sys; sys.exit(0 if h5py.File('o/b_results.hdf')['/entry/instrument/detector_1/frame_time'][()] == 0.005 else 1)"

cat >cfg.json <<JSON
{"raw": "d/a.h5", "qmap": "d/a_qmap.h5", "output": "oc", "stride_frame": 2,
 "avg_frame": 3, "type": "Multitau", "gpu_id": -1, "verbose": 0, "overwrite": true}
JSON
corr 2 -c cfg.json -f 3 >/dev/null 2>&1 || bad "run with -c"
check "config applies, command line wins" run "$PY" -c "
import h5py, sys
c = h5py.File('oc/a_results.hdf')['/xpcs/multitau/config']
sys.exit(0 if c['stride_frame'][()] == 3 and c['avg_frame'][()] == 3 else 1)"
check "config run agrees with the oracle" run "$PY" "$ORACLES/oracle.py" d/a.h5 d/a_qmap.h5 oc/a_results.hdf
echo '{"raw": "d/a.h5", "qmap": "d/a_qmap.h5", "strid_frame": 2}' >bad.json
corr 2 -c bad.json -o ob >/dev/null 2>err.txt
check "unknown config key named" grep -q "unknown key 'strid_frame'" err.txt

corr 2 -r d/a.h5 -q d/a_qmap.h5 -o od --dry-run >dry.txt 2>&1
check "--dry-run prints the plan" grep -q "rank 0 owns pixels" dry.txt
check "--dry-run writes nothing" test ! -e od/a_results.hdf
corr 1 --help >help.txt 2>&1
check "--help" grep -q "usage: mpirun" help.txt
corr 1 --version >ver.txt 2>&1
check "--version" grep -q "xpcs-corr" ver.txt
finish
