#include "xpcs/core/fileutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

xpcs_status xpcs_copy_file(const char *src, const char *dst, const char *role, xpcs_err *err)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the %s: %s", src, role,
                         strerror(errno));
    FILE *out = fopen(dst, "wb");
    if (!out) {
        int e = errno;
        fclose(in);
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create: %s", dst, strerror(e));
    }
    char *buf = xpcs_malloc(1 << 20);
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, 1 << 20, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            bad = 1;
            break;
        }
    bad |= ferror(in);
    free(buf);
    fclose(in);
    if (fclose(out) != 0)
        bad = 1;
    if (bad)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot copy %s (disk full?)", dst, src);
    struct stat sb; /* keep the original's permissions */
    if (stat(src, &sb) == 0)
        chmod(dst, sb.st_mode & 07777);
    return XPCS_OK;
}
