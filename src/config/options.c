#include "xpcs/config/options.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xpcs/config/yaml.h"

static const char *const source_names[] = {"default", "environment", "config file", "command line"};

const char *xpcs_opts_source_name(int src)
{
    return src >= 0 && src <= XPCS_SRC_CLI ? source_names[src] : "?";
}

/* ---- rows ------------------------------------------------------------------ */

int xpcs_opt_has_field(const xpcs_opt *r)
{
    return r->type != XPCS_OPT_CALL && r->type != XPCS_OPT_IGNORE && r->type != XPCS_OPT_ARGS &&
           r->type != XPCS_OPT_TEXT;
}

static int is_int_field(const xpcs_opt *r)
{
    return r->type == XPCS_OPT_INT || r->type == XPCS_OPT_BOOL || r->type == XPCS_OPT_FLAG ||
           r->type == XPCS_OPT_SWITCH || r->type == XPCS_OPT_COUNT || r->type == XPCS_OPT_CHOICE;
}

/* The size a row's type needs; 0: any (STR) or no field. */
static size_t type_size(const xpcs_opt *r)
{
    if (is_int_field(r))
        return sizeof(int);
    switch (r->type) {
    case XPCS_OPT_PTR:
        return sizeof(const char *);
    case XPCS_OPT_LONG:
        return sizeof(long);
    case XPCS_OPT_I64:
    case XPCS_OPT_U64:
        return sizeof(int64_t);
    case XPCS_OPT_F64:
        return sizeof(double);
    default:
        return 0;
    }
}

/* getopt_long's has_arg of a row. */
int xpcs_opt_arg_kind(const xpcs_opt *r)
{
    if (r->flags & XPCS_OPTF_OPTARG)
        return optional_argument;
    if (r->type == XPCS_OPT_FLAG || r->type == XPCS_OPT_COUNT)
        return no_argument;
    if ((r->type == XPCS_OPT_CALL || r->type == XPCS_OPT_IGNORE) && !r->arg)
        return no_argument;
    return required_argument;
}

/* A table whose rows do not fit their fields is a programming error: it
 * must never parse anything. */
void xpcs_opts_check_table(const xpcs_opts_table *t)
{
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        size_t need = type_size(r);
        int bad = (need && r->size != need) || (r->type == XPCS_OPT_STR && r->size == 0) ||
                  (r->type == XPCS_OPT_CHOICE && !r->choices && !r->codec) ||
                  (r->type == XPCS_OPT_CALL && !r->fn) ||
                  (xpcs_opt_has_field(r) && r->off + r->size > t->obj_size);
        if (bad) {
            fprintf(stderr, "%s: internal error: option row %d (%s) does not fit its field\n",
                    t->prog, i,
                    r->name  ? r->name
                    : r->key ? r->key
                             : "?");
            abort();
        }
    }
}

const char *xpcs_opt_label(const xpcs_opt *r, char *buf, size_t n)
{
    if (r->label)
        return r->label;
    if (r->letter && r->name)
        snprintf(buf, n, "-%c/--%s", r->letter, r->name);
    else if (r->name)
        snprintf(buf, n, "--%s", r->name);
    else if (r->letter)
        snprintf(buf, n, "-%c", r->letter);
    else if (r->section)
        snprintf(buf, n, "%s.%s", r->section, r->key);
    else
        snprintf(buf, n, "%s", r->key ? r->key : "?");
    return buf;
}

/* Setting names in messages: "section.key", or the key. */
static const char *key_name(const xpcs_opt *r, char *buf, size_t n)
{
    if (r->section)
        snprintf(buf, n, "%s.%s", r->section, r->key);
    else
        snprintf(buf, n, "%s", r->key ? r->key : r->name ? r->name : "?");
    return buf;
}

int xpcs_opts_find(const xpcs_opts_table *t, const char *section, const char *key)
{
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if (r->key && strcmp(r->key, key) == 0 &&
            (section ? r->section && strcmp(r->section, section) == 0 : !r->section))
            return i;
    }
    return -1;
}

int xpcs_opts_is_section(const xpcs_opts_table *t, const char *key)
{
    for (int i = 0; t->sections && t->sections[i]; i++)
        if (strcmp(t->sections[i], key) == 0)
            return 1;
    return 0;
}

/* ---- fields ------------------------------------------------------------------ */

static void put(void *obj, const xpcs_opt *r, const void *v, size_t n)
{
    memcpy((char *)obj + r->off, v, n);
}

static void put_int(void *obj, const xpcs_opt *r, int v)
{
    put(obj, r, &v, sizeof v);
}

static int get_int(const void *obj, const xpcs_opt *r)
{
    int v;
    memcpy(&v, (const char *)obj + r->off, sizeof v);
    return v;
}

/* An integer or a number of any integer type into its field. */
static void put_number(void *obj, const xpcs_opt *r, long long iv, double dv)
{
    switch (r->type) {
    case XPCS_OPT_LONG: {
        long v = (long)iv;
        put(obj, r, &v, sizeof v);
        break;
    }
    case XPCS_OPT_I64: {
        int64_t v = (int64_t)iv;
        put(obj, r, &v, sizeof v);
        break;
    }
    case XPCS_OPT_U64: {
        uint64_t v = (uint64_t)iv;
        put(obj, r, &v, sizeof v);
        break;
    }
    case XPCS_OPT_F64:
        put(obj, r, &dv, sizeof dv);
        break;
    default:
        put_int(obj, r, (int)iv);
    }
}

static void put_str(void *obj, const xpcs_opt *r, const char *s)
{
    snprintf((char *)obj + r->off, r->size, "%s", s);
}

/* ---- text ------------------------------------------------------------------ */

static int text_i64(const char *s, long long *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return !errno && end != s && *end == '\0';
}

static int text_u64(const char *s, unsigned long long *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return !errno && end != s && *end == '\0' && s[0] != '-';
}

static int text_f64(const char *s, double *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && end != s && *end == '\0';
}

static int in_limits(const xpcs_opt *r, double x)
{
    return !(r->lo < r->hi) || (x >= r->lo && x <= r->hi);
}

/* CHOICE text -> value; 0 when it names none. */
static int parse_choice(const xpcs_opt *r, const char *s, int *v)
{
    if (r->codec)
        return r->codec->parse(s, v);
    for (const xpcs_opt_choice *c = r->choices; c->name; c++)
        if ((r->flags & XPCS_OPTF_NOCASE) ? strcasecmp(s, c->name) == 0 : strcmp(s, c->name) == 0) {
            *v = c->value;
            return 1;
        }
    return 0;
}

/* "a, b or c": the choices in messages. */
static const char *choices_text(const xpcs_opt *r, char *buf, size_t n)
{
    if (r->codec)
        return r->codec->expect;
    size_t len = 0;
    buf[0] = '\0';
    for (const xpcs_opt_choice *c = r->choices; c->name && len < n; c++) {
        const char *sep = c == r->choices ? "" : c[1].name ? ", " : " or ";
        len += (size_t)snprintf(buf + len, n - len, "%s%s", sep, c->name);
    }
    return buf;
}

/* What a setting's text must be, in messages. */
const char *xpcs_opt_expect(const xpcs_opt *r, char *buf, size_t n)
{
    switch (r->type) {
    case XPCS_OPT_INT:
    case XPCS_OPT_LONG:
    case XPCS_OPT_I64:
    case XPCS_OPT_COUNT:
        return "an integer";
    case XPCS_OPT_U64:
        return "a non-negative integer";
    case XPCS_OPT_F64:
        return "a number";
    case XPCS_OPT_BOOL:
    case XPCS_OPT_FLAG:
    case XPCS_OPT_SWITCH:
        return "a boolean (true/false, yes/no, on/off, 1/0)";
    case XPCS_OPT_CHOICE:
        return choices_text(r, buf, n);
    default:
        return "a string";
    }
}

/* ---- the three ways in ------------------------------------------------------ */

static xpcs_status bad_value(const xpcs_opts_table *t, const xpcs_opt *r, const char *what,
                             const char *text, xpcs_err *err)
{
    char lab[128];
    const char *fmt = t->msgs.bad ? t->msgs.bad : "option %s: expected %s, got '%s'";
    return xpcs_fail(err, XPCS_ERR_USAGE, fmt, xpcs_opt_label(r, lab, sizeof lab), what, text);
}

xpcs_status xpcs_opt_number(const xpcs_opts_table *t, const xpcs_opt *r, const char *text,
                            double *out, xpcs_err *err)
{
    if (!text_f64(text, out) || ((t->flags & XPCS_OPTS_FINITE) && !isfinite(*out)))
        return bad_value(t, r, "a number", text, err);
    return XPCS_OK;
}

/* An integer from the command line (a whole number with XPCS_OPTS_INT_NUMBER). */
static xpcs_status cli_integer(const xpcs_opts_table *t, const xpcs_opt *r, const char *text,
                               long long *v, xpcs_err *err)
{
    if (!(t->flags & XPCS_OPTS_INT_NUMBER))
        return text_i64(text, v) ? XPCS_OK : bad_value(t, r, "an integer", text, err);
    double d;
    if (!text_f64(text, &d))
        return bad_value(t, r, "a number", text, err);
    if (!(d >= INT_MIN && d <= INT_MAX) || d != floor(d))
        return bad_value(t, r, "an integer", text, err);
    *v = (long long)d;
    return XPCS_OK;
}

/* A number of the command line, by type, with limits. */
static xpcs_status cli_number(const xpcs_opts_table *t, const xpcs_opt *r, void *obj,
                              const char *text, xpcs_err *err)
{
    long long iv = 0;
    unsigned long long uv = 0;
    double dv = 0, x;
    xpcs_status st = XPCS_OK;
    if (r->type == XPCS_OPT_F64)
        st = xpcs_opt_number(t, r, text, &dv, err);
    else if (r->type == XPCS_OPT_U64 && !text_u64(text, &uv))
        st = bad_value(t, r, "a non-negative integer", text, err);
    else if (r->type != XPCS_OPT_U64)
        st = cli_integer(t, r, text, &iv, err);
    if (st)
        return st;
    x = r->type == XPCS_OPT_F64 ? dv : r->type == XPCS_OPT_U64 ? (double)uv : (double)iv;
    char lab[128], lim[64];
    if (!in_limits(r, x)) {
        snprintf(lim, sizeof lim, "%g..%g", r->lo, r->hi);
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         t->msgs.limit ? t->msgs.limit : "%s: expected %s, got %s",
                         xpcs_opt_label(r, lab, sizeof lab), r->expect ? r->expect : lim, text);
    }
    if ((r->type == XPCS_OPT_INT && (iv < -INT_MAX || iv > INT_MAX)) ||
        (r->type == XPCS_OPT_LONG && (iv < LONG_MIN || iv > LONG_MAX)))
        return xpcs_fail(err, XPCS_ERR_USAGE, t->msgs.range ? t->msgs.range : "%s: %s out of range",
                         xpcs_opt_label(r, lab, sizeof lab), text);
    if (r->type == XPCS_OPT_U64)
        iv = (long long)uv;
    put_number(obj, r, iv, dv);
    return XPCS_OK;
}

/* The command line: text is the argument (NULL: none). */
xpcs_status xpcs_opt_from_cli(const xpcs_opts_table *t, const xpcs_opt *r, void *obj,
                              const char *text, xpcs_err *err)
{
    char buf[256];
    int v = 0;
    long long iv = 1;
    switch (r->type) {
    case XPCS_OPT_STR:
        put_str(obj, r, text);
        return XPCS_OK;
    case XPCS_OPT_PTR:
        put(obj, r, &text, sizeof text);
        return XPCS_OK;
    case XPCS_OPT_FLAG:
        put_int(obj, r, (r->flags & XPCS_OPTF_NEGATE) ? 0 : 1);
        return XPCS_OK;
    case XPCS_OPT_COUNT:
        put_int(obj, r, get_int(obj, r) + 1);
        return XPCS_OK;
    case XPCS_OPT_SWITCH: {
        xpcs_status st = text ? cli_integer(t, r, text, &iv, err) : XPCS_OK;
        if (!st && !in_limits(r, (double)iv))
            st = bad_value(t, r, r->expect ? r->expect : "a value within the limits", text, err);
        if (!st)
            put_int(obj, r, iv != 0);
        return st;
    }
    case XPCS_OPT_BOOL:
        if (!xpcs_yaml_bool(text, &v))
            return bad_value(t, r, xpcs_opt_expect(r, buf, sizeof buf), text, err);
        put_int(obj, r, v);
        return XPCS_OK;
    case XPCS_OPT_CHOICE:
        if (!parse_choice(r, text, &v))
            return bad_value(t, r, choices_text(r, buf, sizeof buf), text, err);
        put_int(obj, r, v);
        return XPCS_OK;
    case XPCS_OPT_INT:
    case XPCS_OPT_LONG:
    case XPCS_OPT_I64:
    case XPCS_OPT_U64:
    case XPCS_OPT_F64:
        return cli_number(t, r, obj, text, err);
    default:
        return XPCS_OK;
    }
}

/* The range of an integer type, as doubles (2^63 itself is out). */
static void type_range(const xpcs_opt *r, double *lo, double *hi)
{
    switch (r->type) {
    case XPCS_OPT_INT:
    case XPCS_OPT_COUNT:
        *lo = -(double)INT_MAX, *hi = (double)INT_MAX;
        break;
    case XPCS_OPT_U64:
        *lo = 0, *hi = 18446744073709549568.0; /* the largest double below 2^64 */
        break;
    default: /* LONG, I64 */
        *lo = -9223372036854774784.0, *hi = 9223372036854774784.0;
    }
}

/* A number of a config file for a numeric row: finite (1e999 reads as an
 * infinity), within the integer type (a fraction is cut, as before), within
 * the row's limits; the message names the key and the file. */
static xpcs_status item_number(const xpcs_opt *r, const cJSON *it, const char *where, long long *iv,
                               double *dv, xpcs_err *err)
{
    const double x = it->valuedouble;
    char name[160], buf[256], got[64];
    snprintf(got, sizeof got, "%.17g", x);
    if (r->type == XPCS_OPT_F64) {
        *dv = x;
        if (isfinite(x) && in_limits(r, x))
            return XPCS_OK;
    }
    else {
        double lo, hi;
        type_range(r, &lo, &hi);
        if (x >= lo && x <= hi && in_limits(r, trunc(x))) {
            *iv = (long long)x;
            *dv = trunc(x);
            return XPCS_OK;
        }
    }
    if (r->lo < r->hi)
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected %s in [%g, %g], got %s",
                         where, key_name(r, name, sizeof name), xpcs_opt_expect(r, buf, sizeof buf),
                         r->lo, r->hi, got);
    return xpcs_fail(
        err, XPCS_ERR_USAGE, "%s: key '%s': expected %s, got %s", where,
        key_name(r, name, sizeof name),
        r->type == XPCS_OPT_F64 ? "a finite number" : xpcs_opt_expect(r, buf, sizeof buf), got);
}

/* [1, 2, 5] -> "1,2,5" (an XPCS_OPTF_LIST row; xpcs_opt_item_expect checked
 * that every element is an integer). */
static xpcs_status list_item(const xpcs_opt *r, void *obj, const cJSON *it, const char *where,
                             xpcs_err *err)
{
    char *dst = (char *)obj + r->off, name[160];
    size_t len = 0;
    dst[0] = '\0';
    for (const cJSON *e = it->child; e; e = e->next) {
        int k = snprintf(dst + len, r->size - len, "%s%.0f", len ? "," : "", e->valuedouble);
        if (k < 0 || (size_t)k >= r->size - len) {
            dst[0] = '\0';
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': list longer than %zu characters",
                             where, key_name(r, name, sizeof name), r->size - 1);
        }
        len += (size_t)k;
    }
    return XPCS_OK;
}

/* A top-level key of a config file: typed JSON, as boost_corr reads it. */
xpcs_status xpcs_opt_from_item(const xpcs_opts_table *t, const xpcs_opt *r, void *obj,
                               const cJSON *it, const char *where, xpcs_err *err)
{
    long long iv = 0;
    double dv = 0;
    int v = 0;
    char buf[256];
    xpcs_status st;
    switch (r->type) {
    case XPCS_OPT_STR:
        if (cJSON_IsArray(it))
            return list_item(r, obj, it, where ? where : "config", err);
        put_str(obj, r, it->valuestring);
        return XPCS_OK;
    case XPCS_OPT_CHOICE: /* the command line's message */
        if (!parse_choice(r, it->valuestring, &v))
            return bad_value(t, r, choices_text(r, buf, sizeof buf), it->valuestring, err);
        put_int(obj, r, v);
        return XPCS_OK;
    case XPCS_OPT_BOOL:
    case XPCS_OPT_FLAG:
    case XPCS_OPT_SWITCH:
        put_int(obj, r, cJSON_IsNumber(it) ? it->valuedouble != 0 : cJSON_IsTrue(it));
        return XPCS_OK;
    case XPCS_OPT_COUNT:
        if (!cJSON_IsNumber(it)) {
            put_int(obj, r, cJSON_IsTrue(it));
            return XPCS_OK;
        }
        /* fall through */
    case XPCS_OPT_F64:
    case XPCS_OPT_INT:
    case XPCS_OPT_LONG:
    case XPCS_OPT_I64:
    case XPCS_OPT_U64:
        st = item_number(r, it, where ? where : "config", &iv, &dv, err);
        if (!st)
            put_number(obj, r, iv, dv);
        return st;
    default:
        return XPCS_OK;
    }
}

/* A setting (or an environment variable): the value as text, with limits. */
xpcs_status xpcs_opt_from_text(const xpcs_opt *r, void *obj, const char *text, const char *where,
                               xpcs_err *err)
{
    long long iv = 0;
    unsigned long long uv = 0;
    double dv = 0;
    int v = 0, ok = 1;
    switch (r->type) {
    case XPCS_OPT_INT:
    case XPCS_OPT_LONG:
    case XPCS_OPT_I64:
    case XPCS_OPT_COUNT:
        ok = text_i64(text, &iv) && in_limits(r, (double)iv);
        dv = (double)iv;
        break;
    case XPCS_OPT_U64:
        ok = text_u64(text, &uv) && in_limits(r, (double)uv);
        iv = (long long)uv;
        break;
    case XPCS_OPT_F64:
        ok = text_f64(text, &dv) && isfinite(dv) && in_limits(r, dv);
        break;
    case XPCS_OPT_BOOL:
    case XPCS_OPT_FLAG:
    case XPCS_OPT_SWITCH:
        ok = xpcs_yaml_bool(text, &v);
        iv = v;
        break;
    case XPCS_OPT_CHOICE:
        ok = parse_choice(r, text, &v);
        iv = v;
        break;
    case XPCS_OPT_STR:
        ok = strlen(text) < r->size && text[0] != '\0';
        break;
    default:
        break;
    }
    char name[160], buf[256];
    if (!ok) {
        const char *what = xpcs_opt_expect(r, buf, sizeof buf);
        int numeric = r->type == XPCS_OPT_INT || r->type == XPCS_OPT_LONG ||
                      r->type == XPCS_OPT_I64 || r->type == XPCS_OPT_U64 || r->type == XPCS_OPT_F64;
        if (numeric && r->lo < r->hi)
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected %s in [%g, %g], got '%s'",
                             where, key_name(r, name, sizeof name), what, r->lo, r->hi, text);
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected %s, got '%s'", where,
                         key_name(r, name, sizeof name), what, text);
    }
    if (r->type == XPCS_OPT_STR)
        put_str(obj, r, text);
    else if (r->type == XPCS_OPT_PTR)
        put(obj, r, &text, sizeof text);
    else if (xpcs_opt_has_field(r))
        put_number(obj, r, iv, dv);
    return XPCS_OK;
}

/* What a top-level key's JSON value must be. */
const char *xpcs_opt_item_expect(const xpcs_opt *r, const cJSON *it)
{
    int num = cJSON_IsNumber(it), boolean = cJSON_IsBool(it);
    switch (r->type) {
    case XPCS_OPT_STR:
        if ((r->flags & XPCS_OPTF_LIST) && cJSON_IsArray(it)) {
            for (const cJSON *e = it->child; e; e = e->next)
                if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
                    fabs(e->valuedouble) > 1e15)
                    return "a string or a list of integers";
            return NULL;
        }
        return cJSON_IsString(it) ? NULL : "a string";
    case XPCS_OPT_CHOICE:
        return cJSON_IsString(it) ? NULL : "a string";
    case XPCS_OPT_INT:
    case XPCS_OPT_LONG:
    case XPCS_OPT_I64:
    case XPCS_OPT_U64:
        return num ? NULL : "an integer";
    case XPCS_OPT_F64:
        return num ? NULL : "a number";
    case XPCS_OPT_BOOL:
    case XPCS_OPT_FLAG:
    case XPCS_OPT_SWITCH:
    case XPCS_OPT_COUNT:
        return num || boolean ? NULL : "0/1 or a boolean";
    default:
        return NULL; /* IGNORE takes anything, CALL's fn checks */
    }
}

/* ---- shown -------------------------------------------------------------------- */

static const char *choice_name(const xpcs_opt *r, int v)
{
    if (r->codec)
        return r->codec->name(v);
    for (const xpcs_opt_choice *c = r->choices; c->name; c++)
        if (c->value == v)
            return c->shown ? c->shown : c->name;
    return "?";
}

cJSON *xpcs_opt_json(const xpcs_opt *r, const void *obj)
{
    const char *p = (const char *)obj + r->off;
    int i;
    long l;
    int64_t q;
    uint64_t u;
    double d;
    const char *s;
    switch (r->type) {
    case XPCS_OPT_STR:
        return cJSON_CreateString(p);
    case XPCS_OPT_PTR:
        memcpy(&s, p, sizeof s);
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
    case XPCS_OPT_LONG:
        memcpy(&l, p, sizeof l);
        return cJSON_CreateNumber((double)l);
    case XPCS_OPT_I64:
        memcpy(&q, p, sizeof q);
        return cJSON_CreateNumber((double)q);
    case XPCS_OPT_U64:
        memcpy(&u, p, sizeof u);
        return cJSON_CreateNumber((double)u);
    case XPCS_OPT_F64:
        memcpy(&d, p, sizeof d);
        return cJSON_CreateNumber(d);
    case XPCS_OPT_BOOL:
    case XPCS_OPT_FLAG:
        return cJSON_CreateBool(get_int(obj, r));
    case XPCS_OPT_CHOICE:
        return cJSON_CreateString(choice_name(r, get_int(obj, r)));
    case XPCS_OPT_INT:
    case XPCS_OPT_SWITCH:
    case XPCS_OPT_COUNT:
        memcpy(&i, p, sizeof i);
        return cJSON_CreateNumber(i);
    default:
        return cJSON_CreateNull();
    }
}

const char *xpcs_opt_text(const xpcs_opt *r, const void *obj, char *buf, size_t n)
{
    const char *p = (const char *)obj + r->off;
    long l;
    int64_t q;
    uint64_t u;
    double d;
    const char *s;
    switch (r->type) {
    case XPCS_OPT_STR:
        return p;
    case XPCS_OPT_PTR:
        memcpy(&s, p, sizeof s);
        return s ? s : "";
    case XPCS_OPT_LONG:
        memcpy(&l, p, sizeof l);
        snprintf(buf, n, "%ld", l);
        break;
    case XPCS_OPT_I64:
        memcpy(&q, p, sizeof q);
        snprintf(buf, n, "%lld", (long long)q);
        break;
    case XPCS_OPT_U64:
        memcpy(&u, p, sizeof u);
        snprintf(buf, n, "%llu", (unsigned long long)u);
        break;
    case XPCS_OPT_F64:
        memcpy(&d, p, sizeof d);
        snprintf(buf, n, "%g", d);
        break;
    case XPCS_OPT_CHOICE:
        return choice_name(r, get_int(obj, r));
    default:
        if (!xpcs_opt_has_field(r))
            return "";
        snprintf(buf, n, "%d", get_int(obj, r));
    }
    return buf;
}
