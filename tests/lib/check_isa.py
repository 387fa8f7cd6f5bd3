#!/usr/bin/python3
"""check_isa: which functions of a program use AVX-512 instructions.

    check_isa.py BINARY [--allow SUFFIX] [--expect]

Disassembles BINARY with objdump and finds AVX-512 in it: zmm registers,
the opmask registers k0-k7 (masking, mask moves), xmm/ymm registers 16-31
(EVEX-only) and the AVX-512-only mnemonics.  A function whose name carries
SUFFIX (default _v4: the x86-64-v4 copies of the SIMD kernels, and their
OpenMP bodies or clones, e.g. xpcs_multitau_push_v4._omp_fn.0) may use
them.  Prints every function that does; exit 1 when a function without
the suffix does, or (--expect) when no function with it does (a build
whose dispatched copies lost their AVX-512 would make the first check
vacuous); exit 2 when objdump fails.
"""
import re
import subprocess
import sys

AVX512 = re.compile(
    r"%zmm\d|%k[0-7]\b|\{%k|%[xy]mm(1[6-9]|2\d|3[01])\b|"
    r"\b(vpternlog[dq]|vperm[it]2[a-z]+|vmovdq[au](8|16|32|64)|v(extract|insert)[if](32|64)x\d|"
    r"vbroadcast[if](32|64)x\d|vpmovm2[bwdq]|vpmov[bwdq]2m|vp?compress[a-z]*|vp?expand[a-z]*|"
    r"vpconflict[dq]|vplzcnt[dq]|vrndscale[a-z]+|vrange[a-z]+|vreduce[a-z]+|vfpclass[a-z]+|"
    r"vgetexp[a-z]+|vgetmant[a-z]+|vscalef[a-z]+|vrcp14[a-z]+|vrsqrt14[a-z]+|vpro[lr]v?[dq]|"
    r"vpsra[v]?q|vpabsq|vpm(ax|in)[su]q|vpmullq|vcvt[a-z]*qq2[a-z]+|vcvt[a-z]*2u[a-z]+|vcvtu[a-z0-9]+|"
    r"k(and|andn|or|xor|xnor|not|mov|shift[lr]|test|ortest|add|unpck)[bwdq]+)\b")
FUNC = re.compile(r"^[0-9a-f]+ <(.+)>:$")


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    binary, suffix, expect = argv[1], "_v4", False
    i = 2
    while i < len(argv):
        if argv[i] == "--allow" and i + 1 < len(argv):
            suffix = argv[i + 1]
            i += 2
        elif argv[i] == "--expect":
            expect = True
            i += 1
        else:
            print(__doc__)
            return 2
    try:
        dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print("check_isa: objdump -d %s failed: %s" % (binary, e))
        return 2
    func, found = None, {}
    for line in dis.split("\n"):
        m = FUNC.match(line)
        if m:
            func = m.group(1)
            continue
        if func and "\t" in line and AVX512.search(line.split("\t", 1)[1]):
            found.setdefault(func, [0, line.strip()])[0] += 1
    allowed = re.compile(re.escape(suffix) + r"(\.|$)")
    bad = sorted(f for f in found if not allowed.search(f))
    good = sorted(f for f in found if allowed.search(f))
    for f in good:
        print("check_isa: ok   %s: %d AVX-512 instruction(s)" % (f, found[f][0]))
    for f in bad:
        print("check_isa: FAIL %s: %d AVX-512 instruction(s), e.g. %s" % (f, found[f][0],
                                                                        found[f][1]))
    if expect and not good:
        print("check_isa: FAIL no function with %s uses AVX-512" % suffix)
    print("check_isa: %d function(s) outside the *%s copies use AVX-512" % (len(bad), suffix))
    return 1 if bad or (expect and not good) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
