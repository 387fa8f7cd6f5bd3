/* yaml: config files -> cJSON trees.
 *
 * A config file is JSON (an object) or YAML (libyaml; .yaml / .yml, or any
 * file that does not start with '{').  YAML becomes the same tree JSON would:
 * mappings are objects, sequences arrays, plain scalars typed the YAML 1.1
 * core way (null, true/false/yes/no/on/off, numbers, else strings); quoted
 * scalars are strings.  The options engine (options.h) reads the tree.
 */
#ifndef XPCS_YAML_H
#define XPCS_YAML_H

#include <stddef.h>

#include "xpcs/core/status.h"

struct cJSON;

/* YAML 1.1 booleans: true/false, yes/no, on/off, 1/0 in any case.  Returns 1
 * and sets *out when text is one. */
int xpcs_yaml_bool(const char *text, int *out);
/* 1 for a path that should be read as YAML (see above). */
int xpcs_yaml_is_yaml(const char *path);
/* YAML text -> cJSON tree.  On success *out is a tree to free with
 * cJSON_Delete (an empty document gives an empty object).  what names the
 * source in messages. */
xpcs_status xpcs_yaml_parse(const char *text, size_t len, const char *what, struct cJSON **out,
                            xpcs_err *err);
/* Reads config file path (JSON or YAML, at most 16 MiB) into *out. */
xpcs_status xpcs_yaml_read_config(const char *path, struct cJSON **out, xpcs_err *err);

#endif
