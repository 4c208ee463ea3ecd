/*
 * map_static.c - chapter 5's map as an MPI program with a static split:
 * rank 0 makes the inputs, MPI_Scatter deals them out in equal shares,
 * every rank maps its share, MPI_Gather brings the results back, and rank
 * 0 checks them. With Amdahl's law, from a serial fraction it measures.
 *
 * The task is a number hashed --work times over (CPU only). Making the
 * inputs (each one hashed --prep-work times) and checking the results are
 * the part only rank 0 does: the serial part. The program times it, and
 * the same steps in a run by rank 0 alone (the serial run, against which
 * the speed-up is taken, measured in the same job), so the serial
 * fraction f is measured, not assumed:
 *
 *   f = (making + checking) / (making + mapping + checking), serial run
 *   Amdahl's speed-up on n ranks:  1 / (f + (1 - f) / n)
 *
 *   chapters/11-beyond-one-machine/mpi_run.sh --np 2 -- build/chapter11/map_static --quick
 *   for n in 1 2 3 4; do chapters/11-beyond-one-machine/mpi_run.sh --np $n -- build/chapter11/map_static; done
 *
 * It prints one row for the job: the serial and the parallel time (median,
 * min and max over the repeats), the serial part, f, the speed-up measured
 * and the one Amdahl's law predicts for f. Every result is checked against
 * the serial run's; a difference ends the job with status 1. What to
 * expect: up to the cores, a speed-up a little under Amdahl's (the scatter
 * and gather cost too); beyond them (--np 3, 4 on two cores) no more gain.
 * Compare with map_dynamic.c (a manager hands out chunks) and chapter 5's
 * process pool.
 *
 * MPI calls are not checked one by one: MPI's default error handler,
 * MPI_ERRORS_ARE_FATAL, ends the whole job with a message on any failure.
 */
// build-with: mpicc
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "options.h"
#include "random.h"
#include "report.h"

#include "map_task.h"
#include "mpi_job.h"

struct config {
    long long tasks, work, prep_work, seed;
    run_options run;
};

/* The times of one run, in seconds: the serial part and the whole. */
struct timing {
    double serial_part, total;
};

static uint64_t *make_inputs(const struct config *cfg);
static void check_results(const struct config *cfg, const uint64_t *results, const uint64_t *expected);

// snippet-begin: scatter-gather
/* One parallel run: rank 0 makes the inputs, every rank maps its share,
 * rank 0 gathers and checks the results. */
static struct timing parallel_map(const struct config *cfg, int rank, int ranks, const uint64_t *expected)
{
    int *counts = malloc((size_t)ranks * sizeof *counts), *offsets = malloc((size_t)ranks * sizeof *offsets);
    uint64_t *inputs = NULL, *results = NULL;
    if (counts == NULL || offsets == NULL)
        die("malloc");
    for (int r = 0; r < ranks; r++) {          /* equal shares; the first ones one more */
        counts[r] = (int)(cfg->tasks / ranks + (r < cfg->tasks % ranks));
        offsets[r] = r == 0 ? 0 : offsets[r - 1] + counts[r - 1];
    }
    MPI_Barrier(MPI_COMM_WORLD);
    int64_t start = now_ns();
    if (rank == 0)
        inputs = make_inputs(cfg);             /* serial */
    int64_t made = now_ns();
    uint64_t *share = malloc((size_t)counts[rank] * sizeof *share);
    if (share == NULL)
        die("malloc");
    MPI_Scatterv(inputs, counts, offsets, MPI_UINT64_T, share, counts[rank], MPI_UINT64_T, 0, MPI_COMM_WORLD);
    for (int k = 0; k < counts[rank]; k++)     /* parallel */
        share[k] = task(share[k], cfg->work);
    if (rank == 0 && (results = malloc((size_t)cfg->tasks * sizeof *results)) == NULL)
        die("malloc");
    MPI_Gatherv(share, counts[rank], MPI_UINT64_T, results, counts, offsets, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    int64_t gathered = now_ns();
    if (rank == 0)
        check_results(cfg, results, expected); /* serial */
    int64_t end = now_ns();
    free(share);
    free(inputs);
    free(results);
    free(counts);
    free(offsets);
    return (struct timing){ .serial_part = (double)((made - start) + (end - gathered)) / NS_PER_S,
                            .total = (double)(end - start) / NS_PER_S };
}
// snippet-end: scatter-gather

static void parse_args(int argc, char *argv[], struct config *cfg);
static struct timing serial_map(const struct config *cfg, uint64_t *results);
static void wait_idle(void);
static void report_job(const struct config *cfg, int ranks, const double *serial_s, const double *parallel_s,
                       double serial_part, double f, int argc, char *argv[]);

/* Arguments are read before MPI_Init, so that --help and a bad option need
 * no MPI job; every rank reads the same command line. */
int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    int rank;
    int ranks = mpi_join(&argc, &argv, "map_static", 1, 0, "at least 1 rank", &rank);
    if (rank == 0)
        printf("map of %lld tasks (%lld hashes each; making an input: %lld) on %d rank(s), %ld repeats\n",
               cfg.tasks, cfg.work, cfg.prep_work, ranks, cfg.run.repeat);

    uint64_t *expected = NULL;
    if (rank == 0 && (expected = malloc((size_t)cfg.tasks * sizeof *expected)) == NULL)
        die("malloc");
    double *serial_s = samples_alloc(cfg.run.repeat), *parallel_s = samples_alloc(cfg.run.repeat);
    double *serial_part = samples_alloc(cfg.run.repeat), *fraction = samples_alloc(cfg.run.repeat);
    if (rank == 0)                             /* untimed: pages touched, caches warm */
        serial_map(&cfg, expected);
    wait_idle();
    parallel_map(&cfg, rank, ranks, expected);
    for (long r = 0; r < cfg.run.repeat; r++) {
        if (rank == 0) {                       /* the serial run: rank 0 alone */
            struct timing serial = serial_map(&cfg, expected);
            serial_s[r] = serial.total;
            fraction[r] = serial.serial_part / serial.total;
        }
        wait_idle();                           /* the others sleep meanwhile */
        struct timing parallel = parallel_map(&cfg, rank, ranks, expected);
        parallel_s[r] = parallel.total;
        serial_part[r] = parallel.serial_part;
    }
    if (rank == 0) {
        printf("results: all %lld equal to the serial run's, checksum %016llx\n", cfg.tasks,
               (unsigned long long)checksum(expected, cfg.tasks));
        double f = summarize(fraction, (size_t)cfg.run.repeat).median;
        report_job(&cfg, ranks, serial_s, parallel_s, summarize(serial_part, (size_t)cfg.run.repeat).median, f,
                   argc, argv);
    }
    free(expected);
    free(serial_s);
    free(parallel_s);
    free(serial_part);
    free(fraction);
    MPI_Finalize();
    return EXIT_SUCCESS;
}

/* The inputs, each made from the seed by prep_work hashes: the work only
 * rank 0 does before the map can start. */
static uint64_t *make_inputs(const struct config *cfg)
{
    uint64_t *inputs = malloc((size_t)cfg->tasks * sizeof *inputs);
    if (inputs == NULL)
        die("malloc");
    for (long long i = 0; i < cfg->tasks; i++)
        inputs[i] = task((uint64_t)cfg->seed + (uint64_t)i, cfg->prep_work);
    return inputs;
}

/* Every result as the serial run's; the job ends (status 1) at the first
 * that is not. */
static void check_results(const struct config *cfg, const uint64_t *results, const uint64_t *expected)
{
    for (long long i = 0; i < cfg->tasks; i++)
        if (results[i] != expected[i])
            die_msg("task %lld: got %llu, the serial run got %llu", i, (unsigned long long)results[i],
                    (unsigned long long)expected[i]);
}

/* The same three steps, one after the other, on rank 0 alone; the results
 * are what every parallel run must give. */
static struct timing serial_map(const struct config *cfg, uint64_t *results)
{
    int64_t start = now_ns();
    uint64_t *inputs = make_inputs(cfg);
    int64_t made = now_ns();
    for (long long i = 0; i < cfg->tasks; i++)
        results[i] = task(inputs[i], cfg->work);
    int64_t mapped = now_ns();
    check_results(cfg, results, results);     /* the same loop the parallel run pays for */
    int64_t end = now_ns();
    free(inputs);
    return (struct timing){ .serial_part = (double)((made - start) + (end - mapped)) / NS_PER_S,
                            .total = (double)(end - start) / NS_PER_S };
}

/* Wait for rank 0 sleeping, not spinning: MPI's own waits poll, and on a
 * machine with fewer cores than ranks the pollers would slow the serial
 * run they wait for. */
static void wait_idle(void)
{
    MPI_Request done;
    MPI_Ibarrier(MPI_COMM_WORLD, &done);
    for (int finished = 0; MPI_Test(&done, &finished, MPI_STATUS_IGNORE), !finished;)
        sleep_ns(NS_PER_MS);
}

static const column columns[] = {
    { .name = "ranks", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "tasks", .kind = COL_INT, .tsv_only = true },
    { .name = "serial_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "min_serial_s", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { .name = "max_serial_s", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { .name = "parallel_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "min_parallel_s", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { .name = "max_parallel_s", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { .name = "serial_part_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "fraction", .kind = COL_REAL, .decimals = 4 },
    { .name = "speedup", .kind = COL_REAL, .decimals = 2 },
    { .name = "min_speedup", .kind = COL_REAL, .decimals = 2, .tsv_only = true },
    { .name = "max_speedup", .kind = COL_REAL, .decimals = 2, .tsv_only = true },
    { .name = "amdahl", .kind = COL_REAL, .decimals = 2 },
    { 0 },
};

/* One row: the speed-up as the median serial time over each parallel
 * time (min and max from the fastest and the slowest parallel run). */
static void report_job(const struct config *cfg, int ranks, const double *serial_s, const double *parallel_s,
                       double serial_part, double f, int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "work: %lld hashes a task, %lld an input", cfg->work, cfg->prep_work);
    report_comment(out, "btl: %s", getenv("OMPI_MCA_btl") ? getenv("OMPI_MCA_btl") : "(Open MPI's choice)");
    report_comment(out, "mpi: %s", mpi_version());
    summary serial = summarize(serial_s, (size_t)cfg->run.repeat);
    summary parallel = summarize(parallel_s, (size_t)cfg->run.repeat);
    report_int(out, ranks);
    report_int(out, cfg->run.repeat);
    report_int(out, cfg->tasks);
    report_real(out, serial.median);
    report_real(out, serial.min);
    report_real(out, serial.max);
    report_real(out, parallel.median);
    report_real(out, parallel.min);
    report_real(out, parallel.max);
    report_real(out, serial_part);
    report_real(out, f);
    report_real(out, serial.median / parallel.median);
    report_real(out, serial.median / parallel.max);
    report_real(out, serial.median / parallel.min);
    report_real(out, 1 / (f + (1 - f) / ranks));
    report_finish(out);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "map_static [--tasks N] [--work N] [--prep-work N] [--seed N] [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "A map split evenly over the MPI ranks (MPI_Scatterv, MPI_Gatherv), timed\n"
    "against the same map on rank 0 alone; the serial fraction measured, and the\n"
    "speed-up Amdahl's law predicts from it. Run it under mpirun (or mpi_run.sh).\n"
    "\n"
    "  --tasks N        tasks (100 to 10^8; default 200000)\n"
    "  --work N         hashes per task (1 to 10^6; default 400)\n"
    "  --prep-work N    hashes to make each input, on rank 0 (0 to 10^6; default 20)\n"
    "  --seed N         the inputs' seed (default 1)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "tasks", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "prep-work", required_argument, NULL, 'p' },
        { "seed", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .tasks = quick ? 20000 : 200000,
        .work = 400,
        .prep_work = 20,
        .seed = 1,
        .run.repeat = quick ? 2 : 5,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "tasks 20000, repeat 2";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 't':
            cfg->tasks = arg_int("--tasks", optarg, 100, 100000000);
            break;
        case 'w':
            cfg->work = arg_int("--work", optarg, 1, 1000000);
            break;
        case 'p':
            cfg->prep_work = arg_int("--prep-work", optarg, 0, 1000000);
            break;
        case 's':
            cfg->seed = arg_int("--seed", optarg, 0, INT64_MAX);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
