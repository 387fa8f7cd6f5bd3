#!/usr/bin/python3
"""spack_check.py REPO: the Spack recipe (spack/packages/xpcs-toolkit/package.py) loads
(with a stand-in for Spack's spack.package), every option() of the CMake project is one of
its variants' CMake arguments, and the BLAS providers map to FindBLAS vendors (MKL with its
CBLAS header).  Exit 1 with a line per problem."""
import glob
import os
import re
import sys
import types

repo = sys.argv[1]
variants = {}


class CMakePackage:
    def define(self, name, value):
        v = ("ON" if value else "OFF") if isinstance(value, bool) else value
        return "-D%s=%s" % (name, v)

    def define_from_variant(self, name, variant):
        if variant not in variants:
            raise KeyError("no variant %s" % variant)
        return "-D%s=%s" % (name, "ON" if self.spec.on.get(variant, variants[variant])
                            else "OFF")


def variant(name, default=None, **_):
    variants[name] = default


stub = types.ModuleType("spack.package")
stub.CMakePackage = CMakePackage
stub.variant = variant
stub.join_path = os.path.join
for name in ("version", "depends_on", "license", "conflicts", "maintainers"):
    setattr(stub, name, lambda *a, **k: None)
stub.__all__ = [n for n in dir(stub) if not n.startswith("_")]
sys.modules["spack"] = types.ModuleType("spack")
sys.modules["spack.package"] = stub
ns = {}
src = os.path.join(repo, "spack", "packages", "xpcs-toolkit", "package.py")
exec(compile(open(src).read(), src, "exec"), ns)
pkg_cls = ns["XpcsToolkit"]


class Dep:
    def __init__(self, name):
        self.name = name
        self.headers = types.SimpleNamespace(directories=["/opt/%s/include" % name])
        self.prefix = types.SimpleNamespace(include="/opt/%s/include" % name)
        self.command = types.SimpleNamespace(path="/usr/bin/python3")
        self.version = "3.11"


class Spec:
    def __init__(self, blas, **on):
        self.deps = {"blas": Dep(blas), "python": Dep("python")}
        self.on, self.version = on, "main"

    def __getitem__(self, k):
        return self.deps[k]

    def satisfies(self, s):
        return self.on.get(s.lstrip("+~"), variants.get(s.lstrip("+~"))) == s.startswith("+")


problems = []
cmake_text = "".join(open(f).read() for f in [os.path.join(repo, "CMakeLists.txt")] +
                     glob.glob(os.path.join(repo, "cmake", "*.cmake")))
options = sorted(set(re.findall(r"^\s*option\((\w+)", cmake_text, re.M)))
for blas, vendor in (("openblas", "OpenBLAS"), ("intel-oneapi-mkl", "Intel10_64lp"),
                     ("blis", "FLAME"), ("cray-libsci", "All")):
    p = pkg_cls()
    p.spec = Spec(blas, native=True)
    args = p.cmake_args()
    names = {a.split("=")[0][2:].split(":")[0] for a in args}
    for o in options:
        if o not in names:
            problems.append("CMake option %s is not among the recipe's arguments" % o)
    if "-DBLA_VENDOR=%s" % vendor not in args:
        problems.append("BLAS %s: expected -DBLA_VENDOR=%s in %s" % (blas, vendor, args))
    if vendor.startswith("Intel") and "-DXPCS_CBLAS_HEADER=mkl_cblas.h" not in args:
        problems.append("MKL: no -DXPCS_CBLAS_HEADER=mkl_cblas.h")
    if "-DXPCS_NATIVE=ON" not in args:
        problems.append("+native does not give -DXPCS_NATIVE=ON")
for line in sorted(set(problems)):
    print("spack_check: " + line)
print("spack_check: %d option(s) %s; %d problem(s)" % (len(options), " ".join(options),
                                                       len(set(problems))))
sys.exit(1 if problems else 0)
