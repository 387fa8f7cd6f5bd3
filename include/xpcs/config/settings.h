/* settings: site settings from the environment, the config file's
 * sections and --set, with one table for all of them.
 *
 * Every setting is "section.key"; its environment variable is XPCS_ plus the
 * key in capitals (threading.num_threads <-> XPCS_NUM_THREADS).  Sections:
 *   threading   num_threads
 *   memory      max_memory_mb
 *   io          dataset, step_frames, storage_bandwidth_gbps,
 *               measure_storage_bandwidth
 *   monitoring  enable_profiling, enable_report, progress,
 *               progress_interval_s, fail_on_critical,
 *               {alert,critical}_threshold_{efficiency,memory,io}
 * Precedence: command line > config file > environment > defaults.  The
 * config file is JSON or YAML (libyaml; .yaml/.yml, or any file that does
 * not start with '{'); both carry boost_corr's top-level keys and these
 * sections, and an unknown key anywhere is an error that names it.
 */
#ifndef XPCS_SETTINGS_H
#define XPCS_SETTINGS_H

#include <stdio.h>

#include "xpcs/config/config.h"
#include "xpcs/core/status.h"

struct cJSON;

typedef enum {
    XPCS_SRC_DEFAULT = 0,
    XPCS_SRC_ENV,
    XPCS_SRC_FILE,
    XPCS_SRC_CLI
} xpcs_setting_source;

/* Site defaults into c->site (called by xpcs_config_default). */
void xpcs_settings_default(xpcs_config *c);

/* Applies every XPCS_* variable of the table that is set.  A bad value is
 * an XPCS_ERR_USAGE naming the variable. */
xpcs_status xpcs_settings_apply_env(xpcs_config *c, xpcs_err *err);

/* 1 when key is one of the section names. */
int xpcs_settings_is_section(const char *key);
/* Applies one section object {key: scalar, ...} of config file path. */
xpcs_status xpcs_settings_apply_section(xpcs_config *c, const char *section,
                                        const struct cJSON *obj, const char *path, xpcs_err *err);
/* --set section.key=value */
xpcs_status xpcs_settings_apply_assignment(xpcs_config *c, const char *text, xpcs_err *err);

/* 1 for a path that should be read as YAML (see above). */
int xpcs_settings_is_yaml(const char *path);
/* Reads a YAML config into c (through the same key handling as JSON). */
xpcs_status xpcs_settings_load_yaml(xpcs_config *c, const char *path, xpcs_err *err);
/* YAML text -> cJSON tree (mappings, sequences, typed plain scalars).  On
 * success *out is a tree to free with cJSON_Delete (an empty document gives
 * an empty object).  what names the source in messages. */
xpcs_status xpcs_yaml_parse(const char *text, size_t len, const char *what, struct cJSON **out,
                            xpcs_err *err);

/* Marks the settings whose value differs from before as coming from src
 * (for keys set outside this module: --max-memory, boost_corr's max_memory). */
void xpcs_settings_mark_changed(xpcs_config *c, const xpcs_config *before, int src);
/* After the command line: marks settings the command line changed
 * (compared with before_cli) and checks the thresholds. */
xpcs_status xpcs_settings_finish(xpcs_config *c, const xpcs_config *before_cli, xpcs_err *err);

/* One line per setting: "setting io.step_frames = 0 (default)". */
void xpcs_settings_print(const xpcs_config *c, FILE *out);
/* The effective configuration as JSON text (boost_corr keys, the sections,
 * and "sources": where each setting came from).  free() it. */
char *xpcs_settings_effective_json(const xpcs_config *c);
const char *xpcs_setting_source_name(int src);

#endif
