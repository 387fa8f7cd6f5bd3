/* signals: see include/xpcs/core/signals.h. */
#include "xpcs/core/signals.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t pending;

/* Only records the first signal: everything else happens at the next step
 * boundary, outside the handler. */
static void on_signal(int sig)
{
    if (!pending)
        pending = sig;
}

void xpcs_signals_install(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART; /* reads and writes in flight finish */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    /* a file-size limit (ulimit -f) fails the write with EFBIG, reported
     * like a full disk, instead of killing the rank mid-file */
    signal(SIGXFSZ, SIG_IGN);
}

int xpcs_signal_pending(void)
{
    return (int)pending;
}

void xpcs_signal_agreed(int sig)
{
    if (sig > 0)
        pending = sig;
}

const char *xpcs_signal_name(int sig)
{
    switch (sig) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGHUP:
        return "SIGHUP";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "a signal";
    }
}

xpcs_status xpcs_signal_fail(xpcs_err *err)
{
    return xpcs_fail(err, XPCS_ERR_SIGNAL, "interrupted by %s", xpcs_signal_name((int)pending));
}

int xpcs_exit_code(xpcs_status st)
{
    if (st == XPCS_ERR_SIGNAL)
        return 128 + (pending > 0 ? (int)pending : SIGTERM);
    return (int)st;
}
