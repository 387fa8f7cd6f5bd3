"""load(): a result file's arrays with their units (README "Result file")."""
import numpy as np

UNITS = {
    "delay_list": "frames (after stride and avg)",
    "delay_s": "s",
    "normalized_g2": "1",
    "normalized_g2_err": "1",
    "q": "1/Angstrom",
    "frame_time": "s",
    "scattering_2d": "counts/pixel/frame",
    "scattering_1d": "counts/pixel/frame",
    "scattering_1d_segments": "counts/pixel/frame",
    "intensity_vs_time": "frame index; counts/pixel/frame",
}


def _value(d):
    v = d[()]
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, np.ndarray) and v.dtype.kind == "S":
        return np.char.decode(v, errors="replace")
    return v


def _group(g):
    """Every dataset of group g (recursively) as {name: value}."""
    import h5py
    out = {}
    for k, v in g.items():
        out[k] = _group(v) if isinstance(v, h5py.Group) else _value(v)
    return out


def _q(f, n_bins):
    """q of each dynamic bin (1/Angstrom), as xpcs-fit takes it from /xpcs/qmap."""
    if "/xpcs/qmap" not in f:
        return None
    qm = f["/xpcs/qmap"]
    if "dynamic_v_list_dim0" not in qm:
        return None
    dim0 = qm["dynamic_v_list_dim0"][()].ravel()
    n1 = qm["dynamic_v_list_dim1"][()].size if "dynamic_v_list_dim1" in qm else 1
    nat = (qm["dynamic_index_mapping"][()].ravel() if "dynamic_index_mapping" in qm
           else np.arange(n_bins))
    return dim0[(nat // max(n1, 1)).astype(np.int64)]


def load(path):
    """The result file's arrays: delay_list (frames) and delay_s (seconds: delay_list x
    frame_time x stride_frame x avg_frame), normalized_g2 and normalized_g2_err [n_delays,
    n_bins], q [n_bins], frame_time, scattering_2d / _1d / _1d_segments, intensity_vs_time,
    config (the multitau config datasets, build provenance included), and when present
    linear {delay_list, delay_s, normalized_g2, normalized_g2_err}, twotime {processed_bins,
    normalized_g2, maps: the c2_* dataset names}, fit {model: every dataset of
    /xpcs/fit/<model>}; units {name: unit}."""
    import h5py
    out = {"path": str(path), "units": dict(UNITS)}
    with h5py.File(path, "r") as f:
        ft = float(f["/entry/instrument/detector_1/frame_time"][()])
        out["frame_time"] = ft
        for k in ("scattering_2d", "scattering_1d", "scattering_1d_segments"):
            if "/xpcs/temporal_mean/" + k in f:
                out[k] = f["/xpcs/temporal_mean/" + k][()]
        if "/xpcs/spatial_mean/intensity_vs_time" in f:
            out["intensity_vs_time"] = f["/xpcs/spatial_mean/intensity_vs_time"][()]
        scale = ft
        for name in ("multitau", "linear", "twotime"):
            if "/xpcs/%s/config" % name in f:
                cfg = _group(f["/xpcs/%s/config" % name])
                scale = ft * float(cfg.get("stride_frame", 1)) * float(cfg.get("avg_frame", 1))
                break
        if "/xpcs/multitau" in f:
            g = f["/xpcs/multitau"]
            out["delay_list"] = g["delay_list"][()]
            out["delay_s"] = out["delay_list"] * scale
            out["normalized_g2"] = g["normalized_g2"][()]
            out["normalized_g2_err"] = g["normalized_g2_err"][()]
            out["config"] = _group(g["config"])
            out["q"] = _q(f, out["normalized_g2"].shape[1])
        if "/xpcs/linear" in f:
            g = f["/xpcs/linear"]
            out["linear"] = {k: g[k][()] for k in ("delay_list", "normalized_g2",
                                                    "normalized_g2_err")}
            out["linear"]["delay_s"] = out["linear"]["delay_list"] * scale
            out["linear"]["config"] = _group(g["config"])
        if "/xpcs/twotime" in f:
            g = f["/xpcs/twotime"]
            out["twotime"] = {k: g[k][()] for k in ("processed_bins", "normalized_g2")
                              if k in g}
            out["twotime"]["maps"] = sorted(g["correlation_map"]) if "correlation_map" in g \
                else []
        if "/xpcs/fit" in f:
            out["fit"] = {m: _group(f["/xpcs/fit/" + m]) for m in f["/xpcs/fit"]}
        else:
            out["fit"] = {}
    return out
