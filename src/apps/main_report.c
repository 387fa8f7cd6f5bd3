/* xpcs-report: (re)builds the HTML report of an existing result.
 *   xpcs-report RESULT.hdf [PROFILE.json] [-o OUT.html] [--no-profile]
 * Defaults: the profile and the report beside the result,
 * <stem>_profile.json (used when it exists) and <stem>_report.html, where
 * RESULT is <stem>_results.hdf.  The last stdout line is the report's path.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xpcs/config/config.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/names.h"
#include "xpcs/report/report.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: xpcs-report RESULT.hdf [PROFILE.json] [-o OUT.html] [--no-profile]\n"
                 "Writes the self-contained HTML report of an xpcs-corr result (default\n"
                 "<stem>_report.html beside it, with <stem>_profile.json when that exists).\n");
}

int main(int argc, char **argv)
{
    const char *result = NULL, *profile = NULL, *out = NULL;
    int no_profile = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "xpcs-report: error: %s needs a file name\n", argv[i - 1]);
                return 2;
            }
            out = argv[i];
        }
        else if (strcmp(argv[i], "--no-profile") == 0)
            no_profile = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "xpcs-report: error: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        else if (!result)
            result = argv[i];
        else if (!profile)
            profile = argv[i];
        else {
            fprintf(stderr, "xpcs-report: error: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!result) {
        usage(stderr);
        return 2;
    }
    xpcs_h5_quiet();
    char prof_buf[XPCS_PATH_MAX], out_buf[XPCS_PATH_MAX];
    if (!profile && !no_profile) {
        xpcs_sibling_name(result, XPCS_PROFILE_SUFFIX, prof_buf, sizeof prof_buf);
        if (access(prof_buf, R_OK) == 0)
            profile = prof_buf;
    }
    if (no_profile)
        profile = NULL;
    if (!out) {
        xpcs_sibling_name(result, XPCS_REPORT_SUFFIX, out_buf, sizeof out_buf);
        out = out_buf;
    }
    xpcs_err err = {{0}};
    xpcs_status st = xpcs_report_write(result, profile, out, &err);
    if (st) {
        fprintf(stderr, "xpcs-report: error: %s\n", err.msg);
        return (int)st;
    }
    printf("%s\n", out);
    return 0;
}
