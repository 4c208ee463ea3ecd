/*
 * common_check.c - drives the pieces of common/ from the bats tests
 * (tests/common.bats), one subcommand per piece:
 *
 *   common_check int OPTION TEXT MIN MAX         arg_int; prints the value
 *   common_check duration OPTION TEXT MIN MAX    arg_duration_ns (MIN, MAX in ns)
 *   common_check list OPTION TEXT MIN MAX        arg_int_list; prints the values
 *   common_check stats VALUE...                  summarize; prints n, median, min, max, middle mean
 *   common_check datafile PATH ROWS [stall]      writes PATH; with stall, stops
 *                                                half-way until a signal comes
 *   common_check progress TOTAL STEP_MS [force]  a progress bar on stderr
 *   common_check workload NAME N                 workload_run of task N, serially
 *                                                (factorize: n = N; compute: N
 *                                                iterations; sleep: 1 ms)
 *   common_check gaussian SEED INDEX MEAN SD     gaussian_delay_ns
 *   common_check mq-exists NAME                  "yes" if the POSIX message queue
 *                                                NAME exists, else "no"
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>

#include "args.h"
#include "clock.h"
#include "datafile.h"
#include "error.h"
#include "progress.h"
#include "stats.h"
#include "workloads.h"
#include "interp.h"

static const char usage_line[] = "common_check int|duration|list|stats|datafile|progress|workload|gaussian|mq-exists ARGS...";

/* Numbers for the test harness itself: trusted, plain strtoll. */
static long long number(const char *text)
{
    return strtoll(text, NULL, 10);
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, "");
    if (argc < 2)
        usage_error("which check?");
    const char *what = argv[1];

    if (strcmp(what, "int") == 0 && argc == 6) {
        printf("%lld\n", arg_int(argv[2], argv[3], number(argv[4]), number(argv[5])));
    } else if (strcmp(what, "duration") == 0 && argc == 6) {
        printf("%lld\n", arg_duration_ns(argv[2], argv[3], number(argv[4]), number(argv[5])));
    } else if (strcmp(what, "list") == 0 && argc == 6) {
        long long values[8];
        size_t n = arg_int_list(argv[2], argv[3], number(argv[4]), number(argv[5]), values, 8);
        for (size_t i = 0; i < n; i++)
            printf("%s%lld", i ? " " : "", values[i]);
        putchar('\n');
    } else if (strcmp(what, "stats") == 0 && argc >= 3) {
        size_t n = (size_t)argc - 2;
        double values[64];
        if (n > 64)
            usage_error("at most 64 values");
        for (size_t i = 0; i < n; i++)
            values[i] = strtod(argv[i + 2], NULL);
        summary s = summarize(values, n);
        printf("n=%zu median=%g min=%g max=%g middle=%g\n", s.n, s.median, s.min, s.max,
               s.middle_mean);
    } else if (strcmp(what, "datafile") == 0 && (argc == 4 || argc == 5)) {
        long rows = (long)number(argv[3]);
        bool stall = argc == 5 && strcmp(argv[4], "stall") == 0;
        datafile *df = datafile_create(argv[2], argc, argv);
        datafile_comment(df, "rows: %ld", rows);
        datafile_columns(df, "index square");
        for (long i = 0; i < rows; i++) {
            datafile_row(df, "%ld\t%ld", i, i * i);
            if (stall && i == rows / 2) {
                printf("stalled\n");
                fflush(stdout);
                pause(); /* SIGINT or SIGTERM ends us here */
            }
        }
        datafile_commit(df);
    } else if (strcmp(what, "progress") == 0 && (argc == 4 || argc == 5)) {
        long total = (long)number(argv[2]), step_ms = (long)number(argv[3]);
        progress bar;
        progress_start(&bar, "checking", total, argc == 5 && strcmp(argv[4], "force") == 0);
        for (long i = 0; i < total; i++) {
            sleep_ns(step_ms * NS_PER_MS);
            progress_advance(&bar, 1);
        }
        progress_finish(&bar);
        printf("done %ld\n", total);
    } else if (strcmp(what, "workload") == 0 && argc == 4) {
        workload w = { .kind = (workload_kind)arg_choice("NAME", argv[2], workload_names),
                       .sleep_ns = NS_PER_MS, .factorize_base = 0, .compute_iterations = 0 };
        if (w.kind == WORKLOAD_FILE || w.kind == WORKLOAD_API)
            usage_error("workload %s needs a directory or a server: see scaling", argv[2]);
        gil g;
        gil_thread t;
        gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
        gil_thread_init(&t, &g, 0, 0);
        interp_begin(&t);
        int64_t result;
        char error[160];
        if (workload_run(&w, &t, number(argv[3]), &result, error, sizeof error) != 0)
            die_msg("%s", error);
        interp_end(&t);
        if (w.kind == WORKLOAD_COMPUTE) {
            double sum;
            memcpy(&sum, &result, sizeof sum);
            printf("%.6f\n", sum);
        } else {
            printf("%lld\n", (long long)result);
        }
        gil_thread_free(&t);
        gil_destroy(&g);
    } else if (strcmp(what, "gaussian") == 0 && argc == 6) {
        printf("%lld\n", (long long)gaussian_delay_ns((uint64_t)number(argv[2]), (uint64_t)number(argv[3]),
                                                     number(argv[4]), number(argv[5])));
    } else if (strcmp(what, "mq-exists") == 0 && argc == 3) {
        mqd_t q = mq_open(argv[2], O_RDONLY);
        if (q == (mqd_t)-1 && errno != ENOENT)
            die("mq_open %s", argv[2]);
        printf("%s\n", q == (mqd_t)-1 ? "no" : "yes");
        if (q != (mqd_t)-1)
            mq_close(q);
    } else {
        usage_error("unknown check or wrong number of arguments: %s", what);
    }
    return EXIT_SUCCESS;
}
