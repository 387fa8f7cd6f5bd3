#include "xpcs/config/config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/kernels/fit.h"
#include "xpcs/config/settings.h"

void xpcs_config_default(xpcs_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->output, sizeof c->output, "cluster_results");
    snprintf(c->dataset, sizeof c->dataset, "/entry/data/data");
    snprintf(c->dq_selection, sizeof c->dq_selection, "all");
    c->analysis = XPCS_ANALYSIS_MULTITAU;
    c->begin_frame = 0;
    c->end_frame = -1;
    c->stride_frame = 1;
    c->avg_frame = 1;
    snprintf(c->smooth, sizeof c->smooth, "sqmap");
    xpcs_settings_default(c);
}

void xpcs_config_free(xpcs_config *c)
{
    for (int i = 0; i < c->n_raw_args; i++)
        free(c->raw_args[i]);
    free(c->raw_args);
    c->raw_args = NULL;
    c->n_raw_args = 0;
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

const char *xpcs_kernel_name(xpcs_kernel k)
{
    return k == XPCS_KERNEL_DENSE ? "dense" : k == XPCS_KERNEL_SPARSE ? "sparse" : "auto";
}

static xpcs_status set_kernel(xpcs_config *c, const char *s, xpcs_err *err)
{
    for (int k = XPCS_KERNEL_AUTO; k <= XPCS_KERNEL_SPARSE; k++)
        if (strcmp(s, xpcs_kernel_name((xpcs_kernel)k)) == 0) {
            c->kernel = (xpcs_kernel)k;
            return XPCS_OK;
        }
    return xpcs_fail(err, XPCS_ERR_USAGE,
                     "option --kernel: expected dense, sparse or auto, got '%s'", s);
}

const char *xpcs_analysis_name(xpcs_analysis a)
{
    switch (a) {
    case XPCS_ANALYSIS_MULTITAU:
        return "Multitau";
    case XPCS_ANALYSIS_TWOTIME:
        return "Twotime";
    case XPCS_ANALYSIS_BOTH:
        return "Both";
    case XPCS_ANALYSIS_LINEAR:
        return "Linear";
    default:
        return "invalid";
    }
}

void xpcs_config_usage(FILE *out)
{
    fprintf(out,
            "usage: mpirun -np N xpcs-corr -r RAW.h5 -q QMAP.h5 [-o OUTDIR] [options]\n"
            "\n"
            "Correlates an XPCS frame stack (/entry/data/data [frames, rows, cols]) and writes\n"
            "OUTDIR/<raw name>_results.hdf in the APS nexus result layout.  The last line on\n"
            "stdout is the result file's path.\n"
            "\n"
            "  -r, --raw FILE            raw HDF5 file (uint8/16/32 frames) or Rigaku .bin events\n"
            "                            (NAME.bin: 500k; NAME.bin.000 ... .005: 3M modules)\n"
            "  -q, --qmap FILE           q-map file (/qmap group)\n"
            "  -o, --output DIR          output directory (default cluster_results)\n"
            "  -t, --type TYPE           multitau (default), twotime, both (multitau + twotime),\n"
            "                            linear (g2 at every lag 1..--max-lag, FFTW)\n"
            "      --max-lag N           linear: largest lag (default: all lags that fit the\n"
            "                            memory budget)\n"
            "      --fftw-wisdom FILE    linear: FFTW wisdom read before and saved after planning\n"
            "  -s, --smooth MODE         twotime: sqmap (default), dqmap or none\n"
            "  -b, --begin-frame N       first frame, 0-based; negative counts from the end\n"
            "  -e, --end-frame N         end frame, exclusive; -1 = last frame (default)\n"
            "  -f, --stride-frame N      use every N-th frame (default 1)\n"
            "  -a, --avg-frame N         average N consecutive used frames (default 1)\n"
            "      --normalize-frame[=0|1]  divide each frame by its mean count per valid pixel\n"
            "  -d, --dq-selection SEL    dynamic bins, e.g. 1,3,5-7 or all: the two-time maps\n"
            "                            computed (multitau and linear compute every bin)\n"
            "  -w, --overwrite           replace an existing result file\n"
            "  -v, --verbose             print the plan and the effective configuration\n"
            "  -c, --config FILE         JSON or YAML config: boost_corr's keys and the sections\n"
            "                            threading, memory, io, monitoring (command line wins;\n"
            "                            XPCS_* environment variables sit below the file)\n"
            "      --dataset PATH        frames dataset (default /entry/data/data)\n"
            "      --frame-time S        frame time in s when no <raw>_metadata.hdf exists\n"
            "      --count-time S        count time in s (default: frame time)\n"
            "      --max-memory MIB      memory budget per rank (default: 50%% of RAM / ranks)\n"
            "      --step-frames N       frames per pipeline step (default: automatic)\n"
            "      --dry-run             print the plan and exit\n"
            "      --fit MODEL           then fit g2 and tau(q) into /xpcs/fit/MODEL:\n"
            "                            single, stretched or double (as xpcs-fit)\n"
            "      --fit-range A:B       fit delays A <= t <= B in seconds\n"
            "\n"
            "Batch (README \"Batch runs\"): -r repeated, -r 'DIR/A*.h5' (pattern) or extra\n"
            "arguments (a shell glob), and/or a list file; results that exist are skipped.\n"
            "  RAW...                    more raw files (same options and -q)\n"
            "      --raw-list FILE       raw files, one per line: RAW [QMAP]\n"
            "      --ranks-per-file N    ranks per file (default: chosen from the file sizes)\n"
            "      --threads N           OpenMP threads per rank (threading.num_threads)\n"
            "      --fail-on-critical    exit 8 when a health indicator is critical\n"
            "      --set SECTION.KEY=V   any setting, e.g. --set monitoring.progress=off\n"
            "      --kernel K            multitau on dense frames, on photon events (sparse),\n"
            "                            or auto: by the occupancy of the first frames (default)\n"
            "  -h, --help                this text\n"
            "      --version             version\n");
}

static xpcs_status parse_i64(const char *s, const char *what, int64_t *out, xpcs_err *err)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return xpcs_fail(err, XPCS_ERR_USAGE, "option %s: expected an integer, got '%s'", what, s);
    *out = (int64_t)v;
    return XPCS_OK;
}

static xpcs_status parse_f64(const char *s, const char *what, double *out, xpcs_err *err)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0')
        return xpcs_fail(err, XPCS_ERR_USAGE, "option %s: expected a number, got '%s'", what, s);
    *out = v;
    return XPCS_OK;
}

static xpcs_status set_type(xpcs_config *c, const char *s, xpcs_err *err)
{
    char low[32];
    size_t i = 0;
    for (; i < sizeof low - 1 && s[i]; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[i] = '\0';
    if (strcmp(low, "multitau") == 0) {
        c->analysis = XPCS_ANALYSIS_MULTITAU;
        return XPCS_OK;
    }
    static const struct {
        const char *name;
        xpcs_analysis a;
    } more[] = {{"twotime", XPCS_ANALYSIS_TWOTIME},
                {"both", XPCS_ANALYSIS_BOTH},
                {"linear", XPCS_ANALYSIS_LINEAR}};
    for (size_t k = 0; k < sizeof more / sizeof more[0]; k++)
        if (strcmp(low, more[k].name) == 0) {
            c->analysis = more[k].a;
            return XPCS_OK;
        }
    return xpcs_fail(err, XPCS_ERR_USAGE,
                     "option -t: expected multitau, twotime, both or linear, got '%s'", s);
}

static void set_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s);
}

/* Keys of boost_corr's JSON config that have no meaning here (GPU choice,
 * per-pixel G2 dump, ...) are accepted and ignored so configs carry over. */
static const char *const ignored_keys[] = {
    "gpu_id", "save_G2", "prefix", "suffix", "crop_ratio_threshold", NULL};

xpcs_status xpcs_config_load_json(xpcs_config *c, const char *path, xpcs_err *err)
{
    if (xpcs_settings_is_yaml(path))
        return xpcs_settings_load_yaml(c, path, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: cannot open: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (len < 0 || len > (1 << 24)) {
        fclose(f);
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: unreadable or larger than 16 MiB", path);
    }
    char *text = xpcs_malloc((size_t)len + 1);
    size_t got = fread(text, 1, (size_t)len, f);
    fclose(f);
    text[got] = '\0';
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: not a JSON object", path);
    }
    xpcs_status st = xpcs_config_apply_json(c, root, path, err);
    cJSON_Delete(root);
    return st;
}

xpcs_status xpcs_config_apply_json(xpcs_config *c, const cJSON *root, const char *path,
                                   xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    for (const cJSON *it = root->child; it && st == XPCS_OK; it = it->next) {
        const char *k = it->string;
        int is_num = cJSON_IsNumber(it), is_str = cJSON_IsString(it), is_bool = cJSON_IsBool(it);
        int64_t iv = is_num ? (int64_t)it->valuedouble : (is_bool ? cJSON_IsTrue(it) : 0);
#define NEED(cond, what)                                                                           \
    if (!(cond)) {                                                                                 \
        st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: key '%s': expected %s", path, k, what);    \
        break;                                                                                     \
    }
        if (strcmp(k, "raw") == 0) {
            NEED(is_str, "a string");
            set_str(c->raw, sizeof c->raw, it->valuestring);
        }
        else if (strcmp(k, "qmap") == 0) {
            NEED(is_str, "a string");
            set_str(c->qmap, sizeof c->qmap, it->valuestring);
        }
        else if (strcmp(k, "output") == 0) {
            NEED(is_str, "a string");
            set_str(c->output, sizeof c->output, it->valuestring);
        }
        else if (strcmp(k, "type") == 0) {
            NEED(is_str, "a string");
            st = set_type(c, it->valuestring, err);
        }
        else if (strcmp(k, "begin_frame") == 0) {
            NEED(is_num, "an integer");
            c->begin_frame = iv;
        }
        else if (strcmp(k, "end_frame") == 0) {
            NEED(is_num, "an integer");
            c->end_frame = iv;
        }
        else if (strcmp(k, "stride_frame") == 0) {
            NEED(is_num, "an integer");
            c->stride_frame = iv;
        }
        else if (strcmp(k, "avg_frame") == 0) {
            NEED(is_num, "an integer");
            c->avg_frame = iv;
        }
        else if (strcmp(k, "normalize_frame") == 0) {
            NEED(is_num || is_bool, "0/1 or a boolean");
            c->normalize_frame = iv != 0;
        }
        else if (strcmp(k, "dq_selection") == 0) {
            NEED(is_str, "a string");
            set_str(c->dq_selection, sizeof c->dq_selection, it->valuestring);
        }
        else if (strcmp(k, "verbose") == 0) {
            NEED(is_num || is_bool, "0/1 or a boolean");
            c->verbose = (int)iv;
        }
        else if (strcmp(k, "overwrite") == 0) {
            NEED(is_num || is_bool, "0/1 or a boolean");
            c->overwrite = iv != 0;
        }
        else if (strcmp(k, "frame_time") == 0) {
            NEED(is_num, "a number");
            c->frame_time = it->valuedouble;
        }
        else if (strcmp(k, "count_time") == 0) {
            NEED(is_num, "a number");
            c->count_time = it->valuedouble;
        }
        else if (strcmp(k, "max_memory") == 0) {
            NEED(is_num, "a number (MiB)");
            c->max_memory_mb = it->valuedouble;
        }
        else if (strcmp(k, "fit") == 0) {
            NEED(is_str, "a model name (single, stretched, double)");
            set_str(c->fit, sizeof c->fit, it->valuestring);
        }
        else if (strcmp(k, "fit_range") == 0) {
            NEED(is_str || (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 2 &&
                            cJSON_IsNumber(cJSON_GetArrayItem(it, 0)) &&
                            cJSON_IsNumber(cJSON_GetArrayItem(it, 1))),
                 "\"TMIN:TMAX\" or [TMIN, TMAX] in seconds");
            if (is_str)
                set_str(c->fit_range, sizeof c->fit_range, it->valuestring);
            else
                snprintf(c->fit_range, sizeof c->fit_range, "%.17g:%.17g",
                         cJSON_GetArrayItem(it, 0)->valuedouble,
                         cJSON_GetArrayItem(it, 1)->valuedouble);
        }
        else if (strcmp(k, "kernel") == 0) {
            NEED(is_str, "a string");
            st = set_kernel(c, it->valuestring, err);
        }
        else if (strcmp(k, "dataset") == 0) {
            NEED(is_str, "a string");
            set_str(c->dataset, sizeof c->dataset, it->valuestring);
        }
        else if (strcmp(k, "smooth") == 0) {
            NEED(is_str, "a string");
            set_str(c->smooth, sizeof c->smooth, it->valuestring);
        }
        else if (strcmp(k, "max_lag") == 0) {
            NEED(is_num, "an integer");
            c->max_lag = iv;
        }
        else if (strcmp(k, "fftw_wisdom") == 0) {
            NEED(is_str, "a string");
            set_str(c->fftw_wisdom, sizeof c->fftw_wisdom, it->valuestring);
        }
        else if (xpcs_settings_is_section(k)) {
            st = xpcs_settings_apply_section(c, k, it, path, err);
        }
        else {
            int known = 0;
            for (int i = 0; ignored_keys[i]; i++)
                known |= strcmp(k, ignored_keys[i]) == 0;
            if (!known)
                st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: unknown key '%s'", path, k);
        }
#undef NEED
    }
    return st;
}

enum {
    OPT_NORMALIZE = 1000,
    OPT_FRAME_TIME,
    OPT_COUNT_TIME,
    OPT_MAX_MEMORY,
    OPT_STEP_FRAMES,
    OPT_DRY_RUN,
    OPT_VERSION,
    OPT_DATASET,
    OPT_FIT,
    OPT_FIT_RANGE,
    OPT_RAW_LIST,
    OPT_RPF,
    OPT_THREADS,
    OPT_FAILCRIT,
    OPT_SET,
    OPT_MAX_LAG,
    OPT_FFTW_WISDOM,
    OPT_KERNEL
};

static const struct option long_opts[] = {{"raw", required_argument, 0, 'r'},
                                          {"qmap", required_argument, 0, 'q'},
                                          {"output", required_argument, 0, 'o'},
                                          {"type", required_argument, 0, 't'},
                                          {"begin-frame", required_argument, 0, 'b'},
                                          {"end-frame", required_argument, 0, 'e'},
                                          {"stride-frame", required_argument, 0, 'f'},
                                          {"avg-frame", required_argument, 0, 'a'},
                                          {"dq-selection", required_argument, 0, 'd'},
                                          {"overwrite", no_argument, 0, 'w'},
                                          {"verbose", no_argument, 0, 'v'},
                                          {"config", required_argument, 0, 'c'},
                                          {"help", no_argument, 0, 'h'},
                                          {"normalize-frame", optional_argument, 0, OPT_NORMALIZE},
                                          {"frame-time", required_argument, 0, OPT_FRAME_TIME},
                                          {"count-time", required_argument, 0, OPT_COUNT_TIME},
                                          {"max-memory", required_argument, 0, OPT_MAX_MEMORY},
                                          {"step-frames", required_argument, 0, OPT_STEP_FRAMES},
                                          {"dry-run", no_argument, 0, OPT_DRY_RUN},
                                          {"dataset", required_argument, 0, OPT_DATASET},
                                          {"max-lag", required_argument, 0, OPT_MAX_LAG},
                                          {"fftw-wisdom", required_argument, 0, OPT_FFTW_WISDOM},
                                          {"smooth", required_argument, 0, 's'},
                                          {"version", no_argument, 0, OPT_VERSION},
                                          {"fit", required_argument, 0, OPT_FIT},
                                          {"fit-range", required_argument, 0, OPT_FIT_RANGE},
                                          {"raw-list", required_argument, 0, OPT_RAW_LIST},
                                          {"ranks-per-file", required_argument, 0, OPT_RPF},
                                          {"threads", required_argument, 0, OPT_THREADS},
                                          {"fail-on-critical", no_argument, 0, OPT_FAILCRIT},
                                          {"set", required_argument, 0, OPT_SET},
                                          {"kernel", required_argument, 0, OPT_KERNEL},
                                          {0, 0, 0, 0}};
static const char short_opts[] = "r:q:o:t:b:e:f:a:d:wvc:hs:";

xpcs_status xpcs_config_parse(xpcs_config *c, int argc, char **argv, int print, int *exit_now,
                              xpcs_err *err)
{
    *exit_now = 0;
    /* Pass 1: find -c so the file is applied before the command line. */
    opterr = 0;
    optind = 1;
    int o;
    while ((o = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        if (o == 'c')
            set_str(c->config_file, sizeof c->config_file, optarg);
    }
    xpcs_status est = xpcs_settings_apply_env(c, err); /* below the file */
    if (est)
        return est;
    if (c->config_file[0]) {
        const xpcs_config before_file = *c; /* top-level keys (max_memory) are settings too */
        xpcs_status st = xpcs_config_load_json(c, c->config_file, err);
        if (st)
            return st;
        xpcs_settings_mark_changed(c, &before_file, XPCS_SRC_FILE);
    }
    const xpcs_config before_cli = *c; /* to tell which settings the command line set */
    /* Pass 2: the command line wins. */
    optind = 1;
    int n_raw = 0;
    while ((o = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        xpcs_status st = XPCS_OK;
        switch (o) {
        case 'r':
            if (n_raw == 0)
                set_str(c->raw, sizeof c->raw, optarg);
            add_raw_arg(c, optarg);
            n_raw++;
            break;
        case 'q':
            set_str(c->qmap, sizeof c->qmap, optarg);
            break;
        case 'o':
            set_str(c->output, sizeof c->output, optarg);
            break;
        case 't':
            st = set_type(c, optarg, err);
            break;
        case 'b':
            st = parse_i64(optarg, "-b/--begin-frame", &c->begin_frame, err);
            break;
        case 'e':
            st = parse_i64(optarg, "-e/--end-frame", &c->end_frame, err);
            break;
        case 'f':
            st = parse_i64(optarg, "-f/--stride-frame", &c->stride_frame, err);
            break;
        case 'a':
            st = parse_i64(optarg, "-a/--avg-frame", &c->avg_frame, err);
            break;
        case 'd':
            set_str(c->dq_selection, sizeof c->dq_selection, optarg);
            break;
        case 'w':
            c->overwrite = 1;
            break;
        case 'v':
            c->verbose++;
            break;
        case 'c':
            break;
        case 'h':
            if (print)
                xpcs_config_usage(stdout);
            *exit_now = 1;
            return XPCS_OK;
        case OPT_VERSION:
            if (print)
                printf("xpcs-corr %s\n", XPCS_VERSION);
            *exit_now = 1;
            return XPCS_OK;
        case OPT_NORMALIZE: {
            int64_t v = 1;
            if (optarg)
                st = parse_i64(optarg, "--normalize-frame", &v, err);
            c->normalize_frame = v != 0;
            break;
        }
        case OPT_FRAME_TIME:
            st = parse_f64(optarg, "--frame-time", &c->frame_time, err);
            break;
        case OPT_COUNT_TIME:
            st = parse_f64(optarg, "--count-time", &c->count_time, err);
            break;
        case OPT_MAX_MEMORY:
            st = parse_f64(optarg, "--max-memory", &c->max_memory_mb, err);
            break;
        case OPT_STEP_FRAMES:
            st = parse_i64(optarg, "--step-frames", &c->step_frames, err);
            break;
        case OPT_DRY_RUN:
            c->dry_run = 1;
            break;
        case OPT_DATASET:
            set_str(c->dataset, sizeof c->dataset, optarg);
            break;
        case OPT_FIT:
            set_str(c->fit, sizeof c->fit, optarg);
            break;
        case OPT_FIT_RANGE:
            set_str(c->fit_range, sizeof c->fit_range, optarg);
            break;
        case OPT_RAW_LIST:
            set_str(c->raw_list, sizeof c->raw_list, optarg);
            break;
        case OPT_RPF: {
            int64_t v = 0;
            st = parse_i64(optarg, "--ranks-per-file", &v, err);
            if (!st && (v < 1 || v > 1000000))
                st = xpcs_fail(err, XPCS_ERR_USAGE, "--ranks-per-file: expected >= 1, got %s",
                               optarg);
            c->ranks_per_file = (int)v;
            break;
        }
        case OPT_THREADS: {
            int64_t v = 0;
            st = parse_i64(optarg, "--threads", &v, err);
            if (!st && (v < 0 || v > 4096))
                st = xpcs_fail(err, XPCS_ERR_USAGE, "--threads: expected 0..4096, got %s", optarg);
            c->site.num_threads = (int)v;
            break;
        }
        case OPT_FAILCRIT:
            c->site.fail_on_critical = 1;
            break;
        case OPT_SET:
            st = xpcs_settings_apply_assignment(c, optarg, err);
            break;
        case OPT_MAX_LAG:
            st = parse_i64(optarg, "--max-lag", &c->max_lag, err);
            break;
        case OPT_FFTW_WISDOM:
            set_str(c->fftw_wisdom, sizeof c->fftw_wisdom, optarg);
            break;
        case 's':
            set_str(c->smooth, sizeof c->smooth, optarg);
            break;
        case OPT_KERNEL:
            st = set_kernel(c, optarg, err);
            break;
        default:
            return xpcs_fail(err, XPCS_ERR_USAGE, "unknown or incomplete option '%s' (see --help)",
                             argv[optind - 1]);
        }
        if (st)
            return st;
    }
    /* positional arguments are more raw files (a shell glob after -r) */
    for (; optind < argc; optind++) {
        if (c->n_raw_args == 0 && n_raw == 0)
            set_str(c->raw, sizeof c->raw, argv[optind]);
        add_raw_arg(c, argv[optind]);
    }
    if (!c->raw[0] && !c->raw_list[0])
        return xpcs_fail(err, XPCS_ERR_USAGE, "missing -r/--raw RAW.h5 (see --help)");
    if (!c->qmap[0] && !c->raw_list[0]) /* a list may name a q-map per file */
        return xpcs_fail(err, XPCS_ERR_USAGE, "missing -q/--qmap QMAP.h5 (see --help)");
    if (c->stride_frame < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE, "-f/--stride-frame: expected >= 1, got %lld",
                         (long long)c->stride_frame);
    if (c->avg_frame < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE, "-a/--avg-frame: expected >= 1, got %lld",
                         (long long)c->avg_frame);
    if (c->step_frames < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--step-frames: expected >= 0");
    if (c->max_memory_mb < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--max-memory: expected a size in MiB >= 0");
    if (c->max_lag < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "--max-lag: expected a lag in frames >= 1 (0 = auto)");
    if (strcmp(c->smooth, "sqmap") && strcmp(c->smooth, "dqmap") && strcmp(c->smooth, "none"))
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "-s/--smooth: expected sqmap, dqmap or none, got '%s'", c->smooth);
    if (c->fit_range[0] && !c->fit[0])
        return xpcs_fail(err, XPCS_ERR_USAGE, "--fit-range: needs --fit MODEL");
    if (c->fit[0]) { /* checked here so a bad name fails before correlating */
        xpcs_fit_model m;
        double a, b;
        xpcs_status st = xpcs_fit_model_parse(c->fit, &m, err);
        if (!st && c->fit_range[0])
            st = xpcs_fit_range_parse(c->fit_range, &a, &b, err);
        if (st)
            return st;
    }
    return xpcs_settings_finish(c, &before_cli, err);
}

xpcs_status xpcs_parse_bin_selection(const char *text, int n_bins, unsigned char *sel,
                                     xpcs_err *err)
{
    memset(sel, 0, (size_t)n_bins + 1);
    if (strcmp(text, "all") == 0 || text[0] == '\0') {
        memset(sel + 1, 1, (size_t)n_bins);
        return XPCS_OK;
    }
    const char *p = text;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b;
        if (end == p)
            return xpcs_fail(err, XPCS_ERR_USAGE, "-d/--dq-selection '%s': expected e.g. 1,3,5-7",
                             text);
        p = end;
        b = a;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1)
                return xpcs_fail(err, XPCS_ERR_USAGE,
                                 "-d/--dq-selection '%s': expected e.g. 1,3,5-7", text);
            p = end;
        }
        if (a < 1 || b > n_bins || a > b)
            return xpcs_fail(err, XPCS_ERR_USAGE, "-d/--dq-selection '%s': bins must lie in 1..%d",
                             text, n_bins);
        for (long k = a; k <= b; k++)
            sel[k] = 1;
        if (*p == ',')
            p++;
        else if (*p)
            return xpcs_fail(err, XPCS_ERR_USAGE, "-d/--dq-selection '%s': expected e.g. 1,3,5-7",
                             text);
    }
    return XPCS_OK;
}
