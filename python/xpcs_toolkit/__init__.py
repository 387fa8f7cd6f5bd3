"""xpcs_toolkit: xpcs-toolkit from Python (Debian's python3 with numpy and h5py).

    run(raw, qmap, output, **options)    xpcs-corr as a program (mpirun with ranks=N);
                                         returns the result file's path
    load(result)                         the result's arrays with their units, delays
                                         in seconds, q per dynamic bin, fits
    correlate(frames, dynamic_map=..., static_map=..., mask=..., normalize_frame=...,
              **options)                 a numpy stack [frames, rows, cols] correlated in
                                         this process through libxpcs (ctypes): g2
                                         bit-identical to xpcs-corr's on the same frames
    fit(result, model=..., ...)          xpcs-fit on a result; returns load(result)["fit"]
    average(results, output, ...)        xpcs-average; returns the output's path

Where the programs and libxpcs are: next to this package as installed
(_build.py), else the environment variables XPCS_BIN (a directory with the
tools) and XPCS_LIBRARY (libxpcs.so), else PATH and the linker's search path.
"""
from ._core import XpcsError, correlate, library_path
from ._results import load
from ._tools import average, fit, run, tool_path

try:
    from ._build import VERSION as __version__
except ImportError:  # the source tree, not installed
    __version__ = "unknown"

__all__ = ["run", "load", "correlate", "fit", "average", "XpcsError", "library_path", "tool_path",
           "__version__"]
