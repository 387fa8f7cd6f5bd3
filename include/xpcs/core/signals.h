/* signals: a stop request from SIGTERM, SIGINT, SIGHUP or SIGUSR1 (Slurm's
 * warning before the time limit).
 *
 * The handler only records the first signal (async-signal-safe); the
 * program looks at it where it can stop cleanly: xpcs-corr's ranks agree on
 * it at every step boundary (xpcs_comm_agree), so all of them leave
 * together, remove their temporaries and exit with 128 + the signal.
 */
#ifndef XPCS_SIGNALS_H
#define XPCS_SIGNALS_H

#include "xpcs/core/status.h"

/* Installs the handler for the four signals (main, once). */
void xpcs_signals_install(void);
/* The recorded signal, 0 if none. */
int xpcs_signal_pending(void);
/* Records sig as the one the ranks agreed on (the largest any rank saw),
 * so every rank exits with the same status. */
void xpcs_signal_agreed(int sig);
/* "SIGTERM", ... ("signal N" for others). */
const char *xpcs_signal_name(int sig);
/* XPCS_ERR_SIGNAL with "interrupted by SIGxxx" in err. */
xpcs_status xpcs_signal_fail(xpcs_err *err);
/* The process exit code of a status: 128 + the signal for XPCS_ERR_SIGNAL,
 * the status itself otherwise. */
int xpcs_exit_code(xpcs_status st);

#endif
