/* Unit tests of the option engine (options.h, optparse.h, optshow.h): a
 * small table read from argv, JSON trees, the environment; types, limits,
 * choices, flags, optional arguments, repeatable options, early and stop
 * rows, positional arguments; the messages; --help holds every row; the -v
 * line; the effective config with each value's source.  Then xpcs-corr's
 * own table: its defaults read, its -v line is the pipeline's. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/config/config.h"
#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"
#include "xpcs/config/settings.h"

typedef struct {
    char name[16];
    const char *out;
    int n;
    long big;
    int64_t i64;
    uint64_t seed;
    double x, rate;
    int on, flag, sw, count, mode, help;
    char early[16];
    int nargs;
    char args[4][16];
} T;

static xpcs_status on_arg(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v, xpcs_err *err)
{
    (void)row, (void)err;
    T *t = xpcs_opts_obj(o);
    if (t->nargs < 4)
        snprintf(t->args[t->nargs++], sizeof t->args[0], "%s", v->text);
    return XPCS_OK;
}

static const xpcs_opt_choice modes[] = {
    {"Alpha", 0, "A"}, {"beta", 1, NULL}, {"gamma", 2, NULL}, {NULL, 0, NULL}};

#define F(field) .off = offsetof(T, field), .size = sizeof(((T *)0)->field)

static const xpcs_opt rows[] = {
    {.name = "name",
     .letter = 'N',
     .key = "name",
     .type = XPCS_OPT_STR,
     F(name),
     .def = "anon",
     .arg = "NAME",
     .flags = XPCS_OPTF_PRINT | XPCS_OPTF_EFFECTIVE,
     .help = "a name"},
    {.name = "out", .letter = 'o', .type = XPCS_OPT_PTR, F(out), .arg = "FILE", .help = "output"},
    {.name = "num",
     .letter = 'n',
     .key = "num",
     .type = XPCS_OPT_INT,
     F(n),
     .lo = 1,
     .hi = 10,
     .def = "3",
     .arg = "N",
     .flags = XPCS_OPTF_PRINT | XPCS_OPTF_EFFECTIVE,
     .help = "a count\nover two lines"},
    {.name = "number",
     .type = XPCS_OPT_INT,
     F(n),
     .lo = 1,
     .hi = 10,
     .arg = "N",
     .flags = XPCS_OPTF_HIDDEN,
     .help = "another spelling of --num"},
    {.name = "big", .type = XPCS_OPT_LONG, F(big), .arg = "L", .help = "a long"},
    {.name = "i64",
     .key = "i64",
     .type = XPCS_OPT_I64,
     F(i64),
     .arg = "I",
     .flags = XPCS_OPTF_EFFECTIVE,
     .help = "an int64"},
    {.name = "seed", .type = XPCS_OPT_U64, F(seed), .arg = "S", .help = "a seed"},
    {.name = "x",
     .letter = 'x',
     .key = "x",
     .type = XPCS_OPT_F64,
     F(x),
     .arg = "X",
     .show = "xval",
     .flags = XPCS_OPTF_PRINT,
     .help = "a number"},
    {.name = "rate", .type = XPCS_OPT_F64, F(rate), .arg = "R", .help = "the setting s.rate"},
    {.name = "flag",
     .letter = 'f',
     .key = "flag",
     .type = XPCS_OPT_FLAG,
     F(flag),
     .flags = XPCS_OPTF_EFFECTIVE,
     .help = "a flag"},
    {.name = "sw",
     .key = "sw",
     .type = XPCS_OPT_SWITCH,
     F(sw),
     .arg = "[=0|1]",
     .flags = XPCS_OPTF_OPTARG | XPCS_OPTF_EFFECTIVE | XPCS_OPTF_PRINT,
     .help = "a switch"},
    {.name = "verbose",
     .letter = 'v',
     .key = "verbose",
     .type = XPCS_OPT_COUNT,
     F(count),
     .help = "more output"},
    {.name = "mode",
     .letter = 'm',
     .key = "mode",
     .type = XPCS_OPT_CHOICE,
     F(mode),
     .choices = modes,
     .def = "beta",
     .arg = "M",
     .flags = XPCS_OPTF_NOCASE | XPCS_OPTF_PRINT | XPCS_OPTF_EFFECTIVE,
     .help = "a mode"},
    {.name = "early",
     .type = XPCS_OPT_STR,
     F(early),
     .arg = "E",
     .flags = XPCS_OPTF_EARLY,
     .help = "read before the others"},
    {.name = "gpu-id",
     .type = XPCS_OPT_IGNORE,
     .arg = "N",
     .flags = XPCS_OPTF_NOTE,
     .help = "no GPU here"},
    {.key = "gpu_id", .type = XPCS_OPT_IGNORE, .help = "no GPU here"},
    {.type = XPCS_OPT_TEXT, .help = "A paragraph."},
    {.type = XPCS_OPT_ARGS, .fn = on_arg, .arg = "ARG...", .help = "positional arguments"},
    {.name = "help",
     .letter = 'h',
     .type = XPCS_OPT_FLAG,
     F(help),
     .flags = XPCS_OPTF_STOP,
     .help = "this text"},
    {.section = "s",
     .key = "rate",
     .env = "XPCS_TEST_RATE",
     .type = XPCS_OPT_F64,
     F(rate),
     .lo = 0,
     .hi = 100,
     .def = "1.5",
     .help = "a rate setting"},
    {.section = "s",
     .key = "on",
     .env = "XPCS_TEST_ON",
     .type = XPCS_OPT_BOOL,
     F(on),
     .help = "a boolean setting"},
    {.section = "s",
     .key = "mode",
     .env = "XPCS_TEST_MODE",
     .type = XPCS_OPT_CHOICE,
     F(mode),
     .choices = modes,
     .help = "the mode as a setting"},
};
static const char *const sections[] = {"s", NULL};
static const xpcs_opts_table table = {
    .prog = "test",
    .rows = rows,
    .n = XPCS_OPTS_N(rows),
    .obj_size = sizeof(T),
    .sections = sections,
    .usage_head = "usage: test [options]\n",
    .keys_title = "Keys:",
    .settings_title = "Settings:",
};

/* argv from a space-separated string (getopt permutes it: a fresh copy). */
static char **args(const char *s, int *argc)
{
    static char *v[32];
    static char buf[512];
    snprintf(buf, sizeof buf, "test %s", s);
    *argc = 0;
    for (char *p = strtok(buf, " "); p && *argc < 31; p = strtok(NULL, " "))
        v[(*argc)++] = p;
    v[*argc] = NULL;
    return v;
}

/* Parses s into a fresh T with table tb; returns the status. */
static xpcs_status parse(const xpcs_opts_table *tb, T *t, unsigned char *src, const char *s,
                         xpcs_err *err)
{
    memset(t, 0, sizeof *t);
    xpcs_opts_defaults(tb, t, err);
    int argc;
    char **argv = args(s, &argc);
    xpcs_opts *o = xpcs_opts_create(tb, t, src, NULL, 0);
    xpcs_status st = xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_MAIN, NULL, err);
    xpcs_opts_destroy(&o);
    return st;
}

static int fails_with(const xpcs_opts_table *tb, const char *s, const char *msg)
{
    T t;
    xpcs_err err = {{0}};
    xpcs_status st = parse(tb, &t, NULL, s, &err);
    if (st == XPCS_ERR_USAGE && strcmp(err.msg, msg) == 0)
        return 1;
    printf("  '%s': status %d, message \"%s\", expected \"%s\"\n", s, st, err.msg, msg);
    return 0;
}

static void test_argv(void)
{
    T t;
    xpcs_err err = {{0}};
    test_cond("defaults", xpcs_opts_defaults(&table, memset(&t, 0, sizeof t), &err) == XPCS_OK &&
                              strcmp(t.name, "anon") == 0 && t.n == 3 && t.mode == 1 &&
                              t.rate == 1.5);
    test_cond("argv parses",
              parse(&table, &t, NULL,
                    "-N bob a1 --num 7 --big -5 --i64 -9 --seed 12 -x 2.5 -f --sw -vv "
                    "--mode ALPHA a2 -o out.h5 --gpu-id 3",
                    &err) == XPCS_OK);
    test_cond("argv values", strcmp(t.name, "bob") == 0 && t.n == 7 && t.big == -5 && t.i64 == -9 &&
                                 t.seed == 12 && t.x == 2.5 && t.flag == 1 && t.sw == 1 &&
                                 t.count == 2 && t.mode == 0 && strcmp(t.out, "out.h5") == 0);
    test_cond("positional arguments in order",
              t.nargs == 2 && strcmp(t.args[0], "a1") == 0 && strcmp(t.args[1], "a2") == 0);
    test_cond("optional argument", parse(&table, &t, NULL, "--sw=0", &err) == XPCS_OK && !t.sw);
    test_cond("optional argument nonzero",
              parse(&table, &t, NULL, "--sw=5", &err) == XPCS_OK && t.sw == 1);
    test_cond("another spelling, same field",
              parse(&table, &t, NULL, "--number 9", &err) == XPCS_OK && t.n == 9);
    test_cond("abbreviation",
              parse(&table, &t, NULL, "--nam x", &err) == XPCS_OK && strcmp(t.name, "x") == 0);
    test_cond("string cut to its field",
              parse(&table, &t, NULL, "-N 0123456789abcdefghij", &err) == XPCS_OK &&
                  strcmp(t.name, "0123456789abcde") == 0);
    test_cond("stop row ends the parse",
              parse(&table, &t, NULL, "-h -n x", &err) == XPCS_OK && t.help && t.n == 3);
    test_cond("limits", fails_with(&table, "-n 11", "-n/--num: expected 1..10, got 11"));
    test_cond("integer",
              fails_with(&table, "-n x", "option -n/--num: expected an integer, got 'x'"));
    test_cond("number", fails_with(&table, "-x 1z", "option -x/--x: expected a number, got '1z'"));
    test_cond("no sign", fails_with(&table, "--seed -1",
                                    "option --seed: expected a non-negative integer, got '-1'"));
    test_cond("choice", fails_with(&table, "-m delta",
                                   "option -m/--mode: expected Alpha, beta or gamma, got 'delta'"));
    test_cond("switch argument",
              fails_with(&table, "--sw=on", "option --sw: expected an integer, got 'on'"));
    test_cond("unknown option",
              fails_with(&table, "--bogus", "unknown or incomplete option '--bogus' (see --help)"));
    test_cond("missing value",
              fails_with(&table, "-N", "unknown or incomplete option '-N' (see --help)"));
    test_cond(
        "flag takes no value",
        fails_with(&table, "--flag=1", "unknown or incomplete option '--flag=1' (see --help)"));
    test_cond("infinity allowed", parse(&table, &t, NULL, "-x inf", &err) == XPCS_OK);
}

static void test_table_flags(void)
{
    T t;
    xpcs_err err = {{0}};
    xpcs_opts_table tb = table;
    tb.flags = XPCS_OPTS_FINITE | XPCS_OPTS_INT_NUMBER;
    tb.msgs.bad = "%s: expected %s, got '%s'";
    tb.msgs.missing = "option '%s' needs a value";
    test_cond("finite numbers", fails_with(&tb, "-x inf", "-x/--x: expected a number, got 'inf'"));
    test_cond("integers as numbers", parse(&tb, &t, NULL, "-n 2.0", &err) == XPCS_OK && t.n == 2);
    test_cond("whole numbers",
              fails_with(&tb, "-n 2.5", "-n/--num: expected an integer, got '2.5'"));
    test_cond("own missing message", fails_with(&tb, "-N", "option '-N' needs a value"));
    tb.flags = XPCS_OPTS_IN_ORDER;
    test_cond("in order", parse(&tb, &t, NULL, "a1 -n 4 a2", &err) == XPCS_OK && t.nargs == 2 &&
                              strcmp(t.args[1], "a2") == 0 && t.n == 4);

    /* early pass: only the early rows; everything else (unknown too) waits */
    memset(&t, 0, sizeof t);
    int argc;
    char **argv = args("--bogus -n 5 --early e1 -n", &argc);
    xpcs_opts *o = xpcs_opts_create(&table, &t, NULL, NULL, 0);
    test_cond("early pass",
              xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_EARLY, NULL, &err) == XPCS_OK &&
                  strcmp(t.early, "e1") == 0 && t.n == 0);
    test_cond("main pass skips early rows",
              xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_MAIN, NULL, &err) == XPCS_ERR_USAGE);
    xpcs_opts_destroy(&o);
}

/* A tree from JSON text applied to t. */
static xpcs_status apply_json(xpcs_opts *o, const char *json, xpcs_err *err)
{
    cJSON *root = cJSON_Parse(json);
    xpcs_status st = xpcs_opts_apply_tree(o, root, "t.json", err);
    cJSON_Delete(root);
    return st;
}

static int tree_fails_with(const char *json, const char *msg)
{
    T t;
    xpcs_err err = {{0}};
    memset(&t, 0, sizeof t);
    xpcs_opts *o = xpcs_opts_create(&table, &t, NULL, NULL, 0);
    xpcs_status st = apply_json(o, json, &err);
    xpcs_opts_destroy(&o);
    if (st == XPCS_ERR_USAGE && strcmp(err.msg, msg) == 0)
        return 1;
    printf("  %s: status %d, message \"%s\", expected \"%s\"\n", json, st, err.msg, msg);
    return 0;
}

static void test_files_env_sources(void)
{
    T t;
    unsigned char src[XPCS_OPTS_N(rows)] = {0};
    xpcs_err err = {{0}};
    memset(&t, 0, sizeof t);
    xpcs_opts_defaults(&table, &t, &err);
    xpcs_opts *o = xpcs_opts_create(&table, &t, src, NULL, 0);
    setenv("XPCS_TEST_RATE", "7", 1);
    setenv("XPCS_TEST_ON", "yes", 1);
    test_cond("environment", xpcs_opts_apply_env(o, &err) == XPCS_OK && t.rate == 7 && t.on == 1);
    unsetenv("XPCS_TEST_ON");
    test_cond("tree", apply_json(o,
                                 "{\"name\": \"js\", \"num\": 4.9, \"flag\": 1, \"sw\": true, "
                                 "\"verbose\": 2, \"mode\": \"gamma\", \"gpu_id\": [1], "
                                 "\"s\": {\"rate\": 50}}",
                                 &err) == XPCS_OK);
    test_cond("tree values", strcmp(t.name, "js") == 0 && t.n == 4 && t.flag && t.sw == 1 &&
                                 t.count == 2 && t.mode == 2 && t.rate == 50 && t.on == 1);
    int argc;
    char **argv = args("--rate 60", &argc);
    test_cond("command line",
              xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_MAIN, NULL, &err) == XPCS_OK &&
                  t.rate == 60);
    xpcs_opts_destroy(&o);
    char *eff = xpcs_opts_effective(&table, &t, src);
    cJSON *e = cJSON_Parse(eff);
    cJSON *s = cJSON_GetObjectItem(e, "sources");
    const char *rate_src = cJSON_GetStringValue(cJSON_GetObjectItem(s, "s.rate"));
    const char *on_src = cJSON_GetStringValue(cJSON_GetObjectItem(s, "s.on"));
    const char *mode_src = cJSON_GetStringValue(cJSON_GetObjectItem(s, "s.mode"));
    test_cond("sources: command line through another row, environment, file",
              rate_src && strcmp(rate_src, "command line") == 0 && on_src &&
                  strcmp(on_src, "environment") == 0 && mode_src &&
                  strcmp(mode_src, "default") == 0);
    test_cond("effective keys",
              cJSON_IsString(cJSON_GetObjectItem(e, "name")) &&
                  cJSON_IsTrue(cJSON_GetObjectItem(e, "flag")) &&
                  cJSON_GetObjectItem(e, "sw")->valuedouble == 1 &&
                  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "mode")), "gamma") == 0 &&
                  cJSON_GetObjectItem(cJSON_GetObjectItem(e, "s"), "rate")->valuedouble == 60 &&
                  !cJSON_GetObjectItem(e, "x"));
    test_cond("effective text",
              strncmp(eff, "{\"name\":\"js\",\"num\":4,\"i64\":0,\"flag\":true,", 40) == 0);
    cJSON_Delete(e);
    free(eff);

    setenv("XPCS_TEST_ON", "maybe", 1);
    memset(&t, 0, sizeof t);
    o = xpcs_opts_create(&table, &t, NULL, NULL, 0);
    test_cond("bad environment value named",
              xpcs_opts_apply_env(o, &err) == XPCS_ERR_USAGE &&
                  strcmp(err.msg, "environment XPCS_TEST_ON: key 's.on': expected a boolean "
                                  "(true/false, yes/no, on/off, 1/0), got 'maybe'") == 0);
    xpcs_opts_destroy(&o);
    unsetenv("XPCS_TEST_ON");
    unsetenv("XPCS_TEST_RATE");

    test_cond("file type",
              tree_fails_with("{\"num\": \"x\"}", "config t.json: key 'num': expected an integer"));
    test_cond("file unknown key",
              tree_fails_with("{\"zzz\": 1}", "config t.json: unknown key 'zzz'"));
    test_cond("file choice",
              tree_fails_with("{\"mode\": \"x\"}",
                              "option -m/--mode: expected Alpha, beta or gamma, got 'x'"));
    test_cond(
        "setting limits",
        tree_fails_with("{\"s\": {\"rate\": 500}}",
                        "config t.json: key 's.rate': expected a number in [0, 100], got '500'"));
    test_cond("setting unknown",
              tree_fails_with("{\"s\": {\"zz\": 1}}", "config t.json: unknown key 's.zz'"));
    test_cond(
        "section not a mapping",
        tree_fails_with("{\"s\": 3}", "config t.json: key 's': expected a mapping of settings"));
    test_cond("setting choice",
              tree_fails_with("{\"s\": {\"mode\": [1]}}",
                              "config t.json: key 's.mode': expected Alpha, beta or gamma"));
    test_cond("the row of section.key",
              xpcs_opts_find(&table, "s", "on") == XPCS_OPTS_N(rows) - 2 &&
                  xpcs_opts_find(&table, NULL, "on") < 0);
}

static int file_contains(FILE *f, const char *what)
{
    static char buf[1 << 16]; /* xpcs-corr's --help is about 9 KB */
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    return strstr(buf, what) != NULL;
}

static void test_show(void)
{
    FILE *f = tmpfile();
    xpcs_opts_usage(&table, f);
    int all = 1;
    for (int i = 0; i < table.n; i++) {
        const xpcs_opt *r = &rows[i];
        char want[64];
        if (r->flags & XPCS_OPTF_HIDDEN)
            continue;
        if (r->name)
            snprintf(want, sizeof want, "--%s", r->name);
        else if (r->section)
            snprintf(want, sizeof want, "%s.%s (%s)", r->section, r->key, r->env);
        else
            snprintf(want, sizeof want, "%s", r->key ? r->key : r->arg ? r->arg : r->help);
        char first[128]; /* the help's first line */
        snprintf(first, sizeof first, "%s", r->help ? r->help : "");
        first[strcspn(first, "\n")] = '\0';
        if (!file_contains(f, want) || !file_contains(f, first)) {
            printf("  --help lacks %s\n", want);
            all = 0;
        }
    }
    test_cond("--help holds every row", all);
    test_cond("--help leaves out hidden rows", !file_contains(f, "--number"));
    test_cond("--help layout", file_contains(f, "  -n, --num N               a count\n"
                                                "                            over two lines\n") &&
                                   file_contains(f, "      --sw[=0|1]            a switch\n"));
    fclose(f);

    T t;
    xpcs_err err = {{0}};
    parse(&table, &t, NULL, "-N bob -x 0.25 --sw", &err);
    f = tmpfile();
    xpcs_opts_print_line(&table, &t, "t:", f);
    test_cond("-v line", file_contains(f, "t: name=bob num=3 xval=0.25 sw=1 mode=beta\n"));
    xpcs_opts_print_settings(&table, &t, NULL, f);
    test_cond("setting lines", file_contains(f, "setting s.rate = 1.5 (default; XPCS_TEST_RATE)\n"
                                                "setting s.on = false (default; XPCS_TEST_ON)\n"));
    fclose(f);
}

/* xpcs-corr's table: the defaults read; the -v line is the pipeline's. */
static void test_corr_table(void)
{
    xpcs_config c;
    xpcs_err err = {{0}};
    memset(&c, 0, sizeof c);
    test_cond("xpcs-corr defaults read",
              xpcs_opts_defaults(xpcs_config_table(), &c, &err) == XPCS_OK);
    xpcs_config_default(&c);
    test_cond("xpcs-corr defaults",
              strcmp(c.output, "cluster_results") == 0 && c.end_frame == -1 &&
                  c.stride_frame == 1 && c.analysis == XPCS_ANALYSIS_MULTITAU &&
                  c.site.enable_profiling && c.site.progress_interval_s == 10);
    char *argv[] = {"xpcs-corr", "-r", "a.h5", "-q", "q.h5", "-c", "x.json", "-b", "3", NULL};
    snprintf(c.config_file, sizeof c.config_file, "x.json");
    snprintf(c.raw, sizeof c.raw, "%s", argv[2]);
    snprintf(c.qmap, sizeof c.qmap, "%s", argv[4]);
    c.begin_frame = 3;
    c.max_memory_mb = 12.5;
    for (int with_file = 0; with_file < 2; with_file++) {
        char want[2048];
        if (!with_file)
            c.config_file[0] = '\0';
        /* print_config's format in pipeline/corr.c */
        snprintf(want, sizeof want,
                 "config: raw=%s qmap=%s output=%s dataset=%s type=%s begin_frame=%lld "
                 "end_frame=%lld stride_frame=%lld avg_frame=%lld normalize_frame=%d "
                 "dq_selection=%s overwrite=%d max_memory_mb=%g step_frames=%lld%s%s\n",
                 c.raw, c.qmap, c.output, c.dataset, xpcs_analysis_name(c.analysis),
                 (long long)c.begin_frame, (long long)c.end_frame, (long long)c.stride_frame,
                 (long long)c.avg_frame, c.normalize_frame, c.dq_selection, c.overwrite,
                 c.max_memory_mb, (long long)c.step_frames, c.config_file[0] ? " config=" : "",
                 c.config_file);
        FILE *f = tmpfile();
        xpcs_config_print(&c, f);
        test_cond("xpcs_config_print is the pipeline's line", file_contains(f, want));
        fclose(f);
        snprintf(c.config_file, sizeof c.config_file, "x.json");
    }
    FILE *f = tmpfile();
    xpcs_config_usage(f);
    int all = 1;
    const xpcs_opts_table *t = xpcs_config_table();
    for (int i = 0; i < t->n; i++) {
        char want[96];
        const xpcs_opt *r = &t->rows[i];
        if (!r->name && !r->key)
            continue;
        snprintf(want, sizeof want, r->name ? "--%s" : "%s", r->name ? r->name : r->key);
        all &= file_contains(f, want);
    }
    test_cond("xpcs-corr --help names every option and key",
              all && file_contains(f, "usage: mpirun"));
    fclose(f);
    char *eff = xpcs_settings_effective_json(&c);
    test_cond("xpcs-corr effective config",
              strncmp(eff, "{\"raw\":\"a.h5\",\"qmap\":\"q.h5\",", 28) == 0 &&
                  strstr(eff, "\"sources\":{\"threading.num_threads\":\"default\""));
    free(eff);
}

int main(void)
{
    test_argv();
    test_table_flags();
    test_files_env_sources();
    test_show();
    test_corr_table();
    return test_report();
}
