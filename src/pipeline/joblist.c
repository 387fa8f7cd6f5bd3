#include "xpcs/pipeline/joblist.h"

#include "xpcs/core/fileutil.h"
#include "xpcs/core/infile.h"
#include "xpcs/io/h5read.h"
#include "xpcs/io/names.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A list of 100 000 files with long paths is a few MiB. */
#define LIST_MAX_BYTES ((size_t)64 << 20)

typedef xpcs_job job_rec; /* its strings are owned by the list */

struct xpcs_joblist {
    int n, cap;
    job_rec *j;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xpcs_malloc(n), s, n);
}

static job_rec *append(xpcs_joblist *l)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        job_rec *j = xpcs_calloc((size_t)cap, sizeof *j);
        if (l->n)
            memcpy(j, l->j, sizeof *j * (size_t)l->n);
        free(l->j);
        l->j = j;
        l->cap = cap;
    }
    job_rec *r = &l->j[l->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static int is_pattern(const char *s)
{
    return strpbrk(s, "*?[") != NULL && access(s, F_OK) != 0;
}

int xpcs_joblist_requested(const xpcs_config *cfg)
{
    return cfg->n_raw_args > 1 || cfg->raw_list[0] != '\0' ||
           (cfg->n_raw_args == 1 && is_pattern(cfg->raw_args[0]));
}

static xpcs_status add_job(xpcs_joblist *l, const xpcs_config *cfg, const char *raw,
                           const char *qmap, const char *where, xpcs_err *err)
{
    if (!qmap || !qmap[0])
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: no q-map for raw file %s: give -q/--qmap or a second column "
                         "\"RAW QMAP\" in --raw-list",
                         where, raw);
    char result[XPCS_PATH_MAX], meta[XPCS_PATH_MAX];
    int beside;
    int have_meta = xpcs_metadata_find(raw, meta, sizeof meta, &beside);
    xpcs_status st =
        xpcs_result_name_as_boost(cfg->output, raw, have_meta ? meta : NULL, cfg->prefix,
                                  cfg->suffix, result, sizeof result, err);
    if (st)
        return st;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->j[i].result, result) == 0)
            return xpcs_fail(err, XPCS_ERR_USAGE,
                             "%s: raw files %s and %s would both write %s: expected distinct "
                             "file names",
                             where, l->j[i].raw, raw, result);
    job_rec *r = append(l);
    r->raw = dup_str(raw);
    r->qmap = dup_str(qmap);
    r->result = dup_str(result);
    return XPCS_OK;
}

static xpcs_status add_arg(xpcs_joblist *l, const xpcs_config *cfg, const char *arg, xpcs_err *err)
{
    if (!is_pattern(arg))
        return add_job(l, cfg, arg, cfg->qmap, "command line", err);
    glob_t g;
    memset(&g, 0, sizeof g);
    int rc = glob(arg, 0, NULL, &g);
    xpcs_status st = XPCS_OK;
    if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0))
        st = xpcs_fail(err, XPCS_ERR_USAGE, "-r '%s': no file matches the pattern", arg);
    else if (rc != 0)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "-r '%s': cannot expand the pattern", arg);
    for (size_t i = 0; !st && i < g.gl_pathc; i++)
        st = add_job(l, cfg, g.gl_pathv[i], cfg->qmap, "command line", err);
    globfree(&g);
    return st;
}

/* One line of the list (cut into fields in place). */
static xpcs_status list_line(xpcs_joblist *l, const xpcs_config *cfg, char *line, int lineno,
                             xpcs_err *err)
{
    const char *path = cfg->raw_list;
    char *fields[3] = {NULL, NULL, NULL};
    int nf = 0;
    char *p = line;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p || (nf == 0 && *p == '#'))
            break;
        if (nf < 3)
            fields[nf] = p;
        nf++;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    if (nf == 0)
        return XPCS_OK;
    if (nf > 2)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "--raw-list %s line %d: %d fields: expected \"RAW [QMAP]\"", path, lineno,
                         nf);
    char where[XPCS_PATH_MAX + 64];
    snprintf(where, sizeof where, "--raw-list %s line %d", path, lineno);
    return add_job(l, cfg, fields[0], nf == 2 ? fields[1] : cfg->qmap, where, err);
}

/* The list file: a regular file of text lines (a FIFO is refused at once;
 * a NUL byte would cut a name short: refused). */
static xpcs_status read_list(xpcs_joblist *l, const xpcs_config *cfg, xpcs_err *err)
{
    const char *path = cfg->raw_list;
    char *text = NULL, why[256];
    size_t len = 0;
    if (xpcs_input_slurp(path, LIST_MAX_BYTES, &text, &len, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--raw-list %s: cannot open: %s", path, why);
    xpcs_status st = XPCS_OK;
    int lineno = 0;
    for (char *line = text; !st && line < text + len; lineno++) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        char *end = nl ? nl : text + len;
        *end = '\0';
        if (strlen(line) != (size_t)(end - line))
            st = xpcs_fail(err, XPCS_ERR_USAGE,
                           "--raw-list %s line %d: a NUL byte: expected lines of text \"RAW "
                           "[QMAP]\"",
                           path, lineno + 1);
        else if ((size_t)(end - line) > 2 * XPCS_PATH_MAX + 64)
            st = xpcs_fail(err, XPCS_ERR_USAGE, "--raw-list %s line %d: line too long", path,
                           lineno + 1);
        else
            st = list_line(l, cfg, line, lineno + 1, err);
        line = end + 1;
    }
    free(text);
    return st;
}

xpcs_status xpcs_joblist_build(const xpcs_config *cfg, xpcs_joblist **out, xpcs_err *err)
{
    xpcs_joblist *l = xpcs_calloc(1, sizeof *l);
    xpcs_status st = XPCS_OK;
    for (int i = 0; !st && i < cfg->n_raw_args; i++)
        st = add_arg(l, cfg, cfg->raw_args[i], err);
    if (!st && cfg->n_raw_args == 0 && cfg->raw[0]) /* "raw" of the -c file */
        st = add_arg(l, cfg, cfg->raw, err);
    if (!st && cfg->raw_list[0])
        st = read_list(l, cfg, err);
    if (!st && l->n == 0)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "--raw-list %s: no raw file listed", cfg->raw_list);
    struct stat sb; /* anything at the name, a link too: never replaced without -w */
    for (int i = 0; !st && i < l->n; i++)
        l->j[i].skipped = !cfg->overwrite && lstat(l->j[i].result, &sb) == 0;
    if (st)
        xpcs_joblist_destroy(&l);
    *out = l;
    return st;
}

void xpcs_joblist_destroy(xpcs_joblist **l)
{
    if (!l || !*l)
        return;
    for (int i = 0; i < (*l)->n; i++) {
        free((void *)(*l)->j[i].raw);
        free((void *)(*l)->j[i].qmap);
        free((void *)(*l)->j[i].result);
    }
    free((*l)->j);
    free(*l);
    *l = NULL;
}

int xpcs_joblist_count(const xpcs_joblist *l)
{
    return l->n;
}

const xpcs_job *xpcs_joblist_get(const xpcs_joblist *l, int i)
{
    return &l->j[i];
}

void xpcs_joblist_estimate(xpcs_joblist *l, const char *dataset)
{
    for (int i = 0; i < l->n; i++) {
        job_rec *r = &l->j[i];
        if (r->skipped)
            continue;
        /* a file that cannot be read keeps work 0 (its run reports why) */
        xpcs_h5r *f = NULL;
        xpcs_h5r_info in;
        xpcs_err ignored;
        if (xpcs_h5r_open(r->raw, NULL, &f, &ignored) != XPCS_OK)
            continue;
        if (xpcs_h5r_stat(f, dataset, NULL, &in, &ignored) == XPCS_OK && in.rank == 3) {
            r->frames = in.dims[0];
            r->rows = in.dims[1];
            r->cols = in.dims[2];
            r->work = (double)in.dims[0] * (double)in.dims[1] * (double)in.dims[2];
        }
        xpcs_h5r_close(&f);
    }
}

int xpcs_joblist_remove_stale(const xpcs_joblist *l)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        n += xpcs_outputs_remove_stale(l->j[i].result);
    return n;
}

/* Packed form: int32 n, then per job int32 skipped, double work, int64
 * frames, rows, cols, and raw, qmap, result as NUL-terminated strings. */
char *xpcs_joblist_pack(const xpcs_joblist *l, size_t *bytes)
{
    size_t n = sizeof(int32_t);
    for (int i = 0; i < l->n; i++)
        n += sizeof(int32_t) + sizeof(double) + 3 * sizeof(int64_t) + strlen(l->j[i].raw) +
             strlen(l->j[i].qmap) + strlen(l->j[i].result) + 3;
    char *buf = xpcs_malloc(n), *p = buf;
    int32_t cnt = l->n;
    memcpy(p, &cnt, sizeof cnt);
    p += sizeof cnt;
    for (int i = 0; i < l->n; i++) {
        const job_rec *r = &l->j[i];
        int32_t sk = r->skipped;
        int64_t dims[3] = {r->frames, r->rows, r->cols};
        memcpy(p, &sk, sizeof sk);
        p += sizeof sk;
        memcpy(p, &r->work, sizeof r->work);
        p += sizeof r->work;
        memcpy(p, dims, sizeof dims);
        p += sizeof dims;
        const char *s[3] = {r->raw, r->qmap, r->result};
        for (int k = 0; k < 3; k++) {
            size_t len = strlen(s[k]) + 1;
            memcpy(p, s[k], len);
            p += len;
        }
    }
    *bytes = n;
    return buf;
}

xpcs_status xpcs_joblist_unpack(const char *buf, size_t bytes, xpcs_joblist **out, xpcs_err *err)
{
    xpcs_joblist *l = xpcs_calloc(1, sizeof *l);
    const char *p = buf, *end = buf + bytes;
    int32_t cnt = 0;
    const size_t fixed = sizeof(int32_t) + sizeof(double) + 3 * sizeof(int64_t);
    int bad = bytes < sizeof cnt;
    if (!bad) {
        memcpy(&cnt, p, sizeof cnt);
        p += sizeof cnt;
    }
    for (int i = 0; !bad && i < cnt; i++) {
        if ((size_t)(end - p) < fixed) {
            bad = 1;
            break;
        }
        job_rec *r = append(l);
        int32_t sk;
        int64_t dims[3];
        memcpy(&sk, p, sizeof sk);
        p += sizeof sk;
        memcpy(&r->work, p, sizeof r->work);
        p += sizeof r->work;
        memcpy(dims, p, sizeof dims);
        p += sizeof dims;
        r->skipped = sk;
        r->frames = dims[0];
        r->rows = dims[1];
        r->cols = dims[2];
        const char **s[3] = {&r->raw, &r->qmap, &r->result};
        for (int k = 0; k < 3; k++) {
            const char *z = memchr(p, '\0', (size_t)(end - p));
            *s[k] = dup_str(z ? p : "");
            if (!z) {
                bad = 1;
                break;
            }
            p = z + 1;
        }
    }
    if (bad) {
        xpcs_joblist_destroy(&l);
        *out = NULL;
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "batch: corrupt job list message");
    }
    *out = l;
    return XPCS_OK;
}
