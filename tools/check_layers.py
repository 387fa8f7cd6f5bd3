#!/usr/bin/python3
"""check_layers: the rules of the layered house (README "Architecture").

    tools/check_layers.py [--build BUILD_DIR] [--sizes]

Layers, bottom to top; a layer includes and calls only the layers below it
(kernels and parallel are side by side and do not see each other):

    core < kernels, parallel < monitor < config < plan < io < report < pipeline < apps

Rules (each violation is one line "file:line: rule: what"; exit 1 if any):
  mpi      only src/parallel and include/xpcs/parallel name MPI (MPI_* or <mpi.h>)
  hdf5     only src/io and include/xpcs/io name HDF5 (H5*, hid_t, herr_t,
           hsize_t, <hdf5.h>); an io header that includes <hdf5.h> is private
           to io (no other layer includes it)
  layer    no #include "xpcs/<layer>/..." of a higher layer (or of the sibling
           of kernels / parallel)
  cycle    no circle of includes between modules (a module = name.h + name.c)
  cmake    src/<layer>/CMakeLists.txt links only xpcs_<lower layer> targets
  flags    with --build: the core and kernels compile lines carry no MPI or
           HDF5 include path (compile_commands.json)
  size     with --sizes: no source file above 700 lines, no function above
           120 lines, except the register-blocked kernels listed below
Comments and string literals are ignored.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANK = {"core": 0, "kernels": 1, "parallel": 1, "monitor": 2, "config": 3, "plan": 4,
        "io": 5, "report": 6, "pipeline": 7, "apps": 8}
MAX_FILE_LINES = 700
MAX_FUNC_LINES = 120
# Register-blocked kernels: one loop nest per function on purpose (splitting
# them would cost the registers they are written for).
SIZE_EXCEPTIONS = {
}

problems = []


def bad(path, line, rule, what):
    problems.append("%s:%d: %s: %s" % (os.path.relpath(path, ROOT), line, rule, what))


def strip(text):
    """Comments and string/char literals blanked, newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def layer_of(path):
    rel = os.path.relpath(path, ROOT).split(os.sep)
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    if rel[:2] == ["include", "xpcs"] and len(rel) > 3:
        return rel[2]
    return None


def sources():
    for top in ("src", os.path.join("include", "xpcs")):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.join(d, f)


INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def includes(raw):
    """(line, kind, name) of every #include, kind '<' or '"'."""
    for m in INC.finditer(raw):
        yield raw.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)


def check_files():
    hdf5_headers = set()  # io headers that include <hdf5.h>
    texts = {}
    for p in sources():
        with open(p, encoding="utf-8") as fh:
            texts[p] = fh.read()
    for p, raw in texts.items():
        if layer_of(p) == "io" and p.endswith(".h"):
            if any(n in ("hdf5.h",) or n.startswith("H5") for _, k, n in includes(raw) if k == "<"):
                hdf5_headers.add(os.path.relpath(p, os.path.join(ROOT, "include")))
    graph = {}
    for p, raw in texts.items():
        layer = layer_of(p)
        if layer not in RANK:
            bad(p, 1, "layer", "not inside a layer folder (%s)" % "/".join(RANK))
            continue
        code = strip(raw)
        lines = code.split("\n")
        for no, line in enumerate(lines, 1):
            if layer != "parallel" and re.search(r"\bMPI_\w+", line):
                bad(p, no, "mpi", "names MPI outside src/parallel: " + line.strip()[:80])
            if layer != "io" and re.search(r"\b(H5[A-Z]\w*|hid_t|herr_t|hsize_t|hssize_t)\b",
                                           line):
                bad(p, no, "hdf5", "names HDF5 outside src/io: " + line.strip()[:80])
        mod = os.path.splitext(os.path.basename(p))[0]
        node = (layer, mod)
        graph.setdefault(node, set())
        for no, kind, name in includes(raw):
            if kind == "<":
                if name == "mpi.h" and layer != "parallel":
                    bad(p, no, "mpi", "includes <mpi.h> outside src/parallel")
                if (name == "hdf5.h" or name.startswith("H5")) and layer != "io":
                    bad(p, no, "hdf5", "includes <%s> outside src/io" % name)
                continue
            if name.startswith("../"):
                bad(p, no, "layer", "includes %s: reaches into another folder (use xpcs/<layer>/)"
                    % name)
                continue
            parts = name.split("/")
            if len(parts) != 3 or parts[0] != "xpcs":
                continue
            other = parts[1]
            if other not in RANK:
                bad(p, no, "layer", "includes %s: not a layer" % name)
                continue
            if other != layer and (RANK[other] >= RANK[layer]):
                bad(p, no, "layer", "%s (%s) includes %s (%s): not a lower layer"
                    % (mod, layer, name, other))
            if name in hdf5_headers and layer != "io":
                bad(p, no, "hdf5", "includes %s, which includes <hdf5.h> (private to io)" % name)
            target = (other, os.path.splitext(parts[2])[0])
            if target != node:
                graph[node].add(target)
    check_cycles(graph)


def check_cycles(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                cyc = stack[stack.index(m):] + [m]
                bad(os.path.join(ROOT, "src", n[0], n[1] + ".c"), 1, "cycle",
                    " -> ".join("%s/%s" % x for x in cyc))
            elif m in graph and not state.get(m):
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if not state.get(n):
            visit(n)


def check_cmake():
    for layer in RANK:
        p = os.path.join(ROOT, "src", layer, "CMakeLists.txt")
        if not os.path.exists(p):
            bad(p, 1, "cmake", "missing: every layer is one library target")
            continue
        text = strip(re.sub(r"#[^\n]*", "", open(p, encoding="utf-8").read()))
        raw = open(p, encoding="utf-8").read()
        for m in re.finditer(r"\bxpcs_(\w+)", raw):
            other = m.group(1)
            if other == "layer" or other not in RANK or other == layer:
                continue
            no = raw.count("\n", 0, m.start()) + 1
            if RANK[other] >= RANK[layer]:
                bad(p, no, "cmake", "xpcs_%s links xpcs_%s: not a lower layer" % (layer, other))
        if layer not in ("parallel", "apps") and re.search(r"MPI::", text):
            bad(p, 1, "cmake", "links MPI directly (only parallel does)")
        if layer != "io" and re.search(r"hdf5::", text):
            bad(p, 1, "cmake", "links HDF5 directly (only io does)")


def check_flags(build):
    path = os.path.join(build, "compile_commands.json")
    try:
        cmds = json.load(open(path))
    except OSError as e:
        bad(path, 1, "flags", "cannot read: %s" % e)
        return
    for e in cmds:
        f = e["file"]
        if layer_of(f) in ("core", "kernels"):
            cmd = e.get("command") or " ".join(e.get("arguments", []))
            for flag in re.findall(r"-I\s*(\S+)|-isystem\s+(\S+)", cmd):
                inc = flag[0] or flag[1]
                if re.search(r"mpi|hdf5", inc, re.I):
                    bad(f, 1, "flags", "compiled with include path %s" % inc)


def check_sizes():
    for p in sources():
        if not p.endswith(".c"):
            continue
        rel = os.path.relpath(p, ROOT)
        lines = open(p, encoding="utf-8").read().split("\n")
        if len(lines) - 1 > MAX_FILE_LINES and rel not in SIZE_EXCEPTIONS:
            bad(p, len(lines), "size", "%d lines (at most %d)" % (len(lines) - 1, MAX_FILE_LINES))
        start = None
        for i, line in enumerate(lines):
            if line == "{":
                start = i
            elif line == "}" and start is not None:
                n = i - start - 1
                name = "?"
                for j in range(start - 1, max(start - 6, -1), -1):
                    m = re.search(r"(\w+)\s*\(", lines[j])
                    if m:
                        name = m.group(1)
                        break
                if n > MAX_FUNC_LINES and (rel, name) not in SIZE_EXCEPTIONS.get(rel, set()) \
                        and name not in SIZE_EXCEPTIONS.get(rel, set()):
                    bad(p, start + 1, "size", "function %s: %d lines (at most %d)"
                        % (name, n, MAX_FUNC_LINES))
                start = None


def main(argv):
    build, sizes = None, False
    i = 1
    while i < len(argv):
        if argv[i] == "--build" and i + 1 < len(argv):
            build = argv[i + 1]
            i += 2
        elif argv[i] == "--sizes":
            sizes = True
            i += 1
        else:
            print(__doc__)
            return 2
    check_files()
    check_cmake()
    if build:
        check_flags(build)
    if sizes:
        check_sizes()
    for p in problems:
        print(p)
    print("check_layers: %d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
