#!/usr/bin/python3
"""viewer_check.py RESULT.hdf: every path pyXpcsViewer reads to open a multitau
result exists with the shape it expects (../shared/reference/conventions-verified.md,
"Files the viewer needs").  Exit 0 when all are present."""
import sys

import h5py

QMAP_KEYS = ["mask", "dynamic_roi_map", "static_roi_map", "dynamic_v_list_dim0",
             "dynamic_v_list_dim1", "static_v_list_dim0", "static_v_list_dim1",
             "dynamic_num_pts", "static_num_pts", "dynamic_index_mapping",
             "static_index_mapping", "map_names", "map_units", "beam_center_x",
             "beam_center_y", "pixel_size", "detector_distance"]

errors = []
with h5py.File(sys.argv[1], "r") as f:
    def need(path, ndim=None):
        if path not in f:
            errors.append(f"missing {path}")
            return None
        obj = f[path]
        if ndim is not None and isinstance(obj, h5py.Dataset) and obj.ndim != ndim:
            errors.append(f"{path}: ndim {obj.ndim}, expected {ndim}")
        return obj

    need("/entry/start_time")
    need("/entry/instrument/detector_1/frame_time", 0)
    need("/entry/instrument/detector_1/count_time", 0)
    need("/entry/instrument/incident_beam/incident_energy")
    need("/entry/instrument/bluesky/metadata")
    q = need("/xpcs/qmap")
    if q is not None and "hash" not in q.attrs:
        errors.append("/xpcs/qmap has no hash attribute")
    for k in QMAP_KEYS:
        need("/xpcs/qmap/" + k)
    need("/xpcs/rawdata_path")
    dl = need("/xpcs/multitau/delay_list", 1)
    g2 = need("/xpcs/multitau/normalized_g2", 2)
    ge = need("/xpcs/multitau/normalized_g2_err", 2)
    need("/xpcs/multitau/config/stride_frame")
    need("/xpcs/multitau/config/avg_frame")
    s1 = need("/xpcs/temporal_mean/scattering_1d", 2)
    need("/xpcs/temporal_mean/scattering_1d_segments", 2)
    s2 = need("/xpcs/temporal_mean/scattering_2d", 3)
    it = need("/xpcs/spatial_mean/intensity_vs_time", 2)
    if dl is not None and g2 is not None and ge is not None:
        nd = f["/xpcs/qmap/dynamic_index_mapping"].shape[0]
        if g2.shape != (dl.shape[0], nd) or ge.shape != g2.shape:
            errors.append(f"normalized_g2 {g2.shape}: expected ({dl.shape[0]}, {nd})")
    if s1 is not None:
        ns = f["/xpcs/qmap/static_index_mapping"].shape[0]
        if s1.shape != (1, ns):
            errors.append(f"scattering_1d {s1.shape}: expected (1, {ns})")
    if s2 is not None and s2.shape[1:] != f["/xpcs/qmap/mask"].shape:
        errors.append(f"scattering_2d {s2.shape}: expected (1,) + mask shape")
    if it is not None and it.shape[0] != 2:
        errors.append(f"intensity_vs_time {it.shape}: expected (2, N)")
for e in errors:
    print("FAIL", e)
print("viewer layout: OK" if not errors else f"viewer layout: {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
