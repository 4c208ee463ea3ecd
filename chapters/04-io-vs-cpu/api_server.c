/*
 * api_server.c - the workbook's local "remote API" (common/server.c), on its
 * own, to try by hand. It listens on 127.0.0.1 on a port the kernel picks,
 * answers GET /item/ID after the chosen latency, and runs until Ctrl-C.
 *
 *   build/chapter04/api_server --latency 100ms
 *   curl http://127.0.0.1:40123/item/17
 *   time (for i in 1 2 3 4; do curl -s http://127.0.0.1:40123/item/$i & done; wait)
 *
 * It prints the address it listens on (the port changes from run to run)
 * and a curl line to try, then "stopped" when Ctrl-C or SIGTERM ends it.
 *
 * What to expect: four requests at once take one latency, not four: the
 * server is one thread with an event loop (common/eventloop.h) that holds
 * every connection open until its answer is due, so it never limits the
 * client's concurrency (thousands of connections at once). Compare with scaling --workloads api, which
 * starts the same server itself and sends it requests from a pool.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "options.h"
#include "server.h"

/* Serve until Ctrl-C or SIGTERM. They are blocked first and then waited for
 * with sigwait, so neither can end the program before the server is
 * stopped (the server process unblocks them for itself). */
static void serve_until_signalled(const server_options *opt)
{
    sigset_t stop;
    if (sigemptyset(&stop) == -1 || sigaddset(&stop, SIGINT) == -1 || sigaddset(&stop, SIGTERM) == -1)
        die("sigaddset");
    if (sigprocmask(SIG_BLOCK, &stop, NULL) == -1)
        die("sigprocmask");
    api_server server;
    server_start(&server, opt);
    printf("listening on http://127.0.0.1:%d (latency %.1f ms); Ctrl-C stops it\n", server.port,
           (double)opt->latency_ns / NS_PER_MS);
    printf("try: curl http://127.0.0.1:%d/item/17\n", server.port);
    fflush(stdout);
    int sig;
    int rc = sigwait(&stop, &sig);
    if (rc != 0)
        die_rc(rc, "sigwait");
    server_stop(&server);
    printf("stopped (signal %d)\n", sig);
}

static void parse_args(int argc, char *argv[], server_options *opt);

int main(int argc, char *argv[])
{
    server_options opt;
    parse_args(argc, argv, &opt);
    serve_until_signalled(&opt);
    return EXIT_SUCCESS;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "api_server [--latency D] [--sd D] [--fail-rate R] [--seed N]";
static const char help_text[] =
    "Runs the workbook's local HTTP server until interrupted (Ctrl-C):\n"
    "GET /item/ID[?attempt=A] answers {\"id\": ID, \"attempt\": A, \"value\": V}.\n"
    "\n"
    "  --latency D      how long each answer takes (default 100ms)\n"
    "  --sd D           standard deviation of that latency (default 0)\n"
    "  --fail-rate P    percentage of attempts answered 503 (0 to 100; default 0)\n"
    "  --seed N         the seed for values, latencies and failures (default 1)\n";

/* The defaults, then the options given. */
static void parse_args(int argc, char *argv[], server_options *opt)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "latency", required_argument, NULL, 'l' },
        { "sd", required_argument, NULL, 's' },
        { "fail-rate", required_argument, NULL, 'f' },
        { "seed", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    *opt = (server_options){ .latency_ns = 100 * NS_PER_MS, .seed = 1 };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'l':
            opt->latency_ns = arg_duration_ns("--latency", optarg, 0, 60 * NS_PER_S);
            break;
        case 's':
            opt->latency_sd_ns = arg_duration_ns("--sd", optarg, 0, 60 * NS_PER_S);
            break;
        case 'f':
            opt->fail_rate = (double)arg_int("--fail-rate", optarg, 0, 100) / 100.0;
            break;
        case 'e':
            opt->seed = (uint64_t)arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
