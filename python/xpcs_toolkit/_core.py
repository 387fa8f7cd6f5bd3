"""correlate(): an in-memory stack through libxpcs's xpcs_stack_correlate
(include/xpcs/pipeline/stack.h), loaded with ctypes."""
import ctypes
import ctypes.util
import os

import numpy as np

_ERR_LEN = 1024  # XPCS_ERR_LEN (include/xpcs/core/status.h)


class XpcsError(RuntimeError):
    """An error reported by libxpcs or an xpcs-toolkit program (its one-line message)."""


class _Opts(ctypes.Structure):  # xpcs_stack_opts
    _fields_ = [("begin_frame", ctypes.c_int64), ("end_frame", ctypes.c_int64),
                ("stride_frame", ctypes.c_int64), ("avg_frame", ctypes.c_int64),
                ("normalize_frame", ctypes.c_int), ("threads", ctypes.c_int)]


def library_path():
    """libxpcs's path: XPCS_LIBRARY, the installed one beside this package, or the linker's."""
    env = os.environ.get("XPCS_LIBRARY")
    if env:
        return env
    try:
        from . import _build
        p = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          _build.LIBDIR, _build.LIBRARY))
        if os.path.exists(p):
            return p
    except ImportError:
        pass
    name = ctypes.util.find_library("xpcs")
    if name:
        return name
    raise XpcsError("libxpcs not found: install xpcs-toolkit or set XPCS_LIBRARY to libxpcs.so")


_lib = None


def _library():
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(library_path())
    P, I64, I = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
    lib.xpcs_dtype_from_name.argtypes = [ctypes.c_char_p]
    lib.xpcs_dtype_from_name.restype = I
    lib.xpcs_stack_correlate.argtypes = [P, I, I64, I64, I64, P, P, P, ctypes.POINTER(_Opts),
                                         ctypes.POINTER(P), ctypes.c_char_p]
    lib.xpcs_stack_correlate.restype = I
    lib.xpcs_stack_result_destroy.argtypes = [ctypes.POINTER(P)]
    lib.xpcs_stack_result_destroy.restype = None
    for name in ("n_delays", "n_dq", "n_sq"):
        f = getattr(lib, "xpcs_stack_" + name)
        f.argtypes, f.restype = [P], I
    lib.xpcs_stack_n_frames.argtypes, lib.xpcs_stack_n_frames.restype = [P], I64
    lib.xpcs_stack_frames.argtypes = [P, ctypes.POINTER(I64), ctypes.POINTER(I64)]
    lib.xpcs_stack_frames.restype = None
    lib.xpcs_stack_delay_list.argtypes = [P]
    lib.xpcs_stack_delay_list.restype = ctypes.POINTER(I64)
    for name in ("g2", "g2_err", "scattering_2d", "scattering_1d", "intensity"):
        f = getattr(lib, "xpcs_stack_" + name)
        f.argtypes, f.restype = [P], ctypes.POINTER(ctypes.c_double)
    _lib = lib
    return lib


def _counts(frames):
    """frames as a C-ordered native uint8/16/32 stack [frames, rows, cols]."""
    a = np.asarray(frames)
    if a.ndim != 3 or 0 in a.shape:
        raise ValueError("frames: shape %s: expected a non-empty 3-D stack [frames, rows, cols]"
                         % (a.shape,))
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    if a.dtype.kind not in "ui":
        raise TypeError("frames: dtype %s: expected integer photon counts (uint8/16/32)"
                        % a.dtype)
    if a.dtype.kind == "i" or a.dtype.itemsize > 4:  # same values as uint32, same result
        lo, hi = (int(a.min()), int(a.max()))
        if lo < 0 or hi > 0xFFFFFFFF:
            raise ValueError("frames: values %d..%d: expected counts 0..2^32-1" % (lo, hi))
        a = a.astype(np.uint32)
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("="))


def _map(m, shape, what, default):
    if m is None:
        return np.full(shape, default, np.int32)
    a = np.asarray(m)
    if a.shape != shape:
        raise ValueError("%s: shape %s: expected the frames' (rows, cols) %s"
                         % (what, a.shape, shape))
    return np.ascontiguousarray(a.astype(np.int32))


def _qmap_file(path):
    """mask (blemish folded in), dynamic and static maps of a q-map file, as xpcs-corr reads it."""
    import h5py
    with h5py.File(path, "r") as f:
        q = f["/qmap"]
        mask = q["mask"][()].astype(np.int32)
        if "blemish" in q:
            mask = ((mask != 0) & (q["blemish"][()].astype(np.int32) != 0)).astype(np.int32)
        return mask, q["dynamic_roi_map"][()], q["static_roi_map"][()]


def correlate(frames, dynamic_map=None, static_map=None, mask=None, normalize_frame=False,
              qmap=None, begin_frame=0, end_frame=-1, stride_frame=1, avg_frame=1, threads=0):
    """Multi-tau correlation of a stack [frames, rows, cols] in this process.

    The same frame selection, averaging, normalization, kernel and bin
    normalization as xpcs-corr (its -b -e -f -a --normalize-frame), so the
    arrays are bit-identical to its result file's for the same frames and
    q-map.  dynamic_map / static_map / mask: [rows, cols] labels as in a
    q-map file (static_map defaults to dynamic_map, mask to all valid), or
    qmap=PATH reads them from a q-map file.  threads: OpenMP threads (0: the
    default).  Returns a dict laid out as the result file: delay_list
    (frames), normalized_g2 and normalized_g2_err [n_delays, n_dynamic_bins],
    scattering_2d [1, rows, cols], scattering_1d [1, n], intensity_vs_time
    [2, frames], and the resolved begin_frame, end_frame, stride_frame,
    avg_frame, normalize_frame.
    """
    a = _counts(frames)
    shape = a.shape[1:]
    if qmap is not None:
        if dynamic_map is not None or static_map is not None or mask is not None:
            raise ValueError("give qmap= or the maps, not both")
        mask, dynamic_map, static_map = _qmap_file(qmap)
    if dynamic_map is None:
        raise ValueError("dynamic_map (or qmap=) is required")
    d = _map(dynamic_map, shape, "dynamic_map", 0)
    s = _map(static_map if static_map is not None else dynamic_map, shape, "static_map", 0)
    m = _map(mask, shape, "mask", 1)
    lib = _library()
    dtype = lib.xpcs_dtype_from_name(a.dtype.name.encode())
    opts = _Opts(int(begin_frame), int(end_frame), int(stride_frame), int(avg_frame),
                 1 if normalize_frame else 0, int(threads))
    res = ctypes.c_void_p()
    err = ctypes.create_string_buffer(_ERR_LEN)
    st = lib.xpcs_stack_correlate(a.ctypes.data, dtype, a.shape[0], shape[0], shape[1],
                                  m.ctypes.data, d.ctypes.data, s.ctypes.data,
                                  ctypes.byref(opts), ctypes.byref(res), err)
    if st != 0:
        raise XpcsError(err.value.decode(errors="replace"))
    try:
        nd, nq = lib.xpcs_stack_n_delays(res), lib.xpcs_stack_n_dq(res)
        nf, ns = lib.xpcs_stack_n_frames(res), lib.xpcs_stack_n_sq(res)
        b, e = ctypes.c_int64(), ctypes.c_int64()
        lib.xpcs_stack_frames(res, ctypes.byref(b), ctypes.byref(e))

        def arr(ptr, n):
            return np.ctypeslib.as_array(ptr, shape=(n,)).copy()

        intensity = np.empty((2, nf))
        intensity[0] = np.arange(nf)
        intensity[1] = arr(lib.xpcs_stack_intensity(res), nf)
        return {
            "delay_list": arr(lib.xpcs_stack_delay_list(res), nd),
            "normalized_g2": arr(lib.xpcs_stack_g2(res), nd * nq).reshape(nd, nq),
            "normalized_g2_err": arr(lib.xpcs_stack_g2_err(res), nd * nq).reshape(nd, nq),
            "scattering_2d": arr(lib.xpcs_stack_scattering_2d(res),
                                 shape[0] * shape[1]).reshape(1, *shape),
            "scattering_1d": arr(lib.xpcs_stack_scattering_1d(res), ns).reshape(1, ns),
            "intensity_vs_time": intensity,
            "begin_frame": b.value, "end_frame": e.value, "stride_frame": int(stride_frame),
            "avg_frame": int(avg_frame), "normalize_frame": 1 if normalize_frame else 0,
        }
    finally:
        lib.xpcs_stack_result_destroy(ctypes.byref(res))
