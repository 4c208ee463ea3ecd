/*
 * map_dynamic.c - chapter 5's process pool as an MPI program: rank 0, the
 * manager, hands out chunks of tasks to the other ranks, the workers, one
 * chunk at a time with MPI_Send, and gives a worker its next chunk when its
 * results come back (MPI_Recv from any rank). Chapter 5's chunk-size sweep,
 * with the network between manager and workers.
 *
 * A message carries a chunk's first index and its inputs (8 bytes each);
 * the answer, the index and the results. A chunk of one task pays a round
 * trip per task: microseconds through shared memory, tens of them through
 * TCP, a millisecond and more across a real network. A chunk of 100 pays
 * it once per 100 tasks.
 *
 *   chapters/11-beyond-one-machine/mpi_run.sh --np 2 -- build/chapter11/map_dynamic --quick
 *   chapters/11-beyond-one-machine/mpi_run.sh --np 3 --transport tcp -- build/chapter11/map_dynamic --label tcp
 *   chapters/11-beyond-one-machine/two_hosts.sh -- build/chapter11/map_dynamic --label two-hosts
 *
 * It prints one row per chunk size: the time per task (median, min and max
 * over the repeats) beside the task's own time in a serial run, and the
 * messages sent. Every result is checked against the serial run's; a
 * difference ends the job with status 1. What to expect: at chunk size 1
 * the time per task is the round trip, far above the task's own; it falls
 * as the chunks grow, until the work dominates. Compare with chapter 5's
 * overhead.c (the same sweep through a pipe) and map_static.c.
 *
 * --crash-at N kills (SIGKILL) the worker that receives task N: mpirun
 * reports the rank that died, ends the others and returns non-zero, and
 * mpi_run.sh's time limit ends a job that hangs.
 *
 * MPI calls are not checked one by one: MPI's default error handler,
 * MPI_ERRORS_ARE_FATAL, ends the whole job with a message on any failure.
 */
// build-with: mpicc
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "options.h"
#include "random.h"
#include "report.h"

#include "map_task.h"
#include "mpi_job.h"

#define MAX_CHUNKS 16
enum { TAG_WORK = 1, TAG_RESULT, TAG_STOP };

struct config {
    long long tasks, work, seed, crash_at;  /* crash_at -1: no crash */
    long long chunks[MAX_CHUNKS];
    size_t n_chunks;
    const char *label;
    run_options run;
};

static void send_chunk(const uint64_t *inputs, uint64_t *msg, long long *next, long long n, long long chunk, int w);

// snippet-begin: manager
/* Hand the tasks out `chunk` at a time; a worker gets its next chunk when
 * its last one comes back. Returns the messages sent and received. A
 * message is [first index, value, value, ...]. */
static long manage(const uint64_t *inputs, uint64_t *results, long long n, long long chunk, int ranks)
{
    uint64_t *msg = malloc((size_t)(chunk + 1) * sizeof *msg);
    if (msg == NULL)
        die("malloc");
    long long next = 0;
    long messages = 0;
    int busy = 0;
    for (int w = 1; w < ranks; w++) {         /* a first chunk for every worker */
        if (next < n) {
            send_chunk(inputs, msg, &next, n, chunk, w);
            busy++;
        } else {
            MPI_Send(NULL, 0, MPI_UINT64_T, w, TAG_STOP, MPI_COMM_WORLD);
        }
        messages++;
    }
    while (busy > 0) {
        MPI_Status st;
        int count;
        MPI_Recv(msg, (int)chunk + 1, MPI_UINT64_T, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_UINT64_T, &count);
        memcpy(&results[msg[0]], &msg[1], (size_t)(count - 1) * sizeof *msg);
        messages++;
        if (next < n) {
            send_chunk(inputs, msg, &next, n, chunk, st.MPI_SOURCE);
        } else {
            MPI_Send(NULL, 0, MPI_UINT64_T, st.MPI_SOURCE, TAG_STOP, MPI_COMM_WORLD);
            busy--;
        }
        messages++;
    }
    free(msg);
    return messages;
}
// snippet-end: manager

static const column columns[] = {
    { .name = "network", .kind = COL_TEXT, .width = 12 },
    { .name = "ranks", .kind = COL_INT },
    { .name = "chunk_size", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "per_task_us", .kind = COL_REAL, .decimals = 3 },
    { .name = "min_us", .kind = COL_REAL, .decimals = 3 },
    { .name = "max_us", .kind = COL_REAL, .decimals = 3 },
    { .name = "serial_us", .kind = COL_REAL, .decimals = 3 },
    { .name = "messages", .kind = COL_INT },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static uint64_t *make_inputs(const struct config *cfg);
static double serial_map(const struct config *cfg, const uint64_t *inputs, uint64_t *results);
static void work_loop(const struct config *cfg);
static void report_chunk(report *out, const struct config *cfg, int ranks, long long chunk, const double *us,
                         long messages, double serial_us);

/* Arguments are read before MPI_Init, so that --help and a bad option need
 * no MPI job; every rank reads the same command line. */
int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    int rank;
    int ranks = mpi_join(&argc, &argv, "map_dynamic", 2, 0,
                         "a manager and at least one worker (mpirun -np 2 or more)", &rank);
    if (rank != 0) {
        for (size_t c = 0; c < cfg.n_chunks; c++)
            for (long r = 0; r < cfg.run.repeat; r++)
                work_loop(&cfg);
        MPI_Finalize();
        return EXIT_SUCCESS;
    }

    printf("%lld tasks (%lld hashes each), a manager and %d worker(s), %s, %ld repeats\n", cfg.tasks, cfg.work,
           ranks - 1, cfg.label, cfg.run.repeat);
    uint64_t *inputs = make_inputs(&cfg);
    uint64_t *expected = malloc((size_t)cfg.tasks * sizeof *expected);
    uint64_t *results = malloc((size_t)cfg.tasks * sizeof *results);
    if (expected == NULL || results == NULL)
        die("malloc");
    double serial_us = serial_map(&cfg, inputs, expected) / (double)cfg.tasks;
    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "work: %lld hashes a task", cfg.work);
    report_comment(out, "mpi: %s", mpi_version());
    report_comment(out, "btl: %s", getenv("OMPI_MCA_btl") ? getenv("OMPI_MCA_btl") : "(Open MPI's choice)");
    double *us = samples_alloc(cfg.run.repeat);
    for (size_t c = 0; c < cfg.n_chunks; c++) {
        long messages = 0;
        for (long r = 0; r < cfg.run.repeat; r++) {
            memset(results, 0, (size_t)cfg.tasks * sizeof *results);
            int64_t start = now_ns();
            messages = manage(inputs, results, cfg.tasks, cfg.chunks[c], ranks);
            us[r] = (double)(now_ns() - start) / NS_PER_US / (double)cfg.tasks;
            for (long long i = 0; i < cfg.tasks; i++)
                if (results[i] != expected[i])
                    die_msg("chunk %lld, task %lld: got %llu, the serial run got %llu", cfg.chunks[c], i,
                            (unsigned long long)results[i], (unsigned long long)expected[i]);
        }
        report_chunk(out, &cfg, ranks, cfg.chunks[c], us, messages, serial_us);
    }
    report_finish(out);
    printf("results: all %lld equal to the serial run's, checksum %016llx\n", cfg.tasks,
           (unsigned long long)checksum(expected, cfg.tasks));
    free(us);
    free(inputs);
    free(expected);
    free(results);
    MPI_Finalize();
    return EXIT_SUCCESS;
}

/* The inputs, from the seed. */
static uint64_t *make_inputs(const struct config *cfg)
{
    uint64_t *inputs = malloc((size_t)cfg->tasks * sizeof *inputs);
    if (inputs == NULL)
        die("malloc");
    for (long long i = 0; i < cfg->tasks; i++)
        inputs[i] = hash64((uint64_t)cfg->seed + (uint64_t)i);
    return inputs;
}

/* The map on the manager alone: the results every run must give, and the
 * task's own time. In microseconds for all the tasks. */
static double serial_map(const struct config *cfg, const uint64_t *inputs, uint64_t *results)
{
    int64_t start = now_ns();
    for (long long i = 0; i < cfg->tasks; i++)
        results[i] = task(inputs[i], cfg->work);
    return (double)(now_ns() - start) / NS_PER_US;
}

/* The next chunk from inputs[*next] to worker w. */
static void send_chunk(const uint64_t *inputs, uint64_t *msg, long long *next, long long n, long long chunk, int w)
{
    long long count = n - *next < chunk ? n - *next : chunk;
    msg[0] = (uint64_t)*next;
    memcpy(&msg[1], &inputs[*next], (size_t)count * sizeof *msg);
    MPI_Send(msg, (int)count + 1, MPI_UINT64_T, w, TAG_WORK, MPI_COMM_WORLD);
    *next += count;
}

/* A worker, for one run: map each chunk received and send it back, until
 * the manager says stop. */
static void work_loop(const struct config *cfg)
{
    long long biggest = 0;
    for (size_t c = 0; c < cfg->n_chunks; c++)
        biggest = cfg->chunks[c] > biggest ? cfg->chunks[c] : biggest;
    uint64_t *msg = malloc((size_t)(biggest + 1) * sizeof *msg);
    if (msg == NULL)
        die("malloc");
    for (;;) {
        MPI_Status st;
        int count;
        MPI_Recv(msg, (int)biggest + 1, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_STOP)
            break;
        MPI_Get_count(&st, MPI_UINT64_T, &count);
        long long first = (long long)msg[0];
        if (cfg->crash_at >= first && cfg->crash_at < first + count - 1)
            kill(getpid(), SIGKILL);          /* the worker dies mid-chunk */
        for (int k = 1; k < count; k++)
            msg[k] = task(msg[k], cfg->work);
        MPI_Send(msg, count, MPI_UINT64_T, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    free(msg);
}

/* One row: the time per task against the serial run's. */
static void report_chunk(report *out, const struct config *cfg, int ranks, long long chunk, const double *us,
                         long messages, double serial_us)
{
    summary s = summarize(us, (size_t)cfg->run.repeat);
    report_text(out, cfg->label);
    report_int(out, ranks);
    report_int(out, chunk);
    report_int(out, cfg->run.repeat);
    report_real(out, s.median);
    report_real(out, s.min);
    report_real(out, s.max);
    report_real(out, serial_us);
    report_int(out, messages);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "map_dynamic [--tasks N] [--work N] [--chunks LIST] [--label NAME] [--crash-at N] [--seed N]\n"
    "                   [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "A manager (rank 0) hands out chunks of tasks to worker ranks, one chunk at a\n"
    "time, at each chunk size; the time per task, checked against a serial run.\n"
    "Run it under mpirun with 2 or more ranks (or mpi_run.sh, two_hosts.sh).\n"
    "\n"
    "  --tasks N        tasks per run (100 to 10^7; default 20000)\n"
    "  --work N         hashes per task (0 to 10^6; default 100)\n"
    "  --chunks LIST    chunk sizes (1 to 100000; default 1,2,5,10,50,100,1000)\n"
    "  --label NAME     the network's name in the table (default shm)\n"
    "  --crash-at N     the worker that receives task N kills itself (SIGKILL)\n"
    "  --seed N         the inputs' seed (default 1)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "tasks", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "chunks", required_argument, NULL, 'c' },
        { "label", required_argument, NULL, 'l' },
        { "crash-at", required_argument, NULL, 'k' },
        { "seed", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    static const long long chunks[] = { 1, 2, 5, 10, 50, 100, 1000 };
    *cfg = (struct config){
        .tasks = quick ? 2000 : 20000,
        .work = 100,
        .seed = 1,
        .crash_at = -1,
        .n_chunks = sizeof chunks / sizeof chunks[0],
        .label = "shm",
        .run.repeat = quick ? 2 : 5,
    };
    memcpy(cfg->chunks, chunks, sizeof chunks);
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "tasks 2000, repeat 2";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 't':
            cfg->tasks = arg_int("--tasks", optarg, 100, 10000000);
            break;
        case 'w':
            cfg->work = arg_int("--work", optarg, 0, 1000000);
            break;
        case 'c':
            cfg->n_chunks = arg_int_list("--chunks", optarg, 1, 100000, cfg->chunks, MAX_CHUNKS);
            break;
        case 'l':
            cfg->label = arg_path("--label", optarg);
            break;
        case 'k':
            cfg->crash_at = arg_int("--crash-at", optarg, 0, 10000000);
            break;
        case 's':
            cfg->seed = arg_int("--seed", optarg, 0, INT64_MAX);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
