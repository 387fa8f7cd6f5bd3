/* xpcs-fit: fit the g2 of an existing result file and write /xpcs/fit/<model>
 * (see xpcs/fit.h and xpcs/fit_io.h).  Serial; no MPI needed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "xpcs/kernels/fit.h"
#include "xpcs/io/fit_io.h"
#include "xpcs/io/h5in.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xpcs-fit RESULT.hdf [--model single|stretched|double] [--fit-range TMIN:TMAX]\n"
            "                [--fix NAME=VALUE]... [--bounds NAME=LO:HI]... [-w] [-v]\n"
            "\n"
            "Fits every dynamic bin's g2 in RESULT.hdf (weighted by the g2 errors, GSL trust\n"
            "region), then tau(q) = prefactor * q^exponent, and writes /xpcs/fit/<model> into\n"
            "the file (through RESULT.hdf.tmp, renamed when complete).  The last line on stdout\n"
            "is the result file's path.\n"
            "\n"
            "  -m, --model M           single (default): baseline + beta*exp(-2t/tau)\n"
            "                          stretched: baseline + beta*exp(-2(t/tau)^gamma)\n"
            "                          double: baseline + beta*(fraction*exp(-t/tau1)\n"
            "                                  + (1-fraction)*exp(-t/tau2))^2\n"
            "  -r, --fit-range A:B     delays A <= t <= B in seconds (either side may be empty)\n"
            "      --fix NAME=VALUE    hold a parameter (repeatable), e.g. --fix baseline=1\n"
            "      --bounds NAME=LO:HI bound a parameter (repeatable), e.g. --bounds gamma=0.2:2\n"
            "  -w, --overwrite         replace an existing /xpcs/fit/<model>\n"
            "  -v, --verbose           one line per bin\n"
            "  -h, --help              this text\n"
            "Exit codes: 2 usage, 3 input, 4 output.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"fit-range", required_argument, 0, 'r'},
        {"fix", required_argument, 0, 'F'},   {"bounds", required_argument, 0, 'B'},
        {"overwrite", no_argument, 0, 'w'},   {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    xpcs_err err = {{0}};
    xpcs_fit_model model = XPCS_FIT_SINGLE;
    int overwrite = 0, verbose = 0, o;
    opterr = 0;
    /* pass 1: the model (fix/bounds names depend on it) */
    while ((o = getopt_long(argc, argv, "m:r:wvh", opts, NULL)) != -1) {
        if (o == 'm' && xpcs_fit_model_parse(optarg, &model, &err) != XPCS_OK) {
            fprintf(stderr, "xpcs-fit: error: %s\n", err.msg);
            return XPCS_ERR_USAGE;
        }
        if (o == 'h') {
            usage(stdout);
            return 0;
        }
    }
    xpcs_fit_options fo;
    xpcs_fit_options_default(&fo, model);
    xpcs_status st = XPCS_OK;
    optind = 1;
    while (!st && (o = getopt_long(argc, argv, "m:r:wvh", opts, NULL)) != -1) {
        switch (o) {
        case 'm':
            break;
        case 'r':
            st = xpcs_fit_range_parse(optarg, &fo.tmin, &fo.tmax, &err);
            break;
        case 'F':
            st = xpcs_fit_option_fix(&fo, optarg, &err);
            break;
        case 'B':
            st = xpcs_fit_option_bounds(&fo, optarg, &err);
            break;
        case 'w':
            overwrite = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        default:
            st = xpcs_fail(&err, XPCS_ERR_USAGE, "unknown or incomplete option '%s' (see --help)",
                           argv[optind - 1]);
        }
    }
    if (!st && optind != argc - 1)
        st = xpcs_fail(&err, XPCS_ERR_USAGE,
                       "expected one RESULT.hdf argument, got %d (see --help)", argc - optind);
    if (!st)
        st = xpcs_fit_options_check(&fo, &err);
    if (!st) {
        xpcs_h5_quiet();
        st = xpcs_fit_result_file(argv[optind], &fo, overwrite, stdout, verbose, NULL, &err);
    }
    if (st) {
        fprintf(stderr, "xpcs-fit: error: %s\n", err.msg);
        return (int)st;
    }
    printf("%s\n", argv[optind]);
    return 0;
}
