/* synth_files: what xpcs-synth's files hold, written through io (h5write
 * for the HDF5 files, rigaku_writer for the event files).  Memory: the
 * model plus one chunk of frames (HDF5) or one frame and its events. */
#include "synth_internal.h"

#include "xpcs/io/h5write.h"
#include "xpcs/io/rigaku.h"
#include "xpcs/io/rigaku_writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

xpcs_status xpcs_synth_write_data(const xpcs_synth_model *m, xpcs_publish *file, xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    const xpcs_dtype type = p->dtype == XPCS_SYNTH_U8    ? XPCS_DT_U8
                            : p->dtype == XPCS_SYNTH_U16 ? XPCS_DT_U16
                                                         : XPCS_DT_U32;
    const size_t frame_bytes = m->npix * (size_t)p->dtype;
    xpcs_h5w *w = NULL;
    xpcs_status st = xpcs_h5w_create(file, &w, err);
    if (st != XPCS_OK)
        return st;
    st = xpcs_h5w_group(w, "/entry", err);
    if (st == XPCS_OK)
        st = xpcs_h5w_group(w, "/entry/data", err);
    xpcs_h5w_stack *s = NULL;
    if (st == XPCS_OK)
        st = xpcs_h5w_stack_create(w, "/entry/data/data", type, p->frames, p->rows, p->cols,
                                   p->chunk_frames, p->gzip, &s, err);
    if (st == XPCS_OK) {
        /* one chunk of frames in memory at a time */
        char *buf = xpcs_malloc((size_t)p->chunk_frames * frame_bytes);
        xpcs_synth_gen *g = xpcs_synth_gen_create(m);
        for (long t0 = 0; t0 < p->frames && st == XPCS_OK; t0 += p->chunk_frames) {
            const long nf = p->frames - t0 < p->chunk_frames ? p->frames - t0 : p->chunk_frames;
            for (long k = 0; k < nf; k++)
                xpcs_synth_frame(g, t0 + k, buf + (size_t)k * frame_bytes);
            st = xpcs_h5w_stack_write(s, t0, nf, buf, err);
        }
        xpcs_synth_gen_destroy(&g);
        free(buf);
    }
    st = xpcs_h5w_stack_close(&s, st, err);
    return xpcs_h5w_close(&w, st, err);
}

xpcs_status xpcs_synth_write_events(const xpcs_synth_model *m, xpcs_publish *const *files,
                                    int n_files, xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    xpcs_rigaku_writer *w = NULL;
    xpcs_status st = xpcs_rigaku_writer_create(files, n_files, p->frames, &w, err);
    if (st != XPCS_OK)
        return st;
    xpcs_synth_gen *g = xpcs_synth_gen_create(m);
    uint32_t *pix = xpcs_malloc(sizeof(uint32_t) * m->npix);
    uint32_t *cnt = xpcs_malloc(sizeof(uint32_t) * m->npix);
    for (long t = 0; t < p->frames && st == XPCS_OK; t++) {
        const size_t n = xpcs_synth_events(g, t, pix, cnt);
        st = xpcs_rigaku_writer_frame(w, t, pix, cnt, n, err);
    }
    free(pix);
    free(cnt);
    xpcs_synth_gen_destroy(&g);
    /* the writer's close reports a failed write too */
    const xpcs_status cst = xpcs_rigaku_writer_close(&w, err);
    return st != XPCS_OK && cst == XPCS_OK ? st : cst;
}

xpcs_status xpcs_synth_write_metadata(const xpcs_synth_model *m, xpcs_publish *file, xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    char now[32] = "1970-01-01T00:00:00Z", scan[32];
    const time_t tnow = time(NULL);
    struct tm tm;
    if (tnow != (time_t)-1 && gmtime_r(&tnow, &tm))
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(scan, sizeof scan, "%" PRIu64, p->seed);

    xpcs_h5w *w = NULL;
    xpcs_status st = xpcs_h5w_create(file, &w, err);
    if (st != XPCS_OK)
        return st;
    static const char *const groups[] = {"/entry",
                                         "/entry/instrument",
                                         "/entry/instrument/detector_1",
                                         "/entry/instrument/incident_beam",
                                         "/entry/instrument/bluesky",
                                         "/entry/instrument/bluesky/metadata",
                                         "/entry/sample",
                                         "/entry/user"};
    for (size_t i = 0; i < sizeof groups / sizeof *groups && st == XPCS_OK; i++)
        st = xpcs_h5w_group(w, groups[i], err);
    const struct {
        const char *path;
        double v;
    } scal[] = {{"/entry/instrument/detector_1/frame_time", p->frame_time},
                {"/entry/instrument/detector_1/count_time", p->count_time},
                {"/entry/instrument/detector_1/x_pixel_size", p->pixel_size_mm},
                {"/entry/instrument/detector_1/y_pixel_size", p->pixel_size_mm},
                {"/entry/instrument/detector_1/distance", p->det_dist_mm},
                {"/entry/instrument/incident_beam/incident_energy", p->energy_kev}};
    for (size_t i = 0; i < sizeof scal / sizeof *scal && st == XPCS_OK; i++)
        st = xpcs_h5w_f64(w, scal[i].path, 0, NULL, &scal[i].v, err);
    const char *const strs[][2] = {{"/entry/schema_version", "1.0"},
                                   {"/entry/start_time", now},
                                   {"/entry/instrument/bluesky/metadata/plan_name", "xpcs-synth"},
                                   {"/entry/instrument/bluesky/metadata/scan_id", scan},
                                   {"/entry/instrument/bluesky/metadata/detector", "synthetic"},
                                   {"/entry/sample/name", p->name},
                                   {"/entry/user/name", "xpcs-synth"}};
    for (size_t i = 0; i < sizeof strs / sizeof *strs && st == XPCS_OK; i++)
        st = xpcs_h5w_str(w, strs[i][0], strs[i][1], err);
    return xpcs_h5w_close(&w, st, err);
}

/* /qmap's maps and bin lists (the layout xpcs-corr reads, h5in.h). */
static xpcs_status qmap_maps(const xpcs_synth_model *m, xpcs_h5w *w, xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    const int64_t K = m->n_dq, Ks = m->n_sq;
    const int64_t img[2] = {p->rows, p->cols}, two[1] = {2}, kd[1] = {K}, ksd[1] = {Ks};
    const double phi0 = 0.0;
    const int64_t one[1] = {1};
    const int64_t dnum[2] = {K, 1}, snum[2] = {Ks, 1};
    int64_t *idx = xpcs_malloc((size_t)Ks * sizeof *idx);
    for (int64_t i = 0; i < Ks; i++)
        idx[i] = i;
    xpcs_status st = xpcs_h5w_i32(w, "/qmap/mask", 2, img, m->mask, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_i32(w, "/qmap/dynamic_roi_map", 2, img, m->dyn, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_i32(w, "/qmap/static_roi_map", 2, img, m->sta, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/qmap/dynamic_v_list_dim0", 1, kd, m->qd, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/qmap/dynamic_v_list_dim1", 1, one, &phi0, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/qmap/static_v_list_dim0", 1, ksd, m->qs, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/qmap/static_v_list_dim1", 1, one, &phi0, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_i64(w, "/qmap/dynamic_num_pts", 1, two, dnum, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_i64(w, "/qmap/static_num_pts", 1, two, snum, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_i64(w, "/qmap/dynamic_index_mapping", 1, kd, idx, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_i64(w, "/qmap/static_index_mapping", 1, ksd, idx, err);
    free(idx);
    return st;
}

xpcs_status xpcs_synth_write_qmap(const xpcs_synth_model *m, xpcs_publish *file, const char *source,
                                  xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    static const char *const names[] = {"q", "phi"};
    static const char *const units[] = {"1/A", "deg"};
    char hash[17];
    xpcs_synth_model_hash(m, hash);

    xpcs_h5w *w = NULL;
    xpcs_status st = xpcs_h5w_create(file, &w, err);
    if (st != XPCS_OK)
        return st;
    st = xpcs_h5w_group(w, "/qmap", err);
    if (st == XPCS_OK)
        st = qmap_maps(m, w, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_strs(w, "/qmap/map_names", names, 2, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_strs(w, "/qmap/map_units", units, 2, err);
    const struct {
        const char *path;
        double v;
    } scal[] = {{"/qmap/beam_center_x", p->beam_center_x},
                {"/qmap/beam_center_y", p->beam_center_y},
                {"/qmap/pixel_size", p->pixel_size_mm},
                {"/qmap/detector_distance", p->det_dist_mm},
                {"/qmap/energy", p->energy_kev}};
    for (size_t i = 0; i < sizeof scal / sizeof *scal && st == XPCS_OK; i++)
        st = xpcs_h5w_f64(w, scal[i].path, 0, NULL, &scal[i].v, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_str(w, "/qmap/source_file", source, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_attr_str(w, "/qmap", "hash", hash, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_attr_str(w, "/qmap", "version", "xpcs-synth-1", err);
    return xpcs_h5w_close(&w, st, err);
}

xpcs_status xpcs_synth_write_truth(const xpcs_synth_model *m, xpcs_publish *file, xpcs_err *err)
{
    const int64_t K[1] = {m->n_dq};
    double *ts = xpcs_malloc((size_t)K[0] * sizeof *ts);
    double *beta = xpcs_malloc((size_t)K[0] * sizeof *beta);
    for (int64_t k = 0; k < K[0]; k++) {
        ts[k] = m->tau[k] * m->p.frame_time; /* s */
        beta[k] = m->p.beta;
    }
    xpcs_h5w *w = NULL;
    xpcs_status st = xpcs_h5w_create(file, &w, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_group(w, "/truth", err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/truth/q", 1, K, m->qd, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/truth/tau_frames", 1, K, m->tau, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/truth/tau_seconds", 1, K, ts, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/truth/beta", 1, K, beta, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/truth/rate", 0, NULL, &m->p.rate, err);
    if (st == XPCS_OK)
        st = xpcs_h5w_f64(w, "/truth/tau_exponent", 0, NULL, &m->p.tau_exponent, err);
    free(ts);
    free(beta);
    return xpcs_h5w_close(&w, st, err);
}
