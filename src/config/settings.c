#include "xpcs/config/settings.h"

#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"

xpcs_status xpcs_settings_apply_section(xpcs_config *c, const char *section,
                                        const struct cJSON *obj, const char *path, xpcs_err *err)
{
    xpcs_opts *o = xpcs_opts_create(xpcs_config_table(), c, c->source, NULL, 0);
    xpcs_status st = xpcs_opts_apply_section(o, section, obj, path, err);
    xpcs_opts_destroy(&o);
    return st;
}

void xpcs_settings_print(const xpcs_config *c, FILE *out)
{
    xpcs_opts_print_settings(xpcs_config_table(), c, c->source, out);
}

char *xpcs_settings_effective_json(const xpcs_config *c)
{
    return xpcs_opts_effective(xpcs_config_table(), c, c->source);
}
