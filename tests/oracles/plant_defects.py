#!/usr/bin/python3
"""plant_defects.py RAW.h5 QMAP.h5 OUT.h5 PLAN.json [--only NAME]

Copies the frames of RAW.h5 (an xpcs-synth uint16 stack) to OUT.h5 with
defects planted inside the mask, and writes what was planted to PLAN.json:
  hot        3 pixels with Poisson(40) counts added to every frame
  saturated  1 pixel at 65535 in 10 frames
  dead       3 pixels without a count
  dropped    1 frame without a count
  beam_drop  60 consecutive frames thinned to 30 % of their counts
  damage     the counts thinned by 1 - 0.3 t/N (radiation damage: intensity
             drifting down over the run)
--only NAME plants one kind.  The pixels are in different static bins,
far from each other; the metadata file is copied beside OUT.h5."""
import json
import shutil
import sys

import h5py
import numpy as np


def main():
    raw, qmap, out, plan_path = sys.argv[1:5]
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    rng = np.random.default_rng(7)
    x = h5py.File(raw, "r")["/entry/data/data"][()].astype(np.int64)
    n, rows, cols = x.shape
    q = h5py.File(qmap, "r")["/qmap"]
    mask = q["mask"][()].reshape(rows, cols)
    smap = q["static_roi_map"][()].reshape(rows, cols)
    # one pixel per static bin, spread over the bins
    bins = sorted(set(smap[mask != 0].ravel()) - {0})
    picks = []
    for b in bins[1::max(1, len(bins) // 8)]:
        r, c = np.argwhere((smap == b) & (mask != 0))[0]
        picks.append((int(r), int(c)))
    plan = {}
    want = lambda k: only is None or only == k
    if want("damage"):
        keep = 1 - 0.3 * np.arange(n) / n
        x = rng.binomial(x, keep[:, None, None])
        plan["damage"] = 0.3
    if want("hot"):
        plan["hot"] = picks[0:3]
        for r, c in plan["hot"]:
            x[:, r, c] += rng.poisson(40, n)
    if want("saturated"):
        plan["saturated"] = picks[3:4]
        r, c = picks[3]
        x[100:110, r, c] = 65535
    if want("dead"):
        plan["dead"] = picks[4:7]
        for r, c in plan["dead"]:
            x[:, r, c] = 0
    if want("dropped"):
        plan["dropped"] = [n // 3]
        x[n // 3] = 0
    if want("beam_drop"):
        a = (3 * n) // 5
        plan["beam_drop"] = [a, a + 60]
        x[a:a + 60] = rng.binomial(x[a:a + 60], 0.3)
    with h5py.File(out, "w") as f:
        f.create_dataset("/entry/data/data", data=np.clip(x, 0, 65535).astype(np.uint16),
                         chunks=(16, rows, cols))
    meta = raw[:-3] + "_metadata.hdf"
    shutil.copy(meta, out[:-3] + "_metadata.hdf")
    json.dump(plan, open(plan_path, "w"))


if __name__ == "__main__":
    main()
