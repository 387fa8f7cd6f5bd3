/* xpcs-average: average repeated result files, leaving out bad repeats
 * (see xpcs/average.h).  Serial; no MPI. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/apps/average.h"
#include "xpcs/io/h5in.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xpcs-average -o OUT.hdf [options] RESULT.hdf...\n"
            "\n"
            "Averages xpcs-corr result files of one sample (same q-map, delays, shapes) into\n"
            "OUT.hdf, the layout of its inputs, leaving out rejected files.  Prints one line\n"
            "per input (accepted / rejected and why); the last stdout line is OUT.hdf.\n"
            "\n"
            "  -o, --output FILE       the averaged result (written to FILE.tmp, renamed)\n"
            "  -w, --overwrite         replace an existing output\n"
            "      --q-bin K           dynamic q bin (1-based) of the g2 test (default 1)\n"
            "      --window W          mean g2 over the last W delays (default 3)\n"
            "      --bounds LO:HI      accept when LO <= that mean <= HI (default 0.95:1.05)\n"
            "      --int-t-sigma S     reject Int_t outliers beyond S robust sigmas (default 5;\n"
            "                          0 = off; needs 3 or more files)\n"
            "      --int-t-blocks B    blocks of the Int_t test (default 32)\n"
            "      --int-t-floor F     smallest sigma of the Int_t test (default 0.01)\n"
            "  -h, --help              this text\n"
            "      --version           version\n");
}

static int parse_num(const char *s, const char *what, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) {
        fprintf(stderr, "xpcs-average: error: option %s: expected a number, got '%s'\n", what, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int(const char *s, const char *what, int *out)
{
    double v;
    if (parse_num(s, what, &v) < 0)
        return -1;
    if (v != (double)(int)v) {
        fprintf(stderr, "xpcs-average: error: option %s: expected an integer, got '%s'\n", what, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

enum { OPT_QBIN = 1000, OPT_WINDOW, OPT_BOUNDS, OPT_SIGMA, OPT_BLOCKS, OPT_FLOOR, OPT_VERSION };

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"overwrite", no_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {"q-bin", required_argument, 0, OPT_QBIN},
                                         {"window", required_argument, 0, OPT_WINDOW},
                                         {"bounds", required_argument, 0, OPT_BOUNDS},
                                         {"int-t-sigma", required_argument, 0, OPT_SIGMA},
                                         {"int-t-blocks", required_argument, 0, OPT_BLOCKS},
                                         {"int-t-floor", required_argument, 0, OPT_FLOOR},
                                         {"version", no_argument, 0, OPT_VERSION},
                                         {0, 0, 0, 0}};
    xpcs_average_opts o;
    xpcs_average_opts_default(&o);
    opterr = 0;
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, "o:wh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out = optarg;
            break;
        case 'w':
            o.overwrite = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case OPT_VERSION:
            printf("xpcs-average %s\n", XPCS_VERSION);
            return 0;
        case OPT_QBIN:
            bad = parse_int(optarg, "--q-bin", &o.q_bin);
            break;
        case OPT_WINDOW:
            bad = parse_int(optarg, "--window", &o.window);
            break;
        case OPT_BOUNDS: {
            char lo[64];
            const char *colon = strchr(optarg, ':');
            size_t n = colon ? (size_t)(colon - optarg) : 0;
            if (!colon || n >= sizeof lo) {
                fprintf(stderr, "xpcs-average: error: --bounds: expected LO:HI, got '%s'\n",
                        optarg);
                bad = -1;
                break;
            }
            memcpy(lo, optarg, n);
            lo[n] = '\0';
            bad = parse_num(lo, "--bounds", &o.lo);
            if (!bad)
                bad = parse_num(colon + 1, "--bounds", &o.hi);
            break;
        }
        case OPT_SIGMA:
            bad = parse_num(optarg, "--int-t-sigma", &o.int_t_sigma);
            break;
        case OPT_BLOCKS:
            bad = parse_int(optarg, "--int-t-blocks", &o.int_t_blocks);
            break;
        case OPT_FLOOR:
            bad = parse_num(optarg, "--int-t-floor", &o.int_t_floor);
            break;
        default:
            fprintf(stderr, "xpcs-average: error: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            bad = -1;
        }
    }
    if (bad)
        return 2;
    if (!o.out) {
        fprintf(stderr, "xpcs-average: error: missing -o/--output OUT.hdf (see --help)\n");
        return 2;
    }
    xpcs_h5_quiet();
    xpcs_err err;
    err.msg[0] = '\0';
    xpcs_average *a = NULL;
    xpcs_status st =
        xpcs_average_screen(&o, argc - optind, (const char *const *)(argv + optind), &a, &err);
    if (!st) {
        xpcs_average_print(a, stdout);
        fflush(stdout);
        st = xpcs_average_write(a, &err);
    }
    xpcs_average_destroy(&a);
    if (st) {
        fprintf(stderr, "xpcs-average: error: %s\n", err.msg);
        return (int)st;
    }
    printf("%s\n", o.out);
    return 0;
}
