#include "xpcs/config/yaml.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define MAX_CONFIG_BYTES (1 << 24) /* 16 MiB */

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

int xpcs_yaml_is_yaml(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0))
        return 1;
    if (dot && strcasecmp(dot, ".json") == 0)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* the JSON reader reports the open error */
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

static xpcs_status read_yaml(const char *path, cJSON **out, xpcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: cannot open: %s", path, strerror(errno));
    char *text = xpcs_malloc(MAX_CONFIG_BYTES + 1);
    size_t got = fread(text, 1, MAX_CONFIG_BYTES, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    if (more) {
        free(text);
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: larger than 16 MiB", path);
    }
    text[got] = '\0';
    xpcs_status st = xpcs_yaml_parse(text, got, path, out, err);
    free(text);
    return st;
}

static xpcs_status read_json(const char *path, cJSON **out, xpcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: cannot open: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (len < 0 || len > MAX_CONFIG_BYTES) {
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
    *out = root;
    return XPCS_OK;
}

xpcs_status xpcs_yaml_read_config(const char *path, cJSON **out, xpcs_err *err)
{
    *out = NULL;
    return xpcs_yaml_is_yaml(path) ? read_yaml(path, out, err) : read_json(path, out, err);
}
