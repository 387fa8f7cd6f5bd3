/* synth_params: xpcs-synth's parameters: defaults, the "auto" fields,
 * checks (no file system) and the output file names. */
#include "synth_internal.h"

#include "xpcs/io/rigaku.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const synth_suffix[] = {".h5",      "_metadata.hdf", "_qmap.h5", "_truth.h5",
                                           ".bin",     ".bin.000",      ".bin.001", ".bin.002",
                                           ".bin.003", ".bin.004",      ".bin.005"};

void xpcs_synth_params_default(xpcs_synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->outdir = NULL;
    p->name = NULL;
    p->rows = 256;
    p->cols = 256;
    p->frames = 1000;
    p->dtype = XPCS_SYNTH_U16;
    p->rate = 0.1;
    p->beta = 0.2;
    p->tau0 = 20.0;
    p->tau_exponent = -2.0;
    p->n_dq = 10;
    p->sq_per_dq = 3;
    p->gzip = 0;
    p->chunk_frames = 0;
    p->seed = 1;
    p->constant_mode = 0;
    p->constant_value = 0;
    p->n_hot = 5;
    p->n_dead = 5;
    p->frame_time = 1e-3;
    p->count_time = NAN;
    p->energy_kev = 10.0;
    p->pixel_size_mm = 0.075;
    p->det_dist_mm = 5000.0;
    p->beam_center_x = NAN;
    p->beam_center_y = NAN;
    p->beamstop_px = NAN;
    p->write_metadata = 1;
    p->format = XPCS_SYNTH_FMT_H5;
    p->iid = 0;
}

static uint32_t dtype_max(xpcs_synth_dtype d)
{
    return d == XPCS_SYNTH_U8 ? 255u : d == XPCS_SYNTH_U16 ? 65535u : 4294967295u;
}

static uint32_t dtype_hot(xpcs_synth_dtype d)
{
    return d == XPCS_SYNTH_U8 ? 255u : d == XPCS_SYNTH_U16 ? 60000u : 1000000u;
}

uint32_t xpcs_synth_count_max(const xpcs_synth_params *p)
{
    uint32_t m = dtype_max(p->dtype);
    return (p->format & SYNTH_FMT_EVENTS) && m > XPCS_RIGAKU_COUNT_MAX ? XPCS_RIGAKU_COUNT_MAX : m;
}
uint32_t xpcs_synth_hot_value(const xpcs_synth_params *p)
{
    uint32_t h = dtype_hot(p->dtype), m = xpcs_synth_count_max(p);
    return h > m ? m : h;
}

void xpcs_synth_resolve(const xpcs_synth_params *in, xpcs_synth_params *out)
{
    *out = *in;
    if (isnan(out->count_time))
        out->count_time = out->frame_time;
    if (isnan(out->beam_center_x))
        out->beam_center_x = (double)out->cols * 0.5 + 0.3;
    if (isnan(out->beam_center_y))
        out->beam_center_y = (double)out->rows * 0.5 - 0.2;
    if (isnan(out->beamstop_px))
        out->beamstop_px = (double)(out->rows < out->cols ? out->rows : out->cols) / 16.0;
    if (out->constant_mode) {
        out->n_hot = 0;
        out->n_dead = 0;
    }
    if (out->rows > 0 && out->cols > 0 && out->frames > 0 && out->chunk_frames >= 0) {
        const double frame_bytes = (double)out->rows * (double)out->cols * (double)out->dtype;
        if (out->chunk_frames == 0)
            out->chunk_frames = (long)floor(1048576.0 / frame_bytes);
        if (out->chunk_frames < 1)
            out->chunk_frames = 1;
        if (out->chunk_frames > out->frames)
            out->chunk_frames = out->frames;
    }
}

/* Pixel centres sit at integer indices, so the edges are at -0.5 and n - 0.5. */
double xpcs_synth_edge_distance(const xpcs_synth_params *p)
{
    double d = p->beam_center_x + 0.5;
    d = fmin(d, (double)p->cols - 0.5 - p->beam_center_x);
    d = fmin(d, p->beam_center_y + 0.5);
    d = fmin(d, (double)p->rows - 0.5 - p->beam_center_y);
    return d;
}

static int finite_pos(double v)
{
    return isfinite(v) && v > 0.0;
}

xpcs_status xpcs_synth_check(const xpcs_synth_params *in, xpcs_err *err)
{
    xpcs_synth_params p;
    xpcs_synth_resolve(in, &p);
    const xpcs_status U = XPCS_ERR_USAGE;
    if (!p.outdir || !p.outdir[0])
        return xpcs_fail(err, U, "output directory (-o) is required");
    if (!p.name || !p.name[0] || strchr(p.name, '/'))
        return xpcs_fail(err, U, "name (-n) must be non-empty and contain no '/'");
    if (p.rows < 1 || p.rows > 65536 || p.cols < 1 || p.cols > 65536)
        return xpcs_fail(err, U, "rows x cols = %ld x %ld, expected 1..65536 each", p.rows, p.cols);
    if (p.frames < 1 || p.frames > 1000000000L)
        return xpcs_fail(err, U, "frames = %ld, expected 1..1e9", p.frames);
    if (p.dtype != XPCS_SYNTH_U8 && p.dtype != XPCS_SYNTH_U16 && p.dtype != XPCS_SYNTH_U32)
        return xpcs_fail(err, U, "dtype must be u8, u16 or u32");
    if (p.format < 1 || p.format > (XPCS_SYNTH_FMT_H5 | SYNTH_FMT_EVENTS) ||
        (p.format & SYNTH_FMT_EVENTS) == SYNTH_FMT_EVENTS)
        return xpcs_fail(err, U, "format must be h5, rigaku, rigaku3m, both or both3m");
    const int ev3m = (p.format & XPCS_SYNTH_FMT_RIGAKU3M) != 0;
    const long ev_rows = ev3m ? XPCS_RIGAKU3M_ROWS : XPCS_RIGAKU_ROWS;
    const long ev_cols = ev3m ? XPCS_RIGAKU3M_COLS : XPCS_RIGAKU_COLS;
    if ((p.format & SYNTH_FMT_EVENTS) &&
        (p.rows != ev_rows || p.cols != ev_cols || p.frames > (1L << 24)))
        return xpcs_fail(err, U,
                         "format %s: the %s is %ld x %ld (got %ld x %ld) and at most 2^24 "
                         "frames (got %ld)",
                         ev3m ? "rigaku3m" : "rigaku", ev3m ? "canvas" : "detector", ev_rows,
                         ev_cols, p.rows, p.cols, p.frames);
    if (!(p.rate >= 1e-4 && p.rate <= 100.0))
        return xpcs_fail(err, U, "rate = %g photons/pixel/frame, expected 1e-4..100", p.rate);
    if (!(p.beta >= 0.0 && p.beta <= 1.0))
        return xpcs_fail(err, U, "beta = %g, expected 0..1", p.beta);
    if (!finite_pos(p.tau0))
        return xpcs_fail(err, U, "tau0 = %g frames, expected > 0", p.tau0);
    if (!isfinite(p.tau_exponent))
        return xpcs_fail(err, U, "tau exponent must be finite");
    if (p.n_dq < 1 || p.n_dq > 100000 || p.sq_per_dq < 1 || p.sq_per_dq > 100000 ||
        (long)p.n_dq * p.sq_per_dq > 1000000L)
        return xpcs_fail(err, U,
                         "n-dq = %d, sq-per-dq = %d, expected >= 1 and a product "
                         "of at most 1e6",
                         p.n_dq, p.sq_per_dq);
    if (p.gzip < 0 || p.gzip > 9)
        return xpcs_fail(err, U, "gzip level %d, expected 0..9", p.gzip);
    if (p.chunk_frames < 0)
        return xpcs_fail(err, U, "chunk-frames = %ld, expected >= 0 (0 = auto)", in->chunk_frames);
    const double npix = (double)p.rows * (double)p.cols;
    if ((double)p.chunk_frames * npix * (double)p.dtype > 4294967295.0)
        return xpcs_fail(err, U, "a chunk of %ld frames exceeds the 4 GiB HDF5 limit",
                         p.chunk_frames);
    if (p.constant_mode && p.constant_value > dtype_max(p.dtype))
        return xpcs_fail(err, U, "constant %" PRIu32 " does not fit dtype (max %" PRIu32 ")",
                         p.constant_value, dtype_max(p.dtype));
    if (p.n_hot < 0 || p.n_dead < 0 || (double)(p.n_hot + p.n_dead) > npix)
        return xpcs_fail(err, U,
                         "hot = %ld, dead = %ld, expected >= 0 and at most "
                         "rows*cols together",
                         p.n_hot, p.n_dead);
    if (!finite_pos(p.frame_time) || !finite_pos(p.count_time))
        return xpcs_fail(err, U, "frame time %g s, count time %g s, expected > 0", p.frame_time,
                         p.count_time);
    if (!finite_pos(p.energy_kev) || !finite_pos(p.pixel_size_mm) || !finite_pos(p.det_dist_mm))
        return xpcs_fail(err, U,
                         "energy %g keV, pixel size %g mm, distance %g mm, "
                         "expected > 0",
                         p.energy_kev, p.pixel_size_mm, p.det_dist_mm);
    if (!isfinite(p.beam_center_x) || !isfinite(p.beam_center_y) ||
        !(xpcs_synth_edge_distance(&p) > 0.0))
        return xpcs_fail(err, U,
                         "beam centre (x=%g, y=%g) must lie inside the %ld x %ld "
                         "detector",
                         p.beam_center_x, p.beam_center_y, p.rows, p.cols);
    if (!(p.beamstop_px >= 0.0) || !(p.beamstop_px < xpcs_synth_edge_distance(&p)))
        return xpcs_fail(err, U,
                         "beamstop radius %g px, expected >= 0 and below the "
                         "beam-centre-to-edge distance %g px",
                         p.beamstop_px, xpcs_synth_edge_distance(&p));
    return XPCS_OK;
}

xpcs_status xpcs_synth_path(const xpcs_synth_params *p, xpcs_synth_file which, char *buf, size_t n,
                            xpcs_err *err)
{
    if ((int)which < 0 || (int)which >= XPCS_SYNTH_N_FILES)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "unknown output file %d", (int)which);
    int len = snprintf(buf, n, "%s/%s%s", p->outdir ? p->outdir : "", p->name ? p->name : "",
                       synth_suffix[which]);
    if (len < 0 || (size_t)len >= n)
        return xpcs_fail(err, XPCS_ERR_USAGE, "output path for '%s' in '%s' too long",
                         p->name ? p->name : "", p->outdir ? p->outdir : "");
    return XPCS_OK;
}

const char *xpcs_synth_suffix(xpcs_synth_file which)
{
    return synth_suffix[which];
}
