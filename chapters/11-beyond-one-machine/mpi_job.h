/*
 * mpi_job.h - what chapter 11's MPI programs do alike: join the job (and
 * refuse one of the wrong size) and name the MPI library for a data file's
 * provenance. Header-only: each program is one source file, built by mpicc.
 *
 *   int rank, ranks = mpi_join(&argc, &argv, "pingpong", 2, 2, "exactly 2 ranks (mpirun -np 2)", &rank);
 *   report_comment(out, "mpi: %s", mpi_version());
 */
#ifndef WORKBOOK_MPI_JOB_H
#define WORKBOOK_MPI_JOB_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/*
 * MPI_Init; this process's rank into *rank; the job's size returned. A job
 * of fewer than min_ranks, or more than max_ranks (0: any number), is not
 * run: rank 0 says "PROGRAM: needs NEED, not N" and every rank leaves MPI
 * and exits with status 2 (EXIT_USAGE), as for a bad argument.
 */
static inline int mpi_join(int *argc, char ***argv, const char *program, int min_ranks, int max_ranks,
                           const char *need, int *rank)
{
    int ranks;
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (ranks < min_ranks || (max_ranks > 0 && ranks > max_ranks)) {
        if (*rank == 0)
            fprintf(stderr, "%s: needs %s, not %d\n", program, need, ranks);
        MPI_Finalize();
        exit(EXIT_USAGE);
    }
    return ranks;
}

/* "Open MPI v4.1.4": the library's own version string, to its first comma. */
static inline const char *mpi_version(void)
{
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len;
    MPI_Get_library_version(version, &len);
    version[strcspn(version, ",\n")] = '\0';
    return version;
}

#endif
