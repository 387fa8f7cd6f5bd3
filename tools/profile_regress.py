#!/usr/bin/python3
"""Performance regression check on two xpcs-corr profile JSONs.

  tools/profile_regress.py BASELINE_profile.json NEW_profile.json [--tolerance 0.10]

Compares the end-to-end throughput (summary.pixel_frames_per_s, or --metric)
and prints the per-phase times of both.  Exit status: 0 when the new
throughput is at least (1 - tolerance) x the baseline's, 1 when it dropped
by more, 2 when the profiles are unusable or describe different problems
(detector size, frames, ranks, threads; --allow-different-setup skips the
last two).  Only the Python standard library is used.
"""
import argparse
import json
import sys


def load(path):
    try:
        with open(path) as f:
            p = json.load(f)
    except (OSError, ValueError) as e:
        print(f"profile_regress: error: {path}: {e}", file=sys.stderr)
        sys.exit(2)
    if p.get("schema") != "xpcs-toolkit/profile":
        print(f"profile_regress: error: {path}: not an xpcs-toolkit profile", file=sys.stderr)
        sys.exit(2)
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("baseline")
    ap.add_argument("new")
    ap.add_argument("--tolerance", type=float, default=0.10,
                    help="allowed relative drop of the metric (default 0.10 = 10 %%)")
    ap.add_argument("--metric", default="pixel_frames_per_s",
                    help="summary field where larger is better (default pixel_frames_per_s)")
    ap.add_argument("--allow-different-setup", action="store_true",
                    help="compare runs with different rank or thread counts")
    a = ap.parse_args()
    if not 0 <= a.tolerance < 1:
        ap.error("--tolerance must be in [0, 1)")
    base, new = load(a.baseline), load(a.new)
    keys = ["rows", "cols", "raw_frames"]
    if not a.allow_different_setup:
        keys += ["n_ranks", "threads_per_rank"]
    diff = [k for k in keys if base["run"].get(k) != new["run"].get(k)]
    if diff:
        print("profile_regress: error: the profiles describe different runs: " +
              ", ".join(f"{k} {base['run'].get(k)} vs {new['run'].get(k)}" for k in diff),
              file=sys.stderr)
        return 2
    b, n = base["summary"].get(a.metric), new["summary"].get(a.metric)
    if not isinstance(b, (int, float)) or not isinstance(n, (int, float)) or b <= 0:
        print(f"profile_regress: error: summary.{a.metric} missing or not positive",
              file=sys.stderr)
        return 2
    print(f"{'phase':<14} {'baseline_s':>11} {'new_s':>11} {'ratio':>7}")
    for name, ph in base["phases"].items():
        nb = new["phases"].get(name, {}).get("max_s")
        if ph.get("max_s") and nb is not None:
            print(f"{name:<14} {ph['max_s']:11.4f} {nb:11.4f} {nb / ph['max_s']:7.2f}")
    ratio = n / b
    verdict = "ok" if ratio >= 1 - a.tolerance else "REGRESSION"
    print(f"{a.metric}: baseline {b:.4g}, new {n:.4g}, ratio {ratio:.3f} "
          f"(tolerance {a.tolerance:.0%}): {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
