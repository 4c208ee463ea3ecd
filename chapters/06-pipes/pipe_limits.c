/*
 * pipe_limits.c - what a pipe holds, and what happens at its limits:
 *
 *   capacity   fill a pipe without blocking until write() says EAGAIN: the
 *              bytes it took are its capacity, which F_GETPIPE_SZ reports;
 *              F_SETPIPE_SZ changes it (up to /proc/sys/fs/pipe-max-size).
 *   blocking   a writer with more to write than the pipe holds blocks until
 *              the reader makes room: timed from both sides.
 *   no-reader  writing to a pipe whose read ends are all closed: SIGPIPE
 *              kills the writer; with SIGPIPE ignored, write() fails EPIPE.
 *
 *   build/chapter06/pipe_limits
 *   build/chapter06/pipe_limits --size 262144 --hold 300ms
 *
 * It prints one line per finding, each starting with the part's name.
 * Expect 65536 bytes (16 pages) on Linux, PIPE_BUF 4096, a writer that
 * returns only after the reader started reading, and SIGPIPE (signal 13) or
 * EPIPE. Compare with pipe_atomic.c (what PIPE_BUF promises) and
 * pipe_throughput.c (how fast a pipe of this capacity moves bytes). See
 * man 7 pipe.
 */
#define _GNU_SOURCE /* F_GETPIPE_SZ, F_SETPIPE_SZ (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
#include "io.h"
#include "options.h"

struct config {
    long long size;  /* the capacity to ask F_SETPIPE_SZ for */
    int64_t hold_ns; /* how long the reader lets the writer block */
};

// snippet-begin: fill
/* Write into the pipe without blocking until it is full; returns the bytes. */
static long fill(int fds[2])
{
    static char chunk[4096];
    long total = 0;
    for (;;) {
        ssize_t n = write(fds[1], chunk, sizeof chunk);
        if (n == -1 && errno == EAGAIN)
            return total;                       /* full: it would block */
        if (n == -1)
            die("write");
        total += n;
    }
}
// snippet-end: fill

static void parse_args(int argc, char *argv[], struct config *cfg);
static void capacity(long size);
static void blocking(int64_t hold_ns);
static void no_reader(void);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    capacity((long)cfg.size);
    blocking(cfg.hold_ns);
    no_reader();
    return EXIT_SUCCESS;
}

static int pipe_size(int fd);

static void capacity(long size)
{
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    int flags = fcntl(fds[1], F_GETFL);
    if (flags == -1 || fcntl(fds[1], F_SETFL, flags | O_NONBLOCK) == -1)
        die("fcntl O_NONBLOCK");
    long first = fill(fds);
    printf("capacity: a new pipe took %ld bytes before EAGAIN; F_GETPIPE_SZ says %d\n", first,
           pipe_size(fds[1]));
    printf("capacity: PIPE_BUF (the largest write that is atomic) is %d bytes\n", PIPE_BUF);
    long max = read_number("/proc/sys/fs/pipe-max-size");
    if (max > 0)
        printf("capacity: /proc/sys/fs/pipe-max-size is %ld bytes\n", max);
    // snippet-begin: setsize
    int got = fcntl(fds[1], F_SETPIPE_SZ, (int)size);   /* rounded up to pages */
    // snippet-end: setsize
    if (got == -1)
        printf("capacity: F_SETPIPE_SZ %ld failed: %s\n", size, strerror(errno));
    else
        printf("capacity: after F_SETPIPE_SZ %ld it says %d, and took %ld bytes in all\n", size, got,
               first + fill(fds));
    close(fds[0]);
    close(fds[1]);
}

/* The capacity F_GETPIPE_SZ reports for the pipe of `fd`. */
static int pipe_size(int fd)
{
    int size = fcntl(fd, F_GETPIPE_SZ);
    if (size == -1)
        die("fcntl F_GETPIPE_SZ");
    return size;
}

static void drain(int fd, long bytes);

// snippet-begin: blocking
/* A child writes one byte more than the pipe holds; we wait `hold`, then
 * read. Its write() cannot return before we have started reading. */
static void blocking(int64_t hold_ns)
{
    int fds[2], report[2];
    if (pipe(fds) == -1 || pipe(report) == -1)
        die("pipe");
    long size = pipe_size(fds[1]);
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {
        close(fds[0]);
        char *data = calloc(1, (size_t)size + 1);
        if (data == NULL)
            die("calloc");
        int64_t times[2] = { now_ns(), 0 };            /* started, returned */
        for (long done = 0; done < size + 1;) {       /* a blocking write */
            ssize_t n = write(fds[1], data + done, (size_t)(size + 1 - done));
            if (n == -1)
                die("child: write");
            done += n;
        }
        times[1] = now_ns();
        if (write(report[1], times, sizeof times) != (ssize_t)sizeof times)
            die("child: write report");
        _exit(EXIT_SUCCESS);
    }
    int slot = cleanup_add_child(child);
    close(fds[1]);
    close(report[1]);
    sleep_ns(hold_ns);                                /* the pipe is full meanwhile */
    int64_t read_at = now_ns();
    drain(fds[0], size + 1);
    int64_t times[2];
    if (read(report[0], times, sizeof times) != (ssize_t)sizeof times)
        die("read report");
    if (waitpid(child, NULL, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    printf("blocking: writing %ld bytes into a %ld-byte pipe took the writer %.1f ms; "
           "the reader waited %.1f ms before reading\n", size + 1, size,
           (double)(times[1] - times[0]) / NS_PER_MS, (double)hold_ns / NS_PER_MS);
    printf("blocking: the write returned only after the reader started reading: %s\n",
           times[1] >= read_at ? "yes" : "NO");
    close(fds[0]);
    close(report[0]);
}
// snippet-end: blocking

/* Read `bytes` bytes from `fd` and throw them away. */
static void drain(int fd, long bytes)
{
    char buf[65536];
    while (bytes > 0) {
        ssize_t n = read(fd, buf, bytes < (long)sizeof buf ? (size_t)bytes : sizeof buf);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            die("read");
        bytes -= n;
    }
}

// snippet-begin: no-reader
/* Write to a pipe whose only read end is closed, in a child: once with
 * SIGPIPE as it comes, once with SIGPIPE ignored. */
static void no_reader(void)
{
    for (int ignore = 0; ignore <= 1; ignore++) {
        int fds[2];
        if (pipe(fds) == -1)
            die("pipe");
        close(fds[0]);                 /* no reader left anywhere, before the child runs */
        fflush(stdout);
        pid_t child = fork();
        if (child == -1)
            die("fork");
        if (child == 0) {
            struct sigaction sa = { .sa_handler = ignore ? SIG_IGN : SIG_DFL };
            if (sigaction(SIGPIPE, &sa, NULL) == -1)
                die("child: sigaction SIGPIPE");
            if (write(fds[1], "x", 1) == -1)
                _exit(errno == EPIPE ? 32 : 1);    /* exit status 32: EPIPE */
            _exit(0);
        }
        close(fds[1]);
        int status;
        if (waitpid(child, &status, 0) == -1)
            die("waitpid");
        if (WIFSIGNALED(status))
            printf("no-reader: SIGPIPE %s: the writer was killed by signal %d (%s)\n",
                   ignore ? "ignored" : "as it comes", WTERMSIG(status), strsignal(WTERMSIG(status)));
        else if (WEXITSTATUS(status) == 32)
            printf("no-reader: SIGPIPE %s: write() failed with EPIPE (%s)\n",
                   ignore ? "ignored" : "as it comes", strerror(EPIPE));
        else
            printf("no-reader: SIGPIPE %s: the writer exited with status %d\n",
                   ignore ? "ignored" : "as it comes", WEXITSTATUS(status));
    }
}
// snippet-end: no-reader

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] = "pipe_limits [--size BYTES] [--hold D]";
static const char help_text[] =
    "Measures a pipe's capacity, changes it, shows a writer blocking on a full\n"
    "pipe, and what writing to a pipe without a reader does.\n"
    "\n"
    "  --size BYTES     the capacity to ask F_SETPIPE_SZ for, in bytes (4096 to\n"
    "                   67108864; default 1048576)\n"
    "  --hold D         how long the reader waits before draining a full pipe\n"
    "                   (default 200ms)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "size", required_argument, NULL, 's' },
        { "hold", required_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .size = 1 << 20, .hold_ns = 200 * NS_PER_MS };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 's':
            cfg->size = arg_int("--size", optarg, 4096, 64LL << 20);
            break;
        case 'H':
            cfg->hold_ns = arg_duration_ns("--hold", optarg, NS_PER_MS, 10 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
