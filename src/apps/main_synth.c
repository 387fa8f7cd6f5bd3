/* xpcs-synth: write a synthetic XPCS data set with known g2 (see xpcs/synth.h).
 *
 * A serial program (serial HDF5 calls through io, no MPI); started by a
 * launcher as several processes, only the first writes.
 */
#define _POSIX_C_SOURCE 200809L

#include "xpcs/apps/synth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/config/optdoc.h"
#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"
#include "xpcs/monitor/provenance.h"

/* What the command line fills: the parameters, and two values of its own. */
typedef struct {
    xpcs_synth_params p;
    uint64_t constant; /* --constant V, checked to fit 32 bits */
    int help;          /* 1 --help, 2 --version */
} synth_args;

/* --constant V: every pixel of every frame = V. */
static xpcs_status on_constant(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                               xpcs_err *err)
{
    synth_args *a = xpcs_opts_obj(o);
    xpcs_status st = xpcs_opts_store(o, row, v, err);
    if (st == XPCS_OK && a->constant > UINT32_MAX)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "--constant: %s exceeds 2^32-1", v->text);
    a->p.constant_mode = 1;
    a->p.constant_value = (uint32_t)a->constant;
    return st;
}

static xpcs_status on_version(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                              xpcs_err *err)
{
    (void)row, (void)v, (void)err;
    ((synth_args *)xpcs_opts_obj(o))->help = 2;
    return XPCS_OK;
}

static const xpcs_opt_choice dtype_choices[] = {{"u8", XPCS_SYNTH_U8, NULL},
                                                {"u16", XPCS_SYNTH_U16, NULL},
                                                {"u32", XPCS_SYNTH_U32, NULL},
                                                {NULL, 0, NULL}};
static const xpcs_opt_choice format_choices[] = {
    {"h5", XPCS_SYNTH_FMT_H5, NULL},
    {"rigaku", XPCS_SYNTH_FMT_RIGAKU, NULL},
    {"both", XPCS_SYNTH_FMT_H5 | XPCS_SYNTH_FMT_RIGAKU, NULL},
    {"rigaku3m", XPCS_SYNTH_FMT_RIGAKU3M, NULL},
    {"both3m", XPCS_SYNTH_FMT_H5 | XPCS_SYNTH_FMT_RIGAKU3M, NULL},
    {NULL, 0, NULL}};

#define F(field) .off = offsetof(synth_args, field), .size = sizeof(((synth_args *)0)->field)
#define NUM(opt, type_, field, metavar, text)                                                      \
    {                                                                                              \
        .name = opt, .type = XPCS_OPT_##type_, F(p.field), .arg = metavar, .help = text            \
    }

/* The defaults are xpcs_synth_params_default's (named in the help). */
static const xpcs_opt synth_rows[] = {
    {.name = "outdir",
     .letter = 'o',
     .type = XPCS_OPT_PTR,
     F(p.outdir),
     .arg = "DIR",
     .help = "output directory (created if missing)"},
    {.name = "name",
     .letter = 'n',
     .type = XPCS_OPT_PTR,
     F(p.name),
     .arg = "NAME",
     .help = "file stem"},
    NUM("rows", LONG, rows, "R", "detector rows (256)"),
    NUM("cols", LONG, cols, "C", "detector columns (256)"),
    NUM("frames", LONG, frames, "N", "number of frames (1000)"),
    {.name = "dtype",
     .type = XPCS_OPT_CHOICE,
     F(p.dtype),
     .choices = dtype_choices,
     .arg = "u8|u16|u32",
     .help = "pixel type (u16)"},
    NUM("rate", F64, rate, "L", "mean photons/pixel/frame, 1e-4..100 (0.1)"),
    NUM("beta", F64, beta, "B", "speckle contrast (0.2)"),
    NUM("tau0", F64, tau0, "T", "correlation time of dynamic bin 1, frames (20)"),
    NUM("tau-exponent", F64, tau_exponent, "X", "tau_k = tau0 * (q_k/q_1)^X (-2)"),
    NUM("n-dq", INT, n_dq, "K", "dynamic q bins (10)"),
    NUM("sq-per-dq", INT, sq_per_dq, "M", "static bins per dynamic bin (3)"),
    NUM("gzip", INT, gzip, "LEVEL", "deflate level, 0 = uncompressed (0)"),
    NUM("chunk-frames", LONG, chunk_frames, "F", "frames per chunk (auto: about 1 MiB per chunk)"),
    NUM("seed", U64, seed, "S", "random seed (1)"),
    {.name = "constant",
     .type = XPCS_OPT_U64,
     F(constant),
     .fn = on_constant,
     .arg = "V",
     .help = "every pixel of every frame = V (no noise, no hot/dead)"},
    NUM("hot", LONG, n_hot, "N", "hot pixels, masked in the qmap (5)"),
    NUM("dead", LONG, n_dead, "N", "dead pixels, masked in the qmap (5)"),
    NUM("frame-time", F64, frame_time, "s", "frame period (1e-3)"),
    NUM("count-time", F64, count_time, "s", "exposure (= frame time)"),
    NUM("energy", F64, energy_kev, "keV", "X-ray energy (10)"),
    NUM("pixel-size", F64, pixel_size_mm, "mm", "pixel pitch (0.075)"),
    NUM("det-dist", F64, det_dist_mm, "mm", "sample-detector distance (5000)"),
    NUM("beam-center-x", F64, beam_center_x, "col", "beam center column (cols*0.5+0.3)"),
    NUM("beam-center-y", F64, beam_center_y, "row", "beam center row (rows*0.5-0.2)"),
    NUM("beamstop", F64, beamstop_px, "R", "beamstop radius in pixels (min(rows,cols)/16)"),
    {.name = "no-metadata",
     .type = XPCS_OPT_FLAG,
     F(p.write_metadata),
     .flags = XPCS_OPTF_NEGATE,
     .help = "do not write NAME_metadata.hdf"},
    {.name = "format",
     .type = XPCS_OPT_CHOICE,
     F(p.format),
     .choices = format_choices,
     .arg = "F",
     .help = "h5 (NAME.h5), rigaku (NAME.bin: Rigaku XSPA-500k events,\n"
             "512 x 1024, counts clipped to 4095) or both (same counts);\n"
             "rigaku3m (NAME.bin.000 ... .005: the six module files of a\n"
             "Rigaku 3M, rows 1676, cols 2100 with gaps) or both3m"},
    {.name = "iid",
     .type = XPCS_OPT_FLAG,
     F(p.iid),
     .help = "independent Poisson(rate) counts, no speckle (fast: cost\n"
             "per event; for benchmarks)"},
    {.name = "help", .letter = 'h', .type = XPCS_OPT_FLAG, F(help), .help = "this text"},
    {.name = "version",
     .type = XPCS_OPT_CALL,
     .fn = on_version,
     .flags = XPCS_OPTF_STOP,
     .help = "version, build and the SIMD level and BLAS it runs with"},
};

static const xpcs_opts_table synth_table = {
    .prog = "xpcs-synth",
    .summary = "write a synthetic XPCS data set with a known g2",
    .rows = synth_rows,
    .n = XPCS_OPTS_N(synth_rows),
    .obj_size = sizeof(synth_args),
    .flags = XPCS_OPTS_FINITE,
    .msgs = {.bad = "%s: expected %s, got '%s'",
             .range = "%s: %s out of range",
             .unknown = "unknown option '%s' (see --help)",
             .missing = "option '%s' needs a value (see --help)"},
    .help_col = 26,
    .usage_head =
        "usage: xpcs-synth -o OUTDIR -n NAME [options]\n"
        "Write OUTDIR/NAME.h5 (stack /entry/data/data [N,rows,cols]), NAME_metadata.hdf,\n"
        "NAME_qmap.h5 and NAME_truth.h5; print their paths one per line.\n"
        "\n",
};

static void usage(FILE *f)
{
    xpcs_opts_usage(&synth_table, f);
}

/* Fills p; *help = 1 when --help was given, 2 for --version. */
static xpcs_status parse_args(int argc, char **argv, xpcs_synth_params *p, int *help, xpcs_err *err)
{
    synth_args a;
    memset(&a, 0, sizeof a);
    xpcs_synth_params_default(&a.p);
    xpcs_opts *o = xpcs_opts_create(&synth_table, &a, NULL, NULL, 0);
    int next = argc;
    xpcs_status st = xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_MAIN, &next, err);
    xpcs_opts_destroy(&o);
    *p = a.p;
    *help = a.help;
    if (st == XPCS_OK && !*help && next < argc)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "unexpected argument '%s' (see --help)", argv[next]);
    if (st == XPCS_OK && !*help)
        st = xpcs_synth_check(p, err);
    return st;
}

/* xpcs-synth is serial (no MPI).  Started by a launcher (mpirun, srun) as
 * several processes, only the first writes: the others would write the same
 * files at the same time. */
static int launcher_rank(void)
{
    /* Open MPI, PMIx and PMI launchers (their environment only: no MPI here) */
    static const char ompi_rank[] = "OMPI"
                                    "_COMM_WORLD_RANK";
    const char *vars[] = {ompi_rank, "PMIX_RANK", "PMI_RANK"};
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
    if (xpcs_opts_doc(&synth_table, argc, argv, stdout)) /* --man, --completion */
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
    else if (help == 2) {
        xpcs_provenance_print(stdout, "xpcs-synth");
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
