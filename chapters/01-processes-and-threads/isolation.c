/*
 * isolation.c - a forked child changes its own copy of memory; a thread
 * changes the memory it shares with the rest of its process.
 *
 * The program keeps one global variable, `value`, set to 0. Then:
 *   1. It forks. The child writes --value into `value` and exits. The parent
 *      waits for it and reads `value` again: still 0. fork() gave the child
 *      a copy of the parent's memory, at the very same virtual addresses.
 *   2. It starts a thread. The thread writes --value into `value`. The main
 *      thread joins it and reads `value` again: the thread's write is there.
 *
 *   build/chapter01/isolation
 *   build/chapter01/isolation --value 7
 *
 * It prints five lines. Each names who speaks with its process id (PID) and
 * thread id (TID), and shows `value` and its address. What to expect: the
 * child has a PID of its own and the same address as the parent, and its
 * write is not seen by the parent; the thread shares the PID, has its own
 * TID, and its write is seen.
 *
 * Compare with creation_cost.c, which measures what each of the two costs.
 */
#define _GNU_SOURCE /* gettid() */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "error.h"
#include "options.h"

/* The variable both experiments write. Global, so every thread sees it. */
static int value = 0;

static void report(const char *who, const char *what);
static void *thread_write(void *arg);

static void fork_and_write(int new_value)
{
    /*
     * Flush first: the child would otherwise inherit our unwritten stdout
     * buffer, and its own fflush() below would print it a second time.
     */
    fflush(stdout);
    // snippet-begin: fork-copy
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0) {              /* the child: a copy of the parent */
        value = new_value;       /* changes the child's copy only */
        report("child:", " (after writing)");
        fflush(stdout);
        _exit(EXIT_SUCCESS);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1) /* reap the child: no zombie */
        die("waitpid");
    // snippet-end: fork-copy
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("child %d did not exit cleanly (status 0x%x)", (int)pid, status);
    printf("main:   after waitpid, value=%d (%s)\n", value,
           value == 0 ? "the child changed its own copy" : "unexpected: the child's write is here");
}

static void thread_and_write(int new_value)
{
    // snippet-begin: thread-share
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, thread_write, &new_value);
    if (rc != 0)
        die_rc(rc, "pthread_create");
    rc = pthread_join(thread, NULL);    /* wait: its write happens-before our read */
    if (rc != 0)
        die_rc(rc, "pthread_join");
    // snippet-end: thread-share
    printf("main:   after pthread_join, value=%d (%s)\n", value,
           value == new_value ? "the thread changed our memory" : "unexpected: the write is lost");
}

static int parse_args(int argc, char *argv[]);

int main(int argc, char *argv[])
{
    int new_value = parse_args(argc, argv);
    report("main:", " (before)");
    fork_and_write(new_value);
    thread_and_write(new_value);
    return EXIT_SUCCESS;
}

/* One line: who speaks, its PID and TID, and what it sees in `value`. */
static void report(const char *who, const char *what)
{
    printf("%-7s pid=%d tid=%d value=%d at %p%s\n", who, (int)getpid(), (int)gettid(), value,
           (void *)&value, what);
}

static void *thread_write(void *arg)
{
    value = *(const int *)arg;  /* the same memory the main thread reads */
    report("thread:", " (after writing)");
    return NULL;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] = "isolation [--value N] [--help]";
static const char help_text[] =
    "Shows that a forked child writes to its own copy of memory while a thread\n"
    "writes to the memory of its process.\n"
    "\n"
    "  --value N   the number the child and the thread write (1 to 1000000,\n"
    "              default 42)\n";

/* The number to write: 42, or --value. */
static int parse_args(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "value", required_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int new_value = 42;
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'v':
            new_value = (int)arg_int("--value", optarg, 1, 1000000);
            break;
        }
    }
    arg_no_operands(argc, argv);
    return new_value;
}
