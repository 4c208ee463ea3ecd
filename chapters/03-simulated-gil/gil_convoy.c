/*
 * gil_convoy.c - the convoy effect: a short blocking operation beside
 * CPU-bound threads.
 *
 * One simulated Python thread does a short blocking operation (a sleep of
 * --op) over and over, timing each from the call until it holds the GIL
 * again, as time.perf_counter() around time.sleep() would. Beside it run
 * --cpu-threads CPU-bound threads. Under the new GIL the blocking thread
 * gives the GIL up for the call, a CPU thread takes it, and when the call
 * returns the blocking thread must wait a whole switch interval before it may
 * even ask for it back: each operation costs its own time plus about one
 * interval (CPython issue 7946). Under the old GIL it just has to win the
 * next race for the lock, which happens within microseconds on several cores.
 *
 *   build/chapter03/gil_convoy --quick
 *   build/chapter03/gil_convoy --gil new,old --cpu-threads 0,1,2 --intervals 0.5ms,5ms,50ms
 *
 * Compare with gil_cpython.py convoy, the same measurement in CPython.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "gil.h"
#include "interp.h"
#include "progress.h"
#include "stats.h"
#include "locking.h"

static const char usage_line[] =
    "gil_convoy [--gil LIST] [--cpu-threads LIST] [--intervals LIST] [--op D] [--ops N]\n"
    "                  [--cpus N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Times a short blocking operation alone and beside CPU-bound threads under a\n"
    "simulated GIL: the convoy effect.\n"
    "\n"
    "  --gil LIST           new, old, none (default new,old)\n"
    "  --cpu-threads LIST   CPU-bound threads beside it (0 to 16; default 0,1,2)\n"
    "  --intervals LIST     switch intervals of the new GIL (10us to 1s each;\n"
    "                       default 0.5ms,5ms,50ms)\n"
    "  --op D               the blocking operation: a sleep this long (1us to 1s;\n"
    "                       default 150us)\n"
    "  --ops N              operations timed per configuration (1 to 100000;\n"
    "                       default 40)\n"
    "  --cpus N             run on N cores only (default: all allowed)\n"
    "  --data FILE          write the results as TSV to FILE\n"
    "  --quick              intervals 0.5ms,5ms, 20 operations\n"
    "  --progress           show the progress bar even when stderr is not a terminal\n"
    "  --help               show this help\n";

#define MAX_LIST 16

struct spinner {
    gil_thread thread;
    const atomic_int *stop;
};

static void *spinner_main(void *arg)
{
    struct spinner *s = arg;
    interp_begin(&s->thread);
    while (!atomic_load_explicit(s->stop, memory_order_relaxed))
        interp_run(&s->thread, 256);
    interp_end(&s->thread);
    return NULL;
}

struct io_thread {
    gil_thread thread;
    int64_t op_ns;
    long ops;
    double *op_ms;
};

// snippet-begin: io-loop
static void *io_main(void *arg)
{
    struct io_thread *io = arg;
    interp_begin(&io->thread);
    for (long k = 0; k < io->ops; k++) {
        int64_t start = now_ns();
        interp_sleep(&io->thread, io->op_ns);  /* drops the GIL, sleeps, takes it */
        io->op_ms[k] = (double)(now_ns() - start) / NS_PER_MS;
        interp_run(&io->thread, 40);           /* a little Python between calls */
    }
    interp_end(&io->thread);
    return NULL;
}
// snippet-end: io-loop

/* Time --ops operations beside `n_cpu` CPU-bound threads; returns the summary. */
static summary measure(gil_mode mode, long interval_us, int n_cpu, int64_t op_ns, long ops)
{
    gil g;
    gil_init(&g, mode, interval_us);
    atomic_int stop;
    atomic_init(&stop, 0);
    struct spinner *spinners = calloc((size_t)n_cpu + 1, sizeof *spinners);
    pthread_t *ids = calloc((size_t)n_cpu + 1, sizeof *ids);
    struct io_thread io = { .op_ns = op_ns, .ops = ops, .op_ms = calloc((size_t)ops, sizeof(double)) };
    if (spinners == NULL || ids == NULL || io.op_ms == NULL)
        die("calloc");
    for (int i = 0; i < n_cpu; i++) {
        gil_thread_init(&spinners[i].thread, &g, i + 1, 0);
        spinners[i].stop = &stop;
        int rc = pthread_create(&ids[i], NULL, spinner_main, &spinners[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create");
    }
    gil_thread_init(&io.thread, &g, 0, 0);
    pthread_t io_id;
    int rc = pthread_create(&io_id, NULL, io_main, &io);
    if (rc != 0)
        die_rc(rc, "pthread_create");
    join_all(&io_id, 1);
    atomic_store(&stop, 1);
    join_all(ids, n_cpu);
    for (int i = 0; i < n_cpu; i++)
        gil_thread_free(&spinners[i].thread);
    summary s = summarize(io.op_ms, (size_t)ops);
    gil_thread_free(&io.thread);
    free(io.op_ms);
    free(spinners);
    free(ids);
    gil_destroy(&g);
    return s;
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "cpu-threads", required_argument, NULL, 't' },
        { "intervals", required_argument, NULL, 'i' },
        { "op", required_argument, NULL, 'o' },
        { "ops", required_argument, NULL, 'n' },
        { "cpus", required_argument, NULL, 'c' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool gil_used[3] = { true, true, false }, quick = false, force_progress = false;
    long long cpu_threads[MAX_LIST] = { 0, 1, 2 }, intervals_ns[MAX_LIST];
    size_t n_cpu_threads = 3, n_intervals = 0;
    int64_t op_ns = 150 * NS_PER_US;
    long ops = 0;
    int allowed = cpus_allowed(), cpus = allowed;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, gil_used);
            break;
        case 't':
            n_cpu_threads = arg_int_list("--cpu-threads", optarg, 0, 16, cpu_threads, MAX_LIST);
            break;
        case 'i':
            n_intervals = arg_duration_list("--intervals", optarg, 10 * NS_PER_US, NS_PER_S,
                                            intervals_ns, MAX_LIST);
            break;
        case 'o':
            op_ns = arg_duration_ns("--op", optarg, NS_PER_US, NS_PER_S);
            break;
        case 'n':
            ops = (long)arg_int("--ops", optarg, 1, 100000);
            break;
        case 'c':
            cpus = (int)arg_int("--cpus", optarg, 1, allowed);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            force_progress = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (n_intervals == 0) {
        const long long all[] = { NS_PER_MS / 2, 5 * NS_PER_MS, 50 * NS_PER_MS };
        n_intervals = quick ? 2 : 3;
        memcpy(intervals_ns, all, n_intervals * sizeof *all);
    }
    if (ops == 0)
        ops = quick ? 20 : 40;
    if (cpus < allowed)
        confine_to_cpus(cpus);

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "op: sleep of %.3f ms", (double)op_ns / NS_PER_MS);
        datafile_columns(df, "gil cpu_threads interval_us cpus ops median_op_ms min_op_ms "
                             "max_op_ms");
    }
    long runs = 0;
    for (int m = 0; m < 3; m++)
        runs += gil_used[m] ? (long)(n_cpu_threads * (m == GIL_NEW ? n_intervals : 1)) : 0;
    progress bar;
    progress_start(&bar, "gil_convoy", runs, force_progress);
    printf("blocking operation: sleep %.3f ms, %ld times per configuration\n",
           (double)op_ns / NS_PER_MS, ops);
    printf("%-4s %11s %11s %13s %10s %10s\n", "gil", "cpu_threads", "interval_us",
           "median_op_ms", "min_op_ms", "max_op_ms");
    for (int m = 0; m < 3; m++) {
        if (!gil_used[m])
            continue;
        size_t n_iv = m == GIL_NEW ? n_intervals : 1; /* only the new GIL has one */
        for (size_t ii = 0; ii < n_iv; ii++) {
            for (size_t ti = 0; ti < n_cpu_threads; ti++) {
                long interval_us = (long)(intervals_ns[ii] / NS_PER_US);
                summary s = measure((gil_mode)m, interval_us, (int)cpu_threads[ti], op_ns, ops);
                progress_advance(&bar, 1);
                char interval[32] = "-";
                if (m == GIL_NEW)
                    snprintf(interval, sizeof interval, "%ld", interval_us);
                progress_clear(&bar);
                printf("%-4s %11lld %11s %13.3f %10.3f %10.3f\n", gil_mode_names[m],
                       cpu_threads[ti], interval, s.median, s.min, s.max);
                if (df)
                    datafile_row(df, "%s\t%lld\t%s\t%d\t%ld\t%.4f\t%.4f\t%.4f", gil_mode_names[m],
                                 cpu_threads[ti], interval, cpus, ops, s.median, s.min, s.max);
            }
        }
    }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
