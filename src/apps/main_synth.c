/* xpcs-synth: write a synthetic XPCS data set with known g2 (see xpcs/synth.h).
 *
 * A serial program (serial HDF5 calls through io, no MPI); started by a
 * launcher as several processes, only the first writes.
 */
#define _POSIX_C_SOURCE 200809L

#include "xpcs/apps/synth.h"

#include <getopt.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_ROWS = 256,
    OPT_COLS,
    OPT_FRAMES,
    OPT_DTYPE,
    OPT_RATE,
    OPT_BETA,
    OPT_TAU0,
    OPT_TAU_EXP,
    OPT_NDQ,
    OPT_SQ,
    OPT_GZIP,
    OPT_CHUNK,
    OPT_SEED,
    OPT_CONST,
    OPT_HOT,
    OPT_DEAD,
    OPT_FRAME_TIME,
    OPT_COUNT_TIME,
    OPT_ENERGY,
    OPT_PIXEL,
    OPT_DIST,
    OPT_BCX,
    OPT_BCY,
    OPT_BEAMSTOP,
    OPT_NO_META,
    OPT_FORMAT,
    OPT_IID
};

static void usage(FILE *f)
{
    fputs("usage: xpcs-synth -o OUTDIR -n NAME [options]\n"
          "Write OUTDIR/NAME.h5 (stack /entry/data/data [N,rows,cols]), NAME_metadata.hdf,\n"
          "NAME_qmap.h5 and NAME_truth.h5; print their paths one per line.\n"
          "\n"
          "  -o, --outdir DIR        output directory (created if missing)\n"
          "  -n, --name NAME         file stem\n"
          "  --rows R, --cols C      detector size (256 x 256)\n"
          "  --frames N              number of frames (1000)\n"
          "  --dtype u8|u16|u32      pixel type (u16)\n"
          "  --rate L                mean photons/pixel/frame, 1e-4..100 (0.1)\n"
          "  --beta B                speckle contrast (0.2)\n"
          "  --tau0 T                correlation time of dynamic bin 1, frames (20)\n"
          "  --tau-exponent X        tau_k = tau0 * (q_k/q_1)^X (-2)\n"
          "  --n-dq K                dynamic q bins (10)\n"
          "  --sq-per-dq M           static bins per dynamic bin (3)\n"
          "  --gzip LEVEL            deflate level, 0 = uncompressed (0)\n"
          "  --chunk-frames F        frames per chunk (auto: about 1 MiB per chunk)\n"
          "  --seed S                random seed (1)\n"
          "  --constant V            every pixel of every frame = V (no noise, no hot/dead)\n"
          "  --hot N, --dead N       hot / dead pixels, masked in the qmap (5, 5)\n"
          "  --frame-time s          frame period (1e-3)\n"
          "  --count-time s          exposure (= frame time)\n"
          "  --energy keV            X-ray energy (10)\n"
          "  --pixel-size mm         pixel pitch (0.075)\n"
          "  --det-dist mm           sample-detector distance (5000)\n"
          "  --beam-center-x col     (cols*0.5+0.3)\n"
          "  --beam-center-y row     (rows*0.5-0.2)\n"
          "  --beamstop R            beamstop radius in pixels (min(rows,cols)/16)\n"
          "  --no-metadata           do not write NAME_metadata.hdf\n"
          "  --format F              h5 (NAME.h5), rigaku (NAME.bin: Rigaku XSPA-500k events,\n"
          "                          512 x 1024, counts clipped to 4095) or both (same counts);\n"
          "                          rigaku3m (NAME.bin.000 ... .005: the six module files of a\n"
          "                          Rigaku 3M, rows 1676, cols 2100 with gaps) or both3m\n"
          "  --iid                   independent Poisson(rate) counts, no speckle (fast: cost\n"
          "                          per event; for benchmarks)\n"
          "  -h, --help              this text\n",
          f);
}

static xpcs_status parse_long(const char *opt, const char *s, long *out, xpcs_err *err)
{
    char *end = NULL;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--%s: expected an integer, got '%s'", opt, s);
    *out = v;
    return XPCS_OK;
}

static xpcs_status parse_int(const char *opt, const char *s, int *out, xpcs_err *err)
{
    long v = 0;
    const xpcs_status st = parse_long(opt, s, &v, err);
    if (st != XPCS_OK)
        return st;
    if (v < -2147483647L || v > 2147483647L)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--%s: %s out of range", opt, s);
    *out = (int)v;
    return XPCS_OK;
}

static xpcs_status parse_u64(const char *opt, const char *s, uint64_t *out, xpcs_err *err)
{
    char *end = NULL;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return xpcs_fail(err, XPCS_ERR_USAGE, "--%s: expected a non-negative integer, got '%s'",
                         opt, s);
    *out = (uint64_t)v;
    return XPCS_OK;
}

static xpcs_status parse_double(const char *opt, const char *s, double *out, xpcs_err *err)
{
    char *end = NULL;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return xpcs_fail(err, XPCS_ERR_USAGE, "--%s: expected a number, got '%s'", opt, s);
    *out = v;
    return XPCS_OK;
}

/* Fills p; *help = 1 when --help was given. */
static xpcs_status parse_args(int argc, char **argv, xpcs_synth_params *p, int *help, xpcs_err *err)
{
    static const struct option opts[] = {{"outdir", required_argument, NULL, 'o'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"rows", required_argument, NULL, OPT_ROWS},
                                         {"cols", required_argument, NULL, OPT_COLS},
                                         {"frames", required_argument, NULL, OPT_FRAMES},
                                         {"dtype", required_argument, NULL, OPT_DTYPE},
                                         {"rate", required_argument, NULL, OPT_RATE},
                                         {"beta", required_argument, NULL, OPT_BETA},
                                         {"tau0", required_argument, NULL, OPT_TAU0},
                                         {"tau-exponent", required_argument, NULL, OPT_TAU_EXP},
                                         {"n-dq", required_argument, NULL, OPT_NDQ},
                                         {"sq-per-dq", required_argument, NULL, OPT_SQ},
                                         {"gzip", required_argument, NULL, OPT_GZIP},
                                         {"chunk-frames", required_argument, NULL, OPT_CHUNK},
                                         {"seed", required_argument, NULL, OPT_SEED},
                                         {"constant", required_argument, NULL, OPT_CONST},
                                         {"hot", required_argument, NULL, OPT_HOT},
                                         {"dead", required_argument, NULL, OPT_DEAD},
                                         {"frame-time", required_argument, NULL, OPT_FRAME_TIME},
                                         {"count-time", required_argument, NULL, OPT_COUNT_TIME},
                                         {"energy", required_argument, NULL, OPT_ENERGY},
                                         {"pixel-size", required_argument, NULL, OPT_PIXEL},
                                         {"det-dist", required_argument, NULL, OPT_DIST},
                                         {"beam-center-x", required_argument, NULL, OPT_BCX},
                                         {"beam-center-y", required_argument, NULL, OPT_BCY},
                                         {"beamstop", required_argument, NULL, OPT_BEAMSTOP},
                                         {"no-metadata", no_argument, NULL, OPT_NO_META},
                                         {"format", required_argument, NULL, OPT_FORMAT},
                                         {"iid", no_argument, NULL, OPT_IID},
                                         {NULL, 0, NULL, 0}};

    xpcs_synth_params_default(p);
    *help = 0;
    opterr = 0; /* we report errors ourselves */
    xpcs_status st = XPCS_OK;
    int c, li = 0;
    while (st == XPCS_OK && (c = getopt_long(argc, argv, ":o:n:h", opts, &li)) != -1) {
        const char *a = optarg;
        const char *on = (c >= OPT_ROWS) ? opts[li].name : "";
        switch (c) {
        case 'o':
            p->outdir = a;
            break;
        case 'n':
            p->name = a;
            break;
        case 'h':
            *help = 1;
            break;
        case OPT_ROWS:
            st = parse_long(on, a, &p->rows, err);
            break;
        case OPT_COLS:
            st = parse_long(on, a, &p->cols, err);
            break;
        case OPT_FRAMES:
            st = parse_long(on, a, &p->frames, err);
            break;
        case OPT_DTYPE:
            if (strcmp(a, "u8") == 0)
                p->dtype = XPCS_SYNTH_U8;
            else if (strcmp(a, "u16") == 0)
                p->dtype = XPCS_SYNTH_U16;
            else if (strcmp(a, "u32") == 0)
                p->dtype = XPCS_SYNTH_U32;
            else
                st =
                    xpcs_fail(err, XPCS_ERR_USAGE, "--dtype: expected u8, u16 or u32, got '%s'", a);
            break;
        case OPT_RATE:
            st = parse_double(on, a, &p->rate, err);
            break;
        case OPT_BETA:
            st = parse_double(on, a, &p->beta, err);
            break;
        case OPT_TAU0:
            st = parse_double(on, a, &p->tau0, err);
            break;
        case OPT_TAU_EXP:
            st = parse_double(on, a, &p->tau_exponent, err);
            break;
        case OPT_NDQ:
            st = parse_int(on, a, &p->n_dq, err);
            break;
        case OPT_SQ:
            st = parse_int(on, a, &p->sq_per_dq, err);
            break;
        case OPT_GZIP:
            st = parse_int(on, a, &p->gzip, err);
            break;
        case OPT_CHUNK:
            st = parse_long(on, a, &p->chunk_frames, err);
            break;
        case OPT_SEED:
            st = parse_u64(on, a, &p->seed, err);
            break;
        case OPT_CONST: {
            uint64_t v = 0;
            st = parse_u64(on, a, &v, err);
            if (st == XPCS_OK && v > UINT32_MAX)
                st = xpcs_fail(err, XPCS_ERR_USAGE, "--constant: %s exceeds 2^32-1", a);
            p->constant_mode = 1;
            p->constant_value = (uint32_t)v;
            break;
        }
        case OPT_HOT:
            st = parse_long(on, a, &p->n_hot, err);
            break;
        case OPT_DEAD:
            st = parse_long(on, a, &p->n_dead, err);
            break;
        case OPT_FRAME_TIME:
            st = parse_double(on, a, &p->frame_time, err);
            break;
        case OPT_COUNT_TIME:
            st = parse_double(on, a, &p->count_time, err);
            break;
        case OPT_ENERGY:
            st = parse_double(on, a, &p->energy_kev, err);
            break;
        case OPT_PIXEL:
            st = parse_double(on, a, &p->pixel_size_mm, err);
            break;
        case OPT_DIST:
            st = parse_double(on, a, &p->det_dist_mm, err);
            break;
        case OPT_BCX:
            st = parse_double(on, a, &p->beam_center_x, err);
            break;
        case OPT_BCY:
            st = parse_double(on, a, &p->beam_center_y, err);
            break;
        case OPT_BEAMSTOP:
            st = parse_double(on, a, &p->beamstop_px, err);
            break;
        case OPT_NO_META:
            p->write_metadata = 0;
            break;
        case OPT_FORMAT:
            if (strcmp(a, "h5") == 0)
                p->format = XPCS_SYNTH_FMT_H5;
            else if (strcmp(a, "rigaku") == 0)
                p->format = XPCS_SYNTH_FMT_RIGAKU;
            else if (strcmp(a, "both") == 0)
                p->format = XPCS_SYNTH_FMT_H5 | XPCS_SYNTH_FMT_RIGAKU;
            else if (strcmp(a, "rigaku3m") == 0)
                p->format = XPCS_SYNTH_FMT_RIGAKU3M;
            else if (strcmp(a, "both3m") == 0)
                p->format = XPCS_SYNTH_FMT_H5 | XPCS_SYNTH_FMT_RIGAKU3M;
            else
                st = xpcs_fail(err, XPCS_ERR_USAGE,
                               "--format: expected h5, rigaku, both, rigaku3m or both3m, got '%s'",
                               a);
            break;
        case OPT_IID:
            p->iid = 1;
            break;
        case ':':
            st = xpcs_fail(err, XPCS_ERR_USAGE, "option '%s' needs a value (see --help)",
                           argv[optind - 1]);
            break;
        default:
            st = xpcs_fail(err, XPCS_ERR_USAGE, "unknown option '%s' (see --help)",
                           argv[optind - 1]);
            break;
        }
    }
    if (st == XPCS_OK && !*help && optind < argc)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    if (st == XPCS_OK && !*help)
        st = xpcs_synth_check(p, err);
    return st;
}

/* xpcs-synth is serial (no MPI).  Started by a launcher (mpirun, srun) as
 * several processes, only the first writes: the others would write the same
 * files at the same time. */
static int launcher_rank(void)
{
    /* Open MPI, PMIx and PMI launchers (the names only: no MPI here) */
    const char *vars[] = {"OMPI" "_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return atoi(v);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (launcher_rank() > 0)
        return 0;
    xpcs_err err = {{0}};
    xpcs_synth_params p;
    int help = 0;
    int st = (int)parse_args(argc, argv, &p, &help, &err);
    if (st == XPCS_OK && !help)
        st = (int)xpcs_synth_write(&p, &err);
    if (st != XPCS_OK) {
        fprintf(stderr, "xpcs-synth: error: %s\n", err.msg[0] ? err.msg : "failed");
    }
    else if (help) {
        usage(stdout);
    }
    else {
        char path[4096];
        for (int i = XPCS_SYNTH_FILE_DATA; i < XPCS_SYNTH_N_FILES; i++) {
            if ((i == XPCS_SYNTH_FILE_METADATA && !p.write_metadata) ||
                (i == XPCS_SYNTH_FILE_DATA && !(p.format & XPCS_SYNTH_FMT_H5)) ||
                (i == XPCS_SYNTH_FILE_BIN && !(p.format & XPCS_SYNTH_FMT_RIGAKU)) ||
                (i >= XPCS_SYNTH_FILE_BIN3M && !(p.format & XPCS_SYNTH_FMT_RIGAKU3M)))
                continue;
            if (xpcs_synth_path(&p, (xpcs_synth_file)i, path, sizeof path, &err) == XPCS_OK)
                printf("%s\n", path);
        }
        fflush(stdout);
    }
    return st;
}
