/* config_calls: the rows of xpcs-corr's option table (config_table.c)
 * that do more than store a value: raw files, the fit range, Timepix4
 * refusal, --set, --help and --version; and the choices of its choice
 * rows, with their names. */
#include "xpcs/config/config_calls.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/config/config.h"
#include "xpcs/config/optparse.h"
#include "xpcs/monitor/provenance.h"

static void set_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s);
}

static void add_raw_arg(xpcs_config *c, const char *path)
{
    char **a = xpcs_malloc(sizeof(char *) * (size_t)(c->n_raw_args + 1));
    if (c->n_raw_args)
        memcpy(a, c->raw_args, sizeof(char *) * (size_t)c->n_raw_args);
    free(c->raw_args);
    c->raw_args = a;
    size_t n = strlen(path) + 1;
    c->raw_args[c->n_raw_args] = memcpy(xpcs_malloc(n), path, n);
    c->n_raw_args++;
}

/* -r FILE (repeatable) and the positional raw files: the first one names the
 * run, all of them are the batch's; boost_corr's "raw" key is one file. */
xpcs_status xpcs_cfg_on_raw(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err)
{
    xpcs_config *c = xpcs_opts_obj(o);
    if (v->item)
        return xpcs_opts_store(o, row, v, err);
    if (c->n_raw_args == 0)
        set_str(c->raw, sizeof c->raw, v->text);
    add_raw_arg(c, v->text);
    return XPCS_OK;
}

/* fit_range: "A:B", or [A, B] in a config file. */
xpcs_status xpcs_cfg_on_fit_range(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                  xpcs_err *err)
{
    xpcs_config *c = xpcs_opts_obj(o);
    const cJSON *it = v->item;
    if (!it || cJSON_IsString(it))
        set_str(c->fit_range, sizeof c->fit_range, it ? it->valuestring : v->text);
    else if (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 2 &&
             cJSON_IsNumber(cJSON_GetArrayItem(it, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(it, 1)))
        snprintf(c->fit_range, sizeof c->fit_range, "%.17g:%.17g",
                 cJSON_GetArrayItem(it, 0)->valuedouble, cJSON_GetArrayItem(it, 1)->valuedouble);
    else
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': expected %s", v->where, row->key,
                         row->expect);
    return XPCS_OK;
}

/* --bin-time-s, --run-config-path: Timepix4 input.  In a config file (boost_corr
 * writes bin_time_s and run_config_path: null into every dry-run dump) they
 * have no effect and are named; a Timepix4 run configuration is refused. */
xpcs_status xpcs_cfg_on_timepix(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                xpcs_err *err)
{
    const cJSON *it = v->item;
    if (it && (cJSON_IsNull(it) || strcmp(row->key, "bin_time_s") == 0)) {
        if (xpcs_opts_print(o))
            fprintf(stderr,
                    "xpcs-corr: note: %s: key '%s' has no effect here (Timepix4 input only)\n",
                    v->where, row->key);
        return XPCS_OK;
    }
    if (it)
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: key '%s': Timepix4 input is not supported",
                         v->where, row->key);
    return xpcs_fail(err, XPCS_ERR_USAGE, "option --%s: Timepix4 input is not supported",
                     row->name);
}

/* --set SECTION.KEY=VALUE: any setting, as the command line. */
xpcs_status xpcs_cfg_on_set(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err)
{
    (void)row;
    const char *text = v->text;
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    char section[64], key[64];
    if (!eq || !dot || dot > eq || (size_t)(dot - text) >= sizeof section ||
        (size_t)(eq - dot - 1) >= sizeof key)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "option --set '%s': expected SECTION.KEY=VALUE, e.g. "
                         "monitoring.progress=off",
                         text);
    snprintf(section, sizeof section, "%.*s", (int)(dot - text), text);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    int idx = xpcs_opts_find(xpcs_config_table(), section, key);
    if (idx < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "option --set: unknown key '%s.%s'", section, key);
    return xpcs_opts_apply_text(o, idx, eq + 1, "option --set", XPCS_SRC_CLI, err);
}

xpcs_status xpcs_cfg_on_help(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                             xpcs_err *err)
{
    (void)row, (void)v, (void)err;
    if (xpcs_opts_print(o)) /* rank 0 */
        xpcs_config_usage(stdout);
    *(int *)xpcs_opts_user(o) = 1; /* exit_now */
    return XPCS_OK;
}

xpcs_status xpcs_cfg_on_version(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                xpcs_err *err)
{
    (void)row, (void)v, (void)err;
    if (xpcs_opts_print(o)) /* rank 0 */
        xpcs_provenance_print(stdout, "xpcs-corr");
    *(int *)xpcs_opts_user(o) = 1;
    return XPCS_OK;
}

/* ---- the choices of the table's choice rows ---- */

const xpcs_opt_choice xpcs_cfg_analysis_choices[] = {
    {"multitau", XPCS_ANALYSIS_MULTITAU, "Multitau"},
    {"twotime", XPCS_ANALYSIS_TWOTIME, "Twotime"},
    {"both", XPCS_ANALYSIS_BOTH, "Both"},
    {"linear", XPCS_ANALYSIS_LINEAR, "Linear"},
    {NULL, 0, NULL}};
const xpcs_opt_choice xpcs_cfg_overlap_choices[] = {{"auto", XPCS_OVERLAP_AUTO, NULL},
                                                    {"on", XPCS_OVERLAP_ON, NULL},
                                                    {"off", XPCS_OVERLAP_OFF, NULL},
                                                    {NULL, 0, NULL}};
const xpcs_opt_choice xpcs_cfg_kernel_choices[] = {{"dense", XPCS_KERNEL_DENSE, NULL},
                                                   {"sparse", XPCS_KERNEL_SPARSE, NULL},
                                                   {"auto", XPCS_KERNEL_AUTO, NULL},
                                                   {NULL, 0, NULL}};

const char *xpcs_kernel_name(xpcs_kernel k)
{
    for (const xpcs_opt_choice *ch = xpcs_cfg_kernel_choices; ch->name; ch++)
        if (ch->value == (int)k)
            return ch->name;
    return "auto";
}

const char *xpcs_analysis_name(xpcs_analysis a)
{
    for (const xpcs_opt_choice *ch = xpcs_cfg_analysis_choices; ch->name; ch++)
        if (ch->value == (int)a)
            return ch->shown;
    return "invalid";
}
