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
 * A hang is detected, not suffered: the parent waits --timeout for the child,
 * then says which write end was left open, kills the child and reaps it.
 * Exit status 0 either way: the hang is the demonstration.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
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
    "                   (default 1s)\n"
    "  --help           show this help\n";

static const char *const leak_names[] = { "none", "child", "parent", NULL };
enum leak { LEAK_NONE, LEAK_CHILD, LEAK_PARENT };

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

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "lines", required_argument, NULL, 'n' },
        { "leak", required_argument, NULL, 'l' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long lines = 1000;
    enum leak leak = LEAK_NONE;
    int64_t timeout_ns = NS_PER_S;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'n':
            lines = arg_int("--lines", optarg, 0, 10000000);
            break;
        case 'l':
            leak = (enum leak)arg_choice("--leak", optarg, leak_names);
            break;
        case 't':
            timeout_ns = arg_duration_ns("--timeout", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);

    // snippet-begin: parent
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0)
        count_lines(fds, leak);
    int slot = cleanup_add_child(child);   /* killed and reaped if we die */
    close(fds[0]);                         /* the end we do not read from */
    FILE *out = fdopen(fds[1], "w");
    if (out == NULL)
        die("fdopen");
    for (long long i = 0; i < lines; i++)
        if (fprintf(out, "line %lld\n", i) < 0)
            die("write to the pipe");
    if (leak == LEAK_PARENT) {
        if (fflush(out) == EOF)            /* the lines go, the write end stays */
            die("fflush");
    } else if (fclose(out) == EOF) {       /* the last write end: EOF follows */
        die("fclose");
    }
    // snippet-end: parent
    printf("parent: sent %lld lines, %s\n", lines,
           leak == LEAK_PARENT ? "kept its write end open" : "closed its write end");
    fflush(stdout);

    /* Wait for the child, but not forever. */
    int64_t deadline = now_ns() + timeout_ns;
    int status;
    pid_t done;
    while ((done = waitpid(child, &status, WNOHANG)) == 0 && now_ns() < deadline) {
        sleep_ns(10 * NS_PER_MS);
    }
    if (done == -1)
        die("waitpid");
    if (done == 0) {
        printf("hang: no end-of-file after %.1f s: a write end is still open in the %s\n",
               (double)timeout_ns / NS_PER_S, leak == LEAK_CHILD ? "child (the reader itself)" : "parent");
        if (kill(child, SIGKILL) == -1)
            die("kill");
        if (waitpid(child, &status, 0) == -1)
            die("waitpid");
    }
    cleanup_forget(slot);
    if (leak == LEAK_PARENT)
        fclose(out);
    return EXIT_SUCCESS;
}
