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

/* Limits of a config file, JSON or YAML: a config is a few dozen values, so
 * anything far past these is not one (and must not take the run's memory or
 * time): its size, how deep mappings and sequences nest, and how many values
 * it holds, each YAML alias counted as every value it copies (the budget
 * that stops an alias bomb: 342 bytes of nested aliases would expand to
 * billions of values). */
#define XPCS_CONFIG_MAX_BYTES (16 << 20)
#define XPCS_CONFIG_MAX_DEPTH 32
#define XPCS_CONFIG_MAX_VALUES 10000

/* YAML text -> cJSON tree, read event by event, so a limit stops libyaml
 * where it is reached (a 500 000-deep nesting is refused after 33 levels,
 * not after parsing it all).  A duplicate key is an error.  On success *out
 * is a tree to free with cJSON_Delete (an empty document gives an empty
 * object).  what names the source in messages. */
xpcs_status xpcs_yaml_parse(const char *text, size_t len, const char *what, struct cJSON **out,
                            xpcs_err *err);
/* JSON text (an object) -> cJSON tree, within the same limits; a duplicate
 * key is an error (cJSON itself would keep both). */
xpcs_status xpcs_json_parse(const char *text, size_t len, const char *what, struct cJSON **out,
                            xpcs_err *err);
/* Reads config file path into *out: a regular file (a FIFO or a directory
 * is refused at once) of at most XPCS_CONFIG_MAX_BYTES, YAML when named
 * .yaml / .yml or not starting with '{', else JSON. */
xpcs_status xpcs_yaml_read_config(const char *path, struct cJSON **out, xpcs_err *err);

#endif
