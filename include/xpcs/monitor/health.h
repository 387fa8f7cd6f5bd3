/* health: the run's health indicators, each with a target and a critical
 * threshold (percent), as the toolkit this project continues judged runs:
 *
 *   indicator            value (percent)                       default target / critical
 *   parallel_efficiency  busy thread-seconds / available ones  > 85  / < 70   (higher is better)
 *   memory               peak RSS / memory budget per rank     < 80  / > 95   (lower is better)
 *   io_throughput        read bandwidth / storage bandwidth    > 90  / < 70   (higher is better)
 *
 * A value between the two thresholds is a warning; a value that cannot be
 * measured (NaN, e.g. no storage bandwidth known) is "unknown", which is
 * never critical.  Pure functions: no MPI, no I/O.
 */
#ifndef XPCS_HEALTH_H
#define XPCS_HEALTH_H

typedef enum {
    XPCS_IND_EFFICIENCY = 0,
    XPCS_IND_MEMORY,
    XPCS_IND_IO,
    XPCS_IND_COUNT
} xpcs_indicator_id;

typedef enum {
    XPCS_HEALTH_UNKNOWN = 0,
    XPCS_HEALTH_OK,
    XPCS_HEALTH_WARNING,
    XPCS_HEALTH_CRITICAL
} xpcs_health;

/* Percent thresholds of one indicator. */
typedef struct {
    double target;
    double critical;
} xpcs_threshold;

/* "parallel_efficiency", "memory", "io_throughput". */
const char *xpcs_indicator_name(xpcs_indicator_id id);
/* 1 when larger values are better (efficiency, I/O), 0 for memory. */
int xpcs_indicator_higher_is_better(xpcs_indicator_id id);
/* The defaults (85/70, 80/95, 90/70). */
xpcs_threshold xpcs_indicator_default(xpcs_indicator_id id);
/* OK when value beats the target (strictly), CRITICAL when it is strictly
 * past the critical threshold, WARNING in between, UNKNOWN for NaN. */
xpcs_health xpcs_health_classify(xpcs_indicator_id id, double value_pct, xpcs_threshold th);
/* "unknown", "ok", "warning", "critical". */
const char *xpcs_health_name(xpcs_health h);
/* 1 when critical is on the bad side of target (or equal). */
int xpcs_threshold_valid(xpcs_indicator_id id, xpcs_threshold th);

#endif
