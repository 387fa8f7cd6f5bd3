/* xpcs-synth: synthetic XPCS data sets with known g2 (see xpcs/apps/synth.h;
 * the pieces are listed in synth_internal.h).  This file: the output
 * directory, the order of the files, their temporary names and renames. */
#define _POSIX_C_SOURCE 200809L

#include "synth_internal.h"

#include "xpcs/io/names.h"
#include "xpcs/io/rigaku.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p */
static xpcs_status make_dirs(const char *dir, xpcs_err *err)
{
    char buf[SYNTH_PATH_MAX];
    const size_t n = strlen(dir);
    if (n >= sizeof buf)
        return xpcs_fail(err, XPCS_ERR_USAGE, "output directory path too long");
    memcpy(buf, dir, n + 1);
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create directory: %s", buf,
                             strerror(errno));
        *c = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create directory: %s", buf,
                         strerror(errno));
    struct stat sb;
    if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: output path is not a directory", buf);
    return XPCS_OK;
}

/* Writes the files p asks for under their temporary names tmp[]; done[i] =
 * 1 for each file begun (complete or not). */
static xpcs_status write_files(const xpcs_synth_params *p, char tmp[][SYNTH_PATH_MAX + 8],
                               int *done, xpcs_err *err)
{
    xpcs_synth_model m;
    xpcs_synth_model_build(p, &m);
    char source[SYNTH_PATH_MAX];
    snprintf(source, sizeof source, "%s%s", p->name, xpcs_synth_suffix(XPCS_SYNTH_FILE_DATA));
    xpcs_status st = xpcs_synth_write_qmap(&m, tmp[XPCS_SYNTH_FILE_QMAP], source, err);
    done[XPCS_SYNTH_FILE_QMAP] = 1;
    if (st == XPCS_OK) {
        st = xpcs_synth_write_truth(&m, tmp[XPCS_SYNTH_FILE_TRUTH], err);
        done[XPCS_SYNTH_FILE_TRUTH] = 1;
    }
    if (st == XPCS_OK && p->write_metadata) {
        st = xpcs_synth_write_metadata(&m, tmp[XPCS_SYNTH_FILE_METADATA], err);
        done[XPCS_SYNTH_FILE_METADATA] = 1;
    }
    if (st == XPCS_OK && (p->format & XPCS_SYNTH_FMT_H5)) {
        st = xpcs_synth_write_data(&m, tmp[XPCS_SYNTH_FILE_DATA], err);
        done[XPCS_SYNTH_FILE_DATA] = 1;
    }
    for (int m3 = 0; m3 < 2 && st == XPCS_OK; m3++) { /* NAME.bin, then NAME.bin.000 ... */
        const int first = m3 ? XPCS_SYNTH_FILE_BIN3M : XPCS_SYNTH_FILE_BIN;
        const int n = m3 ? XPCS_RIGAKU3M_MODULES : 1;
        if (!(p->format & (m3 ? XPCS_SYNTH_FMT_RIGAKU3M : XPCS_SYNTH_FMT_RIGAKU)))
            continue;
        const char *files[XPCS_RIGAKU3M_MODULES];
        for (int k = 0; k < n; k++) {
            files[k] = tmp[first + k];
            done[first + k] = 1;
        }
        st = xpcs_synth_write_events(&m, files, n, err);
    }
    xpcs_synth_model_free(&m);
    return st;
}

xpcs_status xpcs_synth_write(const xpcs_synth_params *in, xpcs_err *err)
{
    enum { NF = XPCS_SYNTH_N_FILES };
    xpcs_status st = xpcs_synth_check(in, err);
    if (st != XPCS_OK)
        return st;
    xpcs_synth_params p;
    xpcs_synth_resolve(in, &p);
    st = make_dirs(p.outdir, err);
    if (st != XPCS_OK)
        return st;

    char final[NF][SYNTH_PATH_MAX], tmp[NF][SYNTH_PATH_MAX + 8];
    for (int i = 0; i < NF && st == XPCS_OK; i++) {
        st = xpcs_synth_path(&p, (xpcs_synth_file)i, final[i], sizeof final[i], err);
        xpcs_tmp_name(final[i], tmp[i], sizeof tmp[i]);
    }
    if (st != XPCS_OK)
        return st;

    int done[NF] = {0};
    st = write_files(&p, tmp, done, err);
    /* no partial file ever carries a final name */
    for (int i = 0; i < NF && st == XPCS_OK; i++) {
        if (done[i] && rename(tmp[i], final[i]) != 0) {
            st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot rename to %s: %s", tmp[i], final[i],
                           strerror(errno));
        }
        else {
            done[i] = 0;
        }
    }
    if (st != XPCS_OK) {
        for (int i = 0; i < NF; i++)
            if (done[i])
                unlink(tmp[i]); /* not remove(): never an rmdir */
    }
    return st;
}
