/*
 * pingpong.c - what one message costs between two MPI ranks: the latency
 * of a small one and the bandwidth of a big one, 8 bytes to 16 MiB.
 *
 * Rank 0 sends a message of N bytes to rank 1, which sends it straight
 * back; half the time of one such round trip is the one-way time of a
 * message of N bytes, and N divided by it the bandwidth. Which way the
 * bytes travel is Open MPI's choice of transport (its "BTL"), set when the
 * job is launched, not in the program:
 *
 *   chapters/11-beyond-one-machine/mpi_run.sh --transport shm -- build/chapter11/pingpong --quick
 *   chapters/11-beyond-one-machine/mpi_run.sh --transport tcp -- build/chapter11/pingpong --label mpi-tcp
 *
 * (mpi_run.sh is mpirun with this chapter's settings: two ranks pinned to
 * two cores, the transport, a time limit.) shm is Open MPI's shared-memory
 * transport ("vader" in Open MPI 4): the message is copied into memory
 * both processes map, as chapter 8 did by hand. tcp sends it through the
 * kernel's TCP stack, over loopback here or a network between machines.
 *
 * It prints one row per message size: the one-way time (median, min and
 * max over the repeats) and the bandwidth. What to expect: a few hundred
 * nanoseconds to a microsecond for a small message through shared memory,
 * tens of microseconds through TCP; for big messages about a GB/s or more
 * either way, as fast as the memory copies the bytes (every transport
 * copies each byte at least twice). Compare with pingpong_local.c (the
 * same ping-pong through a pipe and through shared memory, without MPI,
 * measured in the same run by run.sh) and chapter 6's pipe_throughput.c.
 *
 * MPI calls are not checked one by one: MPI's default error handler,
 * MPI_ERRORS_ARE_FATAL, ends the whole job with a message on any failure.
 */
// build-with: mpicc
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "options.h"
#include "report.h"

#include "mpi_job.h"
#include "pingpong.h"

#define MAX_SIZES 24
#define TAG 11

struct config {
    long long sizes[MAX_SIZES];
    size_t n_sizes;
    long long budget;      /* bytes one repeat of a size moves, at most */
    long long max_trips;   /* round trips one repeat makes, at most */
    const char *label;     /* the transport column: mpi-shm, mpi-tcp, ... */
    run_options run;
};

// snippet-begin: pingpong
/* `trips` round trips of a message of `bytes` between ranks 0 and 1; the
 * one-way time of one message, in microseconds (on rank 0). */
static double ping_pong(char *buf, int bytes, int rank, long trips)
{
    MPI_Barrier(MPI_COMM_WORLD);
    int64_t start = now_ns();
    for (long t = 0; t < trips; t++) {
        if (rank == 0) {
            MPI_Send(buf, bytes, MPI_BYTE, 1, TAG, MPI_COMM_WORLD);
            MPI_Recv(buf, bytes, MPI_BYTE, 1, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(buf, bytes, MPI_BYTE, 0, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            buf[0]++;                       /* proof the message went round */
            MPI_Send(buf, bytes, MPI_BYTE, 0, TAG, MPI_COMM_WORLD);
        }
    }
    return (double)(now_ns() - start) / NS_PER_US / (double)trips / 2;
}
// snippet-end: pingpong

static void parse_args(int argc, char *argv[], struct config *cfg);

/* Arguments are read before MPI_Init, so that --help and a bad option need
 * no MPI job; every rank reads the same command line. */
int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    int rank;
    mpi_join(&argc, &argv, "pingpong", 2, 2, "exactly 2 ranks (mpirun -np 2)", &rank);

    long long biggest = 0;
    for (size_t s = 0; s < cfg.n_sizes; s++)
        biggest = cfg.sizes[s] > biggest ? cfg.sizes[s] : biggest;
    char *buf = calloc((size_t)biggest, 1);
    double *us = samples_alloc(cfg.run.repeat);
    if (buf == NULL)
        die("calloc");
    report *out = NULL;
    if (rank == 0) {
        printf("ping-pong between 2 ranks, %s, %ld repeats\n", cfg.label, cfg.run.repeat);
        out = report_create(pingpong_columns, &cfg.run, argc, argv);
        report_comment(out, "mpi: %s", mpi_version());
        report_comment(out, "btl: %s", getenv("OMPI_MCA_btl") ? getenv("OMPI_MCA_btl") : "(Open MPI's choice)");
        report_comment(out, "pml: %s", getenv("OMPI_MCA_pml") ? getenv("OMPI_MCA_pml") : "(Open MPI's choice)");
    }
    for (size_t s = 0; s < cfg.n_sizes; s++) {
        long trips = pingpong_trips(cfg.budget, cfg.max_trips, cfg.sizes[s]);
        ping_pong(buf, (int)cfg.sizes[s], rank, trips / 10 + 1); /* warm-up: connections, pages */
        for (long r = 0; r < cfg.run.repeat; r++) {
            buf[0] = 0;
            us[r] = ping_pong(buf, (int)cfg.sizes[s], rank, trips);
            if (rank == 0 && buf[0] != (char)trips)
                die_msg("%lld bytes: the message did not come back %ld times", cfg.sizes[s], trips);
        }
        if (rank == 0)
            pingpong_report(out, cfg.label, cfg.sizes[s], cfg.run.repeat, trips, us);
    }
    if (rank == 0)
        report_finish(out);
    free(us);
    free(buf);
    MPI_Finalize();
    return EXIT_SUCCESS;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pingpong [--sizes LIST] [--max-trips N] [--label NAME] [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "Ping-pong between MPI ranks 0 and 1 (run it with mpirun -np 2, or mpi_run.sh):\n"
    "the one-way time and the bandwidth of messages of each size.\n"
    "\n"
    "  --sizes LIST     message sizes in bytes (1 to 64 MiB; default\n"
    "                   8,64,512,4096,32768,262144,2097152,16777216)\n"
    "  --max-trips N    round trips per repeat, at most (5 to 10^6; default 2000;\n"
    "                   fewer for big messages: 32 MiB a repeat at most)\n"
    "  --label NAME     the name of the transport in the table (default mpi)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 's' },
        { "max-trips", required_argument, NULL, 'm' },
        { "label", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    static const long long sizes[] = { 8, 64, 512, 4096, 32768, 262144, 2097152, 16777216 };
    *cfg = (struct config){
        .n_sizes = sizeof sizes / sizeof sizes[0],
        .budget = quick ? 8LL << 20 : 32LL << 20,
        .max_trips = quick ? 500 : 2000,
        .label = "mpi",
        .run.repeat = quick ? 2 : 5,
    };
    memcpy(cfg->sizes, sizes, sizeof sizes);
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "fewer round trips, repeat 2";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 's':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 1, 64LL << 20, cfg->sizes, MAX_SIZES);
            break;
        case 'm':
            cfg->max_trips = arg_int("--max-trips", optarg, 5, 1000000);
            break;
        case 'l':
            cfg->label = arg_path("--label", optarg);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
