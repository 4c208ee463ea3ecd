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
 *   shared  mapping: the parent reads 1000000   (the child's writes)
 *   private mapping: the parent reads 0         (its own page, untouched)
 *
 * Compare ../01-processes-and-threads/isolation.c: the same for a global
 * variable and a thread.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "error.h"

static const char usage_line[] = "shared_vs_private [--count N]";
static const char help_text[] =
    "A child process increments a counter in a shared and in a private\n"
    "anonymous mapping; the parent shows which increments it can see.\n"
    "\n"
    "  --count N        increments (1 to 10^9; default 1000000)\n"
    "  --help           show this help\n";

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "count", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long count = 1000000;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'c':
            count = arg_int("--count", optarg, 1, 1000000000);
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);

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
    int slot = cleanup_add_child(child);
    int status;
    if (waitpid(child, &status, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("the child failed (status 0x%x)", (unsigned)status);
    printf("the child added 1, %lld times, to a counter in each mapping\n", count);
    printf("shared  mapping (MAP_SHARED):  the parent reads %lld\n", *shared);
    printf("private mapping (MAP_PRIVATE): the parent reads %lld\n", *private);
    if (munmap((void *)shared, sizeof(long long)) == -1 || munmap((void *)private, sizeof(long long)) == -1)
        die("munmap");
    return EXIT_SUCCESS;
}
