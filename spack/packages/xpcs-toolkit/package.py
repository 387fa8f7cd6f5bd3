# Spack recipe for xpcs-toolkit.  Use it from a checkout as a Spack repository:
#   spack repo add spack            # this directory holds repo.yaml and packages/
#   spack install xpcs-toolkit ^openmpi ^openblas threads=openmp
# The variants mirror the CMake options (README "Install").
from spack.package import *


class XpcsToolkit(CMakePackage):
    """MPI + OpenMP X-ray Photon Correlation Spectroscopy (XPCS) reduction engine:
    multi-tau, two-time and linear g2 of detector frame stacks (HDF5, Rigaku event
    files) in the APS result layout, with fits, averaging, an HTML report, libxpcs
    (C library, CMake package, pkg-config) and a Python package."""

    homepage = "https://github.com/AdvancedPhotonSource/xpcs-toolkit"
    git = "https://github.com/AdvancedPhotonSource/xpcs-toolkit.git"

    license("BSD-3-Clause")

    version("main", branch="main")

    variant("native", default=False,
            description="Compile for the build machine's CPU only (-march=native, no SIMD dispatch)")
    variant("timing", default=True, description="Compile the phase timers in")
    variant("sanitize", default=False, description="ASan + UBSan on every target (testing builds)")
    variant("docs", default=True, description="Generate man pages and bash completion")
    variant("python", default=True, description="Install the xpcs_toolkit Python package")

    depends_on("c", type="build")
    depends_on("cmake@3.19:", type="build")
    depends_on("pkgconfig", type="build")

    depends_on("mpi")
    depends_on("hdf5+mpi@1.10:")
    depends_on("fftw-api@3")
    depends_on("blas")
    depends_on("gsl")
    depends_on("cjson")
    depends_on("libyaml")
    depends_on("lz4")
    depends_on("zlib-api")

    depends_on("python@3.8:", type=("build", "run"), when="+python")
    depends_on("py-numpy", type="run", when="+python")
    depends_on("py-h5py", type="run", when="+python")

    # FindBLAS vendor names of Spack's BLAS providers; anything else: FindBLAS's All
    blas_vendors = {
        "openblas": "OpenBLAS",
        "intel-oneapi-mkl": "Intel10_64lp",
        "intel-mkl": "Intel10_64lp",
        "amdblis": "FLAME",
        "blis": "FLAME",
        "flexiblas": "FlexiBLAS",
        "netlib-lapack": "Generic",
        "nvhpc": "NVHPC",
        "fujitsu-ssl2": "Fujitsu_SSL2",
        "armpl-gcc": "Arm",
        "cray-libsci": "All",
    }

    def cmake_args(self):
        spec = self.spec
        blas = spec["blas"]
        vendor = self.blas_vendors.get(blas.name, "All")
        args = [
            self.define_from_variant("XPCS_NATIVE", "native"),
            self.define_from_variant("XPCS_ENABLE_TIMING", "timing"),
            self.define_from_variant("XPCS_SANITIZE", "sanitize"),
            self.define_from_variant("XPCS_DOCS", "docs"),
            self.define("BLA_VENDOR", vendor),
            self.define("XPCS_CBLAS_INCLUDE_DIR", blas.headers.directories[0]
                        if blas.headers.directories else blas.prefix.include),
            self.define("XPCS_GIT_HASH", str(spec.version)),
        ]
        if vendor.startswith("Intel"):
            args.append(self.define("XPCS_CBLAS_HEADER", "mkl_cblas.h"))
        if spec.satisfies("+python"):
            args.append(self.define("Python3_EXECUTABLE", spec["python"].command.path))
        return args

    def setup_run_environment(self, env):
        if self.spec.satisfies("+python"):
            env.prepend_path("PYTHONPATH", join_path(
                self.prefix.lib, "python{0}".format(self.spec["python"].version.up_to(2)),
                "site-packages"))
