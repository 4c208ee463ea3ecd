/*
 * gil_calls.c - how many function calls each thread makes in a fixed time.
 *
 * --threads CPU-bound simulated Python threads each call a small function
 * (--call-bytecodes bytecodes) over and over for --duration, and count their
 * calls. Under the GIL only one thread runs at a time: however many threads
 * there are, the calls of all of them add up to what one thread alone does,
 * split among them. Without the GIL the total grows with the cores.
 *
 *   build/chapter03/gil_calls --quick
 *   build/chapter03/gil_calls --gil new,none --threads 1,4,8,16 --duration 2s
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "gil.h"
#include "interp.h"
#include "locking.h"

static const char usage_line[] =
    "gil_calls [--gil LIST] [--threads LIST] [--duration D] [--call-bytecodes N]\n"
    "                 [--cpus N] [--data FILE] [--quick]";
static const char help_text[] =
    "Counts the function calls each CPU-bound thread makes in a fixed time under\n"
    "a simulated GIL: the per-thread histogram of calls.\n"
    "\n"
    "  --gil LIST            new, old, none (default new,none)\n"
    "  --threads LIST        thread counts (1 to 64; default 1,4,8,16)\n"
    "  --duration D          how long each run lasts (10ms to 60s; default 2s)\n"
    "  --call-bytecodes N    bytecodes in one call (1 to 1000000; default 40)\n"
    "  --cpus N              run on N cores only (default: all allowed)\n"
    "  --data FILE           write every thread's count as TSV to FILE\n"
    "  --quick               duration 300ms\n"
    "  --help                show this help\n";

#define MAX_LIST 16

struct caller {
    gil_thread thread;
    long call_bytecodes;
    const atomic_int *stop;
    long long calls;
};

// snippet-begin: caller
static void *caller_main(void *arg)
{
    struct caller *c = arg;
    interp_begin(&c->thread);
    while (!atomic_load_explicit(c->stop, memory_order_relaxed)) {
        interp_run(&c->thread, c->call_bytecodes);   /* f() */
        c->calls++;
    }
    interp_end(&c->thread);
    return NULL;
}
// snippet-end: caller

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "threads", required_argument, NULL, 't' },
        { "duration", required_argument, NULL, 'D' },
        { "call-bytecodes", required_argument, NULL, 'b' },
        { "cpus", required_argument, NULL, 'c' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool gil_used[3] = { true, false, true }, quick = false;
    long long threads[MAX_LIST] = { 1, 4, 8, 16 };
    size_t n_threads = 4;
    int64_t duration_ns = 0;
    long call_bytecodes = 40;
    int allowed = cpus_allowed(), cpus = allowed;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, gil_used);
            break;
        case 't':
            n_threads = arg_int_list("--threads", optarg, 1, 64, threads, MAX_LIST);
            break;
        case 'D':
            duration_ns = arg_duration_ns("--duration", optarg, 10 * NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'b':
            call_bytecodes = (long)arg_int("--call-bytecodes", optarg, 1, 1000000);
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
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (duration_ns == 0)
        duration_ns = quick ? 300 * NS_PER_MS : 2 * NS_PER_S;
    if (cpus < allowed)
        confine_to_cpus(cpus);

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "duration_s: %.3f", (double)duration_ns / NS_PER_S);
        datafile_comment(df, "call_bytecodes: %ld", call_bytecodes);
        datafile_columns(df, "gil threads cpus thread calls");
    }
    printf("%-4s %7s %14s %14s %14s %14s\n", "gil", "threads", "total_calls", "min_per_thread",
           "max_per_thread", "calls_per_s");
    for (int m = 0; m < 3; m++) {
        if (!gil_used[m])
            continue;
        for (size_t ti = 0; ti < n_threads; ti++) {
            int n = (int)threads[ti];
            gil g;
            gil_init(&g, (gil_mode)m, GIL_DEFAULT_INTERVAL_US);
            atomic_int stop;
            atomic_init(&stop, 0);
            struct caller *callers = calloc((size_t)n, sizeof *callers);
            pthread_t *ids = calloc((size_t)n, sizeof *ids);
            if (callers == NULL || ids == NULL)
                die("calloc");
            int64_t start = now_ns();
            for (int i = 0; i < n; i++) {
                gil_thread_init(&callers[i].thread, &g, i, 0);
                callers[i].call_bytecodes = call_bytecodes;
                callers[i].stop = &stop;
                int rc = pthread_create(&ids[i], NULL, caller_main, &callers[i]);
                if (rc != 0)
                    die_rc(rc, "pthread_create");
            }
            sleep_ns(duration_ns);
            atomic_store(&stop, 1);
            join_all(ids, n);
            double seconds = (double)(now_ns() - start) / NS_PER_S;
            long long total = 0, lo = callers[0].calls, hi = callers[0].calls;
            for (int i = 0; i < n; i++) {
                total += callers[i].calls;
                lo = callers[i].calls < lo ? callers[i].calls : lo;
                hi = callers[i].calls > hi ? callers[i].calls : hi;
                if (df)
                    datafile_row(df, "%s\t%d\t%d\t%d\t%lld", gil_mode_names[m], n, cpus, i,
                                 callers[i].calls);
                gil_thread_free(&callers[i].thread);
            }
            printf("%-4s %7d %14lld %14lld %14lld %14.0f\n", gil_mode_names[m], n, total, lo, hi,
                   (double)total / seconds);
            free(callers);
            free(ids);
            gil_destroy(&g);
        }
    }
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
