/* h5util: the small HDF5 writers shared by the result, fit, average and h5write
 * writers (and the link test h5read.c shares).  Each returns 0, or < 0 on
 * failure (the HDF5 error stack keeps the reason; xpcs_h5_last_error() in
 * h5in.h reads it). */
#ifndef XPCS_H5UTIL_H
#define XPCS_H5UTIL_H

#include <hdf5.h>
#include <stdint.h>

/* Dataset `name` under loc (intermediate groups created) holding data of
 * `type`, rank 0 (scalar) or rank dims (may hold 0 elements). */
int xpcs_h5_put(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                const void *data);
int xpcs_h5_put_f64(hid_t loc, const char *name, double v);
int xpcs_h5_put_i64(hid_t loc, const char *name, int64_t v);
int xpcs_h5_put_i32(hid_t loc, const char *name, int32_t v);
/* Scalar fixed-length, NUL-terminated string. */
int xpcs_h5_put_str(hid_t loc, const char *name, const char *v);
/* n strings as a 1-D fixed-length string array. */
int xpcs_h5_put_strs(hid_t loc, const char *name, const char *const *v, int n);
/* The group (and its parents) unless it exists. */
int xpcs_h5_put_group(hid_t loc, const char *name);
/* String attribute `name` on the object at path obj ("." = loc itself). */
int xpcs_h5_put_attr_str(hid_t loc, const char *obj, const char *name, const char *v);
/* The group name under loc, opened; created (with its parents) if missing.
 * < 0 on failure; close with H5Gclose. */
hid_t xpcs_h5_group(hid_t loc, const char *name);
/* 1 when every component of path under loc exists (H5Lexists on a nested
 * path whose parent is missing is an error in HDF5 1.10). */
int xpcs_h5_exists(hid_t loc, const char *path);

/* The build's provenance (monitor/provenance.h) as strings under
 * loc/name/: version, git, compiler, flags, build_type, simd, simd_detail,
 * blas (what built the program and the SIMD level and BLAS it ran with). */
int xpcs_h5_put_build(hid_t loc, const char *name);

/* The writers above with a creation property list (H5P_DEFAULT in the
 * forms without _pl); xpcs_h5_put_pl also takes the file type ftype apart
 * from the memory type mtype (e.g. H5T_IEEE_F64LE on disk, H5T_NATIVE_DOUBLE
 * in memory). */
int xpcs_h5_put_pl(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank,
                   const hsize_t *dims, const void *data, hid_t dcpl);
int xpcs_h5_put_str_pl(hid_t loc, const char *name, const char *v, hid_t dcpl);
int xpcs_h5_put_strs_pl(hid_t loc, const char *name, const char *const *v, int n, hid_t dcpl);
int xpcs_h5_put_group_pl(hid_t loc, const char *name, hid_t gcpl);
/* A creation property list of class cls (H5P_GROUP_CREATE,
 * H5P_DATASET_CREATE) whose objects carry no time stamps, so that the same
 * contents give the same file bytes; < 0 on failure.  Close with H5Pclose. */
hid_t xpcs_h5_untimed(hid_t cls);

#endif
