#include "xpcs/config/settings.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

typedef enum { K_INT, K_I64, K_F64, K_BOOL, K_STR, K_PROGRESS } kind;

typedef struct {
    const char *section, *key;
    kind k;
    size_t off;  /* offsetof(xpcs_config, field) */
    size_t size; /* K_STR: buffer size */
    double lo, hi;
    const char *help;
} setting;

#define F(field) offsetof(xpcs_config, field), sizeof(((xpcs_config *)0)->field)
#define PCT(ind, which) offsetof(xpcs_config, site.threshold[ind].which), sizeof(double)

/* The one table: section, key, type, field, range, meaning. */
static const setting table[] = {
    {"threading", "num_threads", K_INT, F(site.num_threads), 0, 4096,
     "OpenMP threads per rank (0: OMP_NUM_THREADS / OpenMP's default)"},
    {"memory", "max_memory_mb", K_F64, F(max_memory_mb), 0, 1e12,
     "memory budget per rank in MiB (0: half the node's RAM / ranks on the node)"},
    {"io", "dataset", K_STR, F(dataset), 0, 0, "frames dataset in the raw file"},
    {"io", "step_frames", K_I64, F(step_frames), 0, 1e12,
     "frames per pipeline step (0: automatic)"},
    {"io", "storage_bandwidth_gbps", K_F64, F(site.storage_bandwidth_gbps), 0, 1e9,
     "what the storage delivers to a bare read, GB/s (0: unknown)"},
    {"io", "measure_storage_bandwidth", K_BOOL, F(site.measure_storage_bandwidth), 0, 1,
     "measure it with a bare read of the raw file before the run"},
    {"monitoring", "enable_profiling", K_BOOL, F(site.enable_profiling), 0, 1,
     "write OUTDIR/<stem>_profile.json and print the profile table"},
    {"monitoring", "enable_report", K_BOOL, F(site.enable_report), 0, 1,
     "write OUTDIR/<stem>_report.html"},
    {"monitoring", "progress", K_PROGRESS, F(site.progress), 0, 0,
     "auto (live line on a terminal, plain lines otherwise), live, lines or off"},
    {"monitoring", "progress_interval_s", K_F64, F(site.progress_interval_s), 0, 1e9,
     "seconds between plain progress lines"},
    {"monitoring", "fail_on_critical", K_BOOL, F(site.fail_on_critical), 0, 1,
     "exit with status 8 when a health indicator is critical"},
    {"monitoring", "alert_threshold_efficiency", K_F64, PCT(XPCS_IND_EFFICIENCY, target), 0, 1000,
     "parallel efficiency target, percent (ok above)"},
    {"monitoring", "critical_threshold_efficiency", K_F64, PCT(XPCS_IND_EFFICIENCY, critical), 0,
     1000, "parallel efficiency critical below, percent"},
    {"monitoring", "alert_threshold_memory", K_F64, PCT(XPCS_IND_MEMORY, target), 0, 1000,
     "memory target, percent of the budget (ok below)"},
    {"monitoring", "critical_threshold_memory", K_F64, PCT(XPCS_IND_MEMORY, critical), 0, 1000,
     "memory critical above, percent of the budget"},
    {"monitoring", "alert_threshold_io", K_F64, PCT(XPCS_IND_IO, target), 0, 1000,
     "I/O target, percent of the storage bandwidth (ok above)"},
    {"monitoring", "critical_threshold_io", K_F64, PCT(XPCS_IND_IO, critical), 0, 1000,
     "I/O critical below, percent of the storage bandwidth"},
};
#define N_SETTINGS ((int)(sizeof table / sizeof table[0]))
_Static_assert(sizeof table / sizeof table[0] <= XPCS_SETTINGS_MAX, "raise XPCS_SETTINGS_MAX");

static const char *const sections[] = {"threading", "memory", "io", "monitoring", NULL};
static const char *const source_names[] = {"default", "environment", "config file", "command line"};

const char *xpcs_setting_source_name(int src)
{
    return src >= 0 && src <= XPCS_SRC_CLI ? source_names[src] : "?";
}

void xpcs_settings_default(xpcs_config *c)
{
    xpcs_siteopts *s = &c->site;
    memset(s, 0, sizeof *s);
    s->enable_profiling = 1;
    s->enable_report = 1;
    s->progress = XPCS_PROGRESS_AUTO;
    s->progress_interval_s = 10.0;
    for (int i = 0; i < XPCS_IND_COUNT; i++)
        s->threshold[i] = xpcs_indicator_default((xpcs_indicator_id)i);
}

static void *field(xpcs_config *c, const setting *s)
{
    return (char *)c + s->off;
}

static const void *cfield(const xpcs_config *c, const setting *s)
{
    return (const char *)c + s->off;
}

static void env_name(const setting *s, char *buf, size_t n)
{
    snprintf(buf, n, "XPCS_%s", s->key);
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

static const char *expected(const setting *s)
{
    switch (s->k) {
    case K_INT:
    case K_I64:
        return "an integer";
    case K_F64:
        return "a number";
    case K_BOOL:
        return "a boolean (true/false, yes/no, on/off, 1/0)";
    case K_PROGRESS:
        return "auto, live, lines or off";
    default:
        return "a string";
    }
}

static int parse_bool(const char *t, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on", NULL};
    static const char *const no[] = {"0", "false", "no", "off", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(t, yes[i]) == 0) {
            *out = 1;
            return 1;
        }
        if (strcasecmp(t, no[i]) == 0) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

/* The one value parser: env, --set and config values all come as text. */
static xpcs_status set_text(xpcs_config *c, int idx, const char *text, const char *where, int src,
                            xpcs_err *err)
{
    const setting *s = &table[idx];
    char *end = NULL;
    int ok = 1;
    errno = 0;
    switch (s->k) {
    case K_INT:
    case K_I64: {
        long long v = strtoll(text, &end, 10);
        ok = !errno && end != text && *end == '\0' && (double)v >= s->lo && (double)v <= s->hi;
        if (ok && s->k == K_INT)
            *(int *)field(c, s) = (int)v;
        else if (ok)
            *(int64_t *)field(c, s) = (int64_t)v;
        break;
    }
    case K_F64: {
        double v = strtod(text, &end);
        ok = !errno && end != text && *end == '\0' && isfinite(v) && v >= s->lo && v <= s->hi;
        if (ok)
            *(double *)field(c, s) = v;
        break;
    }
    case K_BOOL: {
        int v = 0;
        ok = parse_bool(text, &v);
        if (ok)
            *(int *)field(c, s) = v;
        break;
    }
    case K_PROGRESS: {
        int v = xpcs_progress_mode_parse(text), b = 0;
        if (v < 0 && parse_bool(text, &b))
            v = b ? XPCS_PROGRESS_AUTO : XPCS_PROGRESS_OFF;
        ok = v >= 0;
        if (ok)
            *(int *)field(c, s) = v;
        break;
    }
    case K_STR:
        ok = strlen(text) < s->size && text[0] != '\0';
        if (ok)
            snprintf((char *)field(c, s), s->size, "%s", text);
        break;
    }
    if (!ok) {
        if ((s->k == K_INT || s->k == K_I64 || s->k == K_F64) && s->hi > s->lo)
            return xpcs_fail(err, XPCS_ERR_USAGE,
                             "%s: key '%s.%s': expected %s in [%g, %g], got '%s'", where,
                             s->section, s->key, expected(s), s->lo, s->hi, text);
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s.%s': expected %s, got '%s'", where,
                         s->section, s->key, expected(s), text);
    }
    c->site.source[idx] = (unsigned char)src;
    return XPCS_OK;
}

static int find(const char *section, const char *key)
{
    for (int i = 0; i < N_SETTINGS; i++)
        if (strcmp(table[i].section, section) == 0 && strcmp(table[i].key, key) == 0)
            return i;
    return -1;
}

xpcs_status xpcs_settings_apply_env(xpcs_config *c, xpcs_err *err)
{
    for (int i = 0; i < N_SETTINGS; i++) {
        char name[96], where[128];
        env_name(&table[i], name, sizeof name);
        const char *v = getenv(name);
        if (!v)
            continue;
        snprintf(where, sizeof where, "environment %s", name);
        xpcs_status st = set_text(c, i, v, where, XPCS_SRC_ENV, err);
        if (st)
            return st;
    }
    return XPCS_OK;
}

int xpcs_settings_is_section(const char *key)
{
    for (int i = 0; sections[i]; i++)
        if (strcmp(key, sections[i]) == 0)
            return 1;
    return 0;
}

xpcs_status xpcs_settings_apply_section(xpcs_config *c, const char *section, const cJSON *obj,
                                        const char *path, xpcs_err *err)
{
    char where[XPCS_PATH_MAX + 16];
    snprintf(where, sizeof where, "config %s", path);
    if (cJSON_IsNull(obj))
        return XPCS_OK; /* an empty section ("io:" with nothing under it) */
    if (!cJSON_IsObject(obj))
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected a mapping of settings", where,
                         section);
    for (const cJSON *it = obj->child; it; it = it->next) {
        int idx = find(section, it->string);
        if (idx < 0)
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: unknown key '%s.%s'", where, section,
                             it->string);
        char num[64];
        const char *text;
        if (cJSON_IsString(it))
            text = it->valuestring;
        else if (cJSON_IsBool(it))
            text = cJSON_IsTrue(it) ? "true" : "false";
        else if (cJSON_IsNumber(it)) {
            snprintf(num, sizeof num, "%.17g", it->valuedouble);
            text = num;
        }
        else
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s.%s': expected %s", where, section,
                             it->string, expected(&table[idx]));
        xpcs_status st = set_text(c, idx, text, where, XPCS_SRC_FILE, err);
        if (st)
            return st;
    }
    return XPCS_OK;
}

xpcs_status xpcs_settings_apply_assignment(xpcs_config *c, const char *text, xpcs_err *err)
{
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
    int idx = find(section, key);
    if (idx < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "option --set: unknown key '%s.%s'", section, key);
    return set_text(c, idx, eq + 1, "option --set", XPCS_SRC_CLI, err);
}

/* ---- YAML ---------------------------------------------------------------- */

int xpcs_settings_is_yaml(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0))
        return 1;
    if (dot && strcasecmp(dot, ".json") == 0)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* the JSON loader reports the open error */
    int ch;
    do
        ch = fgetc(f);
    while (ch != EOF && isspace(ch));
    fclose(f);
    return ch != '{';
}

/* A plain scalar's type, YAML 1.1 core style: null, bool, number, else a
 * string.  Quoted scalars are always strings. */
static cJSON *yaml_scalar(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return cJSON_CreateString(v);
    if (v[0] == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0)
        return cJSON_CreateNull();
    int b;
    if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0 && parse_bool(v, &b))
        return cJSON_CreateBool(b);
    int numeric = v[0] != '\0' && strspn(v, "0123456789+-.eE") == strlen(v) &&
                  strpbrk(v, "0123456789") != NULL;
    if (numeric) {
        char *end;
        double d = strtod(v, &end);
        if (*end == '\0')
            return cJSON_CreateNumber(d);
    }
    return cJSON_CreateString(v);
}

static xpcs_status yaml_node(yaml_document_t *doc, const yaml_node_t *n, int depth,
                             const char *what, cJSON **out, xpcs_err *err)
{
    *out = NULL;
    if (depth > 32)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: nested too deeply", what);
    if (n->type == YAML_SCALAR_NODE) {
        *out = yaml_scalar(n);
        return XPCS_OK;
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        cJSON *arr = cJSON_CreateArray();
        for (const yaml_node_item_t *i = n->data.sequence.items.start;
             i < n->data.sequence.items.top; i++) {
            cJSON *child;
            xpcs_status st =
                yaml_node(doc, yaml_document_get_node(doc, *i), depth + 1, what, &child, err);
            if (st) {
                cJSON_Delete(arr);
                return st;
            }
            cJSON_AddItemToArray(arr, child);
        }
        *out = arr;
        return XPCS_OK;
    }
    if (n->type != YAML_MAPPING_NODE)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: empty YAML node", what);
    cJSON *obj = cJSON_CreateObject();
    for (const yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (!k || k->type != YAML_SCALAR_NODE) {
            cJSON_Delete(obj);
            return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: line %lu: keys must be plain words",
                             what, (unsigned long)(k ? k->start_mark.line + 1 : 0));
        }
        const char *key = (const char *)k->data.scalar.value;
        if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
            cJSON_Delete(obj);
            return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: line %lu: duplicate key '%s'", what,
                             (unsigned long)k->start_mark.line + 1, key);
        }
        cJSON *child;
        xpcs_status st =
            yaml_node(doc, yaml_document_get_node(doc, p->value), depth + 1, what, &child, err);
        if (st) {
            cJSON_Delete(obj);
            return st;
        }
        cJSON_AddItemToObject(obj, key, child);
    }
    *out = obj;
    return XPCS_OK;
}

xpcs_status xpcs_yaml_parse(const char *text, size_t len, const char *what, cJSON **out,
                            xpcs_err *err)
{
    *out = NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return xpcs_fail(err, XPCS_ERR_MEMORY, "config %s: cannot start the YAML parser", what);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        xpcs_status st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: line %lu, column %lu: %s%s%s",
                                   what, (unsigned long)parser.problem_mark.line + 1,
                                   (unsigned long)parser.problem_mark.column + 1,
                                   parser.problem ? parser.problem : "YAML syntax error",
                                   parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return st;
    }
    xpcs_status st = XPCS_OK;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        *out = cJSON_CreateObject();
    else if (root->type != YAML_MAPPING_NODE)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: expected a mapping of keys at the top",
                       what);
    else
        st = yaml_node(&doc, root, 0, what, out, err);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return st;
}

xpcs_status xpcs_settings_load_yaml(xpcs_config *c, const char *path, xpcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: cannot open: %s", path, strerror(errno));
    char *text = xpcs_malloc((1 << 24) + 1);
    size_t got = fread(text, 1, 1 << 24, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    if (more) {
        free(text);
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: larger than 16 MiB", path);
    }
    text[got] = '\0';
    cJSON *root = NULL;
    xpcs_status st = xpcs_yaml_parse(text, got, path, &root, err);
    free(text);
    if (!st)
        st = xpcs_config_apply_json(c, root, path, err);
    cJSON_Delete(root);
    return st;
}

/* ---- after the command line --------------------------------------------- */

void xpcs_settings_mark_changed(xpcs_config *c, const xpcs_config *before, int src)
{
    for (int i = 0; i < N_SETTINGS; i++) {
        const setting *s = &table[i];
        size_t n = s->k == K_STR ? s->size : (s->k == K_I64 || s->k == K_F64) ? 8 : sizeof(int);
        if (memcmp(cfield(c, s), cfield(before, s), n) != 0)
            c->site.source[i] = (unsigned char)src;
    }
}

xpcs_status xpcs_settings_finish(xpcs_config *c, const xpcs_config *before, xpcs_err *err)
{
    xpcs_settings_mark_changed(c, before, XPCS_SRC_CLI);
    for (int i = 0; i < XPCS_IND_COUNT; i++) {
        xpcs_threshold t = c->site.threshold[i];
        if (!xpcs_threshold_valid((xpcs_indicator_id)i, t))
            return xpcs_fail(
                err, XPCS_ERR_USAGE,
                "thresholds of %s: critical %g %% must be %s the alert threshold %g %%",
                xpcs_indicator_name((xpcs_indicator_id)i), t.critical,
                xpcs_indicator_higher_is_better((xpcs_indicator_id)i) ? "at or below"
                                                                      : "at or above",
                t.target);
    }
    return XPCS_OK;
}

/* ---- output ------------------------------------------------------------- */

static cJSON *value_json(const xpcs_config *c, const setting *s)
{
    const void *p = cfield(c, s);
    switch (s->k) {
    case K_INT:
        return cJSON_CreateNumber(*(const int *)p);
    case K_I64:
        return cJSON_CreateNumber((double)*(const int64_t *)p);
    case K_F64:
        return cJSON_CreateNumber(*(const double *)p);
    case K_BOOL:
        return cJSON_CreateBool(*(const int *)p);
    case K_PROGRESS:
        return cJSON_CreateString(xpcs_progress_mode_name(*(const int *)p));
    default:
        return cJSON_CreateString((const char *)p);
    }
}

void xpcs_settings_print(const xpcs_config *c, FILE *out)
{
    for (int i = 0; i < N_SETTINGS; i++) {
        cJSON *v = value_json(c, &table[i]);
        char *t = cJSON_PrintUnformatted(v);
        char env[96];
        env_name(&table[i], env, sizeof env);
        fprintf(out, "setting %s.%s = %s (%s; %s)\n", table[i].section, table[i].key, t ? t : "?",
                xpcs_setting_source_name(c->site.source[i]), env);
        free(t);
        cJSON_Delete(v);
    }
}

char *xpcs_settings_effective_json(const xpcs_config *c)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "raw", c->raw);
    cJSON_AddStringToObject(root, "qmap", c->qmap);
    cJSON_AddStringToObject(root, "output", c->output);
    cJSON_AddStringToObject(root, "type", xpcs_analysis_name(c->analysis));
    cJSON_AddNumberToObject(root, "begin_frame", (double)c->begin_frame);
    cJSON_AddNumberToObject(root, "end_frame", (double)c->end_frame);
    cJSON_AddNumberToObject(root, "stride_frame", (double)c->stride_frame);
    cJSON_AddNumberToObject(root, "avg_frame", (double)c->avg_frame);
    cJSON_AddNumberToObject(root, "normalize_frame", c->normalize_frame);
    cJSON_AddStringToObject(root, "dq_selection", c->dq_selection);
    cJSON_AddBoolToObject(root, "overwrite", c->overwrite);
    cJSON_AddNumberToObject(root, "verbose", c->verbose);
    cJSON_AddNumberToObject(root, "frame_time", c->frame_time);
    cJSON_AddNumberToObject(root, "count_time", c->count_time);
    cJSON_AddStringToObject(root, "config_file", c->config_file);
    cJSON *src = cJSON_CreateObject();
    for (int s = 0; sections[s]; s++) {
        cJSON *sec = cJSON_AddObjectToObject(root, sections[s]);
        for (int i = 0; i < N_SETTINGS; i++) {
            if (strcmp(table[i].section, sections[s]) != 0)
                continue;
            cJSON_AddItemToObject(sec, table[i].key, value_json(c, &table[i]));
            char full[128];
            snprintf(full, sizeof full, "%s.%s", table[i].section, table[i].key);
            cJSON_AddStringToObject(src, full, xpcs_setting_source_name(c->site.source[i]));
        }
    }
    cJSON_AddItemToObject(root, "sources", src);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) { /* cJSON could not allocate: an empty object, never NULL */
        text = xpcs_malloc(3);
        memcpy(text, "{}", 3);
    }
    return text;
}
