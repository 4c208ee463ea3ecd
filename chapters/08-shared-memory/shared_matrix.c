/*
 * shared_matrix.c - many workers need the same big read-only data: send it
 * to them, or share it?
 *
 * The source documents' demo 2: an M x M adjacency matrix of a random
 * directed graph (uint8, a given fraction of the entries set), and for many
 * pairs (i, j) the number of hops from i to j, up to a limit, found by
 * repeated vector-matrix products. Four ways to run the pairs, all giving
 * the same distances:
 *
 *   serial     one thread, the matrix where it is
 *   pipe       a process pool; every task carries the whole matrix through
 *              the pool's pipe (M*M bytes per task): what pickling it does
 *   shm        a process pool; the matrix is put once in POSIX shared memory
 *              (shm_open), each worker maps it on its first task, a task
 *              carries only its pair and the object's name
 *   threads    a thread pool without a GIL (free-threaded Python): the
 *              threads simply share the matrix
 *
 *   build/chapter08/shared_matrix --quick
 *   build/chapter08/shared_matrix --sizes 1000,2000 --methods pipe,shm
 *   build/chapter08/shared_matrix --methods pipe --per-task 1
 *
 * It prints one row per way and matrix size: the wall time (median, min and
 * max over the repeats), the MiB sent through the pool's pipes, and how
 * many of the pairs are within reach. Every way's distances are checked
 * against the serial ones. The ways take turns, one run of each per round,
 * so that a machine whose speed drifts during the run does not favour the
 * way measured at its fast moment. What to expect: pipe sends the matrix with every
 * task and is slower than serial; shm sends nothing and beats serial once
 * the matrix is big; threads are the fastest. The four ways stay options of
 * one program, because they are measured side by side on the same matrix
 * and pairs. Compare with cow_cost.c (what a worker's first touch of the
 * shared pages costs) and chapter 5's overhead.c (what a pool costs per task).
 *
 * The shared-memory object is removed however the program ends.
 */
#define _DEFAULT_SOURCE /* MAP_SHARED on older glibc */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "options.h"
#include "pool.h"
#include "progress.h"
#include "graph.h"
#include "report.h"

enum method { SERIAL, PIPE, SHM, THREADS };
static const char *const method_names[] = { "serial", "pipe", "shm", "threads", NULL };
#define MAX_SIZES 16

struct config {
    long long sizes[MAX_SIZES];
    size_t n_sizes;
    bool used[4];           /* by enum method */
    long long per_mille, hops, n_pairs, per_task, workers, seed;
    run_options run;
};


/* What every task of a run shares, and what each task is. */
struct job {
    int m, max_hops;
    const uint8_t *matrix;   /* threads and serial: the matrix itself */
    char shm_name[64];       /* shm: where to find it */
};

struct pair_task {
    int32_t i, j;
};

/* A task's input: how many pairs, the pairs, and (pipe only) the matrix.
 * Its output: a distance per pair. */
static void run_pairs(const uint8_t *matrix, const struct job *job, pool_task *t, const void *pairs,
                      int32_t count)
{
    for (int32_t k = 0; k < count; k++) {
        struct pair_task p;
        memcpy(&p, (const char *)pairs + (size_t)k * sizeof p, sizeof p);
        int32_t d = graph_distance(matrix, job->m, p.i, p.j, job->max_hops);
        memcpy((char *)t->output + (size_t)k * sizeof d, &d, sizeof d);
    }
    t->output_len = (size_t)count * sizeof(int32_t);
}

// snippet-begin: pipe-task
/* pipe: the matrix travels inside the task, after the pair. */
static int pipe_task(pool_task *t)
{
    const struct job *job = t->context;
    int32_t count;
    memcpy(&count, t->input, sizeof count);
    const char *pairs = (const char *)t->input + sizeof count;
    const uint8_t *matrix = (const uint8_t *)pairs + (size_t)count * sizeof(struct pair_task);
    run_pairs(matrix, job, t, pairs, count);            /* on our own copy */
    return 0;
}
// snippet-end: pipe-task

// snippet-begin: shm-task
/* shm: each worker process maps the matrix once, on its first task. */
static int shm_task(pool_task *t)
{
    static const uint8_t *mapped;             /* one per worker process */
    const struct job *job = t->context;
    if (mapped == NULL) {
        int fd = shm_open(job->shm_name, O_RDONLY, 0);
        if (fd == -1) {
            snprintf(t->error, sizeof t->error, "shm_open %s: %s", job->shm_name, strerror(errno));
            return -1;
        }
        void *p = mmap(NULL, (size_t)job->m * (size_t)job->m, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            snprintf(t->error, sizeof t->error, "mmap: %s", strerror(errno));
            close(fd);
            return -1;
        }
        if (close(fd) == -1) {                /* the mapping stays */
            snprintf(t->error, sizeof t->error, "close: %s", strerror(errno));
            return -1;
        }
        mapped = p;
    }
    int32_t count;
    memcpy(&count, t->input, sizeof count);
    run_pairs(mapped, job, t, (const char *)t->input + sizeof count, count);
    return 0;
}
// snippet-end: shm-task

/* threads: the matrix is simply there. */
static int thread_task(pool_task *t)
{
    const struct job *job = t->context;
    int32_t count;
    memcpy(&count, t->input, sizeof count);
    run_pairs(job->matrix, job, t, (const char *)t->input + sizeof count, count);
    return 0;
}

// snippet-begin: shm-create
/* Put the matrix in a new POSIX shared-memory object; returns its slot in
 * the clean-up list (it is unlinked if we die before we unlink it). */
static int share_matrix(const uint8_t *a, int m, const char *name)
{
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        die("shm_open %s", name);
    int slot = cleanup_add_shm(name);
    size_t bytes = (size_t)m * (size_t)m;
    if (ftruncate(fd, (off_t)bytes) == -1)
        die("ftruncate %s", name);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        die("mmap %s", name);
    if (close(fd) == -1)
        die("close");
    memcpy(p, a, bytes);
    if (munmap(p, bytes) == -1)
        die("munmap");
    return slot;
}
// snippet-end: shm-create

/* One way at one size: its times, one per repeat, and what it sent. */
struct point {
    bool used;
    double *seconds;
    double mib_sent;
    int reached;            /* pairs within reach, of n_pairs */
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void measure(const struct config *cfg, struct point *points);
static void report_points(const struct config *cfg, const struct point *points, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    struct point *points = calloc(cfg.n_sizes * 4, sizeof *points); /* [size][method] */
    if (points == NULL)
        die("calloc");
    printf("%lld pairs (%lld a task), up to %lld hops, %.1f%% of the entries set, %lld workers\n",
           cfg.n_pairs, cfg.per_task, cfg.hops, (double)cfg.per_mille / 10, cfg.workers);
    measure(&cfg, points);
    report_points(&cfg, points, argc, argv);
    printf("every method found the same distance for every pair\n");
    for (size_t k = 0; k < cfg.n_sizes * 4; k++)
        free(points[k].seconds);
    free(points);
    return EXIT_SUCCESS;
}

static void make_pairs(struct pair_task *pairs, int n_pairs, int m, uint64_t seed);
static double run(enum method method, struct job *job, const struct pair_task *pairs, int n_pairs,
                  int per_task, int workers, int32_t *d, long long *bytes_sent);

/* Size by size, a new matrix and its pairs; every way, each repeat checked
 * against the serial answer. */
static void measure(const struct config *cfg, struct point *points)
{
    long long n_pairs = cfg->n_pairs, hops = cfg->hops;
    struct pair_task *pairs = malloc((size_t)n_pairs * sizeof *pairs);
    int32_t *expected = malloc((size_t)n_pairs * sizeof *expected), *got = malloc((size_t)n_pairs * sizeof *got);
    if (pairs == NULL || expected == NULL || got == NULL)
        die("malloc");
    progress bar;
    int n_methods = cfg->used[0] + cfg->used[1] + cfg->used[2] + cfg->used[3];
    progress_start(&bar, "matrix", (long)(cfg->n_sizes * (size_t)n_methods * (size_t)cfg->run.repeat),
                   cfg->run.force_progress);
    for (size_t s = 0; s < cfg->n_sizes; s++) {
        int m = (int)cfg->sizes[s];
        uint8_t *matrix = graph_random(m, (int)cfg->per_mille, (uint64_t)cfg->seed);
        make_pairs(pairs, (int)n_pairs, m, (uint64_t)cfg->seed);
        struct job job = { .m = m, .max_hops = (int)hops, .matrix = matrix };
        for (int k = 0; k < n_pairs; k++) /* the answer every method must give */
            expected[k] = graph_distance(matrix, m, pairs[k].i, pairs[k].j, (int)hops);
        int reached = 0;
        for (int k = 0; k < n_pairs; k++)
            reached += expected[k] >= 0;
        for (int method = 0; method < 4; method++)
            if (cfg->used[method])
                points[s * 4 + (size_t)method] = (struct point){
                    .used = true, .seconds = samples_alloc(cfg->run.repeat), .reached = reached };
        /* Round by round, every way once: a machine that slows down or
         * speeds up during the run then moves all four alike, not the one
         * measured at that moment. */
        for (long r = 0; r < cfg->run.repeat; r++)
            for (int method = 0; method < 4; method++) {
                if (!cfg->used[method])
                    continue;
                struct point *pt = &points[s * 4 + (size_t)method];
                long long sent = 0;
                pt->seconds[r] = run((enum method)method, &job, pairs, (int)n_pairs, (int)cfg->per_task,
                                     (int)cfg->workers, got, &sent);
                for (int k = 0; k < n_pairs; k++)
                    if (got[k] != expected[k])
                        die_msg("%s, m %d: pair (%d, %d) is %d hops, serially %d", method_names[method], m,
                                pairs[k].i, pairs[k].j, got[k], expected[k]);
                pt->mib_sent = (double)sent / (1 << 20);
                progress_advance(&bar, 1);
            }
        free(matrix);
    }
    progress_finish(&bar);
    free(pairs);
    free(expected);
    free(got);
}

/* The pairs (i, j) to find distances for, from the seed. */
static void make_pairs(struct pair_task *pairs, int n_pairs, int m, uint64_t seed)
{
    for (int k = 0; k < n_pairs; k++)
        graph_pair(seed, k, m, &pairs[k].i, &pairs[k].j);
}

/* One timed run of `method`; distances into d. Returns seconds. Tasks carry
 * `per_task` pairs each (and, for pipe, the matrix). */
static double run(enum method method, struct job *job, const struct pair_task *pairs, int n_pairs,
                  int per_task, int workers, int32_t *d, long long *bytes_sent)
{
    int64_t start = now_ns();
    *bytes_sent = 0;
    if (method == SERIAL) {
        for (int k = 0; k < n_pairs; k++)
            d[k] = graph_distance(job->matrix, job->m, pairs[k].i, pairs[k].j, job->max_hops);
        return (double)(now_ns() - start) / NS_PER_S;
    }
    size_t matrix_bytes = method == PIPE ? (size_t)job->m * (size_t)job->m : 0;
    int n_tasks = (n_pairs + per_task - 1) / per_task;
    size_t each = sizeof(int32_t) + (size_t)per_task * sizeof(struct pair_task) + matrix_bytes;
    char *bytes = malloc(each * (size_t)n_tasks);
    pool_input *inputs = malloc((size_t)n_tasks * sizeof *inputs);
    pool_result *results = calloc((size_t)n_tasks, sizeof *results);
    if (bytes == NULL || inputs == NULL || results == NULL)
        die("malloc");
    for (int t = 0; t < n_tasks; t++) {   /* count, pairs, (matrix) */
        int32_t count = n_pairs - t * per_task < per_task ? n_pairs - t * per_task : per_task;
        char *at = bytes + each * (size_t)t;
        memcpy(at, &count, sizeof count);
        memcpy(at + sizeof count, &pairs[t * per_task], (size_t)count * sizeof(struct pair_task));
        size_t len = sizeof count + (size_t)count * sizeof(struct pair_task);
        if (method == PIPE)
            memcpy(at + len, job->matrix, matrix_bytes);
        inputs[t] = (pool_input){ at, len + matrix_bytes };
    }
    int slot = -1;
    if (method == SHM) {
        snprintf(job->shm_name, sizeof job->shm_name, "/workbook-matrix-%d", (int)getpid());
        slot = share_matrix(job->matrix, job->m, job->shm_name);
    }
    pool_options opt = { .kind = method == THREADS ? POOL_THREADS : POOL_PROCESSES, .workers = workers,
                         .fn = method == PIPE ? pipe_task : method == SHM ? shm_task : thread_task,
                         .context = job, .output_max = (size_t)per_task * sizeof(int32_t),
                         .gil = GIL_NONE };
    pool *p = pool_create(&opt);
    pool_map(p, inputs, (size_t)n_tasks, results);
    *bytes_sent = pool_get_stats(p).bytes_sent;
    pool_destroy(p);
    double seconds = (double)(now_ns() - start) / NS_PER_S;
    if (method == SHM) {
        if (shm_unlink(job->shm_name) == -1)
            die("shm_unlink %s", job->shm_name);
        cleanup_forget(slot);
    }
    for (int t = 0; t < n_tasks; t++) {
        if (results[t].status != POOL_DONE)
            die_msg("%s: task %d: %s", method_names[method], t, results[t].error);
        memcpy(&d[t * per_task], results[t].data, results[t].len);
    }
    pool_results_free(results, (size_t)n_tasks);
    free(results);
    free(inputs);
    free(bytes);
    return seconds;
}

static const column columns[] = {
    { .name = "method", .kind = COL_TEXT },
    { .name = "m", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "mib_sent", .kind = COL_REAL, .decimals = 1 },
    { .name = "reached", .kind = COL_INT },
    { 0 },
};

/* One row per way and size, method by method, so that a graph can draw
 * each way as a line. */
static void report_points(const struct config *cfg, const struct point *points, int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "pairs: %lld", cfg->n_pairs);
    report_comment(out, "pairs_per_task: %lld", cfg->per_task);
    report_comment(out, "workers: %lld", cfg->workers);
    report_comment(out, "fraction_per_mille: %lld", cfg->per_mille);
    report_comment(out, "hops: %lld", cfg->hops);
    for (int method = 0; method < 4; method++)
        for (size_t s = 0; s < cfg->n_sizes; s++) {
            const struct point *pt = &points[s * 4 + (size_t)method];
            if (!pt->used)
                continue;
            report_text(out, method_names[method]);
            report_int(out, cfg->sizes[s]);
            report_int(out, cfg->run.repeat);
            report_spread(out, pt->seconds, (size_t)cfg->run.repeat);
            report_real(out, pt->mib_sent);
            report_int(out, pt->reached);
        }
    report_finish(out);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "shared_matrix [--sizes LIST] [--methods LIST] [--fraction F] [--hops N] [--pairs N] [--per-task N]\n"
    "                     [--workers N] [--repeat N] [--seed N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Finds hop distances for many pairs of nodes of a random graph, its\n"
    "adjacency matrix sent to every task through a pipe, shared through POSIX\n"
    "shared memory, or shared by threads; all ways must agree.\n"
    "\n"
    "  --sizes LIST      matrix sizes M (16 to 8192; default 250,500,1000,2000)\n"
    "  --methods LIST    serial, pipe, shm, threads (default all)\n"
    "  --fraction P      per-mille of the entries set, 1 to 1000 (default 20: 2%)\n"
    "  --hops N          the largest distance looked for (1 to 64; default 4)\n"
    "  --pairs N         pairs (i, j) per run (1 to 100000; default 192)\n"
    "  --per-task N      pairs per task (1 to 100000; default 8): a pipe task\n"
    "                    carries the matrix once for all its pairs\n"
    "  --workers N       workers of each pool (1 to 64; default: the cores)\n"
    "  --seed N          seed of the graph and the pairs (default 1)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 's' },
        { "methods", required_argument, NULL, 'm' },
        { "fraction", required_argument, NULL, 'f' },
        { "hops", required_argument, NULL, 'H' },
        { "pairs", required_argument, NULL, 'p' },
        { "per-task", required_argument, NULL, 'k' },
        { "workers", required_argument, NULL, 'w' },
        { "seed", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    static const long long all_sizes[] = { 250, 500, 1000, 2000 }, quick_sizes[] = { 200, 400 };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .n_sizes = quick ? 2 : 4,
        .used = { true, true, true, true },
        .per_mille = 20,
        .hops = 4,
        .n_pairs = quick ? 32 : 192,
        .per_task = 8,
        .workers = cpus_allowed(),
        .seed = 1,
        .run = { .takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS,
                 .repeat = quick ? 1 : 5, .quick_help = "sizes 200,400, pairs 32, repeat 1" },
    };
    memcpy(cfg->sizes, quick ? quick_sizes : all_sizes, cfg->n_sizes * sizeof cfg->sizes[0]);

    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 's':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 16, 8192, cfg->sizes, MAX_SIZES);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, cfg->used);
            break;
        case 'f':
            cfg->per_mille = arg_int("--fraction", optarg, 1, 1000);
            break;
        case 'H':
            cfg->hops = arg_int("--hops", optarg, 1, 64);
            break;
        case 'p':
            cfg->n_pairs = arg_int("--pairs", optarg, 1, 100000);
            break;
        case 'k':
            cfg->per_task = arg_int("--per-task", optarg, 1, 100000);
            break;
        case 'w':
            cfg->workers = arg_int("--workers", optarg, 1, 64);
            break;
        case 'e':
            cfg->seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
