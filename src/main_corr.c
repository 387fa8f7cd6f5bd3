/* xpcs-corr: MPI XPCS correlator.  Everything lives in the library. */
#include <mpi.h>

#include "xpcs/corr.h"
#include "xpcs/h5in.h"

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    xpcs_h5_quiet();
    int rc = xpcs_corr_main(argc, argv, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
