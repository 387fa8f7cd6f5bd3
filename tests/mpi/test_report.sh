#!/bin/bash
# The HTML report: written beside the result by every run, self-contained
# (no scripts, no external references), with the sections a scientist looks
# at first; xpcs-report rebuilds it byte for byte; two-time maps and fits are
# shown when the file has them and skipped when not; headless Chromium renders
# it to a screenshot that is not blank.  Skips (exit 77) only when Chromium is
# not installed and cannot be installed.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n r --rows 48 --cols 56 --frames 1200 --frame-time 0.002 --tau0 15 --n-dq 6

corr 2 -r d/r.h5 -q d/r_qmap.h5 -o o >out.txt 2>err.txt || { cat out.txt err.txt; bad "run"; }
check "report announced, result path still last" \
    test "$(grep -c '^xpcs-corr: report o/r_report.html' err.txt)" -eq 1 -a "$(tail -n 1 out.txt)" = "o/r_results.hdf"
check "report written" test -s o/r_report.html
check "report content: sections, self-contained, image decodes" run "$PY" - o/r_report.html <<'PYEOF'
import sys, re, base64, struct, zlib
html = open(sys.argv[1], encoding="utf-8").read()
err = []
for s in ["g2 per q bin", "g2(q, t), all bins", "Scattering", "I(q)", "Intensity vs time",
          "Run profile", "Per-rank phases", "parallel_efficiency", "io_throughput"]:
    if s not in html:
        err.append(f"missing section text {s!r}")
if "<script" in html.lower():
    err.append("has a script")
ext = re.findall(r'(?:src|href)\s*=\s*"(?!data:|#)([^"]*)"', html)
if ext:
    err.append(f"external references {ext[:3]}")
if re.search(r'https?://(?!www\.w3\.org/2000/svg)', html):
    err.append("a URL other than the SVG namespace")
if "Two-time" in html or "Fit:" in html:
    err.append("two-time / fit sections without data")
panels = html.count("<svg")
if panels < 6 + 3:
    err.append(f"only {panels} svg plots")
imgs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
if len(imgs) != 1:
    err.append(f"{len(imgs)} inline images, expected 1")
else:
    png = base64.b64decode(imgs[0])
    w, h = struct.unpack(">II", png[16:24])
    if png[:8] != b"\x89PNG\r\n\x1a\n" or (w, h) != (56, 48):
        err.append(f"image {w}x{h}")
    idat = png[37 + 4:37 + 4 + struct.unpack(">I", png[33:37])[0]]
    if len(zlib.decompress(idat)) != h * (3 * w + 1):
        err.append("image data size")
print("\n".join(err))
sys.exit(1 if err else 0)
PYEOF

# rebuild from the result + profile: identical bytes; without profile: no profile section
cp o/r_report.html first.html
rm o/r_report.html
run "$XPCS_BIN/xpcs-report" o/r_results.hdf >rb.txt 2>&1 || { cat rb.txt; bad "xpcs-report"; }
check "xpcs-report prints the report path" test "$(tail -n 1 rb.txt)" = "o/r_report.html"
check "rebuilt report is byte-identical" cmp first.html o/r_report.html
run "$XPCS_BIN/xpcs-report" o/r_results.hdf --no-profile -o noprof.html >/dev/null 2>&1
check "--no-profile: no per-rank bars" test -s noprof.html -a "$(grep -c 'Per-rank phases' noprof.html)" -eq 0
run "$XPCS_BIN/xpcs-report" o/r_results.hdf o/missing.json -o x.html >/dev/null 2>bad.txt
check "missing profile is an error" grep -q "missing.json: cannot read the profile" bad.txt
run "$XPCS_BIN/xpcs-report" d/r_qmap.h5 -o y.html >/dev/null 2>&1
check "a file without results still gives a page (sections skipped)" grep -q "No multi-tau result" y.html

# two-time maps and fits, as the twotime and fit branches will write them
cp o/r_results.hdf full.hdf
run "$PY" - full.hdf <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    n = 800
    t = np.arange(n)
    c = 1 + 0.2 * np.exp(-np.abs(t[:, None] - t[None, :]) / 20.0)
    c[t[:, None] > t[None, :]] = 0  # upper triangle, as stored
    g = f.create_group("/xpcs/twotime/correlation_map")
    g["c2_00001"] = c.astype(np.float32)
    g["c2_00002"] = (c * 1.1).astype(np.float32)
    # /xpcs/fit/<model> as xpcs-fit writes it (README "Fit results")
    nq = f["/xpcs/multitau/normalized_g2"].shape[1]
    t = f["/xpcs/multitau/delay_list"][()] * 0.002
    q = f["/xpcs/qmap/dynamic_v_list_dim0"][()]
    tau = 0.03 * (q / q[0]) ** -2.0
    fg = f.create_group("/xpcs/fit/single")
    p = np.stack([np.ones(nq), np.full(nq, 0.2), tau], axis=1)
    status = np.zeros(nq, np.int32)
    status[-1] = 1  # no decay in range: left out of tau(q)
    fg["params"], fg["params_err"] = p, p * 0.05
    fg["param_names"] = np.array([b"baseline", b"beta", b"tau"])
    fg["status"], fg["chi2_red"], fg["q"], fg["t"] = status, np.full(nq, 1.1), q, t
    fg["status_names"] = np.array([b"converged", b"no_decay", b"too_few_points", b"nan_input",
                                   b"not_converged"])
    fg["g2_fit"] = 1 + 0.2 * np.exp(-2 * t[:, None] / tau[None, :])
    tq = fg.create_group("tau_q")
    tq["exponent"], tq["exponent_err"], tq["prefactor"] = -2.0, 0.01, 0.03 * q[0] ** 2
    tq["diffusion_um2_per_s"], tq["diffusion_um2_per_s_err"] = 1.5, 0.1
    # a model with parameters only: curves evaluated from them
    sg = f.create_group("/xpcs/fit/stretched")
    sg["params"] = np.stack([np.ones(nq), np.full(nq, 0.2), tau, np.full(nq, 0.8)], axis=1)
    sg["param_names"] = np.array([b"baseline", b"beta", b"tau", b"gamma"])
PYEOF
run "$XPCS_BIN/xpcs-report" full.hdf -o full.html >/dev/null 2>&1 || bad "xpcs-report with two-time and fit"
check "two-time and fit sections present" run "$PY" - full.html <<'PYEOF'
import sys, re
h = open(sys.argv[1]).read()
ok = "Two-time correlation" in h and "c2_00002: 800 x 800 frames" in h
ok &= "Fit: single" in h and "Fit: stretched" in h and "tau(q): exponent -2.000 +- 0.010" in h
ok &= "6 bin(s), 5 converged" in h and "<td class=\"l\">no_decay</td>" in h
ok &= "D = 1.5 &plusmn; 0.1" in h
# dashed fit curves: 5 converged panels (g2_fit of single) + the power law
ok &= h.count('stroke-dasharray="5,3"') == 5 + 1
ok &= len(re.findall(r'data:image/png;base64,', h)) == 3
print(h.count('stroke-dasharray="5,3"'))
sys.exit(0 if ok else 1)
PYEOF
cp full.hdf stretched.hdf
"$PY" -c "import h5py; f=h5py.File('stretched.hdf','r+'); del f['/xpcs/fit/single']"
run "$XPCS_BIN/xpcs-report" stretched.hdf -o stretched.html >/dev/null 2>&1
check "curves evaluated from the parameters when there is no g2_fit" \
    test "$(grep -o 'stroke-dasharray="5,3"' stretched.html | wc -l)" -eq 6

# headless Chromium: render, screenshot, and look at the pixels
CHROME=""
for c in chromium chromium-browser google-chrome; do
    command -v "$c" >/dev/null 2>&1 && { CHROME=$(command -v "$c"); break; }
done
if [ -z "$CHROME" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium missing: trying apt-get install chromium"
    DEBIAN_FRONTEND=noninteractive timeout 240 apt-get install -y -qq --no-install-recommends chromium >apt.log 2>&1
    command -v chromium >/dev/null 2>&1 && CHROME=$(command -v chromium)
fi
if [ -z "$CHROME" ]; then
    echo "SKIP: headless Chromium is not installed and could not be installed (apt-get install chromium); the render check did not run"
    finish || exit 1
    exit 77
fi
shot() { # shot HTML PNG
    rm -f "$2"
    run timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chrome-profile" \
        --screenshot="$2" --window-size=1400,3000 "file://$WORK/$1" >"$2.log" 2>&1
    [ -s "$2" ]
}
for page in first.html full.html; do
    png=${page%.html}.png
    check "chromium renders $page" shot "$page" "$png"
    stats=$("$XPCS_BIN/tests/png_stats" "$png" 2>&1)
    echo "screenshot $png: width height non-white-fraction colours = $stats"
    check "screenshot of $page is not blank (size, non-white pixels, colours)" \
        "$PY" -c "import os,sys; w,h,f,n=sys.argv[1].split(); sys.exit(0 if (w,h)==('1400','3000') and float(f)>0.05 and int(n)>200 and os.path.getsize('$png')>50000 else 1)" "$stats"
done
finish
