/*
 * shared_vs_private.c - memory after fork(): a MAP_SHARED mapping is the
 * same memory in parent and child; a MAP_PRIVATE one (like the heap, the
 * stack, every ordinary variable) becomes a private copy the moment either
 * side writes to it: copy-on-write.
 *
 * The child adds 1 to a counter in each kind of mapping --count times; the
 * parent then reads both:
 *
 *   build/chapter08/shared_vs_private
 *   build/chapter08/shared_vs_private --count 123456
 *
 * It prints what the parent reads in each mapping. What to expect:
 *
 *   shared  mapping: the parent reads 1000000   (the child's writes)
 *   private mapping: the parent reads 0         (its own page, untouched)
 *
 * Compare ../01-processes-and-threads/isolation.c: the same for a global
 * variable and a thread; and cow_cost.c, what the private copy costs.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "error.h"
#include "options.h"

/* The two counters, as the parent sees them. */
struct counters {
    volatile long long *shared, *private;
};

/* Map the counters, fork, and let the child add 1 to each `count` times.
 * Returns the child, still running. */
static pid_t fork_counting_child(long long count, struct counters *seen)
{
    // snippet-begin: mappings
    volatile long long *shared = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile long long *private = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED || private == MAP_FAILED)
        die("mmap");
    *shared = *private = 0;
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {
        for (long long i = 0; i < count; i++) {
            (*shared)++;   /* the same physical page as the parent's */
            (*private)++;  /* the first write copies the page: ours alone now */
        }
        _exit(EXIT_SUCCESS);
    }
    // snippet-end: mappings
    *seen = (struct counters){ shared, private };
    return child;
}

static long long parse_args(int argc, char *argv[]);
static void wait_for(pid_t child);

int main(int argc, char *argv[])
{
    long long count = parse_args(argc, argv);
    struct counters seen;
    pid_t child = fork_counting_child(count, &seen);
    wait_for(child);
    printf("the child added 1, %lld times, to a counter in each mapping\n", count);
    printf("shared  mapping (MAP_SHARED):  the parent reads %lld\n", *seen.shared);
    printf("private mapping (MAP_PRIVATE): the parent reads %lld\n", *seen.private);
    if (munmap((void *)seen.shared, sizeof(long long)) == -1 ||
        munmap((void *)seen.private, sizeof(long long)) == -1)
        die("munmap");
    return EXIT_SUCCESS;
}

/* Reap the child (killed and reaped for us if we are stopped first); it
 * must have succeeded. */
static void wait_for(pid_t child)
{
    int slot = cleanup_add_child(child);
    int status;
    if (waitpid(child, &status, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("the child failed (status 0x%x)", (unsigned)status);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] = "shared_vs_private [--count N]";
static const char help_text[] =
    "A child process increments a counter in a shared and in a private\n"
    "anonymous mapping; the parent shows which increments it can see.\n"
    "\n"
    "  --count N         increments (1 to 10^9; default 1000000)\n";

/* The increments: 1000000, or --count. */
static long long parse_args(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "count", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    run_options run = { 0 }; /* of the shared options, --help only */
    long long count = 1000000;
    for (int c; (c = options_next(argc, argv, options, &run)) != -1;) {
        switch (c) {
        case 'c':
            count = arg_int("--count", optarg, 1, 1000000000);
            break;
        }
    }
    arg_no_operands(argc, argv);
    return count;
}
