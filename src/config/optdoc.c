/* optdoc: an option table as a man page and a bash completion script (see
 * include/xpcs/config/optdoc.h). */
#include "xpcs/config/optdoc.h"

#include <string.h>

#include "xpcs/core/buildinfo.h"

/* ---- roff ----------------------------------------------------------------- */

/* Text for roff: backslashes and hyphens escaped (an option reads -x, not a
 * typographic hyphen), a control character at a line's start neutralized,
 * newlines kept (join: replaced by spaces, runs of blanks after them
 * dropped). */
static void roff(FILE *out, const char *s, int join)
{
    int bol = 1;
    for (const char *p = s; *p; p++) {
        if (*p == '\n' && join) {
            fputc(' ', out);
            while (p[1] == ' ')
                p++;
            continue;
        }
        if (bol && (*p == '.' || *p == '\''))
            fputs("\\&", out);
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == '-')
            fputs("\\-", out);
        else
            fputc(*p, out);
        bol = *p == '\n';
    }
}

/* "\fB-x\fR, \fB--name\fR \fIARG\fR" (or the positional arguments' name). */
static void man_option(FILE *out, const xpcs_opt *r)
{
    fputs(".TP\n", out);
    if (r->type == XPCS_OPT_ARGS) {
        fputs("\\fI", out);
        roff(out, r->arg ? r->arg : "ARG", 1);
        fputs("\\fR\n", out);
        return;
    }
    if (r->letter)
        fprintf(out, "\\fB\\-%c\\fR%s", r->letter, r->name ? ", " : "");
    if (r->dash) { /* "-nf": roff escapes its dash */
        fputs("\\fB", out);
        roff(out, r->dash, 1);
        fputs("\\fR, ", out);
    }
    if (r->name) {
        fputs("\\fB\\-\\-", out);
        roff(out, r->name, 1);
        fputs("\\fR", out);
    }
    if (r->arg) {
        fputs((r->flags & XPCS_OPTF_OPTARG) && !(r->flags & XPCS_OPTF_NUMARG) ? "\\fI" : " \\fI",
              out);
        roff(out, r->arg, 1);
        fputs("\\fR", out);
    }
    fputc('\n', out);
}

/* SYNOPSIS: usage_head's first line without "usage: " and the indented
 * lines after it; returns where the description starts. */
static const char *man_synopsis(FILE *out, const char *head)
{
    const char *p = head;
    if (strncmp(p, "usage: ", 7) == 0)
        p += 7;
    fputs(".SH SYNOPSIS\n.nf\n", out);
    for (int first = 1; *p && (first || *p == ' '); first = 0) {
        while (*p == ' ' && !first)
            p++;
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        roff(out, line, 0);
        fputc('\n', out);
        p += n + (e != NULL);
    }
    fputs(".fi\n", out);
    return p;
}

/* Paragraphs of text: blank lines start a new one. */
static void man_text(FILE *out, const char *text)
{
    const char *p = text;
    while (*p == '\n')
        p++;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0) {
            while (*p == '\n')
                p++;
            if (*p)
                fputs(".PP\n", out);
            continue;
        }
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        roff(out, line, 0);
        fputc('\n', out);
        p += n + (e != NULL);
    }
}

static void man_keys(FILE *out, const xpcs_opts_table *t)
{
    fputs(".SH CONFIGURATION FILE\n", out);
    man_text(out, t->keys_title);
    for (int ignored = 0; ignored < 2; ignored++) {
        fputs(ignored ? ".PP\nAccepted and ignored:\n" : ".PP\n", out);
        int first = 1;
        for (int i = 0; i < t->n; i++) {
            const xpcs_opt *r = &t->rows[i];
            if (!r->key || r->section || (r->flags & (XPCS_OPTF_NOFILE | XPCS_OPTF_HIDDEN)) ||
                (r->type == XPCS_OPT_IGNORE) != ignored)
                continue;
            fprintf(out, "%s\\fB", first ? "" : ",\n");
            roff(out, r->key, 1);
            fputs("\\fR", out);
            first = 0;
        }
        fputc('\n', out);
    }
}

static void man_settings(FILE *out, const xpcs_opts_table *t)
{
    fputs(".SH ENVIRONMENT\n", out);
    man_text(out, t->settings_title);
    for (int s = 0; t->sections && t->sections[s]; s++)
        for (int i = 0; i < t->n; i++) {
            const xpcs_opt *r = &t->rows[i];
            if (!r->section || strcmp(r->section, t->sections[s]) != 0 ||
                (r->flags & XPCS_OPTF_HIDDEN))
                continue;
            fputs(".TP\n\\fB", out);
            roff(out, r->env ? r->env : "", 1);
            fputs("\\fR (", out);
            roff(out, r->section, 1);
            fputc('.', out);
            roff(out, r->key, 1);
            fputs(")\n", out);
            roff(out, r->help ? r->help : "", 1);
            fputc('\n', out);
        }
}

void xpcs_opts_man(const xpcs_opts_table *t, FILE *out)
{
    char title[64];
    size_t k = 0;
    for (const char *p = t->prog; *p && k + 1 < sizeof title; p++)
        title[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    title[k] = '\0';
    fprintf(out, ".\\\" generated from %s's option table (%s --man): do not edit\n", t->prog,
            t->prog);
    fputs(".TH ", out);
    roff(out, title, 1);
    fprintf(out, " 1 \"\" \"xpcs-toolkit %s\" \"User Commands\"\n.nh\n.ad l\n",
            xpcs_build_info()->version);
    fputs(".SH NAME\n", out);
    roff(out, t->prog, 1);
    fputs(" \\- ", out);
    roff(out, t->summary ? t->summary : "xpcs-toolkit tool", 1);
    fputc('\n', out);
    const char *desc = man_synopsis(out, t->usage_head ? t->usage_head : t->prog);
    fputs(".SH DESCRIPTION\n", out);
    man_text(out, desc);
    fputs(".SH OPTIONS\n", out);
    for (int i = 0; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if (r->flags & XPCS_OPTF_HIDDEN)
            continue;
        if (r->type == XPCS_OPT_TEXT) {
            fputs(".PP\n", out);
            roff(out, r->help, 1);
            fputc('\n', out);
        }
        else if (r->name || r->letter || r->type == XPCS_OPT_ARGS) {
            man_option(out, r);
            roff(out, r->help ? r->help : "", 1);
            fputc('\n', out);
        }
    }
    if (t->usage_tail) {
        fputs(".SH NOTES\n", out);
        man_text(out, t->usage_tail);
    }
    if (t->keys_title)
        man_keys(out, t);
    if (t->settings_title)
        man_settings(out, t);
    fputs(".SH SEE ALSO\n\\fBxpcs\\-corr\\fR(1), \\fBxpcs\\-synth\\fR(1), "
          "\\fBxpcs\\-fit\\fR(1), \\fBxpcs\\-average\\fR(1), \\fBxpcs\\-report\\fR(1)\n",
          out);
}

/* ---- bash completion --------------------------------------------------------- */

typedef enum { VAL_NONE, VAL_ANY, VAL_FILE, VAL_DIR, VAL_WORDS, VAL_SETTINGS } value_kind;

/* What the argument of row r is, for completion. */
static value_kind value_of(const xpcs_opt *r)
{
    if (xpcs_opt_arg_kind(r) != 1) /* none, or optional (--name=V only) */
        return VAL_NONE;
    if (r->type == XPCS_OPT_CHOICE && r->choices)
        return VAL_WORDS;
    const char *a = r->arg ? r->arg : "";
    if (r->name && strcmp(r->name, "set") == 0)
        return VAL_SETTINGS;
    if (strstr(a, "DIR"))
        return VAL_DIR;
    if (strstr(a, "FILE") || strstr(a, ".h") || strstr(a, ".json") || strstr(a, ".html"))
        return VAL_FILE;
    return VAL_ANY;
}

/* "-x|--name" for a case pattern. */
static void spellings(FILE *out, const xpcs_opt *r)
{
    if (r->letter)
        fprintf(out, "-%c%s", r->letter, r->name ? "|" : "");
    if (r->dash)
        fprintf(out, "%s%s", r->dash, r->name ? "|" : "");
    if (r->name)
        fprintf(out, "--%s", r->name);
}

void xpcs_opts_completion(const xpcs_opts_table *t, FILE *out)
{
    char fn[64];
    size_t k = 0;
    for (const char *p = t->prog; *p && k + 1 < sizeof fn; p++)
        fn[k++] = *p == '-' ? '_' : *p;
    fn[k] = '\0';
    fprintf(out, "# bash completion for %s, generated from its option table (%s --completion)\n",
            t->prog, t->prog);
    fprintf(out,
            "_%s()\n{\n    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n",
            fn);
    fputs("    case $prev in\n", out);
    for (value_kind kind = VAL_ANY; kind <= VAL_SETTINGS; kind++) {
        for (int i = 0; i < t->n; i++) {
            const xpcs_opt *r = &t->rows[i];
            if ((!r->name && !r->letter) || value_of(r) != kind)
                continue;
            fputs("        ", out);
            spellings(out, r);
            fputs(")\n            ", out);
            if (kind == VAL_ANY)
                fputs("COMPREPLY=()", out);
            else if (kind == VAL_FILE)
                fputs("COMPREPLY=($(compgen -f -- \"$cur\"))", out);
            else if (kind == VAL_DIR)
                fputs("COMPREPLY=($(compgen -d -- \"$cur\"))", out);
            else if (kind == VAL_WORDS) {
                fputs("COMPREPLY=($(compgen -W \"", out);
                for (const xpcs_opt_choice *c = r->choices; c->name; c++)
                    fprintf(out, "%s%s", c == r->choices ? "" : " ", c->name);
                fputs("\" -- \"$cur\"))", out);
            }
            else {
                fputs("compopt -o nospace 2>/dev/null; COMPREPLY=($(compgen -W \"", out);
                for (int j = 0, first = 1; j < t->n; j++)
                    if (t->rows[j].section && !(t->rows[j].flags & XPCS_OPTF_HIDDEN)) {
                        fprintf(out, "%s%s.%s=", first ? "" : " ", t->rows[j].section,
                                t->rows[j].key);
                        first = 0;
                    }
                fputs("\" -- \"$cur\"))", out);
            }
            fputs("\n            return ;;\n", out);
        }
    }
    fputs("    esac\n    if [[ $cur == -* ]]; then\n        COMPREPLY=($(compgen -W \"", out);
    for (int i = 0, first = 1; i < t->n; i++) {
        const xpcs_opt *r = &t->rows[i];
        if (r->flags & XPCS_OPTF_HIDDEN || (!r->name && !r->letter))
            continue;
        fputs(first ? "" : " ", out);
        if (r->name)
            fprintf(out, "--%s", r->name);
        if (r->letter)
            fprintf(out, "%s-%c", r->name ? " " : "", r->letter);
        if (r->dash)
            fprintf(out, " %s", r->dash);
        first = 0;
    }
    fputs("\" -- \"$cur\"))\n        return\n    fi\n", out);
    fputs("    COMPREPLY=($(compgen -f -- \"$cur\"))\n}\n", out);
    fprintf(out, "complete -o filenames -F _%s %s\n", fn, t->prog);
}

int xpcs_opts_doc(const xpcs_opts_table *t, int argc, char **argv, FILE *out)
{
    if (argc != 2)
        return 0;
    if (strcmp(argv[1], "--man") == 0)
        xpcs_opts_man(t, out);
    else if (strcmp(argv[1], "--completion") == 0)
        xpcs_opts_completion(t, out);
    else
        return 0;
    return 1;
}
