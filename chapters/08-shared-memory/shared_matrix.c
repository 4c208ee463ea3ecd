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
 *
 * The shared-memory object is removed however the program ends.
 */
#define _DEFAULT_SOURCE /* MAP_SHARED on older glibc */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "datafile.h"
#include "error.h"
#include "pool.h"
#include "progress.h"
#include "stats.h"
#include "workloads.h"

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
    "  --per-task N      pairs per task (1 to 100000; default 8): a pipe task carries\n"
    "                    the matrix once for all its pairs\n"
    "  --workers N       workers of each pool (1 to 64; default: the cores)\n"
    "  --repeat N        repeats of every run (1 to 1000; default 5)\n"
    "  --seed N          seed of the graph and the pairs (default 1)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           sizes 200,400, pairs 32, repeat 1\n"
    "  --progress        show the progress bar even when stderr is not a terminal\n"
    "  --help            show this help\n";

enum method { SERIAL, PIPE, SHM, THREADS };
static const char *const method_names[] = { "serial", "pipe", "shm", "threads", NULL };
#define MAX_SIZES 16

// snippet-begin: distance
/* Hops from i to j (0 if i == j), or -1 if more than max_hops: the frontier
 * vector times the matrix, once per hop. */
static int32_t distance(const uint8_t *a, int m, int i, int j, int max_hops)
{
    if (i == j)
        return 0;
    uint8_t *seen = calloc((size_t)m, 1), *frontier = calloc((size_t)m, 1), *next = malloc((size_t)m);
    if (seen == NULL || frontier == NULL || next == NULL)
        die("calloc");
    frontier[i] = seen[i] = 1;
    int32_t found = -1;
    for (int hop = 1; hop <= max_hops && found < 0; hop++) {
        memset(next, 0, (size_t)m);
        for (int u = 0; u < m; u++)              /* next = frontier x A */
            if (frontier[u])
                for (int v = 0; v < m; v++)
                    next[v] |= a[(size_t)u * (size_t)m + (size_t)v];
        for (int v = 0; v < m; v++) {           /* keep only the new nodes */
            frontier[v] = next[v] && !seen[v];
            seen[v] |= next[v];
        }
        if (frontier[j])
            found = hop;
    }
    free(seen);
    free(frontier);
    free(next);
    return found;
}
// snippet-end: distance

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
        int32_t d = distance(matrix, job->m, p.i, p.j, job->max_hops);
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
        close(fd);                            /* the mapping stays */
        if (p == MAP_FAILED) {
            snprintf(t->error, sizeof t->error, "mmap: %s", strerror(errno));
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

/* A random directed graph: entry (u, v) set with probability per_mille/1000. */
static uint8_t *make_matrix(int m, int per_mille, uint64_t seed)
{
    uint8_t *a = malloc((size_t)m * (size_t)m);
    if (a == NULL)
        die("malloc %d x %d matrix", m, m);
    for (size_t k = 0; k < (size_t)m * (size_t)m; k++)
        a[k] = hash_unit(seed * 0x9e3779b97f4a7c15ULL + k) * 1000 < per_mille;
    return a;
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
    close(fd);
    memcpy(p, a, bytes);
    if (munmap(p, bytes) == -1)
        die("munmap");
    return slot;
}
// snippet-end: shm-create

/* One timed run of `method`; distances into d. Returns seconds. Tasks carry
 * `per_task` pairs each (and, for pipe, the matrix). */
static double run(enum method method, struct job *job, const struct pair_task *pairs, int n_pairs,
                  int per_task, int workers, int32_t *d, long long *bytes_sent)
{
    int64_t start = now_ns();
    *bytes_sent = 0;
    if (method == SERIAL) {
        for (int k = 0; k < n_pairs; k++)
            d[k] = distance(job->matrix, job->m, pairs[k].i, pairs[k].j, job->max_hops);
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

int main(int argc, char *argv[])
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
        { "repeat", required_argument, NULL, 'r' },
        { "seed", required_argument, NULL, 'e' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long sizes[MAX_SIZES];
    size_t n_sizes = 0;
    bool used[4] = { false }, methods_given = false, quick = false, force = false;
    long long per_mille = 20, hops = 4, n_pairs = 0, per_task = 8, workers = 0, repeat = 0, seed = 1;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 's':
            n_sizes = arg_int_list("--sizes", optarg, 16, 8192, sizes, MAX_SIZES);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, used);
            methods_given = true;
            break;
        case 'f':
            per_mille = arg_int("--fraction", optarg, 1, 1000);
            break;
        case 'H':
            hops = arg_int("--hops", optarg, 1, 64);
            break;
        case 'p':
            n_pairs = arg_int("--pairs", optarg, 1, 100000);
            break;
        case 'k':
            per_task = arg_int("--per-task", optarg, 1, 100000);
            break;
        case 'w':
            workers = arg_int("--workers", optarg, 1, 64);
            break;
        case 'r':
            repeat = arg_int("--repeat", optarg, 1, 1000);
            break;
        case 'e':
            seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            force = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (!methods_given)
        used[SERIAL] = used[PIPE] = used[SHM] = used[THREADS] = true;
    if (n_sizes == 0) {
        static const long long all[] = { 250, 500, 1000, 2000 }, few[] = { 200, 400 };
        n_sizes = quick ? 2 : 4;
        memcpy(sizes, quick ? few : all, n_sizes * sizeof sizes[0]);
    }
    if (n_pairs == 0)
        n_pairs = quick ? 32 : 192;
    if (workers == 0)
        workers = cpus_allowed();
    if (repeat == 0)
        repeat = quick ? 1 : 5;

    struct pair_task *pairs = malloc((size_t)n_pairs * sizeof *pairs);
    int32_t *expected = malloc((size_t)n_pairs * sizeof *expected), *got = malloc((size_t)n_pairs * sizeof *got);
    if (pairs == NULL || expected == NULL || got == NULL)
        die("malloc");
    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "pairs: %lld", n_pairs);
        datafile_comment(df, "pairs_per_task: %lld", per_task);
        datafile_comment(df, "workers: %lld", workers);
        datafile_comment(df, "fraction_per_mille: %lld", per_mille);
        datafile_comment(df, "hops: %lld", hops);
        datafile_columns(df, "method m repeats median_s min_s max_s mib_sent reached");
    }
    printf("%lld pairs (%lld a task), up to %lld hops, %.1f%% of the entries set, %lld workers\n", n_pairs,
           per_task, hops, (double)per_mille / 10, workers);
    printf("%-8s %6s %9s %9s %9s %10s %8s\n", "method", "m", "median_s", "min_s", "max_s", "mib_sent", "reached");
    struct row {
        int method, m;
        summary time;
        double mib;
        int reached;
    } rows[4 * MAX_SIZES];
    size_t n_rows = 0;
    progress bar;
    int n_methods = used[0] + used[1] + used[2] + used[3];
    progress_start(&bar, "matrix", (long)(n_sizes * (size_t)n_methods * (size_t)repeat), force);
    for (size_t s = 0; s < n_sizes; s++) {
        int m = (int)sizes[s];
        uint8_t *matrix = make_matrix(m, (int)per_mille, (uint64_t)seed);
        for (int k = 0; k < n_pairs; k++)
            pairs[k] = (struct pair_task){ (int32_t)(hash64((uint64_t)seed + 2 * (uint64_t)k) % (uint64_t)m),
                                           (int32_t)(hash64((uint64_t)seed + 2 * (uint64_t)k + 1) % (uint64_t)m) };
        struct job job = { .m = m, .max_hops = (int)hops, .matrix = matrix };
        for (int k = 0; k < n_pairs; k++) /* the answer every method must give */
            expected[k] = distance(matrix, m, pairs[k].i, pairs[k].j, (int)hops);
        int reached = 0;
        for (int k = 0; k < n_pairs; k++)
            reached += expected[k] >= 0;
        for (int method = 0; method < 4; method++) {
            if (!used[method])
                continue;
            double t[1000];
            long long sent = 0;
            for (long long r = 0; r < repeat; r++) {
                t[r] = run((enum method)method, &job, pairs, (int)n_pairs, (int)per_task, (int)workers, got,
                           &sent);
                for (int k = 0; k < n_pairs; k++)
                    if (got[k] != expected[k])
                        die_msg("%s, m %d: pair (%d, %d) is %d hops, serially %d", method_names[method], m,
                                pairs[k].i, pairs[k].j, got[k], expected[k]);
                progress_advance(&bar, 1);
            }
            summary sum = summarize(t, (size_t)repeat);
            progress_clear(&bar);
            printf("%-8s %6d %9.4f %9.4f %9.4f %10.1f %5d/%lld\n", method_names[method], m, sum.median, sum.min,
                   sum.max, (double)sent / (1 << 20), reached, n_pairs);
            rows[n_rows++] = (struct row){ method, m, sum, (double)sent / (1 << 20), reached };
        }
        free(matrix);
    }
    progress_finish(&bar);
    printf("every method found the same distance for every pair\n");
    if (df) { /* method by method, so that a graph can draw each as a line */
        for (int method = 0; method < 4; method++)
            for (size_t k = 0; k < n_rows; k++)
                if (rows[k].method == method)
                    datafile_row(df, "%s\t%d\t%lld\t%.4f\t%.4f\t%.4f\t%.1f\t%d", method_names[method],
                                 rows[k].m, repeat, rows[k].time.median, rows[k].time.min, rows[k].time.max,
                                 rows[k].mib, rows[k].reached);
        datafile_commit(df);
    }
    free(pairs);
    free(expected);
    free(got);
    return EXIT_SUCCESS;
}
