#!/usr/bin/python3
"""Strong / weak scaling study of xpcs-corr.

Runs xpcs-corr for every (ranks, threads) pair of the lists, collects the
profile JSON of each run (OUTDIR/profiles/r<R>_t<T>.json) and writes
  OUTDIR/scaling.csv, OUTDIR/scaling.md           one row per run
  OUTDIR/speedup.svg, OUTDIR/efficiency.svg       against cores = ranks x threads
  OUTDIR/phases.svg                               per-phase time of each run
Speedup = throughput / throughput of the run with the fewest cores, so the
same numbers serve strong scaling (fixed data) and weak scaling (data grows
with the cores: --mode weak, frames x cores); scaling efficiency = speedup /
(cores / base cores).  Runs with more ranks x threads than cores are made
(Open MPI oversubscription) with a warning and marked: they measure
contention, not scaling.

Examples
  tools/scaling_study.py --ranks 1,2 --threads 1,2 --synth 256x256x20000
  tools/scaling_study.py --raw A.h5 --qmap Q.h5 --ranks 1,2,4,8 --threads 1,4 \\
      --launcher "srun --cpu-bind=cores --exact -n {ranks} -c {threads}"
Only the Python standard library is used.
"""
import argparse
import csv
import json
import math
import os
import shlex
import shutil
import subprocess
import sys

# the leaf phases of the profile (a run lists only the phases it ran)
PHASES = ["plan", "open", "read", "decode", "extract", "saxs", "pack", "exchange", "multitau",
          "linear", "reduce", "twotime", "write"]
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#98df8a", "#aec7e8", "#d62728", "#9467bd",
          "#8c564b", "#e377c2", "#c49c94", "#7f7f7f", "#bcbd22", "#17becf"]


def ints(text):
    return [int(v) for v in text.replace(",", " ").split()]


def log(msg):
    print("scaling: " + msg, flush=True)


def synth(bin_dir, outdir, name, rows, cols, frames):
    """Synthetic data set (cached by name)."""
    raw = os.path.join(outdir, name + ".h5")
    if not os.path.exists(raw):
        cmd = [os.path.join(bin_dir, "xpcs-synth"), "-o", outdir, "-n", name, "--rows", str(rows),
               "--cols", str(cols), "--frames", str(frames), "--rate", "0.1"]
        log("generating " + raw)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return raw, os.path.join(outdir, name + "_qmap.h5")


def run_one(args, ranks, threads, raw, qmap, cores):
    tag = f"r{ranks}_t{threads}"
    out = os.path.join(args.outdir, "runs", tag)
    launcher = shlex.split(args.launcher.format(ranks=ranks, threads=threads))
    cmd = launcher + [os.path.join(args.bin, "xpcs-corr"), "-r", raw, "-q", qmap, "-o", out, "-w",
                      "--threads", str(threads), "--set", "monitoring.enable_report=false",
                      "--set", "monitoring.progress=off"] + shlex.split(args.extra)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    over = ranks * threads > cores
    if over:
        print(f"scaling: warning: {ranks} rank(s) x {threads} thread(s) = {ranks * threads} > "
              f"{cores} cores: oversubscribed; this run measures contention, not scaling",
              file=sys.stderr, flush=True)
        env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    if args.dry_run:
        cmd.append("--dry-run")
    log(("dry run: " if args.dry_run else "run: ") + " ".join(shlex.quote(c) for c in cmd))
    best = None
    for rep in range(1 if args.dry_run else args.repeat):
        with open(os.path.join(args.outdir, "runs", tag + ".log"), "w") as lf:
            rc = subprocess.run(cmd, env=env, stdout=lf, stderr=subprocess.STDOUT).returncode
        if rc != 0:
            log(f"{tag}: xpcs-corr failed (exit {rc}); see runs/{tag}.log")
            return None
        if args.dry_run:
            with open(os.path.join(args.outdir, "runs", tag + ".log")) as lf:
                sys.stdout.write(lf.read())
            return None
        stem = os.path.splitext(os.path.basename(raw))[0]
        with open(os.path.join(out, stem + "_profile.json")) as pf:
            prof = json.load(pf)
        thr = prof["summary"]["pixel_frames_per_s"]
        log(f"{tag} repeat {rep + 1}: {prof['summary']['wall_s']:.3f} s, {thr:.3g} pixel-frames/s")
        if best is None or thr > best["summary"]["pixel_frames_per_s"]:
            best = prof
    os.makedirs(os.path.join(args.outdir, "profiles"), exist_ok=True)
    with open(os.path.join(args.outdir, "profiles", tag + ".json"), "w") as pf:
        json.dump(best, pf, indent=1)
    return {"ranks": ranks, "threads": threads, "cores": ranks * threads, "oversubscribed": over,
            "profile": best}


def table(rows):
    rows.sort(key=lambda r: (r["cores"], r["ranks"]))
    base = rows[0]
    b_thr = base["profile"]["summary"]["pixel_frames_per_s"]
    out = []
    for r in rows:
        s = r["profile"]["summary"]
        ph = r["profile"]["phases"]
        speedup = s["pixel_frames_per_s"] / b_thr if b_thr else 0.0
        ideal = r["cores"] / base["cores"]
        row = {"ranks": r["ranks"], "threads": r["threads"], "cores": r["cores"],
               "oversubscribed": "yes" if r["oversubscribed"] else "no",
               "raw_frames": r["profile"]["run"]["raw_frames"],
               "wall_s": round(s["wall_s"], 4),
               "pixel_frames_per_s": float(f"{s['pixel_frames_per_s']:.4g}"),
               "speedup": round(speedup, 3),
               "scaling_efficiency": round(speedup / ideal, 3),
               "parallel_efficiency": round(s["parallel_efficiency"] or 0.0, 3),
               "load_balance": round(s["load_balance"] or 0.0, 3),
               "read_gb_per_s": round(s["read_gb_per_s"], 3),
               "peak_rss_mb": round(s["peak_rss_max_bytes"] / 1e6, 1)}
        for p in PHASES:
            row[p + "_max_s"] = round(ph.get(p, {}).get("max_s", 0.0), 4)
        # plan and write are rank 0's by design: imbalance of the parallel phases only
        row["max_imbalance"] = round(max(ph.get(p, {}).get("imbalance", 0.0) for p in
                                         ("read", "decode", "extract", "saxs", "pack", "exchange",
                                          "multitau", "linear", "twotime")), 3)
        out.append(row)
    return out


def write_csv_md(rows, outdir, mode):
    with open(os.path.join(outdir, "scaling.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cols = ["ranks", "threads", "cores", "wall_s", "pixel_frames_per_s", "speedup",
            "scaling_efficiency", "parallel_efficiency", "read_gb_per_s", "multitau_max_s",
            "read_max_s", "exchange_max_s", "max_imbalance", "oversubscribed"]
    with open(os.path.join(outdir, "scaling.md"), "w") as f:
        f.write(f"{mode} scaling of xpcs-corr (speedup = throughput / throughput at "
                f"{rows[0]['cores']} core(s))\n\n")
        f.write("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n")
        for r in rows:
            f.write("| " + " | ".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c])
                                      for c in cols) + " |\n")


def svg_axes(title, xlabel, ylabel, xs, ymax, w=560, h=360, ymin=None):
    """Frame and ticks (x: log2 of the core count); returns (parts, xmap, ymap).
    With ymin (> 0) the y axis is logarithmic from ymin to ymax."""
    ml, mr, mt, mb = 60, 20, 30, 45
    xmin, xmax = math.log2(min(xs)), math.log2(max(xs))
    if xmax == xmin:
        xmax = xmin + 1
    ymax = ymax * 1.1 if ymax > 0 else 1.0
    lo, hi = (math.log10(ymin), math.log10(ymax)) if ymin else (0.0, ymax)

    def xm(v):
        return ml + 10 + (math.log2(v) - xmin) / (xmax - xmin) * (w - ml - mr - 20)

    def ym(v):
        y = math.log10(max(v, ymin)) if ymin else v
        return h - mb - (y - lo) / (hi - lo) * (h - mt - mb)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="#fff"/>',
             f'<rect x="{ml}" y="{mt}" width="{w - ml - mr}" height="{h - mt - mb}" '
             f'fill="none" stroke="#444"/>',
             f'<text x="{ml}" y="18" font-weight="bold">{title}</text>',
             f'<text x="{(w + ml) / 2}" y="{h - 8}" text-anchor="middle">{xlabel}</text>',
             f'<text transform="translate(14,{(h - mb + mt) / 2}) rotate(-90)" '
             f'text-anchor="middle">{ylabel}</text>']
    for x in sorted(set(xs)):
        parts.append(f'<line x1="{xm(x):.1f}" y1="{mt}" x2="{xm(x):.1f}" y2="{h - mb}" '
                     f'stroke="#ddd"/><text x="{xm(x):.1f}" y="{h - mb + 14}" '
                     f'text-anchor="middle">{x}</text>')
    for k in range(6):
        v = 10 ** (lo + (hi - lo) * k / 5) if ymin else ymax * k / 5
        parts.append(f'<line x1="{ml}" y1="{ym(v):.1f}" x2="{w - mr}" y2="{ym(v):.1f}" '
                     f'stroke="#eee"/><text x="{ml - 4}" y="{ym(v) + 4:.1f}" '
                     f'text-anchor="end">{v:.3g}</text>')
    return parts, xm, ym


def series(parts, xm, ym, pts, color, label, i, dashed=False):
    pts = sorted(pts)
    path = " ".join(f"{xm(x):.1f},{ym(y):.1f}" for x, y in pts)
    dash = ' stroke-dasharray="5,3"' if dashed else ""
    parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{path}"/>')
    for x, y in pts:
        parts.append(f'<circle cx="{xm(x):.1f}" cy="{ym(y):.1f}" r="3" fill="{color}"/>')
    parts.append(f'<rect x="66" y="{33 + 14 * i}" width="190" height="14" fill="#fff" '
                 f'fill-opacity="0.85"/><line x1="70" y1="{40 + 14 * i}" x2="86" '
                 f'y2="{40 + 14 * i}" stroke="{color}" stroke-width="3"{dash}/>'
                 f'<text x="90" y="{44 + 14 * i}">{label}</text>')


def write_plots(rows, outdir):
    cores = [r["cores"] for r in rows]
    by_threads = {}
    for r in rows:
        by_threads.setdefault(r["threads"], []).append(r)
    # speedup
    ymax = max(max(r["speedup"] for r in rows), max(cores) / rows[0]["cores"])
    parts, xm, ym = svg_axes("speedup (throughput / base)", "cores = ranks x threads", "speedup",
                             cores, ymax)
    base = rows[0]["cores"]
    series(parts, xm, ym, [(c, c / base) for c in sorted(set(cores))], "#999", "ideal", 0, True)
    for i, (t, rs) in enumerate(sorted(by_threads.items())):
        series(parts, xm, ym, [(r["cores"], r["speedup"]) for r in rs], COLORS[i % 10],
               f"{t} thread(s) per rank", i + 1)
    open(os.path.join(outdir, "speedup.svg"), "w").write("\n".join(parts + ["</svg>"]))
    # efficiency
    parts, xm, ym = svg_axes("efficiency", "cores = ranks x threads", "fraction", cores, 1.0)
    for i, (t, rs) in enumerate(sorted(by_threads.items())):
        series(parts, xm, ym, [(r["cores"], r["scaling_efficiency"]) for r in rs], COLORS[i % 10],
               f"scaling, {t} thr/rank", 2 * i)
        series(parts, xm, ym, [(r["cores"], r["parallel_efficiency"]) for r in rs],
               COLORS[i % 10], f"busy/available, {t} thr/rank", 2 * i + 1, True)
    open(os.path.join(outdir, "efficiency.svg"), "w").write("\n".join(parts + ["</svg>"]))
    # per-phase breakdown: stacked bars of the slowest rank's time per phase
    w, h, ml, mt, mb = 120 + 70 * len(rows), 380, 60, 30, 60
    tmax = max(sum(r[p + "_max_s"] for p in PHASES) for r in rows) * 1.1 or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 150}" height="{h}" '
             f'font-family="sans-serif" font-size="11"><rect width="{w + 150}" height="{h}" '
             f'fill="#fff"/><text x="{ml}" y="18" font-weight="bold">time per phase '
             f'(slowest rank), seconds</text>']
    for k in range(6):
        v = tmax * k / 5
        y = h - mb - v / tmax * (h - mt - mb)
        parts.append(f'<line x1="{ml}" y1="{y:.1f}" x2="{w}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{ml - 4}" y="{y + 4:.1f}" text-anchor="end">{v:.3g}</text>')
    for j, r in enumerate(rows):
        x, y = ml + 10 + 70 * j, h - mb
        for i, p in enumerate(PHASES):
            hh = r[p + "_max_s"] / tmax * (h - mt - mb)
            y -= hh
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="50" height="{hh:.1f}" '
                         f'fill="{COLORS[i]}"><title>{p} {r[p + "_max_s"]} s</title></rect>')
        parts.append(f'<text x="{x + 25}" y="{h - mb + 14}" text-anchor="middle">'
                     f'{r["ranks"]}x{r["threads"]}</text>')
    parts.append(f'<text x="{(w + ml) / 2}" y="{h - 20}" text-anchor="middle">ranks x threads'
                 f'</text>')
    for i, p in enumerate(PHASES):
        parts.append(f'<rect x="{w + 10}" y="{40 + 16 * i}" width="12" height="10" '
                     f'fill="{COLORS[i]}"/><text x="{w + 26}" y="{49 + 16 * i}">{p}</text>')
    open(os.path.join(outdir, "phases.svg"), "w").write("\n".join(parts + ["</svg>"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bin", default=os.path.join(here, "..", "build"),
                    help="directory with xpcs-corr and xpcs-synth (default ../build)")
    ap.add_argument("--raw", help="raw file (strong mode); default: synthetic data")
    ap.add_argument("--qmap", help="q-map of --raw")
    ap.add_argument("--synth", default="128x128x4000",
                    help="ROWSxCOLSxFRAMES of the synthetic data (weak: frames per base core "
                         "count); default 128x128x4000")
    ap.add_argument("--mode", choices=["strong", "weak"], default="strong")
    ap.add_argument("--ranks", default="1,2", help="rank counts, e.g. 1,2,4")
    ap.add_argument("--threads", default="1", help="OpenMP threads per rank, e.g. 1,2")
    ap.add_argument("--outdir", default="scaling")
    ap.add_argument("--launcher", default="mpirun -np {ranks} --bind-to none",
                    help="command before xpcs-corr; {ranks} and {threads} are replaced")
    ap.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)),
                    help="cores available (default: this process's CPU set)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per point, the fastest is kept")
    ap.add_argument("--extra", default="", help="more xpcs-corr options")
    ap.add_argument("--dry-run", action="store_true",
                    help="print the commands and run xpcs-corr --dry-run (plans only)")
    args = ap.parse_args()
    if (args.raw is None) != (args.qmap is None):
        ap.error("--raw and --qmap go together")
    if args.mode == "weak" and args.raw:
        ap.error("weak scaling generates its data (--synth), it cannot take --raw")
    os.makedirs(os.path.join(args.outdir, "runs"), exist_ok=True)
    if not shutil.which(shlex.split(args.launcher)[0]):
        ap.error(f"launcher not found: {args.launcher}")
    rows, cols, frames = (int(v) for v in args.synth.lower().split("x"))
    configs = [(r, t) for r in ints(args.ranks) for t in ints(args.threads)]
    base_cores = min(r * t for r, t in configs)
    results = []
    data = os.path.join(args.outdir, "data")
    os.makedirs(data, exist_ok=True)
    for r, t in configs:
        if args.raw:
            raw, qmap = args.raw, args.qmap
        elif args.mode == "strong":
            raw, qmap = synth(args.bin, data, f"s{rows}x{cols}x{frames}", rows, cols, frames)
        else:
            f = frames * r * t // base_cores
            raw, qmap = synth(args.bin, data, f"w{rows}x{cols}x{f}", rows, cols, f)
        res = run_one(args, r, t, raw, qmap, args.cores)
        if res:
            results.append(res)
        elif not args.dry_run:
            return 1
    if args.dry_run:
        log(f"dry run of {len(configs)} configuration(s) done")
        return 0
    rows_out = table(results)
    write_csv_md(rows_out, args.outdir, args.mode)
    write_plots(rows_out, args.outdir)
    sys.stdout.write(open(os.path.join(args.outdir, "scaling.md")).read())
    log(f"wrote {args.outdir}/scaling.csv, scaling.md, speedup.svg, efficiency.svg, phases.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
