/* names: see include/xpcs/io/names.h. */
#include "xpcs/io/names.h"

#include <stdio.h>
#include <string.h>

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
