#include "xpcs/monitor/progress.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xpcs/core/status.h"

struct xpcs_progress {
    FILE *out;
    int live; /* 1 live, 0 lines, -1 off */
    double interval;
    int64_t total, done;
    char what[64];
    double t0, last;
    int printed;   /* lines printed (or live line drawn) */
    int64_t shown; /* frames in the last line printed */
    int width;     /* length of the last live line, to blank leftovers */
};

static const char *const mode_names[] = {"auto", "live", "lines", "off"};

const char *xpcs_progress_mode_name(int mode)
{
    return mode >= 0 && mode <= XPCS_PROGRESS_OFF ? mode_names[mode] : "?";
}

int xpcs_progress_mode_parse(const char *text)
{
    for (int i = 0; i <= XPCS_PROGRESS_OFF; i++)
        if (strcasecmp(text, mode_names[i]) == 0)
            return i;
    return -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

xpcs_progress *xpcs_progress_create(FILE *out, int mode, double interval_s, int64_t total,
                                    const char *what)
{
    xpcs_progress *p = xpcs_calloc(1, sizeof *p);
    p->out = out;
    if (!out || mode == XPCS_PROGRESS_OFF || total <= 0)
        p->live = -1;
    else if (mode == XPCS_PROGRESS_LIVE)
        p->live = 1;
    else if (mode == XPCS_PROGRESS_LINES)
        p->live = 0;
    else
        p->live = isatty(fileno(out)) ? 1 : 0;
    p->interval = interval_s > 0 ? interval_s : 0.0;
    p->total = total;
    snprintf(p->what, sizeof p->what, "%s", what ? what : "xpcs");
    p->t0 = p->last = now_s();
    return p;
}

static void format_eta(double s, char *buf, size_t n)
{
    if (!(s >= 0) || s > 1e8)
        snprintf(buf, n, "?");
    else if (s < 60)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

static void emit(xpcs_progress *p, double t, int final)
{
    double el = t - p->t0;
    double rate = el > 0 ? (double)p->done / el : 0.0;
    char eta[32];
    format_eta(rate > 0 ? (double)(p->total - p->done) / rate : -1.0, eta, sizeof eta);
    char line[256];
    int len = snprintf(line, sizeof line,
                       "%s: progress %lld/%lld frames (%5.1f %%), %.3g frames/s, elapsed %.1f s, "
                       "ETA %s",
                       p->what, (long long)p->done, (long long)p->total,
                       100.0 * (double)p->done / (double)p->total, rate, el, final ? "0 s" : eta);
    if (p->live == 1) {
        int pad = p->width > len ? p->width - len : 0;
        fprintf(p->out, "\r%s%*s", line, pad, "");
        p->width = len;
    }
    else
        fprintf(p->out, "%s\n", line);
    fflush(p->out);
    p->printed++;
    p->shown = p->done;
    p->last = t;
}

void xpcs_progress_update(xpcs_progress *p, int64_t done)
{
    if (!p || p->live < 0)
        return;
    p->done = done < p->total ? done : p->total;
    double t = now_s();
    double every = p->live == 1 ? 0.5 : p->interval;
    if (t - p->last >= every)
        emit(p, t, 0);
}

void xpcs_progress_finish(xpcs_progress *p)
{
    if (!p || p->live < 0 || !p->printed)
        return;
    p->done = p->total;
    if (p->shown != p->total)
        emit(p, now_s(), 1);
    if (p->live == 1) {
        fputc('\n', p->out);
        fflush(p->out);
    }
}

void xpcs_progress_cancel(xpcs_progress *p)
{
    if (p && p->live == 1 && p->printed) {
        fputc('\n', p->out);
        fflush(p->out);
    }
}

void xpcs_progress_destroy(xpcs_progress **p)
{
    if (!p || !*p)
        return;
    free(*p);
    *p = NULL;
}
