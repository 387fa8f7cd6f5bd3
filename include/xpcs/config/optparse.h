/* optparse: the parser of an option table (options.h): argv through
 * getopt_long (table and short-option string made from the rows), the
 * environment, config files (JSON or YAML, yaml.h), and the source of each
 * row's value.
 *
 * xpcs-corr, for example: create, an EARLY pass over argv for -c FILE, the
 * environment, the file, the MAIN pass (the command line wins), destroy.
 * The source of a row is the last of these that set it, or that changed
 * its field through another row of the same field.
 */
#ifndef XPCS_OPTPARSE_H
#define XPCS_OPTPARSE_H

#include "xpcs/config/options.h"

/* A parser of table t into obj.  src: [t->n] sources, one per row (NULL: not
 * kept); user: for the rows' fn.  print: notes (and help a fn prints) go out. */
xpcs_opts *xpcs_opts_create(const xpcs_opts_table *t, void *obj, unsigned char *src, void *user,
                            int print);
void xpcs_opts_destroy(xpcs_opts **o);

void *xpcs_opts_obj(const xpcs_opts *o);
void *xpcs_opts_user(const xpcs_opts *o);
int xpcs_opts_print(const xpcs_opts *o);
/* 1 after a XPCS_OPTF_STOP row ended the parse. */
int xpcs_opts_stopped(const xpcs_opts *o);

/* The rows' defaults into obj (zero it first); XPCS_ERR_INTERNAL names a
 * default its type cannot read. */
xpcs_status xpcs_opts_defaults(const xpcs_opts_table *t, void *obj, xpcs_err *err);

enum { XPCS_OPTS_PASS_EARLY = 0, XPCS_OPTS_PASS_MAIN = 1 };
/* One pass over argv.  EARLY: only the XPCS_OPTF_EARLY rows, everything else
 * (unknown options too) passed over.  MAIN: every other row, then the
 * positional arguments to the ARGS row (if any).  *next: the first argument
 * not read (argc when all were).  getopt permutes argv as it goes. */
xpcs_status xpcs_opts_parse(xpcs_opts *o, int argc, char **argv, int pass, int *next,
                            xpcs_err *err);
/* Every row's environment variable that is set (as XPCS_SRC_ENV). */
xpcs_status xpcs_opts_apply_env(xpcs_opts *o, xpcs_err *err);
/* A config file, JSON or YAML (yaml.h), as XPCS_SRC_FILE. */
xpcs_status xpcs_opts_apply_file(xpcs_opts *o, const char *path, xpcs_err *err);
/* A tree read from path: top-level keys and settings sections; an unknown
 * key is an error naming it. */
xpcs_status xpcs_opts_apply_tree(xpcs_opts *o, const struct cJSON *root, const char *path,
                                 xpcs_err *err);
/* One section object {key: scalar, ...} of path. */
xpcs_status xpcs_opts_apply_section(xpcs_opts *o, const char *section, const struct cJSON *obj,
                                    const char *path, xpcs_err *err);
/* Setting row `row` from text (where: "option --set"), as source src. */
xpcs_status xpcs_opts_apply_text(xpcs_opts *o, int row, const char *text, const char *where,
                                 int src, xpcs_err *err);
/* What the row does with a value when it has no fn (for a fn that only adds
 * to it). */
xpcs_status xpcs_opts_store(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err);
/* A number from the command line, with the table's rules and messages. */
xpcs_status xpcs_opts_number(xpcs_opts *o, const xpcs_opt *row, const char *text, double *out,
                             xpcs_err *err);

#endif
