/* xpcs-corr: the MPI XPCS correlator.  main only starts MPI (through
 * parallel/comm), parses the options, hands one raw file to the pipeline
 * (corr) or several to the batch scheduler, and decides the exit code. */
#include <stdio.h>

#include "xpcs/config/config.h"
#include "xpcs/config/optdoc.h"
#include "xpcs/core/signals.h"
#include "xpcs/io/h5in.h"
#include "xpcs/kernels/simd.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/parallel/threads.h"
#include "xpcs/pipeline/batch.h"
#include "xpcs/pipeline/corr.h"

/* Collective over world: parse, run, print errors on rank 0.  Returns the
 * exit code, the same on every rank. */
static int corr_main(int argc, char **argv, const xpcs_comm *world)
{
    xpcs_err err = {{0}};
    xpcs_config cfg;
    xpcs_config_default(&cfg);
    const int root = xpcs_comm_is_root(world);
    int exit_now = 0;
    /* Only rank 0 prints --help; the others parse quietly. */
    xpcs_status st = xpcs_config_parse(&cfg, argc, argv, root, &exit_now, &err);
    if (!st && !exit_now) /* XPCS_SIMD names a level that runs here (every rank reads it) */
        st = xpcs_simd_select(&err);
    st = xpcs_comm_agree(world, st, &err);
    if (!st && !exit_now) /* once for all ranks: a batch's groups share the nodes */
        st = xpcs_threads_choose(world, cfg.site.num_threads, "xpcs-corr", &cfg.threads, &err);
    int batch = !st && !exit_now && xpcs_batch_requested(&cfg); /* several raw files */
    xpcs_comm_bcast(world, &batch, sizeof batch, 0);            /* rank 0 decides */
    if (batch) {
        int rc = xpcs_batch_main(&cfg, world);
        xpcs_config_free(&cfg);
        return rc;
    }
    char result[XPCS_PATH_MAX];
    result[0] = '\0';
    if (!st && !exit_now)
        st = xpcs_corr_run(&cfg, world, result, sizeof result, &err);
    if (st && root)
        fprintf(stderr, "xpcs-corr: error: %s\n", err.msg);
    /* the result exists also when only the health check failed */
    if ((!st || st == XPCS_ERR_HEALTH) && !exit_now && !cfg.dry_run && root)
        printf("%s\n", result);
    else if (!st && !exit_now && root) /* boost_corr's last line of a dry run */
        printf("dry_run_only\n");
    fflush(stdout);
    fflush(stderr);
    xpcs_config_free(&cfg);
    return xpcs_exit_code(st);
}

int main(int argc, char **argv)
{
    /* --man, --completion: from the option table, without MPI (the build runs them) */
    if (xpcs_opts_doc(xpcs_config_table(), argc, argv, stdout))
        return 0;
    xpcs_err err = {{0}};
    xpcs_comm *world = NULL;
    if (xpcs_comm_init(&argc, &argv, &world, &err) != XPCS_OK) {
        fprintf(stderr, "xpcs-corr: error: %s\n", err.msg);
        return XPCS_ERR_MPI;
    }
    xpcs_h5_quiet();
    /* SIGTERM, SIGINT, SIGHUP, SIGUSR1: every rank stops at its next step
     * boundary, removes its temporaries and exits with 128 + the signal */
    xpcs_signals_install();
    int rc = corr_main(argc, argv, world);
    xpcs_comm_finalize(&world);
    return rc;
}
