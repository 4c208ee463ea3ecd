/*
 * shm_named.c - POSIX shared memory between unrelated processes: one
 * creates a named object (shm_open, ftruncate, mmap) and owns it; any
 * other process that knows the name can map it. The object outlives the
 * processes that use it — until someone unlinks it. Here the owner does,
 * on every way out: the end of --for, exit, Ctrl-C (SIGINT), SIGTERM
 * (what Python's SharedMemoryManager does for its blocks).
 *
 *   build/chapter08/shm_named --role owner --for 10s &     # in one terminal
 *   build/chapter08/shm_named --role reader                # in another
 *   ls /dev/shm                                            # where Linux keeps them
 *
 * The owner writes a message and then counts, every 10 ms, in the shared
 * page; it prints when it created the object and when it unlinked it. The
 * reader prints the message, and the count twice, 50 ms apart. What to
 * expect: the reader sees the owner's message and a count that moves; once
 * the owner is gone, the name is gone from /dev/shm, and a reader says that
 * no owner is running. Compare with shared_vs_private.c, where sharing
 * needs no name because the child inherits the mapping.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "options.h"

enum role { OWNER, READER };

struct config {
    enum role role;
    const char *name;
    int64_t for_ns;
};

// snippet-begin: layout
struct shared_page {        /* what both sides agree the object holds */
    char message[64];
    int owner_pid;
    atomic_long count;      /* written by the owner, read by anyone */
};
// snippet-end: layout

// snippet-begin: owner
static void owner(const char *name, int64_t for_ns)
{
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);   /* ours, new */
    if (fd == -1)
        die("shm_open %s (is another owner running? then wait, or rm /dev/shm%s)", name, name);
    int slot = cleanup_add_shm(name);              /* unlinked however we end */
    if (ftruncate(fd, sizeof(struct shared_page)) == -1)
        die("ftruncate");
    struct shared_page *page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED)
        die("mmap");
    if (close(fd) == -1)                           /* the mapping keeps it */
        die("close");
    snprintf(page->message, sizeof page->message, "hello from process %d", (int)getpid());
    page->owner_pid = (int)getpid();
    printf("owner: created %s (%zu bytes); keeping it %.1f s\n", name, sizeof *page,
           (double)for_ns / NS_PER_S);
    fflush(stdout);
    for (int64_t end = now_ns() + for_ns; now_ns() < end;) {
        atomic_fetch_add(&page->count, 1);
        sleep_ns(10 * NS_PER_MS);
    }
    if (munmap(page, sizeof *page) == -1)
        die("munmap");
    if (shm_unlink(name) == -1)                    /* the name is gone; mappings */
        die("shm_unlink %s", name);                /* others hold stay valid */
    cleanup_forget(slot);
    printf("owner: unlinked %s\n", name);
}
// snippet-end: owner

// snippet-begin: reader
static void reader(const char *name)
{
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd == -1) {
        if (errno == ENOENT)
            die_msg("no shared-memory object %s: is an owner running?", name);
        die("shm_open %s", name);
    }
    struct shared_page *page = mmap(NULL, sizeof *page, PROT_READ, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED)
        die("mmap");
    if (close(fd) == -1)
        die("close");
    long before = atomic_load(&page->count);
    sleep_ns(50 * NS_PER_MS);
    long after = atomic_load(&page->count);
    printf("reader: %s says \"%s\" (owner %d); count %ld, 50 ms later %ld\n", name, page->message,
           page->owner_pid, before, after);
    if (munmap(page, sizeof *page) == -1)
        die("munmap");
}
// snippet-end: reader

static void parse_args(int argc, char *argv[], struct config *cfg);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.role == OWNER)
        owner(cfg.name, cfg.for_ns);
    else
        reader(cfg.name);
    return EXIT_SUCCESS;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] = "shm_named --role owner|reader [--name NAME] [--for D]";
static const char help_text[] =
    "The owner creates a named shared-memory object, writes into it for a while\n"
    "and unlinks it (also when interrupted); a reader maps the same object.\n"
    "\n"
    "  --role ROLE       owner or reader\n"
    "  --name NAME       the object's name, \"/\" and up to 200 letters, digits, -\n"
    "                    or _ (default /workbook-shm-demo)\n"
    "  --for D           owner: how long to keep the object (default 2s)\n";

static void check_name(const char *name);

/* The defaults, then the options given; --role has no default. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "role", required_argument, NULL, 'r' },
        { "name", required_argument, NULL, 'n' },
        { "for", required_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const roles[] = { "owner", "reader", NULL };
    run_options run = { 0 }; /* of the shared options, --help only */
    *cfg = (struct config){ .name = "/workbook-shm-demo", .for_ns = 2 * NS_PER_S };
    bool role_given = false;
    for (int c; (c = options_next(argc, argv, options, &run)) != -1;) {
        switch (c) {
        case 'r':
            cfg->role = arg_choice("--role", optarg, roles) == 0 ? OWNER : READER;
            role_given = true;
            break;
        case 'n':
            check_name(optarg);
            cfg->name = optarg;
            break;
        case 'f':
            cfg->for_ns = arg_duration_ns("--for", optarg, NS_PER_MS, 3600 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (!role_given)
        usage_error("--role is required (owner or reader)");
}

/* "/" and 1 to 200 letters, digits, - or _: a name shm_open takes anywhere. */
static void check_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 2 || n > 201 || name[0] != '/')
        usage_error("--name: '%s' must be \"/\" followed by 1 to 200 characters", name);
    for (size_t i = 1; i < n; i++)
        if (!(name[i] == '-' || name[i] == '_' || (name[i] >= '0' && name[i] <= '9') ||
              (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z')))
            usage_error("--name: '%s': only letters, digits, - and _ after the \"/\"", name);
}
