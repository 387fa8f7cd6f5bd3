#include "xpcs/config/optshow.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_HELP_COL 28
#define WRAP_COL 96        /* lists in --help wrap before this column */
#define SETTING_HELP_COL 6 /* a setting's help, under its name */

/* One --help entry: left (the option), then help from column col; a left
 * part too wide for its column is followed by two spaces. */
static void help_entry(FILE *out, const char *left, const char *help, int col)
{
    int n = (int)strlen(left);
    fputs(left, out);
    if (!help) {
        fputc('\n', out);
        return;
    }
    fprintf(out, "%*s", n <= col - 2 ? col - n : 2, "");
    for (const char *p = help; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", col, "");
    }
    fputc('\n', out);
}

/* "  -x, --name ARG", "      --name[=V]", "  RAW..."; 0 when the row has no
 * command-line spelling. */
static int option_left(const xpcs_opt *r, char *buf, size_t n)
{
    const char *arg = r->arg ? r->arg : "";
    const char *sp = r->arg && !(r->flags & XPCS_OPTF_OPTARG) ? " " : "";
    if (r->type == XPCS_OPT_ARGS)
        snprintf(buf, n, "  %s", arg);
    else if (r->name && r->dash) /* "  -nf, --normalize-frame 0|1" */
        snprintf(buf, n, "  %s, --%s%s%s", r->dash, r->name, r->arg ? " " : "", arg);
    else if (r->name)
        snprintf(buf, n, "  %c%c%s--%s%s%s", r->letter ? '-' : ' ', r->letter ? r->letter : ' ',
                 r->letter ? ", " : "  ", r->name, sp, arg);
    else if (r->letter)
        snprintf(buf, n, "  -%c%s%s", r->letter, sp, arg);
    else
        return 0;
    return 1;
}

/* The top-level keys of config files (ignored: the accepted-and-ignored
 * ones), ", "-separated after lead, wrapped, each line indented by two. */
static void keys_list(FILE *out, const char *lead, const xpcs_opts_table *t, int ignored)
{
    int col = fprintf(out, "  %s", lead), first = 1;
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if (!r->key || r->section || (r->flags & (XPCS_OPTF_NOFILE | XPCS_OPTF_HIDDEN)) ||
            (r->type == XPCS_OPT_IGNORE) != ignored)
            continue;
        int w = (int)strlen(r->key);
        if (!first)
            col += fprintf(out, ",");
        if (!first && col + 1 + w > WRAP_COL)
            col = fprintf(out, "\n  ") - 1;
        else if (!first || lead[0])
            col += fprintf(out, " ");
        col += fprintf(out, "%s", r->key);
        first = 0;
    }
    fputc('\n', out);
}

/* 1 when row r is a setting of section s. */
static int in_section(const xpcs_opt *r, const char *s)
{
    return r->section && strcmp(r->section, s) == 0;
}

static void settings_list(const xpcs_opts_table *t, FILE *out)
{
    fprintf(out, "\n%s\n", t->settings_title);
    for (int s = 0; t->sections && t->sections[s]; s++)
        for (int i = 0; i < t->n; i++) {
            const xpcs_opt *r = &t->rows[i];
            if (!in_section(r, t->sections[s]) || (r->flags & XPCS_OPTF_HIDDEN))
                continue;
            char left[256];
            snprintf(left, sizeof left, "  %s.%s%s%s%s", r->section, r->key, r->env ? " (" : "",
                     r->env ? r->env : "", r->env ? ")" : "");
            fprintf(out, "%s\n", left);
            help_entry(out, "", r->help, SETTING_HELP_COL);
        }
}

void xpcs_opts_usage(const xpcs_opts_table *t, FILE *out)
{
    const int col = t->help_col ? t->help_col : DEFAULT_HELP_COL;
    if (t->usage_head)
        fputs(t->usage_head, out);
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        char left[256];
        if (r->flags & XPCS_OPTF_HIDDEN)
            continue;
        if (r->type == XPCS_OPT_TEXT)
            fprintf(out, "\n%s\n", r->help);
        else if (option_left(r, left, sizeof left))
            help_entry(out, left, r->help, col);
    }
    if (t->usage_tail)
        fputs(t->usage_tail, out);
    if (t->keys_title) {
        fprintf(out, "\n%s\n", t->keys_title);
        keys_list(out, "", t, 0);
        keys_list(out, "accepted and ignored:", t, 1);
    }
    if (t->settings_title)
        settings_list(t, out);
}

void xpcs_opts_print_line(const xpcs_opts_table *t, const void *obj, const char *prefix, FILE *out)
{
    fputs(prefix, out);
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if (!(r->flags & XPCS_OPTF_PRINT))
            continue;
        char buf[64], name[64];
        const char *v = xpcs_opt_text(r, obj, buf, sizeof buf);
        if ((r->flags & XPCS_OPTF_PRINT_SET) && (v[0] == '\0' || strcmp(v, "0") == 0))
            continue;
        if (r->show || r->key)
            snprintf(name, sizeof name, "%s", r->show ? r->show : r->key);
        else
            for (size_t k = 0; k < sizeof name; k++)
                if ((name[k] = r->name[k] == '-' ? '_' : r->name[k]) == '\0')
                    break;
        name[sizeof name - 1] = '\0';
        fprintf(out, " %s=%s", name, v);
    }
    fputc('\n', out);
}

void xpcs_opts_print_settings(const xpcs_opts_table *t, const void *obj, const unsigned char *src,
                              FILE *out)
{
    for (int s = 0; t->sections && t->sections[s]; s++)
        for (int i = 0; i < t->n; i++) {
            const xpcs_opt *r = &t->rows[i];
            if (!in_section(r, t->sections[s]))
                continue;
            cJSON *v = xpcs_opt_json(r, obj);
            char *text = cJSON_PrintUnformatted(v);
            fprintf(out, "setting %s.%s = %s (%s%s%s)\n", r->section, r->key, text ? text : "?",
                    xpcs_opts_source_name(src ? src[i] : XPCS_SRC_DEFAULT), r->env ? "; " : "",
                    r->env ? r->env : "");
            free(text);
            cJSON_Delete(v);
        }
}

char *xpcs_opts_effective(const xpcs_opts_table *t, const void *obj, const unsigned char *src)
{
    cJSON *root = cJSON_CreateObject();
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if ((r->flags & XPCS_OPTF_EFFECTIVE) && r->key && !r->section)
            cJSON_AddItemToObject(root, r->key, xpcs_opt_json(r, obj));
    }
    cJSON *sources = cJSON_CreateObject();
    for (int s = 0; t->sections && t->sections[s]; s++) {
        cJSON *sec = cJSON_AddObjectToObject(root, t->sections[s]);
        for (int i = 0; i < t->n; i++) {
            const xpcs_opt *r = &t->rows[i];
            if (!in_section(r, t->sections[s]))
                continue;
            cJSON_AddItemToObject(sec, r->key, xpcs_opt_json(r, obj));
            char full[160];
            snprintf(full, sizeof full, "%s.%s", r->section, r->key);
            cJSON_AddStringToObject(sources, full,
                                    xpcs_opts_source_name(src ? src[i] : XPCS_SRC_DEFAULT));
        }
    }
    cJSON_AddItemToObject(root, "sources", sources);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) { /* cJSON could not allocate: an empty object, never NULL */
        text = xpcs_malloc(3);
        memcpy(text, "{}", 3);
    }
    return text;
}
