/* options: the option table of a tool, one row per option (IOR's
 * option_help pattern), and a row's value by type.
 *
 * A row defines one option once: its long and short name, its key in config
 * files (JSON or YAML; top level, or inside a settings section), its XPCS_*
 * environment variable, the type and limits of its value, the default, the
 * --help text, and where it shows (the -v line, the effective config).  From
 * the rows come the getopt_long table and short-option string, value parsing
 * by type, JSON / YAML trees and environment variables (optparse.h), --help,
 * the -v line and the effective configuration with where each value came
 * from (optshow.h).  Adding an option is adding a row.  Several rows may
 * share one field: other spellings of an option (XPCS_OPTF_HIDDEN keeps them
 * out of --help), a JSON key and a site setting of the same value.  A row
 * accepted and ignored is an IGNORE row (XPCS_OPTF_NOTE: a note when given).
 *
 * Precedence is the order the caller applies the sources in: defaults, then
 * the environment, then a config file, then the command line.  Each row
 * remembers the source that last set it (or changed its field).
 *
 * Values, by where they come from:
 *   command line  the argument text, messages "option -b/--begin-frame: ...";
 *   file, top     typed JSON values (a string for STR, a number for I64, a
 *                 number or a boolean for FLAG ...): "config F: key 'k': ...";
 *   setting       a row with a section (and any environment variable, --set):
 *                 the value as text, checked against the limits:
 *                 "environment XPCS_X: key 's.k': expected ... in [lo, hi]".
 */
#ifndef XPCS_OPTIONS_H
#define XPCS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xpcs/core/status.h"

struct cJSON;

typedef enum {
    XPCS_OPT_STR,    /* char[size]; from the command line cut to the field,
                        as a setting non-empty and fitting */
    XPCS_OPT_PTR,    /* const char *, pointing into argv (command line only) */
    XPCS_OPT_INT,    /* int */
    XPCS_OPT_LONG,   /* long */
    XPCS_OPT_I64,    /* int64_t */
    XPCS_OPT_U64,    /* uint64_t, no sign */
    XPCS_OPT_F64,    /* double */
    XPCS_OPT_BOOL,   /* int 0/1 from true/false, yes/no, on/off, 1/0 */
    XPCS_OPT_FLAG,   /* int: 1 when given, no argument (0 with XPCS_OPTF_NEGATE);
                        in files 0/1 or a boolean; shown as a boolean */
    XPCS_OPT_SWITCH, /* int 0/1 with an optional integer argument, nonzero = on
                        (--normalize-frame[=0|1]); shown as a number */
    XPCS_OPT_COUNT,  /* int: one more each time given (-v -v); in files a number */
    XPCS_OPT_CHOICE, /* int: one of choices[] (or codec) */
    XPCS_OPT_CALL,   /* no field: fn does it all (--set, --help) */
    XPCS_OPT_IGNORE, /* accepted and ignored (boost_corr's gpu_id) */
    XPCS_OPT_ARGS,   /* the positional arguments, each handed to fn (without fn:
                        named in --help, left to the caller) */
    XPCS_OPT_TEXT    /* no value: a paragraph of --help */
} xpcs_opt_type;

/* Row flags. */
enum {
    XPCS_OPTF_EARLY = 1 << 0,     /* read in the early pass over argv, before the
                                     environment and files (-c FILE); skipped after */
    XPCS_OPTF_STOP = 1 << 1,      /* parsing ends after it (--help, --version) */
    XPCS_OPTF_OPTARG = 1 << 2,    /* the argument is optional: --name[=V] */
    XPCS_OPTF_NOCASE = 1 << 3,    /* CHOICE names match in any case */
    XPCS_OPTF_NOFILE = 1 << 4,    /* the key only names it in the effective config */
    XPCS_OPTF_PRINT = 1 << 5,     /* in the -v line (xpcs_opts_print_line) */
    XPCS_OPTF_PRINT_SET = 1 << 6, /* ... only when set (non-empty, non-zero) */
    XPCS_OPTF_EFFECTIVE = 1 << 7, /* a top-level key of the effective config */
    XPCS_OPTF_NOTE = 1 << 8,      /* IGNORE: one line on stderr when given */
    XPCS_OPTF_HIDDEN = 1 << 9,    /* not in --help (another spelling of a row) */
    XPCS_OPTF_NEGATE = 1 << 10,   /* FLAG: sets 0 (--no-metadata) */
    XPCS_OPTF_NUMARG = 1 << 11,   /* OPTARG: an integer in the next word is the
                                     argument too (--normalize-frame 0) */
    XPCS_OPTF_LIST = 1 << 12      /* STR: in files also a list of integers, stored
                                     comma-separated (boost_corr's dq_selection) */
};

/* Where a value came from, lowest precedence first. */
typedef enum { XPCS_SRC_DEFAULT = 0, XPCS_SRC_ENV, XPCS_SRC_FILE, XPCS_SRC_CLI } xpcs_opt_source;

typedef struct {
    const char *name;  /* as typed */
    int value;         /* stored in the int field */
    const char *shown; /* name in outputs when not name ("Multitau"); NULL: name */
} xpcs_opt_choice;

/* A CHOICE read and named by functions of another module (progress modes). */
typedef struct {
    int (*parse)(const char *text, int *value); /* 1 when text names a value */
    const char *(*name)(int value);
    const char *expect; /* "auto, live, lines or off" */
} xpcs_opt_codec;

typedef struct xpcs_opts xpcs_opts; /* the parser (optparse.h) */
typedef struct xpcs_opt xpcs_opt;

/* One value on its way into a row. */
typedef struct {
    const char *text;         /* as text (argument, variable, setting); NULL: none given */
    const struct cJSON *item; /* the value in a config file (top-level key); else NULL */
    const char *where;        /* "config F", "environment X"; NULL: the command line */
    int source;               /* xpcs_opt_source */
} xpcs_opt_value;

/* A special row's action; xpcs_opts_store does what the row would do without. */
typedef xpcs_status (*xpcs_opt_fn)(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                   xpcs_err *err);

struct xpcs_opt {
    const char *name;    /* long option without "--"; NULL: none */
    int letter;          /* short option; 0: none */
    const char *key;     /* key in config files and the effective config; NULL: none */
    const char *section; /* the key's section (a site setting); NULL: top level */
    const char *env;     /* environment variable; NULL: none */
    xpcs_opt_type type;  /* see above */
    size_t off, size;    /* the field: offsetof, sizeof in the target struct */
    double lo, hi;       /* limits of a number, when lo < hi */
    const char *def;     /* default as text (xpcs_opts_defaults); NULL: zero or set by code */
    const char *arg;     /* the value's name in --help ("FILE"; "[=0|1]" for OPTARG) */
    const char *help;    /* --help text; '\n' continues on the next line */
    unsigned flags;      /* XPCS_OPTF_* */
    const xpcs_opt_choice *choices; /* CHOICE: names, ending with {NULL} */
    const xpcs_opt_codec *codec;    /* CHOICE: or functions */
    xpcs_opt_fn fn;                 /* called instead of storing the value */
    const char *label;              /* name in messages when not "-x/--name" */
    const char *expect;             /* what a valid value is, in messages, when the type's
                                       words are not enough (limits, a file's key) */
    const char *show;               /* name in the -v line when not the key (or the long name) */
    const char *dash; /* another spelling: one dash, several letters ("-nf", boost_corr's);
                         a word of argv equal to it is read as --name */
};

/* Messages of a tool; NULL: the default shown. */
typedef struct {
    const char *bad;     /* LABEL WHAT TEXT: "option %s: expected %s, got '%s'" */
    const char *limit;   /* LABEL LIMITS TEXT: "%s: expected %s, got %s" */
    const char *range;   /* LABEL TEXT (no room in an int): "%s: %s out of range" */
    const char *unknown; /* ARG: "unknown or incomplete option '%s' (see --help)" */
    const char *missing; /* ARG, a missing value: NULL: unknown */
} xpcs_opt_msgs;

/* Table flags. */
enum {
    XPCS_OPTS_IN_ORDER = 1 << 0,  /* positional arguments in order among the options */
    XPCS_OPTS_FINITE = 1 << 1,    /* command-line numbers must be finite */
    XPCS_OPTS_INT_NUMBER = 1 << 2 /* command-line integers are numbers with no fraction */
};

typedef struct {
    const char *prog; /* "xpcs-corr": notes, --help */
    const xpcs_opt *rows;
    int n;
    size_t obj_size;             /* sizeof the target struct */
    const char *const *sections; /* settings sections in output order, NULL-terminated */
    unsigned flags;              /* XPCS_OPTS_* */
    xpcs_opt_msgs msgs;
    int help_col;               /* --help: column of the help text (0: 28) */
    const char *usage_head;     /* --help before the options */
    const char *usage_tail;     /* --help after them (before the generated lists) */
    const char *keys_title;     /* --help: title of the config-file keys list; NULL: none */
    const char *settings_title; /* --help: title of the settings list; NULL: none */
    const char *summary;        /* the man page's one line (optdoc.h) */
} xpcs_opts_table;

#define XPCS_OPTS_N(rows) ((int)(sizeof(rows) / sizeof((rows)[0])))

/* ---- a row's value, by type (optparse.h reads them, optshow.h shows them) ---- */

/* Rows that do not fit their fields (size, choices, fn) are a programming
 * error: one line on stderr and abort. */
void xpcs_opts_check_table(const xpcs_opts_table *t);
/* 1 when the row has a field (not CALL, IGNORE, ARGS, TEXT). */
int xpcs_opt_has_field(const xpcs_opt *r);
/* getopt_long's has_arg: no_argument (0), required_argument (1), optional_argument (2). */
int xpcs_opt_arg_kind(const xpcs_opt *r);
/* The row of section.key (section NULL: a top-level key), -1 if none. */
int xpcs_opts_find(const xpcs_opts_table *t, const char *section, const char *key);
/* 1 when key is one of the table's settings sections. */
int xpcs_opts_is_section(const xpcs_opts_table *t, const char *key);

/* Into obj's field, with the messages of table t:
 *   from_cli   the command line's argument (NULL: none given);
 *   from_item  a top-level key's JSON value, checked by xpcs_opt_item_expect;
 *              numbers finite, within the row's limits and the integer type
 *              (a fraction cut); where ("config F") names the file;
 *   from_text  a setting's text; where: "environment X", "config F", "option --set". */
xpcs_status xpcs_opt_from_cli(const xpcs_opts_table *t, const xpcs_opt *r, void *obj,
                              const char *text, xpcs_err *err);
xpcs_status xpcs_opt_from_item(const xpcs_opts_table *t, const xpcs_opt *r, void *obj,
                               const struct cJSON *it, const char *where, xpcs_err *err);
xpcs_status xpcs_opt_from_text(const xpcs_opt *r, void *obj, const char *text, const char *where,
                               xpcs_err *err);
/* What a top-level key's JSON value should have been; NULL when it fits. */
const char *xpcs_opt_item_expect(const xpcs_opt *r, const struct cJSON *it);
/* What a setting's text must be ("an integer", "auto, live, lines or off"). */
const char *xpcs_opt_expect(const xpcs_opt *r, char *buf, size_t n);
/* A number from the command line, with the table's rules and messages. */
xpcs_status xpcs_opt_number(const xpcs_opts_table *t, const xpcs_opt *r, const char *text,
                            double *out, xpcs_err *err);

/* The row's name in messages: its label, "-x/--name", "--name", "-x" or the key. */
const char *xpcs_opt_label(const xpcs_opt *r, char *buf, size_t n);
/* The row's value: as JSON (for outputs), as text (for the -v line; buf
 * unless the field is a string). */
struct cJSON *xpcs_opt_json(const xpcs_opt *r, const void *obj);
const char *xpcs_opt_text(const xpcs_opt *r, const void *obj, char *buf, size_t n);
const char *xpcs_opts_source_name(int src);

#endif
