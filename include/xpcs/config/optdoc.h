/* optdoc: an option table (options.h) as a man page and as a bash
 * completion script, the way optshow makes its --help: every tool prints
 * them for the hidden options --man and --completion, and the build writes
 * them into share/man/man1 and share/bash-completion/completions
 * (cmake/XpcsDocs.cmake), so the installed documentation lists exactly the
 * options the tool accepts.
 */
#ifndef XPCS_OPTDOC_H
#define XPCS_OPTDOC_H

#include <stdio.h>

#include "xpcs/config/options.h"

/* The man page (roff, section 1): NAME (t->summary), SYNOPSIS (the usage
 * lines of t->usage_head), DESCRIPTION (the rest of it), OPTIONS (every row
 * --help shows, with the TEXT paragraphs), NOTES (t->usage_tail), the
 * config-file keys and ENVIRONMENT (the settings) when the table has them. */
void xpcs_opts_man(const xpcs_opts_table *t, FILE *out);

/* A bash completion script for t->prog: option names, the choices of
 * CHOICE rows, file names for FILE / DIR arguments and positional
 * arguments, setting keys for --set. */
void xpcs_opts_completion(const xpcs_opts_table *t, FILE *out);

/* "PROG --man" or "PROG --completion" (the only argument): prints it to out
 * and returns 1; otherwise 0.  Called first in every main, before MPI. */
int xpcs_opts_doc(const xpcs_opts_table *t, int argc, char **argv, FILE *out);

#endif
