#!/usr/bin/python3
"""scaling_model.py: a term-by-term time model of xpcs-corr past one node.

The run is the sum of its phases on the busiest rank (what the profile's
phase table measures):

  setup     plan + open: c_setup + c_setup_px * pixels + tree collectives
  read      the busiest rank's raw bytes at the calibrated read cost, or
            the file system's share (node client, aggregate), whichever is
            slower, + c_step per step (HDF5 calls per step)
  decode    Rigaku words of the busiest rank (events only)
  saxs      frames read x detector pixels (events: events) at c_saxs
  pack      frames read x correlated pixels (events: events) at c_pack
  exchange  per step an all-to-all (P - 1 messages per rank) and the ring of
            frame sums (P - 1): every byte the rank read is copied once at
            the calibrated cost (its own share too), messages x latency
            (inside the node calibrated, outside the network's), and the
            share for other nodes crosses the network (per-node bandwidth
            shared by the node's ranks)
  kernel    multitau: frames x owned pixels at c_mt; events: owned events at
            c_ev + owned pixels x levels at c_ev_px; twotime: the busiest
            rank's multiply-adds (frames^2 / 2 x bin pixels per map tile)
  reduce    owned pixels x delays at c_red + detector pixels at c_red0
            (rank 0's SAXS and q profiles) + tree reductions
  other     what the run spends outside the phases (the epilog: quality
            verdict, report, profile): constant + per pixel
  write     the busiest writer's bytes: rank 0's result (without the
            two-time maps) + its share of the compressed maps, which the
            ranks that computed them write themselves (pipeline/ttmaps.c),
            at the calibrated cost or the file system's bandwidth (a node's
            writers share the node's; all of them the aggregate), + the
            maps' compression by the ranks that computed them

Memory-bound costs (read from the page cache, saxs, pack, exchange inside a
node) scale with the bandwidth one rank gets, min(core_bw, mem_bw / ranks
streaming on the node); compute costs with core_speed and threads.  More
ranks x threads than cores time-share the cores (oversubscription factor).

Every c_* is calibrated (least squares) from profile JSONs measured here
(XPCS_ENABLE_PROFILING=1), and the step rule and message counts come from
the decomposition that src/plan/plan.c makes (auto_step below mirrors
xpcs_plan_auto_step; --step-rule fixed is the rule before it, one step of
f frames for all ranks together).

Commands
  calibrate PROFILE.json... -o coef.json       fit the costs
  check     --coef coef.json PROFILE.json...   predicted vs measured, term by term
                                               (exit 1 when a total is off by more
                                               than --tolerance, 25 %)
  messages  PROFILE.json...                    predicted vs measured message counts
  predict   --coef coef.json --machine M --workload W [--nodes 1,2,..] [--json]
  plot      --coef coef.json -o DIR            strong and weak scaling SVGs of every
                                               workload on every machine
Only the Python standard library is used (the SVG helpers of scaling_study.py).
"""
import argparse
import heapq
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from scaling_study import COLORS, series, svg_axes  # noqa: E402

INT32_MAX = 2**31 - 1
TERMS = ["setup", "read", "decode", "saxs", "pack", "exchange", "kernel", "reduce", "write",
         "other"]
# the profile's phases that make each term (rank-wise wall seconds)
PHASES = {"setup": ["plan", "open"], "read": ["read"], "decode": ["decode"], "saxs": ["saxs"],
          "pack": ["pack"], "exchange": ["exchange"], "kernel": ["multitau", "twotime"],
          "reduce": ["reduce"], "write": ["write"], "other": []}
# the features of each term: names of decomposition quantities, one cost each
FEATURES = {
    "setup": ["one", "npix", "multi"],
    "read": ["read_bytes", "steps"],
    "decode": ["events_rank"],
    "saxs": ["saxs_work"],
    "pack": ["pack_work"],
    "exchange": ["xbytes", "xmsgs"],
    "kernel_multitau": ["mt_work"],
    "kernel_events": ["events_rank", "ev_px_levels"],
    "kernel_twotime": ["tt_macs"],
    "reduce": ["red_work", "npix"],
    "write": ["write_bytes", "z_work"],
    "other": ["one", "npix", "multi"],
}
WORDS_PER_RANK = 4 << 20  # src/pipeline/src_rigaku.c: a Rigaku step's words per rank


def load(name):
    with open(os.path.join(HERE, "scaling", name)) as f:
        return {k: v for k, v in json.load(f).items() if not k.startswith("_")}


def auto_step(P, npix, ncorr, rsz, xsz, F, rule="per-rank", whole_bins=False, budget=0.0):
    """Frames per step for all ranks (src/plan/plan.c xpcs_plan_auto_step;
    budget: a rank's memory budget in bytes, 0 = none)."""
    per_frame = npix * rsz + npix * 8.0 + 2.0 * ncorr * xsz
    nc = max(ncorr, 1)
    f = 1
    while f < 1024 and 2.0 * f * per_frame <= 256.0 * 2**20 and 2 * f * nc < INT32_MAX:
        f *= 2
    before = -(-f // P)
    g = f
    while g > before and budget > 0 and 2.0 * g * per_frame > budget / 8:
        g //= 2
    if rule == "fixed" or g <= before:
        return f
    s = min(g * P, max(F, f))
    own = nc if whole_bins else -(-nc // P)
    while s > f and 2 * s * own >= INT32_MAX:
        s = max(s // 2, f)
    return s


def multitau_delays(F):
    """Delays of the multi-tau ladder (8 per level after the first 16)."""
    return 16 + 8 * max(0, math.ceil(math.log2(max(F, 16) / 16.0)))


def tree(P):
    return math.ceil(math.log2(P)) if P > 1 else 0


def twotime_tiles(bins, F, P, mem_rank):
    """Tiles (multiply-adds, rank) of the maps: a map that does not fit a
    rank's memory is cut in as many block rows as it needs (balanced by area),
    the tiles go largest first to the least loaded rank (plan/ttplan.c)."""
    map_bytes = F * F * 8.0
    tiles = []
    for px in bins:
        n = max(1, math.ceil(map_bytes / max(mem_rank, 1.0)))
        tiles += [F * F / 2.0 * px / n] * n
    if len(tiles) <= P:
        return max(tiles), len(tiles)
    heap = [(0.0, r) for r in range(P)]  # (load, rank): least loaded first
    for t in sorted(tiles, reverse=True):
        lo, r = heapq.heappop(heap)
        heapq.heappush(heap, (lo + t, r))
    return max(lo for lo, _ in heap), P


def decompose(w, P, rule="per-rank", mem_rank=None):
    """What the busiest rank does, and the messages, for workload w on P ranks."""
    F, npix, ncorr, rsz = w["frames"], w["rows"] * w["cols"], w["corr"], w["rsz"]
    xsz = 8 if w["kind"] == "events" else rsz
    d = {"one": 1.0, "npix": float(npix), "P": P, "multi": 1.0 if P > 1 else 0.0,
         "file_bytes": 8.0 * w["events"] if w["kind"] == "events" else float(F) * npix * rsz}
    own = math.ceil(ncorr / P)
    if w["kind"] == "events":
        E = w["events"]
        steps = w.get("steps") or max(1, math.ceil(E / (P * WORDS_PER_RANK)))
        d.update(steps=steps, read_bytes=8.0 * E / P, events_rank=E / P, saxs_work=E / P,
                 pack_work=E / P, ev_px_levels=own * math.log2(max(F, 2)), frames_rank=F / P)
        # the owners' events: 8-byte (pixel, frame, count) records, own part included
        d["xbytes"] = 8.0 * E / P
        a2a_out = steps * (P - 1)
        d["mt_work"] = d["tt_macs"] = 0.0
    else:
        S = w.get("step_frames") or auto_step(P, npix, ncorr, rsz, xsz, F, rule,
                                              w["kind"] == "twotime", mem_rank or 0.0)
        steps = math.ceil(F / S)
        last = F - (steps - 1) * S
        fr = (steps - 1) * math.ceil(S / P) + math.ceil(last / P)  # busiest rank's frames
        d.update(step_frames=S, steps=steps, frames_rank=fr, read_bytes=float(fr) * npix * rsz,
                 saxs_work=float(fr) * npix, pack_work=float(fr) * ncorr,
                 events_rank=0.0, ev_px_levels=0.0)
        # everything the rank read goes through the all-to-all (its own part is a copy)
        d["xbytes"] = float(fr) * ncorr * xsz
        d["mt_work"] = float(F) * own if w["kind"] == "multitau" else 0.0
        d["tt_macs"] = 0.0
        if w["kind"] == "twotime":
            mem = mem_rank if mem_rank else float("inf")
            d["tt_macs"], d["tt_ranks"] = (w["tt_rank_macs"], w.get("tt_ranks", 1)) \
                if "tt_rank_macs" in w else twotime_tiles(w["bins"], F, P, mem)
            d["xbytes"] *= 2  # the bins' series travel too (ttstage), same order of bytes
        # a rank with frames in a step sends to the P - 1 others
        a2a_out = sum(min(S if k < steps - 1 else last, P) for k in range(steps)) * (P - 1) / P \
            if P > 1 else 0
    # per rank: all-to-all messages out + the ring of frame sums
    ring = steps * (P - 1) if w["kind"] != "events" else 0
    d["xmsgs"] = (a2a_out if P > 1 else 0) + ring
    d["msgs"] = {"alltoallv": a2a_out * P, "allgatherv": ring * P}
    delays = w.get("delays") or multitau_delays(F)
    d["red_work"] = float(own) * delays
    # two-time maps: N x N float32 each; the ranks that computed them compress
    # their chunks (LZF: the upper triangle, about half, is what is stored)
    # and write them (pipeline/ttmaps.c); rank 0 writes the rest
    maps = F * F * 4.0 * len(w.get("bins", [])) if w["kind"] == "twotime" else 0.0
    stored = w.get("maps_stored", 0.5 * maps)
    total = w.get("result_bytes") or (npix * 4.0 * 3 + stored)
    d["writers"] = max(1, min(P, d.get("tt_ranks", 1))) if maps else 1
    d["write_bytes"] = total - stored + stored / d["writers"]  # the busiest writer's
    d["write_total"] = total
    d["maps_bytes"] = maps
    d["z_work"] = maps / max(1, min(P, d.get("tt_ranks", 1))) if maps else 0.0
    return d


# ---- profiles measured here ------------------------------------------------

def workload_of_profile(path):
    """The workload a profile measured (shape, counts and the plan's step)."""
    p = json.load(open(path))
    run, ranks = p["run"], p["ranks"]
    phases = set(ranks[0]["wall_s"])
    kind = "events" if "decode" in phases else ("twotime" if "twotime" in phases else "multitau")
    nraw = run["rows"] * run["cols"] * run["frames"]
    w = {"kind": kind, "rows": run["rows"], "cols": run["cols"], "frames": run["frames"],
         "corr": run["correlated_pixels"], "delays": run.get("delays") or None,
         "P": run["n_ranks"], "threads": run["threads_per_rank"],
         "rsz": max(1, round(p["summary"]["bytes_read"] / nraw)) if kind != "events" else 8,
         "step_frames": run["step_frames"] if kind != "events" else None}
    if kind == "events":
        w["events"] = p["summary"]["bytes_read"] / 8.0
        w["steps"] = run["steps"]
    res = p.get("result")
    if res and os.path.exists(res):
        w["result_bytes"] = os.path.getsize(res)
    if kind == "twotime":
        w.update(twotime_from_result(res, run["frames"]))
    measured = {t: max(sum(r["wall_s"].get(ph, 0.0) for ph in PHASES[t]) for r in ranks)
                for t in TERMS}
    measured["total"] = max(r["wall_s"]["total"] for r in ranks)
    # the run's time outside the phases (epilog: quality, report, profile)
    measured["other"] = max(0.0, measured["total"] - sum(measured[t] for t in TERMS[:-1]))
    return w, measured, p


def twotime_from_result(res, F):
    """The bins and the busiest rank's tiles from the plan in the result."""
    import h5py  # only for two-time profiles: the plan is in the result file
    with h5py.File(res, "r") as f:
        plan = json.loads(f["/xpcs/twotime/config/plan"][()])
        g = f["/xpcs/twotime/correlation_map"]
        stored = float(sum(g[k].id.get_storage_size() for k in g))
    tb = plan["twotime_bins"]
    load = {}
    for b, tiles in enumerate(tb["tiles"]):
        px = tb["bin_pixels"][b]
        for rank, r0, r1 in [tiles] if isinstance(tiles[0], int) else tiles:
            # rows [r0, r1) of the upper triangle: sum over rows of (F - row)
            area = (r1 - r0) * F - (r1 * (r1 - 1) - r0 * (r0 - 1)) / 2.0
            load[rank] = load.get(rank, 0.0) + area * px
    return {"bins": tb["bin_pixels"], "tt_rank_macs": max(load.values()), "tt_ranks": len(load),
            "maps_stored": stored}


# ---- the machine model -----------------------------------------------------

def rank_bw(m, ranks_per_node, threads):
    streaming = min(ranks_per_node * threads, m["cores_per_node"])
    return min(m["core_bw"], m["mem_bw"] / streaming)


def term_times(coef, m, w, nodes, rpn, threads, rule="per-rank"):
    """Seconds per term of workload w on `nodes` nodes of machine m."""
    P = nodes * rpn
    mem_rank = m["mem_gb_per_node"] * 2**30 * 0.5 / rpn  # setup.c's default budget
    d = decompose(w, P, rule, mem_rank)
    ref = coef["ref_bw"]  # the bandwidth one rank had at calibration
    mf = ref / rank_bw(m, rpn, threads)  # memory-bound slowdown
    over = share(m, rpn, threads, coef.get("oversub", 1.0))  # time-shared cores
    cf = over / (threads * m["core_speed"])  # compute
    c = coef["costs"]
    lat_in = m["shm_latency_us"] * 1e-6
    lat_out = (m["net_latency_us"] or 0) * 1e-6
    off = (P - rpn) / (P - 1) if P > 1 else 0.0  # peers on other nodes
    t = dict.fromkeys(TERMS, 0.0)
    t["setup"] = (c["setup"][0] + c["setup"][1] * d["npix"] + c["setup"][2] * d["multi"]
                  + 2 * tree(P) * (lat_in + lat_out))
    local = (c["read"][0] * d["read_bytes"] * mf) * over
    fs = 0.0
    if m["fs_bw"]:
        # the ranks that read in a step are spread over the nodes: the
        # busiest node reads 1 / (nodes that read) of the file
        readers = min(d.get("step_frames") or P, P)
        node_share = 1.0 / min(nodes, readers)
        fs = max(d["file_bytes"] * node_share / (m["fs_node_bw"] * 1e9),
                 d["file_bytes"] / (m["fs_bw"] * 1e9))
    t["read"] = max(local, fs) + c["read"][1] * d["steps"]
    if w["kind"] == "events":
        t["decode"] = c["decode"][0] * d["events_rank"] * over
    t["saxs"] = c["saxs"][0] * d["saxs_work"] * mf * over
    t["pack"] = c["pack"][0] * d["pack_work"] * mf * over
    # every byte is copied once (calibrated); the share for other nodes also
    # crosses the network, the node's bandwidth shared by its ranks
    per_msg = (1 - off) * max(c["exchange"][1], lat_in) + off * lat_out
    net = d["xbytes"] * (P - 1) / P * off * rpn / (m["net_bw"] * 1e9) if m["net_bw"] else 0.0
    t["exchange"] = (d["xbytes"] * c["exchange"][0] * mf + d["xmsgs"] * per_msg) * over + net
    if w["kind"] == "multitau":
        t["kernel"] = c["kernel_multitau"][0] * d["mt_work"] * cf
    elif w["kind"] == "events":
        t["kernel"] = (c["kernel_events"][0] * d["events_rank"]
                       + c["kernel_events"][1] * d["ev_px_levels"]) * cf
    else:
        t["kernel"] = c["kernel_twotime"][0] * d["tt_macs"] * cf
    t["reduce"] = (c["reduce"][0] * d["red_work"] * cf + c["reduce"][1] * d["npix"] * mf
                   + 3 * tree(P) * (lat_in + lat_out + d["npix"] * 8.0 * (off / (
                       (m["net_bw"] or 1) * 1e9) + (1 - off) * c["exchange"][0])))
    # rank 0 writes the result, the maps' owners their compressed maps:
    # a node's writers share its client bandwidth, all nodes the aggregate
    node_w = d["write_bytes"] * min(rpn, d["writers"])
    fs_w = max(node_w / (m["fs_node_bw"] * 1e9), d["write_total"] / (m["fs_bw"] * 1e9)) \
        if m["fs_bw"] else 0.0
    t["write"] = max(c["write"][0] * d["write_bytes"], fs_w) + c["write"][1] * d["z_work"] * cf
    t["other"] = c["other"][0] + c["other"][1] * d["npix"] + c["other"][2] * d["multi"]
    t["total"] = sum(t[k] for k in TERMS)
    return t, d


# ---- calibration -----------------------------------------------------------

def lstsq_nonneg(rows, ys):
    """Least squares with non-negative costs (drop a negative one, refit)."""
    k = len(rows[0])
    active = list(range(k))
    while True:
        # normal equations on the active columns (tiny systems)
        A = [[sum(r[i] * r[j] for r in rows) for j in active] for i in active]
        b = [sum(r[i] * y for r, y in zip(rows, ys)) for i in active]
        x = solve(A, b)
        if x is None or all(v >= 0 for v in x):
            out = [0.0] * k
            for i, v in zip(active, x or [0.0] * len(active)):
                out[i] = max(v, 0.0)
            return out
        active.pop(min(range(len(x)), key=x.__getitem__))
        if not active:
            return [0.0] * k


def solve(A, b):
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for i in range(n):
        p = max(range(i, n), key=lambda r: abs(M[r][i]))
        if abs(M[p][i]) < 1e-300:
            return None
        M[i], M[p] = M[p], M[i]
        for r in range(n):
            if r != i:
                f = M[r][i] / M[i][i]
                M[r] = [a - f * c for a, c in zip(M[r], M[i])]
    return [M[i][n] / M[i][i] for i in range(n)]


def share(m, rpn, threads, k):
    """How much longer a rank's work takes when the node's ranks x threads
    exceed its cores: 1 + k (ceil(ranks x threads / cores) - 1).  The
    slowest rank is one that shares a core with the most others (3 ranks on
    2 cores: 2 on one core), and ranks wait for it at every collective;
    k (fitted) is how much of that share the measured runs show."""
    return 1.0 + k * max(0.0, math.ceil(rpn * threads / m["cores_per_node"]) - 1.0)


def here_factors(m, P, threads, k):
    ref = rank_bw(m, 1, 1)
    return ref / rank_bw(m, P, threads), share(m, P, threads, k)


def calibrate(paths, machine):
    """The costs, and the oversubscription factor k that fits the totals
    of the calibration runs best (relative RMS)."""
    runs = [workload_of_profile(path) for path in paths]  # read once, fitted 13 times
    best = None
    for k in [0.25 * i for i in range(13)]:
        coef = fit_costs(runs, machine, k)
        coef["profiles"] = [os.path.basename(p) for p in paths]
        errs = []
        for w, meas, _ in runs:
            pred, _ = term_times(coef, machine, w, 1, w["P"], w["threads"])
            errs.append((pred["total"] / meas["total"] - 1) ** 2)
        rms = math.sqrt(sum(errs) / len(errs))
        if best is None or rms < best[0]:
            best = (rms, coef)
    best[1]["calibration_rms"] = best[0]
    return best[1]


def fit_costs(runs, machine, k):
    """Costs per unit of every term from the runs (workload_of_profile's)
    measured on `machine`."""
    rows = {key: [] for key in FEATURES}
    ys = {key: [] for key in FEATURES}
    for w, meas, _ in runs:
        P, th = w["P"], w["threads"]
        d = decompose(w, P)
        mf, over = here_factors(machine, P, th, k)
        cf = over / th
        scale = {"setup": 1, "read": None, "decode": over, "saxs": mf * over, "pack": mf * over,
                 "exchange": mf * over, "kernel_multitau": cf, "kernel_events": cf,
                 "kernel_twotime": cf, "reduce": None, "write": 1, "other": 1}
        for key, feats in FEATURES.items():
            term = key.split("_")[0] if key.startswith("kernel") else key
            if key.startswith("kernel") and key != "kernel_" + w["kind"]:
                continue
            if term == "decode" and w["kind"] != "events":
                continue
            x = [d[f] for f in feats]
            if key == "read":
                x = [x[0] * mf * over, x[1]]
            elif key == "reduce":
                x = [x[0] * cf, x[1] * mf]
            elif key == "write":
                x = [x[0], x[1] * cf]
            else:
                x = [v * scale[key] for v in x]
            y = meas[term]
            rows[key].append(x)
            ys[key].append(y)
    costs = {}
    for key in FEATURES:
        costs[key] = lstsq_nonneg(rows[key], ys[key]) if rows[key] else [0.0] * len(FEATURES[key])
    return {"machine": "here", "ref_bw": rank_bw(machine, 1, 1), "costs": costs, "oversub": k,
            "units": {name: [f"s per {f}" for f in v] for name, v in FEATURES.items()}}


def check(coef, machines, paths, tol):
    m = machines[coef["machine"]]
    worst = 0.0
    print(f"{'profile':28s} {'P':>2s} " + " ".join(f"{t[:7]:>15s}" for t in TERMS + ["total"])
          + "   error")
    out = []
    for path in paths:
        w, meas, _ = workload_of_profile(path)
        pred, _ = term_times(coef, m, w, 1, w["P"], w["threads"])
        err = pred["total"] / meas["total"] - 1
        worst = max(worst, abs(err))
        cells = " ".join(f"{meas[t]:6.3f}/{pred[t]:<8.3f}" for t in TERMS + ["total"])
        print(f"{os.path.basename(os.path.dirname(path)) + '/' + os.path.basename(path):28.28s} "
              f"{w['P']:2d} {cells} {100 * err:+6.1f} %")
        out.append({"profile": path, "ranks": w["P"], "kind": w["kind"],
                    "measured": meas, "predicted": pred, "error": err})
    print(f"(measured/predicted seconds per term; worst total error {100 * worst:.1f} %, "
          f"tolerance {100 * tol:.0f} %)")
    return worst <= tol, out


def messages(paths):
    """Predicted vs measured message counts (sums over the ranks)."""
    ok = True
    print(f"{'profile':28s} {'P':>3s} {'steps':>5s} {'alltoallv meas/pred':>22s} "
          f"{'allgatherv meas/pred':>22s}")
    for path in paths:
        w, _, p = workload_of_profile(path)
        d = decompose(w, w["P"])
        tot = p["comm"]["total"]
        got = {k: tot.get(k, {}).get("msgs_out", 0) for k in ("alltoallv", "allgatherv")}
        # two-time moves the bins' series in a second all-to-all per step
        pred = dict(d["msgs"])
        if w["kind"] == "twotime":
            pred["alltoallv"] = None
        line = f"{os.path.basename(path):28.28s} {w['P']:3d} {d['steps']:5d}"
        for k in ("alltoallv", "allgatherv"):
            pv = pred[k]
            line += f" {got[k]:>10.0f}/{'-' if pv is None else f'{pv:.0f}':<11s}"
            if pv is not None and abs(got[k] - pv) > 0.5:
                ok = False
        print(line)
    return ok


# ---- strong and weak scaling -----------------------------------------------

def nodes_list(m, text):
    ns = [int(x) for x in text.split(",")] if text else [2**i for i in range(10)]
    return [n for n in ns if n <= m["max_nodes"]]


def predict(coef, machines, workloads, args):
    m, w = machines[args.machine], workloads[args.workload]
    rpn = args.ranks_per_node or m["cores_per_node"] // args.threads
    rows = []
    for n in nodes_list(m, args.nodes):
        t, d = term_times(coef, m, w, n, rpn, args.threads, args.step_rule)
        rows.append({"nodes": n, "ranks": n * rpn, "steps": d["steps"],
                     "step_frames": d.get("step_frames"), **{k: t[k] for k in TERMS + ["total"]}})
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
        return
    print(f"# {args.workload} on {args.machine}: {rpn} ranks x {args.threads} thread(s) per node, "
          f"step rule {args.step_rule}")
    print(f"{'nodes':>5s} {'ranks':>6s} {'steps':>6s} " + " ".join(f"{k:>8s}" for k in TERMS)
          + f" {'total':>9s}")
    for r in rows:
        print(f"{r['nodes']:5d} {r['ranks']:6d} {r['steps']:6d} "
              + " ".join(f"{r[k]:8.2f}" for k in TERMS) + f" {r['total']:9.2f}")


def weak(w, n):
    """Weak scaling: the named workload is the one of 8 nodes; n nodes get n / 8
    of its frames (multi-tau, events) or of its two-time maps (bins)."""
    ww = dict(w)
    if w["kind"] == "twotime":
        ww["bins"] = (w["bins"] * n)[:max(1, len(w["bins"]) * n // 8)]
    else:
        ww["frames"] = max(16, w["frames"] * n // 8)
        if "events" in w:
            ww["events"] = w["events"] * n / 8
    return ww


def plot(coef, machines, workloads, outdir, threads=1):
    os.makedirs(outdir, exist_ok=True)
    written = []
    for wn, w in workloads.items():
        for mode in ("strong", "weak"):
            parts = None
            allpts = []
            for mn, m in machines.items():
                if mn == "here":
                    continue
                rpn = m["cores_per_node"] // threads
                for rule in ("fixed", "per-rank"):
                    pts = []
                    for n in nodes_list(m, None):
                        ww = weak(w, n) if mode == "weak" else w
                        t, _ = term_times(coef, m, ww, n, rpn, threads, rule)
                        pts.append((n, t["total"]))
                    allpts.append((mn, rule, pts))
            ys = [y for _, _, pts in allpts for _, y in pts]
            xs = [x for _, _, pts in allpts for x, _ in pts]
            title = (f"{wn}: {mode} scaling, predicted wall seconds"
                     + (" (the workload at 8 nodes, x nodes / 8)" if mode == "weak" else ""))
            parts, xm, ym = svg_axes(title, "nodes", "seconds (log)", xs, max(ys), w=640,
                                     h=400, ymin=min(ys) / 2)
            for i, (mn, rule, pts) in enumerate(allpts):
                series(parts, xm, ym, pts, COLORS[(i // 2) % 10],
                       f"{mn}{' (step rule before)' if rule == 'fixed' else ''}", i,
                       dashed=rule == "fixed")
            parts.append("</svg>")
            path = os.path.join(outdir, f"{mode}_{wn}.svg")
            with open(path, "w") as f:
                f.write("\n".join(parts) + "\n")
            written.append(path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("calibrate")
    a.add_argument("profiles", nargs="+")
    a.add_argument("-o", "--out", required=True)
    a.add_argument("--machine", default="here")
    a = sub.add_parser("check")
    a.add_argument("--coef", required=True)
    a.add_argument("--tolerance", type=float, default=0.25)
    a.add_argument("--json")
    a.add_argument("profiles", nargs="+")
    a = sub.add_parser("messages")
    a.add_argument("profiles", nargs="+")
    a = sub.add_parser("predict")
    a.add_argument("--coef", required=True)
    a.add_argument("--machine", required=True)
    a.add_argument("--workload", required=True)
    a.add_argument("--nodes")
    a.add_argument("--ranks-per-node", type=int)
    a.add_argument("--threads", type=int, default=1)
    a.add_argument("--step-rule", choices=["per-rank", "fixed"], default="per-rank")
    a.add_argument("--json", action="store_true")
    a = sub.add_parser("plot")
    a.add_argument("--coef", required=True)
    a.add_argument("-o", "--outdir", required=True)
    args = ap.parse_args()
    machines, workloads = load("machines.json"), load("workloads.json")
    if args.cmd == "calibrate":
        coef = calibrate(args.profiles, machines[args.machine])
        with open(args.out, "w") as f:
            json.dump(coef, f, indent=1)
        for k, v in coef["costs"].items():
            print(f"{k:16s} " + "  ".join(f"{c:.3e} {u}" for c, u in zip(v, coef["units"][k])))
        return 0
    if args.cmd == "messages":
        return 0 if messages(args.profiles) else 1
    coef = json.load(open(args.coef))
    if args.cmd == "check":
        ok, rows = check(coef, machines, args.profiles, args.tolerance)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=1)
        return 0 if ok else 1
    if args.cmd == "predict":
        predict(coef, machines, workloads, args)
        return 0
    for p in plot(coef, machines, workloads, args.outdir):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
