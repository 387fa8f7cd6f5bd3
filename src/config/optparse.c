#include "xpcs/config/optparse.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/config/yaml.h"

/* getopt_long's value of a row without a letter: VAL_BASE + its index. */
#define VAL_BASE 256
/* "config PATH" in messages (paths up to 4096 bytes) */
#define WHERE_MAX (4096 + 16)

struct xpcs_opts {
    const xpcs_opts_table *t;
    void *obj;
    unsigned char *src; /* [t->n] or NULL */
    void *user;
    int print, stopped;
    struct option *longs; /* getopt_long's table, from the rows */
    char *shorts;         /* and its short-option string */
};

xpcs_status xpcs_opts_store(xpcs_opts *o, const xpcs_opt *r, const xpcs_opt_value *v, xpcs_err *err)
{
    if (r->type == XPCS_OPT_IGNORE) {
        char lab[128];
        if ((r->flags & XPCS_OPTF_NOTE) && o->print && v->where)
            fprintf(stderr, "%s: note: %s: key '%s' has no effect here%s%s\n", o->t->prog, v->where,
                    xpcs_opt_label(r, lab, sizeof lab), r->help ? ": " : "",
                    r->help ? r->help : "");
        else if ((r->flags & XPCS_OPTF_NOTE) && o->print)
            fprintf(stderr, "%s: note: %s is accepted and ignored%s%s\n", o->t->prog,
                    xpcs_opt_label(r, lab, sizeof lab), r->help ? ": " : "",
                    r->help ? r->help : "");
        return XPCS_OK;
    }
    if (v->item)
        return xpcs_opt_from_item(o->t, r, o->obj, v->item, v->where, err);
    if (v->where)
        return xpcs_opt_from_text(r, o->obj, v->text, v->where, err);
    return xpcs_opt_from_cli(o->t, r, o->obj, v->text, err);
}

/* Every value goes through here: the row's fn or its store, then the source. */
static xpcs_status apply(xpcs_opts *o, const xpcs_opt *r, const xpcs_opt_value *v, xpcs_err *err)
{
    xpcs_status st = r->fn ? r->fn(o, r, v, err) : xpcs_opts_store(o, r, v, err);
    if (!st && o->src)
        o->src[r - o->t->rows] = (unsigned char)v->source;
    return st;
}

xpcs_status xpcs_opts_apply_text(xpcs_opts *o, int row, const char *text, const char *where,
                                 int src, xpcs_err *err)
{
    const xpcs_opt_value v = {text, NULL, where, src};
    return apply(o, &o->t->rows[row], &v, err);
}

/* ---- sources: a value set by another row of the same field ------------------ */

static void *snapshot(const xpcs_opts *o)
{
    if (!o->src)
        return NULL;
    return memcpy(xpcs_malloc(o->t->obj_size), o->obj, o->t->obj_size);
}

/* Rows whose field changed since before: set by src (through another row). */
static void mark_changed(xpcs_opts *o, void *before, int src)
{
    if (!before)
        return;
    for (int i = 0; i < o->t->n; i++) {
        const xpcs_opt *r = &o->t->rows[i];
        if (xpcs_opt_has_field(r) &&
            memcmp((char *)before + r->off, (char *)o->obj + r->off, r->size) != 0)
            o->src[i] = (unsigned char)src;
    }
    free(before);
}

/* ---- the parser ------------------------------------------------------------- */

xpcs_opts *xpcs_opts_create(const xpcs_opts_table *t, void *obj, unsigned char *src, void *user,
                            int print)
{
    xpcs_opts_check_table(t);
    xpcs_opts *o = xpcs_calloc(1, sizeof *o);
    o->t = t;
    o->obj = obj;
    o->src = src;
    o->user = user;
    o->print = print;
    o->longs = xpcs_calloc((size_t)t->n + 1, sizeof *o->longs);
    o->shorts = xpcs_calloc((size_t)t->n * 3 + 3, 1);
    char *s = o->shorts;
    if (t->flags & XPCS_OPTS_IN_ORDER)
        *s++ = '-'; /* positional arguments come back in order, as value 1 */
    *s++ = ':';     /* a missing value comes back as ':' */
    int nl = 0;
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        int kind = xpcs_opt_arg_kind(r);
        if (r->name)
            o->longs[nl++] =
                (struct option){r->name, kind, NULL, r->letter ? r->letter : VAL_BASE + i};
        if (r->letter) {
            *s++ = (char)r->letter;
            if (kind != no_argument)
                *s++ = ':';
            if (kind == optional_argument)
                *s++ = ':';
        }
    }
    return o;
}

void xpcs_opts_destroy(xpcs_opts **o)
{
    if (!*o)
        return;
    free((*o)->longs);
    free((*o)->shorts);
    free(*o);
    *o = NULL;
}

void *xpcs_opts_obj(const xpcs_opts *o)
{
    return o->obj;
}

void *xpcs_opts_user(const xpcs_opts *o)
{
    return o->user;
}

int xpcs_opts_print(const xpcs_opts *o)
{
    return o->print;
}

int xpcs_opts_stopped(const xpcs_opts *o)
{
    return o->stopped;
}

xpcs_status xpcs_opts_defaults(const xpcs_opts_table *t, void *obj, xpcs_err *err)
{
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if (!r->def || !xpcs_opt_has_field(r))
            continue;
        xpcs_err why = {{0}};
        if (xpcs_opt_from_text(r, obj, r->def, "default", &why) != XPCS_OK)
            return xpcs_fail(err, XPCS_ERR_INTERNAL, "%s: %s", t->prog, why.msg);
    }
    return XPCS_OK;
}

static const xpcs_opt *row_of(const xpcs_opts *o, int val)
{
    if (val >= VAL_BASE && val < VAL_BASE + o->t->n)
        return &o->t->rows[val - VAL_BASE];
    for (int i = 0; val != ':' && val != '?' && i < o->t->n; i++)
        if (o->t->rows[i].letter == val)
            return &o->t->rows[i];
    return NULL;
}

static const xpcs_opt *args_row(const xpcs_opts_table *t)
{
    for (int i = 0; i < t->n; i++)
        if (t->rows[i].type == XPCS_OPT_ARGS && t->rows[i].fn)
            return &t->rows[i];
    return NULL;
}

/* No value of the command line is longer than a path can be: messages
 * quote values, and stay within what xpcs_err holds (status.h). */
#define ARG_MAX_BYTES 4095

static xpcs_status too_long(const xpcs_opt *r, const char *text, xpcs_err *err)
{
    char lab[128];
    return xpcs_fail(err, XPCS_ERR_USAGE, "%s%s: a value of %zu bytes: longer than the %d allowed",
                     r ? "option " : "argument", r ? xpcs_opt_label(r, lab, sizeof lab) : "",
                     strlen(text), ARG_MAX_BYTES);
}

/* One option of the command line. */
static xpcs_status take(xpcs_opts *o, const xpcs_opt *r, const char *text, xpcs_err *err)
{
    if (text && strlen(text) > ARG_MAX_BYTES)
        return too_long(r->type == XPCS_OPT_ARGS ? NULL : r, text, err);
    const xpcs_opt_value v = {text, NULL, NULL, XPCS_SRC_CLI};
    xpcs_status st = apply(o, r, &v, err);
    if (!st && (r->flags & XPCS_OPTF_STOP))
        o->stopped = 1;
    return st;
}

/* "--name" of a row with a dash spelling; static, so the argv words that
 * point to it stay valid after the parse (reachable, never freed). */
static char *long_spelling(const xpcs_opt *r)
{
    static char pool[1024];
    static size_t used;
    char want[128];
    snprintf(want, sizeof want, "--%s", r->name);
    for (size_t at = 0; at < used; at += strlen(pool + at) + 1)
        if (strcmp(pool + at, want) == 0)
            return pool + at;
    size_t n = strlen(want) + 1;
    if (used + n > sizeof pool)
        abort(); /* a table with more dash spellings than fit: a programming error */
    memcpy(pool + used, want, n);
    used += n;
    return pool + used - n;
}

/* boost_corr's one-dash words (-nf, -np) as the rows' long options, before
 * getopt would read them as -n -f. */
static void respell(const xpcs_opts_table *t, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        for (int k = 0; k < t->n; k++)
            if (t->rows[k].dash && t->rows[k].name && strcmp(argv[i], t->rows[k].dash) == 0)
                argv[i] = long_spelling(&t->rows[k]);
}

static int is_integer_word(const char *s)
{
    char *end = NULL;
    (void)strtoll(s, &end, 10);
    return end != s && *end == '\0';
}

xpcs_status xpcs_opts_parse(xpcs_opts *o, int argc, char **argv, int pass, int *next, xpcs_err *err)
{
    const xpcs_opts_table *t = o->t;
    const xpcs_opt *args = args_row(t);
    void *before = pass == XPCS_OPTS_PASS_MAIN ? snapshot(o) : NULL;
    xpcs_status st = XPCS_OK;
    int val;
    opterr = 0; /* the messages are ours */
    optind = 0; /* a fresh scan (1 would keep getopt's state of an earlier table) */
    o->stopped = 0;
    respell(t, argc, argv);
    while (!st && !o->stopped && (val = getopt_long(argc, argv, o->shorts, o->longs, NULL)) != -1) {
        const xpcs_opt *r = row_of(o, val);
        /* --normalize-frame 0: a number after it is its value, never a raw file */
        if (r && (r->flags & XPCS_OPTF_NUMARG) && !optarg && optind < argc &&
            is_integer_word(argv[optind]))
            optarg = argv[optind++];
        if (pass == XPCS_OPTS_PASS_EARLY) {
            if (r && (r->flags & XPCS_OPTF_EARLY))
                st = take(o, r, optarg, err);
        }
        else if (val == 1 && args)
            st = take(o, args, optarg, err);
        else if ((!r || val == 1) && strlen(argv[optind - 1]) > ARG_MAX_BYTES)
            st = too_long(NULL, argv[optind - 1], err);
        else if (!r || val == 1)
            st = xpcs_fail(err, XPCS_ERR_USAGE,
                           val == ':' && t->msgs.missing ? t->msgs.missing
                           : t->msgs.unknown             ? t->msgs.unknown
                                             : "unknown or incomplete option '%s' (see --help)",
                           argv[optind - 1]);
        else if (!(r->flags & XPCS_OPTF_EARLY))
            st = take(o, r, optarg, err);
    }
    if (pass == XPCS_OPTS_PASS_MAIN && args)
        for (; !st && !o->stopped && optind < argc; optind++)
            st = take(o, args, argv[optind], err);
    if (next)
        *next = optind;
    mark_changed(o, before, XPCS_SRC_CLI);
    return st;
}

/* ---- the environment and config files --------------------------------------- */

xpcs_status xpcs_opts_apply_env(xpcs_opts *o, xpcs_err *err)
{
    void *before = snapshot(o);
    xpcs_status st = XPCS_OK;
    for (int i = 0; i < o->t->n && !st; i++) {
        const xpcs_opt *r = &o->t->rows[i];
        const char *text = r->env ? getenv(r->env) : NULL;
        if (!text)
            continue;
        char where[160];
        snprintf(where, sizeof where, "environment %s", r->env);
        st = xpcs_opts_apply_text(o, i, text, where, XPCS_SRC_ENV, err);
    }
    mark_changed(o, before, XPCS_SRC_ENV);
    return st;
}

xpcs_status xpcs_opts_apply_section(xpcs_opts *o, const char *section, const cJSON *obj,
                                    const char *path, xpcs_err *err)
{
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "config %s", path);
    if (cJSON_IsNull(obj))
        return XPCS_OK; /* an empty section ("io:" with nothing under it) */
    if (!cJSON_IsObject(obj))
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected a mapping of settings", where,
                         section);
    for (const cJSON *it = obj->child; it; it = it->next) {
        int idx = xpcs_opts_find(o->t, section, it->string);
        if (idx < 0)
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: unknown key '%s.%s'", where, section,
                             it->string);
        char num[64], buf[256];
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
                             it->string, xpcs_opt_expect(&o->t->rows[idx], buf, sizeof buf));
        xpcs_status st = xpcs_opts_apply_text(o, idx, text, where, XPCS_SRC_FILE, err);
        if (st)
            return st;
    }
    return XPCS_OK;
}

xpcs_status xpcs_opts_apply_tree(xpcs_opts *o, const cJSON *root, const char *path, xpcs_err *err)
{
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "config %s", path);
    for (const cJSON *it = root->child; it; it = it->next) {
        const char *k = it->string;
        int idx = xpcs_opts_find(o->t, NULL, k);
        const xpcs_opt *r = idx >= 0 ? &o->t->rows[idx] : NULL;
        xpcs_status st;
        if (r && !(r->flags & XPCS_OPTF_NOFILE) && cJSON_IsNull(it) && xpcs_opt_has_field(r))
            continue; /* null: boost_corr's None, the default (its dry-run dump has them) */
        if (r && !(r->flags & XPCS_OPTF_NOFILE)) {
            const char *want = xpcs_opt_item_expect(r, it);
            if (want)
                return xpcs_fail(err, XPCS_ERR_USAGE, "config %s: key '%s': expected %s", path, k,
                                 r->expect ? r->expect : want);
            const xpcs_opt_value v = {cJSON_IsString(it) ? it->valuestring : NULL, it, where,
                                      XPCS_SRC_FILE};
            st = apply(o, r, &v, err);
        }
        else if (xpcs_opts_is_section(o->t, k))
            st = xpcs_opts_apply_section(o, k, it, path, err);
        else
            st = xpcs_fail(err, XPCS_ERR_USAGE, "config %s: unknown key '%s'", path, k);
        if (st)
            return st;
    }
    return XPCS_OK;
}

xpcs_status xpcs_opts_apply_file(xpcs_opts *o, const char *path, xpcs_err *err)
{
    cJSON *root = NULL;
    xpcs_status st = xpcs_yaml_read_config(path, &root, err);
    if (st)
        return st;
    void *before = snapshot(o);
    st = xpcs_opts_apply_tree(o, root, path, err);
    mark_changed(o, before, XPCS_SRC_FILE);
    cJSON_Delete(root);
    return st;
}

xpcs_status xpcs_opts_number(xpcs_opts *o, const xpcs_opt *r, const char *text, double *out,
                             xpcs_err *err)
{
    return xpcs_opt_number(o->t, r, text, out, err);
}
