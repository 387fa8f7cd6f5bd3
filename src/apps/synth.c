/* xpcs-synth: synthetic XPCS data sets with known g2 (see xpcs/apps/synth.h;
 * the pieces are listed in synth_internal.h).  This file: the output
 * directory, the order of the files, their temporaries and publishing. */
#define _POSIX_C_SOURCE 200809L

#include "synth_internal.h"

#include "xpcs/core/fileutil.h"
#include "xpcs/io/rigaku.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p */
static xpcs_status make_dirs(const char *dir, xpcs_err *err)
{
    int e = xpcs_mkdir_p(dir, 0777);
    if (e == ENOTDIR)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: output path is not a directory", dir);
    if (e)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create directory: %s", dir, strerror(e));
    return XPCS_OK;
}

/* The temporary of file i (final name final[i]); a dead writer's
 * leftovers of it go first.  xpcs-synth replaces its files. */
static xpcs_status start(char final[][SYNTH_PATH_MAX], int i, xpcs_publish **pub, xpcs_err *err)
{
    xpcs_publish_remove_stale(final[i]);
    return xpcs_publish_begin(final[i], XPCS_PUBLISH_REPLACE, &pub[i], err);
}

/* Writes the files p asks for into their temporaries pub[] (begun here;
 * NULL for the files not asked for). */
static xpcs_status write_files(const xpcs_synth_params *p, char final[][SYNTH_PATH_MAX],
                               xpcs_publish **pub, xpcs_err *err)
{
    xpcs_synth_model m;
    xpcs_synth_model_build(p, &m);
    char source[SYNTH_PATH_MAX];
    snprintf(source, sizeof source, "%s%s", p->name, xpcs_synth_suffix(XPCS_SYNTH_FILE_DATA));
    xpcs_status st = start(final, XPCS_SYNTH_FILE_QMAP, pub, err);
    if (st == XPCS_OK)
        st = xpcs_synth_write_qmap(&m, pub[XPCS_SYNTH_FILE_QMAP], source, err);
    if (st == XPCS_OK && (st = start(final, XPCS_SYNTH_FILE_TRUTH, pub, err)) == XPCS_OK)
        st = xpcs_synth_write_truth(&m, pub[XPCS_SYNTH_FILE_TRUTH], err);
    if (st == XPCS_OK && p->write_metadata &&
        (st = start(final, XPCS_SYNTH_FILE_METADATA, pub, err)) == XPCS_OK)
        st = xpcs_synth_write_metadata(&m, pub[XPCS_SYNTH_FILE_METADATA], err);
    if (st == XPCS_OK && (p->format & XPCS_SYNTH_FMT_H5) &&
        (st = start(final, XPCS_SYNTH_FILE_DATA, pub, err)) == XPCS_OK)
        st = xpcs_synth_write_data(&m, pub[XPCS_SYNTH_FILE_DATA], err);
    for (int m3 = 0; m3 < 2 && st == XPCS_OK; m3++) { /* NAME.bin, then NAME.bin.000 ... */
        const int first = m3 ? XPCS_SYNTH_FILE_BIN3M : XPCS_SYNTH_FILE_BIN;
        const int n = m3 ? XPCS_RIGAKU3M_MODULES : 1;
        if (!(p->format & (m3 ? XPCS_SYNTH_FMT_RIGAKU3M : XPCS_SYNTH_FMT_RIGAKU)))
            continue;
        for (int k = 0; k < n && st == XPCS_OK; k++)
            st = start(final, first + k, pub, err);
        if (st == XPCS_OK)
            st = xpcs_synth_write_events(&m, pub + first, n, err);
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

    char final[NF][SYNTH_PATH_MAX];
    for (int i = 0; i < NF && st == XPCS_OK; i++)
        st = xpcs_synth_path(&p, (xpcs_synth_file)i, final[i], sizeof final[i], err);
    if (st != XPCS_OK)
        return st;

    xpcs_publish *pub[NF] = {NULL};
    st = write_files(&p, final, pub, err);
    /* no partial file ever carries a final name: published when all are
     * complete, otherwise every temporary is removed */
    for (int i = 0; i < NF; i++) {
        if (st == XPCS_OK && pub[i])
            st = xpcs_publish_commit(&pub[i], err);
        xpcs_publish_abandon(&pub[i]);
    }
    return st;
}
