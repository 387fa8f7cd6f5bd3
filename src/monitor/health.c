#include "xpcs/monitor/health.h"

#include <math.h>

static const struct {
    const char *name;
    int higher_better;
    double target, critical;
} ind_table[XPCS_IND_COUNT] = {{"parallel_efficiency", 1, 85.0, 70.0},
                               {"memory", 0, 80.0, 95.0},
                               {"io_throughput", 1, 90.0, 70.0}};

const char *xpcs_indicator_name(xpcs_indicator_id id)
{
    return (id >= 0 && id < XPCS_IND_COUNT) ? ind_table[id].name : "?";
}

int xpcs_indicator_higher_is_better(xpcs_indicator_id id)
{
    return (id >= 0 && id < XPCS_IND_COUNT) ? ind_table[id].higher_better : 1;
}

xpcs_threshold xpcs_indicator_default(xpcs_indicator_id id)
{
    xpcs_threshold t = {0.0, 0.0};
    if (id >= 0 && id < XPCS_IND_COUNT) {
        t.target = ind_table[id].target;
        t.critical = ind_table[id].critical;
    }
    return t;
}

xpcs_health xpcs_health_classify(xpcs_indicator_id id, double v, xpcs_threshold th)
{
    if (isnan(v))
        return XPCS_HEALTH_UNKNOWN;
    if (xpcs_indicator_higher_is_better(id)) {
        if (v > th.target)
            return XPCS_HEALTH_OK;
        return v < th.critical ? XPCS_HEALTH_CRITICAL : XPCS_HEALTH_WARNING;
    }
    if (v < th.target)
        return XPCS_HEALTH_OK;
    return v > th.critical ? XPCS_HEALTH_CRITICAL : XPCS_HEALTH_WARNING;
}

const char *xpcs_health_name(xpcs_health h)
{
    switch (h) {
    case XPCS_HEALTH_OK:
        return "ok";
    case XPCS_HEALTH_WARNING:
        return "warning";
    case XPCS_HEALTH_CRITICAL:
        return "critical";
    default:
        return "unknown";
    }
}

int xpcs_threshold_valid(xpcs_indicator_id id, xpcs_threshold th)
{
    if (!isfinite(th.target) || !isfinite(th.critical) || th.target < 0 || th.critical < 0)
        return 0;
    return xpcs_indicator_higher_is_better(id) ? th.critical <= th.target
                                               : th.critical >= th.target;
}
