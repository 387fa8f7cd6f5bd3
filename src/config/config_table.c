/* config_table: xpcs-corr's option table (config.h): every option, every
 * key of boost_corr's JSON config and every site setting, once. */
#include "xpcs/config/config.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/config/optparse.h"
#include "xpcs/monitor/provenance.h"

/* ---- special rows ------------------------------------------------------------ */

static void set_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s);
}

static void add_raw_arg(xpcs_config *c, const char *path)
{
    char **a = xpcs_malloc(sizeof(char *) * (size_t)(c->n_raw_args + 1));
    if (c->n_raw_args)
        memcpy(a, c->raw_args, sizeof(char *) * (size_t)c->n_raw_args);
    free(c->raw_args);
    c->raw_args = a;
    size_t n = strlen(path) + 1;
    c->raw_args[c->n_raw_args] = memcpy(xpcs_malloc(n), path, n);
    c->n_raw_args++;
}

/* -r FILE (repeatable) and the positional raw files: the first one names the
 * run, all of them are the batch's; boost_corr's "raw" key is one file. */
static xpcs_status on_raw(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v, xpcs_err *err)
{
    xpcs_config *c = xpcs_opts_obj(o);
    if (v->item)
        return xpcs_opts_store(o, row, v, err);
    if (c->n_raw_args == 0)
        set_str(c->raw, sizeof c->raw, v->text);
    add_raw_arg(c, v->text);
    return XPCS_OK;
}

/* fit_range: "A:B", or [A, B] in a config file. */
static xpcs_status on_fit_range(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                xpcs_err *err)
{
    xpcs_config *c = xpcs_opts_obj(o);
    const cJSON *it = v->item;
    if (!it || cJSON_IsString(it))
        set_str(c->fit_range, sizeof c->fit_range, it ? it->valuestring : v->text);
    else if (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 2 &&
             cJSON_IsNumber(cJSON_GetArrayItem(it, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(it, 1)))
        snprintf(c->fit_range, sizeof c->fit_range, "%.17g:%.17g",
                 cJSON_GetArrayItem(it, 0)->valuedouble, cJSON_GetArrayItem(it, 1)->valuedouble);
    else
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected %s", v->where, row->key,
                         row->expect);
    return XPCS_OK;
}

/* --bin-time-s, --run-config-path: Timepix4 input.  In a config file (boost_corr
 * writes bin_time_s and run_config_path: null into every dry-run dump) they
 * have no effect and are named; a Timepix4 run configuration is refused. */
static xpcs_status on_timepix(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                              xpcs_err *err)
{
    const cJSON *it = v->item;
    if (it && (cJSON_IsNull(it) || strcmp(row->key, "bin_time_s") == 0)) {
        if (xpcs_opts_print(o))
            fprintf(stderr,
                    "xpcs-corr: note: %s: key '%s' has no effect here (Timepix4 input only)\n",
                    v->where, row->key);
        return XPCS_OK;
    }
    if (it)
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': Timepix4 input is not supported",
                         v->where, row->key);
    return xpcs_fail(err, XPCS_ERR_USAGE, "option --%s: Timepix4 input is not supported",
                     row->name);
}

/* --set SECTION.KEY=VALUE: any setting, as the command line. */
static xpcs_status on_set(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v, xpcs_err *err)
{
    (void)row;
    const char *text = v->text;
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    char section[64], key[64];
    if (!eq || !dot || dot > eq || (size_t)(dot - text) >= sizeof section ||
        (size_t)(eq - dot - 1) >= sizeof key)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "option --set '%s': expected SECTION.KEY=VALUE, e.g. "
                         "monitoring.progress=off",
                         text);
    snprintf(section, sizeof section, "%.*s", (int)(dot - text), text);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    int idx = xpcs_opts_find(xpcs_config_table(), section, key);
    if (idx < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "option --set: unknown key '%s.%s'", section, key);
    return xpcs_opts_apply_text(o, idx, eq + 1, "option --set", XPCS_SRC_CLI, err);
}

static xpcs_status on_help(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                           xpcs_err *err)
{
    (void)row, (void)v, (void)err;
    if (xpcs_opts_print(o)) /* rank 0 */
        xpcs_config_usage(stdout);
    *(int *)xpcs_opts_user(o) = 1; /* exit_now */
    return XPCS_OK;
}

static xpcs_status on_version(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                              xpcs_err *err)
{
    (void)row, (void)v, (void)err;
    if (xpcs_opts_print(o)) /* rank 0 */
        xpcs_provenance_print(stdout, "xpcs-corr");
    *(int *)xpcs_opts_user(o) = 1;
    return XPCS_OK;
}

/* ---- the table --------------------------------------------------------------- */

static const xpcs_opt_choice analysis_choices[] = {{"multitau", XPCS_ANALYSIS_MULTITAU, "Multitau"},
                                                   {"twotime", XPCS_ANALYSIS_TWOTIME, "Twotime"},
                                                   {"both", XPCS_ANALYSIS_BOTH, "Both"},
                                                   {"linear", XPCS_ANALYSIS_LINEAR, "Linear"},
                                                   {NULL, 0, NULL}};
static const xpcs_opt_choice kernel_choices[] = {{"dense", XPCS_KERNEL_DENSE, NULL},
                                                 {"sparse", XPCS_KERNEL_SPARSE, NULL},
                                                 {"auto", XPCS_KERNEL_AUTO, NULL},
                                                 {NULL, 0, NULL}};

#define F(field) .off = offsetof(xpcs_config, field), .size = sizeof(((xpcs_config *)0)->field)
#define THR(ind, which)                                                                            \
    .off = offsetof(xpcs_config, site.threshold[ind].which), .size = sizeof(double)
#define P XPCS_OPTF_PRINT
#define E XPCS_OPTF_EFFECTIVE

/* The order is the order of --help, of the -v line and of the effective
 * config's top-level keys; the settings come out by section. */
static const xpcs_opt rows[] = {
    {.name = "raw",
     .letter = 'r',
     .key = "raw",
     .type = XPCS_OPT_STR,
     F(raw),
     .fn = on_raw,
     .arg = "FILE",
     .flags = P | E,
     .help = "raw HDF5 file (uint8/16/32 frames) or Rigaku .bin events\n"
             "(NAME.bin: 500k; NAME.bin.000 ... .005: 3M modules)"},
    {.name = "qmap",
     .letter = 'q',
     .key = "qmap",
     .type = XPCS_OPT_STR,
     F(qmap),
     .arg = "FILE",
     .flags = P | E,
     .help = "q-map file (/qmap group)"},
    {.name = "output",
     .letter = 'o',
     .key = "output",
     .type = XPCS_OPT_STR,
     F(output),
     .def = "cluster_results",
     .arg = "DIR",
     .flags = P | E,
     .help = "output directory (default cluster_results)"},
    {.name = "dataset",
     .key = "dataset",
     .type = XPCS_OPT_STR,
     F(dataset),
     .def = "/entry/data/data",
     .arg = "PATH",
     .flags = P,
     .help = "frames dataset (default /entry/data/data)"},
    {.name = "type",
     .letter = 't',
     .key = "type",
     .type = XPCS_OPT_CHOICE,
     F(analysis),
     .choices = analysis_choices,
     .def = "multitau",
     .label = "-t",
     .arg = "TYPE",
     .flags = XPCS_OPTF_NOCASE | P | E,
     .help = "multitau (default), twotime, both (multitau + twotime),\n"
             "linear (g2 at every lag 1..--max-lag, FFTW)"},
    {.name = "begin-frame",
     .letter = 'b',
     .key = "begin_frame",
     .type = XPCS_OPT_I64,
     F(begin_frame),
     .arg = "N",
     .flags = P | E,
     .help = "first frame, 0-based; negative counts from the end"},
    {.name = "end-frame",
     .letter = 'e',
     .key = "end_frame",
     .type = XPCS_OPT_I64,
     F(end_frame),
     .def = "-1",
     .arg = "N",
     .flags = P | E,
     .help = "end frame, exclusive; -1 = last frame (default)"},
    {.name = "stride-frame",
     .letter = 'f',
     .key = "stride_frame",
     .type = XPCS_OPT_I64,
     F(stride_frame),
     .def = "1",
     .lo = 1,
     .hi = 1e18,
     .arg = "N",
     .flags = P | E,
     .help = "use every N-th frame (default 1)"},
    {.name = "avg-frame",
     .letter = 'a',
     .key = "avg_frame",
     .type = XPCS_OPT_I64,
     F(avg_frame),
     .def = "1",
     .lo = 1,
     .hi = 1e18,
     .arg = "N",
     .flags = P | E,
     .help = "average N consecutive used frames (default 1)"},
    {.name = "normalize-frame",
     .dash = "-nf",
     .key = "normalize_frame",
     .env = "XPCS_NORMALIZE_FRAME",
     .type = XPCS_OPT_SWITCH,
     F(normalize_frame),
     .def = "1",
     .lo = 0,
     .hi = 1,
     .expect = "0 or 1",
     .label = "-nf/--normalize-frame",
     .arg = "0|1",
     .flags = XPCS_OPTF_OPTARG | XPCS_OPTF_NUMARG | P | E,
     .help = "1: divide each frame by its mean count per valid pixel\n"
             "before correlating; 0: off.  Default 1 (on), as boost_corr's\n"
             "command line (XPCS_NORMALIZE_FRAME=0 makes off the default)"},
    {.name = "dq-selection",
     .letter = 'd',
     .key = "dq_selection",
     .type = XPCS_OPT_STR,
     F(dq_selection),
     .def = "all",
     .arg = "SEL",
     .flags = XPCS_OPTF_LIST | P | E,
     .help = "dynamic bins, e.g. 1,3,5-7 or all: the two-time maps\n"
             "computed (multitau and linear compute every bin)"},
    {.name = "overwrite",
     .letter = 'w',
     .key = "overwrite",
     .type = XPCS_OPT_FLAG,
     F(overwrite),
     .flags = P | E,
     .help = "replace an existing result file"},
    {.name = "max-memory",
     .key = "max_memory",
     .type = XPCS_OPT_F64,
     F(max_memory_mb),
     .arg = "MIB",
     .lo = 0,
     .hi = 1e12,
     .expect = "a number (MiB)",
     .show = "max_memory_mb",
     .flags = P,
     .help = "memory budget per rank (default: 50% of RAM / ranks)"},
    {.name = "step-frames",
     .type = XPCS_OPT_I64,
     F(step_frames),
     .arg = "N",
     .lo = 0,
     .hi = 1e12,
     .expect = "a number of frames >= 0 (0 = automatic)",
     .flags = P,
     .help = "frames per pipeline step (default: automatic)"},
    {.name = "verbose",
     .letter = 'v',
     .key = "verbose",
     .type = XPCS_OPT_COUNT,
     F(verbose),
     .flags = E,
     .help = "print the plan and the effective configuration"},
    {.name = "frame-time",
     .key = "frame_time",
     .type = XPCS_OPT_F64,
     F(frame_time),
     .arg = "S",
     .lo = 0,
     .hi = 1e9,
     .expect = "a time in s >= 0",
     .flags = E,
     .help = "frame time in s when no <raw>_metadata.hdf exists"},
    {.name = "count-time",
     .key = "count_time",
     .type = XPCS_OPT_F64,
     F(count_time),
     .arg = "S",
     .lo = 0,
     .hi = 1e9,
     .expect = "a time in s >= 0",
     .flags = E,
     .help = "count time in s (default: frame time)"},
    {.name = "config",
     .letter = 'c',
     .key = "config_file",
     .type = XPCS_OPT_STR,
     F(config_file),
     .arg = "FILE",
     .show = "config",
     .flags = XPCS_OPTF_EARLY | XPCS_OPTF_NOFILE | P | XPCS_OPTF_PRINT_SET | E,
     .help = "JSON or YAML config: boost_corr's keys and the sections\n"
             "threading, memory, io, monitoring (command line wins;\n"
             "XPCS_* environment variables sit below the file)"},
    {.name = "max-lag",
     .key = "max_lag",
     .type = XPCS_OPT_I64,
     F(max_lag),
     .arg = "N",
     .lo = 0,
     .hi = 1e18,
     .expect = "a lag in frames >= 1 (0 = auto)",
     .help = "linear: largest lag (default: all lags that fit the\nmemory budget)"},
    {.name = "fftw-wisdom",
     .key = "fftw_wisdom",
     .type = XPCS_OPT_STR,
     F(fftw_wisdom),
     .arg = "FILE",
     .help = "linear: FFTW wisdom read before and saved after planning"},
    {.name = "smooth",
     .letter = 's',
     .key = "smooth",
     .type = XPCS_OPT_STR,
     F(smooth),
     .def = "sqmap",
     .arg = "MODE",
     .help = "twotime: sqmap (default), dqmap or none"},
    {.name = "dry-run",
     .letter = 'n',
     .key = "dry_run",
     .type = XPCS_OPT_FLAG,
     F(dry_run),
     .help = "print the plan and, last, dry_run_only; nothing is read\n"
             "(config key dry_run, or dryrun as in boost_corr's example)"},
    {.key = "dryrun", .type = XPCS_OPT_FLAG, F(dry_run), .flags = XPCS_OPTF_HIDDEN},
    {.name = "fit",
     .key = "fit",
     .type = XPCS_OPT_STR,
     F(fit),
     .arg = "MODEL",
     .expect = "a model name (single, stretched, double)",
     .help = "then fit g2 and tau(q) into /xpcs/fit/MODEL:\n"
             "single, stretched or double (as xpcs-fit)"},
    {.name = "fit-range",
     .key = "fit_range",
     .type = XPCS_OPT_CALL,
     .fn = on_fit_range,
     .arg = "A:B",
     .expect = "\"TMIN:TMAX\" or [TMIN, TMAX] in seconds",
     .help = "fit delays A <= t <= B in seconds"},
    {.name = "kernel",
     .key = "kernel",
     .type = XPCS_OPT_CHOICE,
     F(kernel),
     .choices = kernel_choices,
     .def = "auto",
     .arg = "K",
     .help = "multitau on dense frames, on photon events (sparse),\n"
             "or auto: by the occupancy of the first frames (default)"},
    {.type = XPCS_OPT_TEXT,
     .help = "Batch (README \"Batch runs\"): -r repeated, -r 'DIR/A*.h5' (pattern) or extra\n"
             "arguments (a shell glob), and/or a list file; results that exist are skipped."},
    {.type = XPCS_OPT_ARGS,
     .fn = on_raw,
     .arg = "RAW...",
     .help = "more raw files (same options and -q)"},
    {.name = "raw-list",
     .type = XPCS_OPT_STR,
     F(raw_list),
     .arg = "FILE",
     .help = "raw files, one per line: RAW [QMAP]"},
    {.name = "ranks-per-file",
     .type = XPCS_OPT_INT,
     F(ranks_per_file),
     .lo = 1,
     .hi = 1000000,
     .expect = ">= 1",
     .arg = "N",
     .help = "ranks per file (default: chosen from the file sizes)"},
    {.name = "threads",
     .type = XPCS_OPT_INT,
     F(site.num_threads),
     .lo = 0,
     .hi = 4096,
     .arg = "N",
     .help = "OpenMP threads per rank (threading.num_threads)"},
    {.name = "fail-on-critical",
     .type = XPCS_OPT_FLAG,
     F(site.fail_on_critical),
     .help = "exit 8 when a health indicator is critical"},
    {.name = "set",
     .type = XPCS_OPT_CALL,
     .fn = on_set,
     .arg = "SECTION.KEY=V",
     .help = "any setting, e.g. --set monitoring.progress=off"},
    {.name = "help",
     .letter = 'h',
     .type = XPCS_OPT_CALL,
     .fn = on_help,
     .flags = XPCS_OPTF_STOP,
     .help = "this text"},
    {.name = "version",
     .type = XPCS_OPT_CALL,
     .fn = on_version,
     .flags = XPCS_OPTF_STOP,
     .help = "version, build and the SIMD level and BLAS it runs with"},
    /* boost_corr's options (README "Coming from boost_corr") */
    {.type = XPCS_OPT_TEXT, .help = "boost_corr's options (same spellings and meaning):"},
    {.name = "gpu-id",
     .letter = 'i',
     .key = "gpu_id",
     .type = XPCS_OPT_INT,
     F(gpu_id),
     .def = "-1",
     .arg = "ID",
     .flags = E,
     .help = "-1: CPU (default); any other value runs on the CPU too,\n"
             "with a note (no GPU code here); also --gpu_id"},
    {.name = "gpu_id", .type = XPCS_OPT_INT, F(gpu_id), .flags = XPCS_OPTF_HIDDEN},
    {.name = "save-G2",
     .letter = 'G',
     .key = "save_G2",
     .type = XPCS_OPT_FLAG,
     F(save_g2),
     .flags = E,
     .help = "per-pixel G2, IP, IF (n_tau, 3, rows, cols) float32 in\n"
             "<result>_G2.hdf, linked from /xpcs/multitau/unnormalized_G2;\n"
             "also --save_G2"},
    {.name = "save_G2", .type = XPCS_OPT_FLAG, F(save_g2), .flags = XPCS_OPTF_HIDDEN},
    {.name = "num-partial-g2",
     .dash = "-np",
     .key = "num_partial_g2",
     .type = XPCS_OPT_INT,
     F(num_partial_g2),
     .lo = 0,
     .hi = 1e6,
     .expect = "a number of partial g2 >= 0",
     .label = "-np/--num-partial-g2",
     .arg = "N",
     .flags = E,
     .help = "partial g2 of the first k of N equal segments, k = 1..N\n"
             "(/xpcs/multitau/normalized_g2_partial); 0: none"},
    {.name = "crop-ratio-threshold",
     .key = "crop_ratio_threshold",
     .type = XPCS_OPT_F64,
     F(crop_ratio_threshold),
     .def = "0.5",
     .lo = 0,
     .hi = 1,
     .expect = "a ratio in [0, 1]",
     .arg = "R",
     .flags = E,
     .help = "recorded; no effect: only valid pixels are ever correlated"},
    {.name = "prefix",
     .letter = 'p',
     .key = "prefix",
     .type = XPCS_OPT_STR,
     F(prefix),
     .arg = "TEXT",
     .flags = E,
     .help = "result name PREFIX_<name>_results.hdf"},
    {.name = "suffix",
     .letter = 'u',
     .key = "suffix",
     .type = XPCS_OPT_STR,
     F(suffix),
     .arg = "TEXT",
     .flags = E,
     .help = "result name <name>_SUFFIX_results.hdf"},
    {.name = "bin-time-s",
     .key = "bin_time_s",
     .type = XPCS_OPT_CALL,
     .fn = on_timepix,
     .arg = "S",
     .help = "Timepix4 only: refused (Timepix4 input is not supported)"},
    {.name = "run-config-path",
     .key = "run_config_path",
     .type = XPCS_OPT_CALL,
     .fn = on_timepix,
     .arg = "FILE",
     .help = "Timepix4 only: refused (Timepix4 input is not supported)"},
    {.key = "batch_size",
     .type = XPCS_OPT_IGNORE,
     .flags = XPCS_OPTF_NOTE,
     .help = "boost_corr's GPU batch of frames (steps: --step-frames)"},
    {.key = "num_loaders",
     .type = XPCS_OPT_IGNORE,
     .flags = XPCS_OPTF_NOTE,
     .help = "boost_corr's data-loader processes (every rank reads its own frames)"},
    {.key = "config",
     .type = XPCS_OPT_IGNORE,
     .flags = XPCS_OPTF_NOTE,
     .help = "boost_corr's dry-run dump names its own -c file there"},
    /* the site settings: SECTION.KEY in config files and --set, XPCS_KEY */
    {.section = "threading",
     .key = "num_threads",
     .env = "XPCS_NUM_THREADS",
     .type = XPCS_OPT_INT,
     F(site.num_threads),
     .lo = 0,
     .hi = 4096,
     .help = "OpenMP threads per rank (0: OMP_NUM_THREADS / OpenMP's default)"},
    {.section = "memory",
     .key = "max_memory_mb",
     .env = "XPCS_MAX_MEMORY_MB",
     .type = XPCS_OPT_F64,
     F(max_memory_mb),
     .lo = 0,
     .hi = 1e12,
     .help = "memory budget per rank in MiB (0: half the node's RAM / ranks on the node)"},
    {.section = "io",
     .key = "dataset",
     .env = "XPCS_DATASET",
     .type = XPCS_OPT_STR,
     F(dataset),
     .help = "frames dataset in the raw file"},
    {.section = "io",
     .key = "step_frames",
     .env = "XPCS_STEP_FRAMES",
     .type = XPCS_OPT_I64,
     F(step_frames),
     .lo = 0,
     .hi = 1e12,
     .help = "frames per pipeline step (0: automatic)"},
    {.section = "io",
     .key = "storage_bandwidth_gbps",
     .env = "XPCS_STORAGE_BANDWIDTH_GBPS",
     .type = XPCS_OPT_F64,
     F(site.storage_bandwidth_gbps),
     .lo = 0,
     .hi = 1e9,
     .help = "what the storage delivers to a bare read, GB/s (0: unknown)"},
    {.section = "io",
     .key = "measure_storage_bandwidth",
     .env = "XPCS_MEASURE_STORAGE_BANDWIDTH",
     .type = XPCS_OPT_BOOL,
     F(site.measure_storage_bandwidth),
     .help = "measure it with a bare read of the raw file before the run"},
    {.section = "monitoring",
     .key = "enable_profiling",
     .env = "XPCS_ENABLE_PROFILING",
     .type = XPCS_OPT_BOOL,
     F(site.enable_profiling),
     .def = "true",
     .help = "write OUTDIR/<stem>_profile.json and print the profile table"},
    {.section = "monitoring",
     .key = "enable_report",
     .env = "XPCS_ENABLE_REPORT",
     .type = XPCS_OPT_BOOL,
     F(site.enable_report),
     .def = "true",
     .help = "write OUTDIR/<stem>_report.html"},
    {.section = "monitoring",
     .key = "progress",
     .env = "XPCS_PROGRESS",
     .type = XPCS_OPT_CHOICE,
     F(site.progress),
     .codec = &xpcs_progress_codec,
     .def = "auto",
     .help = "auto (live line on a terminal, plain lines otherwise), live, lines or off"},
    {.section = "monitoring",
     .key = "progress_interval_s",
     .env = "XPCS_PROGRESS_INTERVAL_S",
     .type = XPCS_OPT_F64,
     F(site.progress_interval_s),
     .lo = 0,
     .hi = 1e9,
     .def = "10",
     .help = "seconds between plain progress lines"},
    {.section = "monitoring",
     .key = "fail_on_critical",
     .env = "XPCS_FAIL_ON_CRITICAL",
     .type = XPCS_OPT_BOOL,
     F(site.fail_on_critical),
     .help = "exit with status 8 when a health indicator is critical"},
    {.section = "monitoring",
     .key = "alert_threshold_efficiency",
     .env = "XPCS_ALERT_THRESHOLD_EFFICIENCY",
     .type = XPCS_OPT_F64,
     THR(XPCS_IND_EFFICIENCY, target),
     .lo = 0,
     .hi = 1000,
     .help = "parallel efficiency target, percent (ok above)"},
    {.section = "monitoring",
     .key = "critical_threshold_efficiency",
     .env = "XPCS_CRITICAL_THRESHOLD_EFFICIENCY",
     .type = XPCS_OPT_F64,
     THR(XPCS_IND_EFFICIENCY, critical),
     .lo = 0,
     .hi = 1000,
     .help = "parallel efficiency critical below, percent"},
    {.section = "monitoring",
     .key = "alert_threshold_memory",
     .env = "XPCS_ALERT_THRESHOLD_MEMORY",
     .type = XPCS_OPT_F64,
     THR(XPCS_IND_MEMORY, target),
     .lo = 0,
     .hi = 1000,
     .help = "memory target, percent of the budget (ok below)"},
    {.section = "monitoring",
     .key = "critical_threshold_memory",
     .env = "XPCS_CRITICAL_THRESHOLD_MEMORY",
     .type = XPCS_OPT_F64,
     THR(XPCS_IND_MEMORY, critical),
     .lo = 0,
     .hi = 1000,
     .help = "memory critical above, percent of the budget"},
    {.section = "monitoring",
     .key = "alert_threshold_io",
     .env = "XPCS_ALERT_THRESHOLD_IO",
     .type = XPCS_OPT_F64,
     THR(XPCS_IND_IO, target),
     .lo = 0,
     .hi = 1000,
     .help = "I/O target, percent of the storage bandwidth (ok above)"},
    {.section = "monitoring",
     .key = "critical_threshold_io",
     .env = "XPCS_CRITICAL_THRESHOLD_IO",
     .type = XPCS_OPT_F64,
     THR(XPCS_IND_IO, critical),
     .lo = 0,
     .hi = 1000,
     .help = "I/O critical below, percent of the storage bandwidth"},
};
_Static_assert(sizeof rows / sizeof rows[0] <= XPCS_CONFIG_ROWS, "raise XPCS_CONFIG_ROWS");

static const char *const sections[] = {"threading", "memory", "io", "monitoring", NULL};

static const xpcs_opts_table table = {
    .prog = "xpcs-corr",
    .summary = "MPI + OpenMP XPCS correlator (multi-tau, two-time, linear g2)",
    .rows = rows,
    .n = XPCS_OPTS_N(rows),
    .obj_size = sizeof(xpcs_config),
    .sections = sections,
    .flags = XPCS_OPTS_FINITE, /* no number of xpcs-corr is NaN or infinite */
    .usage_head =
        "usage: mpirun -np N xpcs-corr -r RAW.h5 -q QMAP.h5 [-o OUTDIR] [options]\n"
        "\n"
        "Correlates an XPCS frame stack (/entry/data/data [frames, rows, cols]) and writes\n"
        "OUTDIR/<raw name>_results.hdf in the APS nexus result layout.  The last line on\n"
        "stdout is the result file's path.\n"
        "\n",
    .keys_title = "Keys of the -c file (boost_corr's names; any other key is an error):",
    .settings_title = "Settings: SECTION.KEY in the -c file's sections and in --set, or the\n"
                      "XPCS_* environment variable (command line > file > environment):",
};

#undef P
#undef E

const xpcs_opts_table *xpcs_config_table(void)
{
    return &table;
}

const char *xpcs_kernel_name(xpcs_kernel k)
{
    for (const xpcs_opt_choice *ch = kernel_choices; ch->name; ch++)
        if (ch->value == (int)k)
            return ch->name;
    return "auto";
}

const char *xpcs_analysis_name(xpcs_analysis a)
{
    for (const xpcs_opt_choice *ch = analysis_choices; ch->name; ch++)
        if (ch->value == (int)a)
            return ch->shown;
    return "invalid";
}
