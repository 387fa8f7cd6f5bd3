/* settings: a run's site settings and where each came from, from xpcs-corr's
 * option table (config.h).
 *
 * Every setting is "section.key"; its environment variable is XPCS_ plus the
 * key in capitals (threading.num_threads <-> XPCS_NUM_THREADS).  Sections:
 *   threading   num_threads
 *   memory      max_memory_mb
 *   io          dataset, step_frames, storage_bandwidth_gbps,
 *               measure_storage_bandwidth, maps_to_root, overlap
 *   monitoring  enable_profiling, enable_report, progress,
 *               progress_interval_s, fail_on_critical,
 *               {alert,critical}_threshold_{efficiency,memory,io}
 * Precedence: command line > config file > environment > defaults.  The
 * config file is JSON or YAML (yaml.h); both carry boost_corr's top-level
 * keys and these sections, and an unknown key anywhere is an error that
 * names it.
 */
#ifndef XPCS_SETTINGS_H
#define XPCS_SETTINGS_H

#include <stdio.h>

#include "xpcs/config/config.h"
#include "xpcs/config/yaml.h" /* the settings' YAML files */
#include "xpcs/core/status.h"

struct cJSON;

/* Applies one section object {key: scalar, ...} of config file path (as the
 * config file's). */
xpcs_status xpcs_settings_apply_section(xpcs_config *c, const char *section,
                                        const struct cJSON *obj, const char *path, xpcs_err *err);

/* One line per setting: "setting io.step_frames = 0 (default; XPCS_STEP_FRAMES)". */
void xpcs_settings_print(const xpcs_config *c, FILE *out);
/* The effective configuration as JSON text (boost_corr keys, the sections,
 * and "sources": where each setting came from).  free() it. */
char *xpcs_settings_effective_json(const xpcs_config *c);

#endif
