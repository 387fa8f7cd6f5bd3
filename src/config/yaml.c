#include "xpcs/config/yaml.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "xpcs/core/infile.h"

int xpcs_yaml_bool(const char *t, int *out)
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

/* A plain scalar's type, YAML 1.1 core style: null, bool, number, else a
 * string.  Quoted scalars are always strings. */
static cJSON *yaml_scalar(const char *v, yaml_scalar_style_t style)
{
    if (style != YAML_PLAIN_SCALAR_STYLE)
        return cJSON_CreateString(v);
    if (v[0] == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0)
        return cJSON_CreateNull();
    int b;
    if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0 && xpcs_yaml_bool(v, &b))
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

/* ---- the loader: libyaml's events -> a cJSON tree, within limits ---------- */

/* An anchor: its name and the finished node it names (owned by the tree). */
typedef struct {
    char *name;
    const cJSON *node;
    long size; /* values in it, the node itself included */
} anchor;

/* An open sequence or mapping. */
typedef struct {
    cJSON *node;
    char *anchor;   /* its anchor, registered when it ends; NULL: none */
    char *key;      /* mapping: the key waiting for its value; NULL: none */
    long first;     /* the loader's value count when it started */
    int is_mapping; /* 1: mapping, 0: sequence */
} frame;

typedef struct {
    const char *what;
    xpcs_err *err;
    frame open[XPCS_CONFIG_MAX_DEPTH + 1];
    int depth; /* open frames */
    anchor *anchors;
    int n_anchors, cap_anchors;
    long values; /* made so far, each alias counted as the values it copies */
    cJSON *root;
    int done; /* the first document's root is complete */
} loader;

/* "config F: line N: WHAT['NAME']" */
static xpcs_status loader_fail(loader *L, const yaml_event_t *ev, const char *what,
                               const char *name)
{
    return xpcs_fail(L->err, XPCS_ERR_USAGE, "config %s: line %lu: %s%s%s%s", L->what,
                     (unsigned long)ev->start_mark.line + 1, what, name ? " '" : "",
                     name ? name : "", name ? "'" : "");
}

/* Counts n more values against the budget. */
static xpcs_status spend(loader *L, const yaml_event_t *ev, long n)
{
    if (n > XPCS_CONFIG_MAX_VALUES - L->values)
        return xpcs_fail(L->err, XPCS_ERR_USAGE,
                         "config %s: line %lu: more than %d values (aliases counted as what "
                         "they copy): not a config file (an alias bomb?)",
                         L->what, (unsigned long)ev->start_mark.line + 1, XPCS_CONFIG_MAX_VALUES);
    L->values += n;
    return XPCS_OK;
}

static xpcs_status add_anchor(loader *L, const char *name, const cJSON *node, long size)
{
    if (L->n_anchors == L->cap_anchors) {
        L->cap_anchors = L->cap_anchors ? 2 * L->cap_anchors : 16;
        anchor *a = xpcs_malloc(sizeof *a * (size_t)L->cap_anchors);
        if (L->n_anchors)
            memcpy(a, L->anchors, sizeof *a * (size_t)L->n_anchors);
        free(L->anchors);
        L->anchors = a;
    }
    size_t n = strlen(name) + 1;
    L->anchors[L->n_anchors++] = (anchor){memcpy(xpcs_malloc(n), name, n), node, size};
    return XPCS_OK;
}

/* The newest anchor of that name (YAML lets a later one hide an earlier one). */
static const anchor *find_anchor(const loader *L, const char *name)
{
    for (int i = L->n_anchors - 1; i >= 0; i--)
        if (strcmp(L->anchors[i].name, name) == 0)
            return &L->anchors[i];
    return NULL;
}

/* A finished or just opened value into its place: the root (a mapping), a
 * sequence's next item, or the value of the mapping key that waits. */
static xpcs_status place(loader *L, cJSON *node)
{
    if (L->depth == 0) {
        if (!cJSON_IsObject(node)) {
            cJSON_Delete(node);
            return xpcs_fail(L->err, XPCS_ERR_USAGE,
                             "config %s: expected a mapping of keys at the top", L->what);
        }
        L->root = node;
        return XPCS_OK;
    }
    frame *f = &L->open[L->depth - 1];
    if (!f->is_mapping) {
        cJSON_AddItemToArray(f->node, node);
        return XPCS_OK;
    }
    cJSON_AddItemToObject(f->node, f->key, node);
    free(f->key);
    f->key = NULL;
    return XPCS_OK;
}

/* A mapping's key: a scalar, not yet in the mapping. */
static xpcs_status take_key(loader *L, const yaml_event_t *ev)
{
    frame *f = &L->open[L->depth - 1];
    if (ev->type != YAML_SCALAR_EVENT)
        return loader_fail(L, ev, "keys must be plain words", NULL);
    const char *key = (const char *)ev->data.scalar.value;
    if (cJSON_GetObjectItemCaseSensitive(f->node, key))
        return loader_fail(L, ev, "duplicate key", key);
    size_t n = strlen(key) + 1;
    f->key = memcpy(xpcs_malloc(n), key, n);
    return XPCS_OK;
}

static xpcs_status open_collection(loader *L, const yaml_event_t *ev, int is_mapping)
{
    if (L->depth >= XPCS_CONFIG_MAX_DEPTH + 1)
        return loader_fail(L, ev, "nested too deeply (more than 32 levels)", NULL);
    xpcs_status st = spend(L, ev, 1);
    if (st)
        return st;
    const yaml_char_t *a =
        is_mapping ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    cJSON *node = is_mapping ? cJSON_CreateObject() : cJSON_CreateArray();
    const long first = L->values - 1;
    st = place(L, node);
    if (st)
        return st;
    size_t n = a ? strlen((const char *)a) + 1 : 0;
    L->open[L->depth++] =
        (frame){node, a ? memcpy(xpcs_malloc(n), a, n) : NULL, NULL, first, is_mapping};
    return XPCS_OK;
}

static xpcs_status close_collection(loader *L)
{
    frame *f = &L->open[--L->depth];
    xpcs_status st = XPCS_OK;
    if (f->anchor)
        st = add_anchor(L, f->anchor, f->node, L->values - f->first);
    free(f->anchor);
    free(f->key);
    if (L->depth == 0)
        L->done = 1;
    return st;
}

/* A scalar or an alias (a copy of what its anchor names). */
static xpcs_status leaf(loader *L, const yaml_event_t *ev)
{
    if (L->depth > XPCS_CONFIG_MAX_DEPTH)
        return loader_fail(L, ev, "nested too deeply (more than 32 levels)", NULL);
    if (ev->type == YAML_ALIAS_EVENT) {
        const char *name = (const char *)ev->data.alias.anchor;
        const anchor *a = find_anchor(L, name);
        if (!a)
            return loader_fail(L, ev, "an alias names no finished anchor:", name);
        xpcs_status st = spend(L, ev, a->size);
        return st ? st : place(L, cJSON_Duplicate(a->node, 1));
    }
    xpcs_status st = spend(L, ev, 1);
    if (st)
        return st;
    cJSON *node = yaml_scalar((const char *)ev->data.scalar.value, ev->data.scalar.style);
    if (ev->data.scalar.anchor)
        st = add_anchor(L, (const char *)ev->data.scalar.anchor, node, 1);
    return st ? st : place(L, node);
}

static xpcs_status on_event(loader *L, const yaml_event_t *ev)
{
    const int want_key = L->depth > 0 && L->open[L->depth - 1].is_mapping &&
                         !L->open[L->depth - 1].key && ev->type != YAML_MAPPING_END_EVENT;
    if (want_key)
        return take_key(L, ev);
    switch (ev->type) {
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return open_collection(L, ev, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return close_collection(L);
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
        if (L->depth == 0)
            return xpcs_fail(L->err, XPCS_ERR_USAGE,
                             "config %s: expected a mapping of keys at the top", L->what);
        return leaf(L, ev);
    default:
        return XPCS_OK;
    }
}

static void loader_free(loader *L)
{
    while (L->depth > 0) {
        frame *f = &L->open[--L->depth];
        free(f->anchor);
        free(f->key);
    }
    for (int i = 0; i < L->n_anchors; i++)
        free(L->anchors[i].name);
    free(L->anchors);
}

xpcs_status xpcs_yaml_parse(const char *text, size_t len, const char *what, cJSON **out,
                            xpcs_err *err)
{
    *out = NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return xpcs_fail(err, XPCS_ERR_MEMORY, "config %s: cannot start the YAML parser", what);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    loader L = {.what = what, .err = err};
    xpcs_status st = XPCS_OK;
    /* event by event, so a limit stops the parser where it is reached */
    for (int end = 0; !st && !end && !L.done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: line %lu, column %lu: %s%s%s", what,
                           (unsigned long)parser.problem_mark.line + 1,
                           (unsigned long)parser.problem_mark.column + 1,
                           parser.problem ? parser.problem : "YAML syntax error",
                           parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        end = ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT;
        st = on_event(&L, &ev);
        yaml_event_delete(&ev);
    }
    loader_free(&L);
    yaml_parser_delete(&parser);
    if (st) {
        cJSON_Delete(L.root);
        return st;
    }
    *out = L.root ? L.root : cJSON_CreateObject();
    return XPCS_OK;
}

/* ---- JSON: the same limits on the tree cJSON made ------------------------ */

static xpcs_status json_check(const cJSON *node, int depth, long *values, const char *what,
                              xpcs_err *err)
{
    if (depth > XPCS_CONFIG_MAX_DEPTH)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: nested too deeply (more than %d levels)",
                         what, XPCS_CONFIG_MAX_DEPTH);
    if (++*values > XPCS_CONFIG_MAX_VALUES)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: more than %d values: not a config file",
                         what, XPCS_CONFIG_MAX_VALUES);
    for (const cJSON *c = node->child; c; c = c->next) {
        if (cJSON_IsObject(node)) /* cJSON keeps every copy of a key: refuse them */
            for (const cJSON *d = node->child; d != c; d = d->next)
                if (strcmp(d->string, c->string) == 0)
                    return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: duplicate key '%s'", what,
                                     c->string);
        xpcs_status st = json_check(c, depth + 1, values, what, err);
        if (st)
            return st;
    }
    return XPCS_OK;
}

xpcs_status xpcs_json_parse(const char *text, size_t len, const char *what, cJSON **out,
                            xpcs_err *err)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: not a JSON object", what);
    }
    long values = 0;
    xpcs_status st = json_check(root, 0, &values, what, err);
    if (st) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return XPCS_OK;
}

/* YAML: by the name (.yaml, .yml; .json is JSON), else anything that does
 * not start with '{'. */
static int text_is_yaml(const char *path, const char *text)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0))
        return 1;
    if (dot && strcasecmp(dot, ".json") == 0)
        return 0;
    while (*text && isspace((unsigned char)*text))
        text++;
    return *text != '{';
}

xpcs_status xpcs_yaml_read_config(const char *path, cJSON **out, xpcs_err *err)
{
    *out = NULL;
    char *text = NULL, why[256];
    size_t len = 0;
    if (xpcs_input_slurp(path, XPCS_CONFIG_MAX_BYTES, &text, &len, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: cannot open: %s", path, why);
    /* a NUL byte, raw or as JSON's \u0000, would cut a value short quietly */
    const char *nul = memchr(text, '\0', len);
    const char *esc = strstr(text, "\\u0000");
    xpcs_status st;
    if (nul || esc)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: %s at byte %zu: expected text", path,
                       nul ? "a NUL byte" : "a NUL character (\\u0000)",
                       (size_t)((nul ? nul : esc) - text));
    else
        st = text_is_yaml(path, text) ? xpcs_yaml_parse(text, len, path, out, err)
                                      : xpcs_json_parse(text, len, path, out, err);
    free(text);
    return st;
}
