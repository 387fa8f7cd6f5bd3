#include "xpcs/config/siteopts.h"

#include "xpcs/config/yaml.h"

void xpcs_siteopts_default(xpcs_siteopts *s)
{
    for (int i = 0; i < XPCS_IND_COUNT; i++)
        s->threshold[i] = xpcs_indicator_default((xpcs_indicator_id)i);
    xpcs_quality_defaults(&s->quality);
}

xpcs_status xpcs_siteopts_check(const xpcs_siteopts *s, xpcs_err *err)
{
    for (int i = 0; i < XPCS_IND_COUNT; i++) {
        xpcs_threshold t = s->threshold[i];
        if (!xpcs_threshold_valid((xpcs_indicator_id)i, t))
            return xpcs_fail(
                err, XPCS_ERR_USAGE,
                "thresholds of %s: critical %g %% must be %s the alert threshold %g %%",
                xpcs_indicator_name((xpcs_indicator_id)i), t.critical,
                xpcs_indicator_higher_is_better((xpcs_indicator_id)i) ? "at or below"
                                                                      : "at or above",
                t.target);
    }
    return XPCS_OK;
}

/* A mode name, or a boolean: on = auto, off = off. */
static int progress_parse(const char *text, int *v)
{
    int m = xpcs_progress_mode_parse(text), b = 0;
    if (m < 0 && xpcs_yaml_bool(text, &b))
        m = b ? XPCS_PROGRESS_AUTO : XPCS_PROGRESS_OFF;
    if (m < 0)
        return 0;
    *v = m;
    return 1;
}

const xpcs_opt_codec xpcs_progress_codec = {progress_parse, xpcs_progress_mode_name,
                                            "auto, live, lines or off"};
