#!/bin/bash
# The report a scientist opens first (issue 13, point 5): the header (sample,
# q-map file, frame selection, normalization, energy, distance, mask
# coverage), data-quality badges on top, linear and two-time g2 (with the
# two-time segments and the fits' curves), contrast beta(q), stability
# (I(q) per segment), two-time maps titled by q with time axes and a note on
# which are shown, compute health in the profile, the inputs of an averaged
# file, and a batch's batch_report.html; rendered by headless Chromium.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n s --rows 48 --cols 48 --frames 800 --n-dq 8 --seed 3
corr 2 -r d/s.h5 -q d/s_qmap.h5 -o both -t both >both.log 2>&1 || { cat both.log; bad "-t both"; }
corr 2 -r d/s.h5 -q d/s_qmap.h5 -o lin -t linear --max-lag 200 >lin.log 2>&1 || bad "-t linear"
run "$XPCS_BIN/xpcs-fit" lin/s_results.hdf --source linear >/dev/null 2>&1 || bad "xpcs-fit --source linear"
run "$XPCS_BIN/xpcs-fit" both/s_results.hdf --source twotime -o both/fits.h5 >/dev/null 2>&1 || bad "xpcs-fit --source twotime"
run "$XPCS_BIN/xpcs-report" lin/s_results.hdf -o lin.html >/dev/null 2>&1 || bad "xpcs-report lin"
run "$XPCS_BIN/xpcs-report" both/s_results.hdf -o both.html >/dev/null 2>&1 || bad "xpcs-report both"
SECTIONS='
import re, sys
path, want = sys.argv[1], sys.argv[2:]
h = open(path, encoding="utf-8").read()
missing = [w for w in want if w not in h]
print("missing:", missing)
sys.exit(1 if missing else 0)
'
check "header: sample, q-map, frames, normalization, energy, distance, mask" run "$PY" -c "$SECTIONS" both.html \
    "<th>sample</th><td>s</td>" "<th>q-map file</th><td>d/s_qmap.h5</td>" "<th>frame selection</th><td>raw frames [0, 800), every 1, averaged by 1" \
    "<th>normalization</th><td>none" "<th>energy</th><td>10 keV" "<th>detector distance</th>" "<th>mask coverage</th><td>"
check "-t both: quality first, two-time g2, contrast, stability, maps by q, compute health" run "$PY" -c "$SECTIONS" both.html \
    "<h2>Data quality" "<h2>g2 per q bin" "<h2>Two-time g2" "thin lines: the same for the 5 consecutive blocks" \
    "<h2>Contrast beta(q)" "<h2>Stability" "I(q) per segment" "<h2>Two-time correlation" \
    "bin 1: q = " "t1 0 .. 0.8 s right, t2 0 .. 0.8 s down" "Shown: the first 6 of the 8 maps" \
    "as pyXpcsViewer does" "<h3>Compute health" "<b>parallel_efficiency"
check "data quality comes before g2, compute health inside the profile" "$PY" -c "
h = open('both.html', encoding='utf-8').read()
import sys
a, b, c, d = (h.find(s) for s in ('<h2>Data quality', '<h2>g2 per q bin', '<h2>Run profile', '<h3>Compute health'))
sys.exit(0 if 0 < a < b < c < d else 1)"
check "the two-time fit (linked from FIT.h5) drawn over the two-time g2" "$PY" -c "
h = open('both.html', encoding='utf-8').read()
import sys
i, j = h.find('<h2>Two-time g2'), h.find('<h2>Contrast')
sys.exit(0 if h[i:j].count('stroke-dasharray') >= 1 else 1)"
check "-t linear: the linear g2 with its fit, no multitau" run "$PY" -c "$SECTIONS" lin.html \
    "No multi-tau result in this file" "<h2>Linear g2" "every lag 1 .. 200 frames" "<h2>Fit: linear_single"
check "the linear fit drawn over the linear g2" "$PY" -c "
h = open('lin.html', encoding='utf-8').read()
import sys
i, j = h.find('<h2>Linear g2'), h.find('<h2>Scattering')
sys.exit(0 if h[i:j].count('stroke-dasharray') >= 1 else 1)"

# an averaged file lists its inputs
for s in 4 5; do synth -o d -n r$s --rows 48 --cols 48 --frames 800 --n-dq 8 --seed $s --hot 0 --dead 0; done
synth -o d -n r6 --rows 48 --cols 48 --frames 800 --n-dq 8 --seed 6 --hot 0 --dead 0 --rate 1
for s in 4 5 6; do corr 1 -r d/r$s.h5 -q d/r4_qmap.h5 -o avg_in --set monitoring.enable_report=false >/dev/null 2>&1 || bad "run r$s"; done
synth -o d -n r7 --rows 48 --cols 48 --frames 800 --n-dq 8 --seed 7 --hot 0 --dead 0
corr 1 -r d/r7.h5 -q d/r4_qmap.h5 -o avg_in --set monitoring.enable_report=false >/dev/null 2>&1 || bad "run r7"
run "$XPCS_BIN/xpcs-average" -o avg.hdf avg_in/r4_results.hdf avg_in/r5_results.hdf avg_in/r6_results.hdf avg_in/r7_results.hdf >avg.out 2>&1 || bad "xpcs-average"
run "$XPCS_BIN/xpcs-report" avg.hdf -o avg.html >/dev/null 2>&1 || bad "xpcs-report avg"
check "averaged file: accepted and rejected inputs with reasons" run "$PY" -c "$SECTIONS" avg.html \
    "<h2>Averaged inputs" "avg_in/r4_results.hdf</td><td class=\"l ok\">accepted" \
    "avg_in/r6_results.hdf</td><td class=\"l critical\">rejected</td><td class=\"l\">absolute intensity"

# a batch: batch_report.html, a row per file with a link to its report
mkdir -p bd
for s in 4 5 7; do cp d/r$s.h5 bd/; cp d/r${s}_metadata.hdf bd/; done
corr 2 -q d/r4_qmap.h5 -o bout -r 'bd/r*.h5' >batch.out 2>&1 || { cat batch.out; bad "batch"; }
check "batch: the report's path on stdout" grep -q "^batch: report bout/batch_report.html" batch.out
check "batch_report.html: a row per file, beta, tau, baseline, quality, links" run "$PY" - <<'PYEOF'
import re, sys, os
h = open("bout/batch_report.html", encoding="utf-8").read()
rows = re.findall(r"<tr><td class=\"l\">(r\d)_results.hdf</td><td class=\"l\">done</td><td>([0-9.e-]+)</td><td>([0-9.e-]+) s.*?</td><td>([0-9.e-]+)</td><td class=\"l (\w+)\">\w+</td><td class=\"l\"><a href=\"(r\d_report.html)\">", h)
print(rows)
ok = len(rows) == 3 and all(0.05 < float(b) < 0.4 and 0.9 < float(base) < 1.1 and os.path.exists("bout/" + link)
                            for _, b, tau, base, q, link in rows)
sys.exit(0 if ok else 1)
PYEOF

# headless Chromium renders the page
CHROME=""
for c in chromium chromium-browser google-chrome; do
    command -v "$c" >/dev/null 2>&1 && { CHROME=$(command -v "$c"); break; }
done
if [ -n "$CHROME" ]; then
    rm -f both.png
    run timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chrome-profile" \
        --screenshot="$WORK/both.png" --window-size=1400,5000 "file://$WORK/both.html" >both.png.log 2>&1
    stats=$("$XPCS_BIN/tests/png_stats" both.png 2>&1)
    echo "screenshot both.png: width height non-white-fraction colours = $stats"
    check "Chromium renders the report (not blank)" "$PY" -c "import sys; w,h,f,n=sys.argv[1].split(); sys.exit(0 if (w,h)==('1400','5000') and float(f)>0.05 and int(n)>200 else 1)" "$stats"
else
    echo "note: no Chromium here: the render check did not run (test_report.sh installs it)"
fi
finish
