/*
 * pipe_eof.c - a reader sees end-of-file on a pipe only when every write end
 * is closed: in every process that holds one, itself included.
 *
 * The parent forks a child that counts the lines coming through a pipe
 * until end-of-file, writes N lines, closes its write end and waits. Each
 * process got both ends from pipe() and fork(); each must close the end it
 * does not use. --leak leaves one open, the classic hang:
 *
 *   build/chapter06/pipe_eof                  # EOF after 1000 lines
 *   build/chapter06/pipe_eof --leak child     # the child keeps its own write end
 *   build/chapter06/pipe_eof --leak parent    # the parent never closes its write end
 *
 * It prints what the parent sent and, when end-of-file came, how many lines
 * the child counted. A hang is detected, not suffered: the parent waits
 * --timeout for the child, then says which write end was left open, kills
 * the child and reaps it. Exit status 0 either way: the hang is the
 * demonstration. Compare with pipeline.c, where the same rule holds for
 * every pipe between the commands of `a | b | c`.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "options.h"

static const char *const leak_names[] = { "none", "child", "parent", NULL };
enum leak { LEAK_NONE, LEAK_CHILD, LEAK_PARENT };

struct config {
    long long lines;
    enum leak leak;
    int64_t timeout_ns;
};

// snippet-begin: child
/* The child: count lines until read() returns 0, end-of-file. */
static void count_lines(int fds[2], enum leak leak)
{
    if (leak != LEAK_CHILD)
        close(fds[1]);          /* the end we do not write to: close it */
    char buf[4096];
    long lines = 0;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) != 0) {
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            die("child: read");
        for (ssize_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
    }
    printf("child: end-of-file after %ld lines\n", lines);
    fflush(stdout);
    _exit(EXIT_SUCCESS);
}
// snippet-end: child

static void parse_args(int argc, char *argv[], struct config *cfg);
static void wait_for_child(pid_t child, const struct config *cfg);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    // snippet-begin: parent
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0)
        count_lines(fds, cfg.leak);
    int slot = cleanup_add_child(child);   /* killed and reaped if we die */
    close(fds[0]);                         /* the end we do not read from */
    FILE *out = fdopen(fds[1], "w");
    if (out == NULL)
        die("fdopen");
    for (long long i = 0; i < cfg.lines; i++)
        if (fprintf(out, "line %lld\n", i) < 0)
            die("write to the pipe");
    if (cfg.leak == LEAK_PARENT) {
        if (fflush(out) == EOF)            /* the lines go, the write end stays */
            die("fflush");
    } else if (fclose(out) == EOF) {       /* the last write end: EOF follows */
        die("fclose");
    }
    // snippet-end: parent
    printf("parent: sent %lld lines, %s\n", cfg.lines,
           cfg.leak == LEAK_PARENT ? "kept its write end open" : "closed its write end");
    fflush(stdout);

    wait_for_child(child, &cfg);
    cleanup_forget(slot);
    if (cfg.leak == LEAK_PARENT && fclose(out) == EOF)
        die("fclose");
    return EXIT_SUCCESS;
}

/* Wait for the child, but not forever: after --timeout, say which write end
 * was left open, kill the child and reap it. */
static void wait_for_child(pid_t child, const struct config *cfg)
{
    int64_t deadline = now_ns() + cfg->timeout_ns;
    int status;
    pid_t done;
    while ((done = waitpid(child, &status, WNOHANG)) == 0 && now_ns() < deadline) {
        sleep_ns(10 * NS_PER_MS);
    }
    if (done == -1)
        die("waitpid");
    if (done == 0) {
        printf("hang: no end-of-file after %.1f s: a write end is still open in the %s\n",
               (double)cfg->timeout_ns / NS_PER_S,
               cfg->leak == LEAK_CHILD ? "child (the reader itself)" : "parent");
        if (kill(child, SIGKILL) == -1)
            die("kill");
        if (waitpid(child, &status, 0) == -1)
            die("waitpid");
    }
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] = "pipe_eof [--lines N] [--leak none|child|parent] [--timeout D]";
static const char help_text[] =
    "Sends N lines to a child process through a pipe and shows when the child\n"
    "sees end-of-file; with --leak, a write end left open makes it wait forever\n"
    "(detected after --timeout).\n"
    "\n"
    "  --lines N        lines to send (0 to 10^7; default 1000)\n"
    "  --leak WHO       none (default), child (it keeps its copy of the write end),\n"
    "                   parent (it never closes its write end)\n"
    "  --timeout D      how long to wait for the child before calling it a hang\n"
    "                   (default 1s)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "lines", required_argument, NULL, 'n' },
        { "leak", required_argument, NULL, 'l' },
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .lines = 1000, .leak = LEAK_NONE, .timeout_ns = NS_PER_S };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'n':
            cfg->lines = arg_int("--lines", optarg, 0, 10000000);
            break;
        case 'l':
            cfg->leak = (enum leak)arg_choice("--leak", optarg, leak_names);
            break;
        case 't':
            cfg->timeout_ns = arg_duration_ns("--timeout", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
