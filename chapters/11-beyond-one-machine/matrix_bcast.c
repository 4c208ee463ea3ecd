/*
 * matrix_bcast.c - chapter 8's lesson across machines: many workers need
 * the same big read-only matrix. Send it with every task, or once to
 * everyone (MPI_Bcast)?
 *
 * Chapter 8's graph-distance workload: an M x M adjacency matrix of a
 * random directed graph, and for many pairs (i, j) the hops from i to j, up
 * to a limit. A manager (rank 0) hands the pairs out a few at a time to the
 * workers (the other ranks), as map_dynamic.c hands out its chunks. Two
 * ways to give the workers the matrix:
 *
 *   per-task   every task message carries the whole matrix (M*M bytes),
 *              as chapter 8's pipe pool did: what pickling it with every
 *              task does
 *   bcast      MPI_Bcast sends it to every worker once; a task carries only
 *              its pairs. Between machines there is no shared memory to map:
 *              sending it once is the best there is.
 *
 *   chapters/11-beyond-one-machine/mpi_run.sh --np 2 -- build/chapter11/matrix_bcast --quick
 *   chapters/11-beyond-one-machine/mpi_run.sh --np 3 --transport tcp -- build/chapter11/matrix_bcast --label tcp
 *
 * It prints one row per way and matrix size, and a row for the serial run
 * (rank 0 alone, the matrix where it is): the wall time (median, min and
 * max over the repeats), the MiB the manager sent, and how many pairs are
 * within reach. Every way's distances are checked against the serial ones;
 * a difference ends the job with status 1. What to expect: per-task sends
 * the matrix once per task and falls far behind as the matrix grows; bcast
 * sends it once per worker and stays near the serial time (with one worker)
 * or under it (with more, on more cores). Compare with chapter 8's
 * shared_matrix.c.
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
#include "graph.h"
#include "report.h"

#include "mpi_job.h"

enum method { SERIAL, PER_TASK, BCAST };
static const char *const method_names[] = { "serial", "per-task", "bcast", NULL };
enum { TAG_WORK = 1, TAG_RESULT, TAG_STOP };
#define MAX_SIZES 16

struct config {
    long long sizes[MAX_SIZES];
    size_t n_sizes;
    bool used[3];           /* by enum method */
    long long per_mille, hops, n_pairs, per_task, seed;
    const char *label;
    run_options run;
};

/* A task message: how many pairs, the first pair's index, the pairs
 * (i, j), and for per-task the matrix after them. */
struct task_header {
    int32_t count, first;
};

static size_t task_bytes(int m, enum method method, int count)
{
    return sizeof(struct task_header) + (size_t)count * 2 * sizeof(int32_t) +
           (method == PER_TASK ? (size_t)m * (size_t)m : 0);
}

static double send_task(const struct config *cfg, enum method method, const uint8_t *matrix, int m,
                        const int32_t *pairs, int *next, char *msg, int w, int *busy);

// snippet-begin: bcast-or-send
/* The manager's side of one run: the matrix to every worker once (bcast),
 * then tasks of per_task pairs, each with the matrix too (per-task).
 * Returns the bytes sent. */
static double distribute(const struct config *cfg, enum method method, uint8_t *matrix, int m,
                         const int32_t *pairs, int32_t *got, int ranks)
{
    double sent = 0;
    if (method == BCAST) {
        MPI_Bcast(matrix, m * m, MPI_BYTE, 0, MPI_COMM_WORLD);
        sent += (double)m * m * (ranks - 1);
    }
    char *msg = malloc(task_bytes(m, method, (int)cfg->per_task));
    int32_t *answer = malloc(((size_t)cfg->per_task + 1) * sizeof *answer);
    if (msg == NULL || answer == NULL)
        die("malloc");
    int next = 0, busy = 0;
    for (int w = 1; w < ranks; w++)             /* a first task for every worker */
        sent += send_task(cfg, method, matrix, m, pairs, &next, msg, w, &busy);
    while (busy > 0) {
        MPI_Status st;
        int count;
        MPI_Recv(answer, (int)cfg->per_task + 1, MPI_INT32_T, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT32_T, &count);
        memcpy(&got[answer[0]], &answer[1], (size_t)(count - 1) * sizeof *answer);
        busy--;
        sent += send_task(cfg, method, matrix, m, pairs, &next, msg, st.MPI_SOURCE, &busy);
    }
    free(msg);
    free(answer);
    return sent;
}
// snippet-end: bcast-or-send

static const column columns[] = {
    { .name = "network", .kind = COL_TEXT, .width = 10 },
    { .name = "method", .kind = COL_TEXT },
    { .name = "size", .kind = COL_INT },
    { .name = "ranks", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "mib_sent", .kind = COL_REAL, .decimals = 1 },
    { .name = "reached", .kind = COL_INT },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static int32_t *make_pairs(int n_pairs, int m, uint64_t seed);
static void work_loop(const struct config *cfg, enum method method, int m);
static void report_point(report *out, const struct config *cfg, int ranks, enum method method, int m,
                         const double *seconds, double mib, int reached);

/* Arguments are read before MPI_Init, so that --help and a bad option need
 * no MPI job; every rank reads the same command line. */
int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    int rank;
    int ranks = mpi_join(&argc, &argv, "matrix_bcast", 2, 0,
                         "a manager and at least one worker (mpirun -np 2 or more)", &rank);
    report *out = NULL;
    if (rank == 0) {
        printf("%lld pairs (%lld a task), up to %lld hops, %.1f%% of the entries set, %d worker(s), %s\n",
               cfg.n_pairs, cfg.per_task, cfg.hops, (double)cfg.per_mille / 10, ranks - 1, cfg.label);
        out = report_create(columns, &cfg.run, argc, argv);
        report_comment(out, "btl: %s", getenv("OMPI_MCA_btl") ? getenv("OMPI_MCA_btl") : "(Open MPI's choice)");
        report_comment(out, "mpi: %s", mpi_version());
    }
    double *seconds = samples_alloc(cfg.run.repeat);
    for (size_t s = 0; s < cfg.n_sizes; s++) {
        int m = (int)cfg.sizes[s];
        if (rank != 0) {                       /* a worker: every way, every repeat */
            for (int method = PER_TASK; method <= BCAST; method++)
                for (long r = 0; cfg.used[method] && r < cfg.run.repeat; r++)
                    work_loop(&cfg, (enum method)method, m);
            continue;
        }
        uint8_t *matrix = graph_random(m, (int)cfg.per_mille, (uint64_t)cfg.seed);
        int32_t *pairs = make_pairs((int)cfg.n_pairs, m, (uint64_t)cfg.seed);
        int32_t *expected = malloc((size_t)cfg.n_pairs * sizeof *expected);
        int32_t *got = malloc((size_t)cfg.n_pairs * sizeof *got);
        if (expected == NULL || got == NULL)
            die("malloc");
        for (int method = SERIAL; method <= BCAST; method++) {
            double sent = 0;
            for (long r = 0; r < cfg.run.repeat; r++) {
                int64_t start = now_ns();
                if (method == SERIAL)
                    for (int k = 0; k < cfg.n_pairs; k++)
                        expected[k] = graph_distance(matrix, m, pairs[2 * k], pairs[2 * k + 1], (int)cfg.hops);
                else if (cfg.used[method])
                    sent = distribute(&cfg, (enum method)method, matrix, m, pairs, got, ranks);
                seconds[r] = (double)(now_ns() - start) / NS_PER_S;
                for (int k = 0; method != SERIAL && cfg.used[method] && k < cfg.n_pairs; k++)
                    if (got[k] != expected[k])
                        die_msg("%s, size %d, pair %d: distance %d, the serial run found %d", method_names[method],
                                m, k, got[k], expected[k]);
            }
            int reached = 0;
            for (int k = 0; k < cfg.n_pairs; k++)
                reached += expected[k] >= 0;
            if (method == SERIAL || cfg.used[method])
                report_point(out, &cfg, ranks, (enum method)method, m, seconds, sent / (1 << 20), reached);
        }
        free(matrix);
        free(pairs);
        free(expected);
        free(got);
    }
    if (rank == 0)
        report_finish(out);
    free(seconds);
    MPI_Finalize();
    return EXIT_SUCCESS;
}

/* The next task to worker w, or, when there is none, the word to stop.
 * Returns the bytes sent. */
static double send_task(const struct config *cfg, enum method method, const uint8_t *matrix, int m,
                        const int32_t *pairs, int *next, char *msg, int w, int *busy)
{
    if (*next >= cfg->n_pairs) {
        MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, MPI_COMM_WORLD);
        return 0;
    }
    struct task_header h = { .first = *next, .count = (int32_t)(cfg->n_pairs - *next) };
    if (h.count > cfg->per_task)
        h.count = (int32_t)cfg->per_task;
    memcpy(msg, &h, sizeof h);
    memcpy(msg + sizeof h, &pairs[2 * h.first], (size_t)h.count * 2 * sizeof *pairs);
    if (method == PER_TASK)
        memcpy(msg + task_bytes(m, BCAST, h.count), matrix, (size_t)m * (size_t)m);
    size_t bytes = task_bytes(m, method, h.count);
    MPI_Send(msg, (int)bytes, MPI_BYTE, w, TAG_WORK, MPI_COMM_WORLD);
    *next += h.count;
    (*busy)++;
    return (double)bytes;
}

/* The pairs (i, j), i at 2k and j at 2k + 1 (chapter 8's). */
static int32_t *make_pairs(int n_pairs, int m, uint64_t seed)
{
    int32_t *pairs = malloc((size_t)n_pairs * 2 * sizeof *pairs);
    if (pairs == NULL)
        die("malloc");
    for (int k = 0; k < n_pairs; k++)
        graph_pair(seed, k, m, &pairs[2 * k], &pairs[2 * k + 1]);
    return pairs;
}

/* A worker, for one run: the matrix by broadcast (bcast), then tasks until
 * the manager says stop; for per-task, the matrix inside each. */
static void work_loop(const struct config *cfg, enum method method, int m)
{
    uint8_t *matrix = NULL;
    if (method == BCAST) {
        if ((matrix = malloc((size_t)m * (size_t)m)) == NULL)
            die("malloc %d x %d", m, m);
        MPI_Bcast(matrix, m * m, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    size_t biggest = task_bytes(m, method, (int)cfg->per_task);
    char *msg = malloc(biggest);
    int32_t *answer = malloc(((size_t)cfg->per_task + 1) * sizeof *answer);
    if (msg == NULL || answer == NULL)
        die("malloc");
    for (;;) {
        MPI_Status st;
        MPI_Recv(msg, (int)biggest, MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_STOP)
            break;
        struct task_header h;
        memcpy(&h, msg, sizeof h);
        const int32_t *pairs = (const int32_t *)(msg + sizeof h);
        const uint8_t *a = method == BCAST ? matrix : (const uint8_t *)msg + task_bytes(m, BCAST, h.count);
        answer[0] = h.first;
        for (int k = 0; k < h.count; k++)
            answer[k + 1] = graph_distance(a, m, pairs[2 * k], pairs[2 * k + 1], (int)cfg->hops);
        MPI_Send(answer, h.count + 1, MPI_INT32_T, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    free(msg);
    free(answer);
    free(matrix);
}

/* One row. */
static void report_point(report *out, const struct config *cfg, int ranks, enum method method, int m,
                         const double *seconds, double mib, int reached)
{
    report_text(out, cfg->label);
    report_text(out, method_names[method]);
    report_int(out, m);
    report_int(out, method == SERIAL ? 1 : ranks);
    report_int(out, cfg->run.repeat);
    report_spread(out, seconds, (size_t)cfg->run.repeat);
    report_real(out, mib);
    report_int(out, reached);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "matrix_bcast [--sizes LIST] [--methods LIST] [--pairs N] [--per-task N] [--hops N]\n"
    "                    [--per-mille N] [--label NAME] [--seed N] [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "Graph distances on a random matrix, the pairs handed out by a manager (rank\n"
    "0) to workers: the matrix sent with every task, or broadcast once. Checked\n"
    "against a serial run, which always runs. Run it under mpirun with 2 or more\n"
    "ranks (or mpi_run.sh).\n"
    "\n"
    "  --sizes LIST     matrix sizes M (10 to 8000; default 250,500,1000,2000)\n"
    "  --methods LIST   per-task, bcast (default both; the serial run always runs)\n"
    "  --pairs N        pairs to find distances for (1 to 10^6; default 192)\n"
    "  --per-task N     pairs in a task (1 to 10^4; default 8)\n"
    "  --hops N         the most hops looked for (1 to 100; default 4)\n"
    "  --per-mille N    entries set, per thousand (0 to 1000; default 20)\n"
    "  --label NAME     the network's name in the table (default shm)\n"
    "  --seed N         the matrix's and the pairs' seed (default 1)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 'n' },
        { "methods", required_argument, NULL, 'm' },
        { "pairs", required_argument, NULL, 'p' },
        { "per-task", required_argument, NULL, 't' },
        { "hops", required_argument, NULL, 'h' },
        { "per-mille", required_argument, NULL, 'e' },
        { "label", required_argument, NULL, 'l' },
        { "seed", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    static const long long all_sizes[] = { 250, 500, 1000, 2000 }, quick_sizes[] = { 200, 400 };
    *cfg = (struct config){
        .n_sizes = quick ? 2 : 4,
        .used = { true, true, true },
        .per_mille = 20,
        .hops = 4,
        .n_pairs = quick ? 32 : 192,
        .per_task = 8,
        .seed = 1,
        .label = "shm",
        .run = { .takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK,
                 .repeat = quick ? 1 : 5, .quick_help = "sizes 200,400, pairs 32, repeat 1" },
    };
    memcpy(cfg->sizes, quick ? quick_sizes : all_sizes, cfg->n_sizes * sizeof cfg->sizes[0]);
    bool chosen[3];
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'n':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 10, 8000, cfg->sizes, MAX_SIZES);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names + 1, chosen);
            cfg->used[PER_TASK] = chosen[0];
            cfg->used[BCAST] = chosen[1];
            break;
        case 'p':
            cfg->n_pairs = arg_int("--pairs", optarg, 1, 1000000);
            break;
        case 't':
            cfg->per_task = arg_int("--per-task", optarg, 1, 10000);
            break;
        case 'h':
            cfg->hops = arg_int("--hops", optarg, 1, 100);
            break;
        case 'e':
            cfg->per_mille = arg_int("--per-mille", optarg, 0, 1000);
            break;
        case 'l':
            cfg->label = arg_path("--label", optarg);
            break;
        case 's':
            cfg->seed = arg_int("--seed", optarg, 0, INT64_MAX);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
