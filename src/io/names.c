/* names: see include/xpcs/io/names.h. */
#include "xpcs/io/names.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "h5util.h"
#include "xpcs/core/infile.h"

#include "xpcs/core/publish.h"
#include "xpcs/io/rigaku.h"

void xpcs_raw_stem(const char *raw, char *stem, size_t n)
{
    const char *slash = strrchr(raw, '/');
    snprintf(stem, n, "%s", slash ? slash + 1 : raw);
    size_t len = strlen(stem);
    if (xpcs_rigaku_is_3m(stem) && len > 8) {
        stem[len - 8] = '\0';
        return;
    }
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
}

xpcs_status xpcs_result_name(const char *outdir, const char *raw, char *buf, size_t n,
                             xpcs_err *err)
{
    char stem[1024];
    xpcs_raw_stem(raw, stem, sizeof stem);
    int k = snprintf(buf, n, "%s/%s%s", outdir, stem, XPCS_RESULT_SUFFIX);
    if (k < 0 || (size_t)k + 8 >= n)
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: output path too long", outdir);
    return XPCS_OK;
}

xpcs_status xpcs_result_name_as_boost(const char *outdir, const char *raw, const char *meta,
                                      const char *prefix, const char *suffix, char *buf, size_t n,
                                      xpcs_err *err)
{
    char name[1024], pre[300] = "", suf[300] = "";
    if (meta) {
        xpcs_raw_stem(meta, name, sizeof name);
        size_t len = strlen(name), ml = strlen("_metadata");
        if (len > ml && strcmp(name + len - ml, "_metadata") == 0)
            name[len - ml] = '\0'; /* the real stem, not boost's rstrip("_metadata") */
    }
    else
        xpcs_raw_stem(raw, name, sizeof name);
    if (prefix && prefix[0]) {
        size_t len = strlen(prefix);
        while (len && prefix[len - 1] == '_')
            len--;
        snprintf(pre, sizeof pre, "%.*s_", (int)len, prefix);
    }
    if (suffix && suffix[0]) {
        while (*suffix == '_')
            suffix++;
        snprintf(suf, sizeof suf, "_%s", suffix);
    }
    int k = snprintf(buf, n, "%s/%s%s%s%s", outdir, pre, name, suf, XPCS_RESULT_SUFFIX);
    if (k < 0 || (size_t)k + 40 >= n) /* room for _N and the temporary's suffix */
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: output path too long", outdir);
    return XPCS_OK;
}

xpcs_status xpcs_result_name_unique(char *buf, size_t n, xpcs_err *err)
{
    struct stat sb;
    if (lstat(buf, &sb) != 0)
        return XPCS_OK;
    const size_t len = strlen(buf), ext = strlen(".hdf");
    char *base = xpcs_malloc(len + 1);
    memcpy(base, buf, len + 1);
    if (len > ext && strcmp(base + len - ext, ".hdf") == 0)
        base[len - ext] = '\0';
    xpcs_status st = XPCS_ERR_OUTPUT;
    for (long i = 1; i < 1000000; i++) {
        int k = snprintf(buf, n, "%s_%ld.hdf", base, i);
        if (k < 0 || (size_t)k + 32 >= n)
            break;
        if (lstat(buf, &sb) != 0) {
            st = XPCS_OK;
            break;
        }
    }
    if (st)
        xpcs_fail(err, st, "%s.hdf: no free name %s_N.hdf for the result", base, base);
    free(base);
    return st;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when path is a regular HDF5 file holding /entry/schema_version. */
static int is_boost_metadata(const char *path)
{
    char why[128];
    if (xpcs_input_regular(path, why, sizeof why) != 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    int yes = xpcs_h5_exists(f, "/entry/schema_version") == 1;
    H5Fclose(f);
    return yes;
}

int xpcs_metadata_find(const char *raw, char *meta, size_t n, int *beside)
{
    *beside = 0;
    xpcs_metadata_name(raw, meta, n);
    if (access(meta, F_OK) == 0) {
        *beside = 1;
        return 1;
    }
    char dir[4096];
    const char *slash = strrchr(raw, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - raw) : 1, slash ? raw : ".");
    if (slash == raw)
        snprintf(dir, sizeof dir, "/");
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t count = 0, cap = 0, sl = strlen(XPCS_METADATA_SUFFIX);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= sl || strcmp(e->d_name + len - sl, XPCS_METADATA_SUFFIX) != 0)
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 8;
            char **more = xpcs_malloc(cap * sizeof *more);
            if (count)
                memcpy(more, names, count * sizeof *more);
            free(names);
            names = more;
        }
        names[count] = xpcs_malloc(len + 1);
        memcpy(names[count++], e->d_name, len + 1);
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, name_cmp);
    char stem[1024];
    xpcs_raw_stem(raw, stem, sizeof stem);
    size_t best = 0; /* the longest name that starts the raw file's name */
    int found = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4096 + 300];
        const size_t bl = strlen(names[i]) - sl;
        const char after = bl <= strlen(stem) ? stem[bl] : 'x';
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
        if (bl > best && strncmp(stem, names[i], bl) == 0 &&
            (after == '_' || after == '-' || after == '.') && is_boost_metadata(path)) {
            snprintf(meta, n, "%s", path);
            best = bl;
            found = 1;
        }
        free(names[i]);
    }
    free(names);
    if (!found)
        xpcs_metadata_name(raw, meta, n);
    return found;
}

void xpcs_metadata_name(const char *raw, char *buf, size_t n)
{
    char stem[1024];
    xpcs_raw_stem(raw, stem, sizeof stem);
    const char *slash = strrchr(raw, '/');
    if (!slash)
        snprintf(buf, n, "./%s%s", stem, XPCS_METADATA_SUFFIX);
    else if (slash == raw)
        snprintf(buf, n, "/%s%s", stem, XPCS_METADATA_SUFFIX);
    else
        snprintf(buf, n, "%.*s/%s%s", (int)(slash - raw), raw, stem, XPCS_METADATA_SUFFIX);
}

void xpcs_sibling_name(const char *result, const char *suffix, char *buf, size_t n)
{
    size_t len = strlen(result);
    const size_t tl = strlen(XPCS_RESULT_SUFFIX);
    if (len >= tl && strcmp(result + len - tl, XPCS_RESULT_SUFFIX) == 0)
        len -= tl;
    else {
        const char *dot = strrchr(result, '.'), *slash = strrchr(result, '/');
        if (dot && (!slash || dot > slash))
            len = (size_t)(dot - result);
    }
    snprintf(buf, n, "%.*s%s", (int)len, result, suffix);
}

int xpcs_outputs_remove_stale(const char *result)
{
    static const char *const sibling[] = {XPCS_PROFILE_SUFFIX, XPCS_REPORT_SUFFIX};
    int n = xpcs_publish_remove_stale(result);
    for (int k = 0; k < 2; k++) {
        char name[4096 + 32];
        xpcs_sibling_name(result, sibling[k], name, sizeof name);
        n += xpcs_publish_remove_stale(name);
    }
    return n;
}

void xpcs_g2_name(const char *result, char *buf, size_t n)
{
    size_t len = strlen(result);
    if (len > 4 && strcmp(result + len - 4, ".hdf") == 0)
        len -= 4;
    snprintf(buf, n, "%.*s_G2.hdf", (int)len, result);
}
