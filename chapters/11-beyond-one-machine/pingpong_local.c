/*
 * pingpong_local.c - the yardstick for pingpong.c: the same ping-pong
 * between two processes of one machine, without MPI, through a pipe
 * (chapter 6) and through shared memory (chapter 8).
 *
 * A parent and a forked child, pinned to two cores as chapters 6 and 8
 * pin them, send a message of N bytes to and fro. Through a pipe: write()
 * into one pipe, read() it back from another, every byte copied into the
 * kernel and out again. Through shared memory: the message is copied into
 * a mapping both processes share, and a counter in it, updated with C11
 * atomics, says whose turn it is; the waiting side spins on the counter
 * (that is what Open MPI's shared-memory transport does too).
 *
 *   build/chapter11/pingpong_local --quick
 *   build/chapter11/pingpong_local --transports shm --sizes 8,1048576
 *
 * It prints one row per transport and size, with the columns of
 * pingpong.c: one-way time (median, min and max over the repeats) and
 * bandwidth. What to expect: shared memory about as fast as Open MPI's
 * shared-memory transport (they do the same thing); the pipe several
 * microseconds a message, as two system calls and a wake-up cost, and a
 * bandwidth well under the shared memory's. Compare with pingpong.c.
 *
 * The child is killed and reaped however the parent ends (cleanup.h); the
 * mapping is anonymous, so there is no name in /dev/shm to remove.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "io.h"
#include "options.h"
#include "report.h"

#include "pingpong.h"

#define MAX_SIZES 24
enum transport { PIPE, SHM };
static const char *const transport_names[] = { "pipe", "shm", NULL };

struct config {
    bool used[2];          /* by enum transport */
    long long sizes[MAX_SIZES];
    size_t n_sizes;
    long long budget, max_trips;
    run_options run;
};

/* The shared-memory channel: whose turn it is, and the message. */
struct channel {
    _Atomic uint64_t turn;  /* odd: the child's turn; even: the parent's */
    char message[];
};

// snippet-begin: shm-pingpong
/* Wait until the counter reads `want`; yield now and then, so that two
 * processes on one core still make progress. */
static void wait_turn(struct channel *ch, uint64_t want)
{
    for (unsigned spins = 0; atomic_load_explicit(&ch->turn, memory_order_acquire) != want; spins++)
        if (spins % 1024 == 1023)
            sched_yield();
}

/* One round trip: copy in, hand over, wait, copy out (the parent's side;
 * the child does the same with the turns one later). */
static void shm_round_trip(struct channel *ch, char *buf, size_t bytes, uint64_t trip)
{
    memcpy(ch->message, buf, bytes);
    atomic_store_explicit(&ch->turn, 2 * trip + 1, memory_order_release);
    wait_turn(ch, 2 * trip + 2);
    memcpy(buf, ch->message, bytes);
}
// snippet-end: shm-pingpong

static void parse_args(int argc, char *argv[], struct config *cfg);
static double ping_pong(enum transport t, size_t bytes, long trips);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    cleanup_init();
    bool two_cores = cpus_allowed() >= 2;
    printf("ping-pong between a parent and a child process, %s, %ld repeats\n",
           two_cores ? "on two cores" : "on one core (only one allowed)", cfg.run.repeat);
    report *out = report_create(pingpong_columns, &cfg.run, argc, argv);
    report_comment(out, "placement: %s", two_cores ? "two cores (0 and 1)" : "one core");
    double *us = samples_alloc(cfg.run.repeat);
    for (int t = 0; t < 2; t++) {
        if (!cfg.used[t])
            continue;
        for (size_t s = 0; s < cfg.n_sizes; s++) {
            long trips = pingpong_trips(cfg.budget, cfg.max_trips, cfg.sizes[s]);
            for (long r = 0; r < cfg.run.repeat; r++)
                us[r] = ping_pong((enum transport)t, (size_t)cfg.sizes[s], trips);
            pingpong_report(out, transport_names[t], cfg.sizes[s], cfg.run.repeat, trips, us);
        }
    }
    report_finish(out);
    free(us);
    return EXIT_SUCCESS;
}

static void child_side(enum transport t, int to_parent, int from_parent, struct channel *ch, char *buf,
                       size_t bytes, long trips);

/* One timed run: fork the partner, `trips` round trips, reap it. The
 * one-way time of a message, in microseconds. */
static double ping_pong(enum transport t, size_t bytes, long trips)
{
    int down[2], up[2];                      /* parent -> child, child -> parent */
    if (pipe(down) == -1 || pipe(up) == -1)
        die("pipe");
    struct channel *ch = mmap(NULL, sizeof *ch + bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ch == MAP_FAILED)
        die("mmap %zu bytes", bytes);
    atomic_init(&ch->turn, 0);
    char *buf = calloc(bytes, 1);
    if (buf == NULL)
        die("calloc");
    bool two_cores = cpus_allowed() >= 2;
    fflush(stdout);
    int slot;
    pid_t child = cleanup_fork(&slot);
    if (child == 0) {
        pin_to_cpu(two_cores ? 1 : 0);
        close(down[1]);
        close(up[0]);
        child_side(t, up[1], down[0], ch, buf, bytes, trips);
        _exit(EXIT_SUCCESS);
    }
    close(down[0]);
    close(up[1]);
    pin_to_cpu(0);
    /* One untimed trip: both sides are running and the pages are touched. */
    int64_t start = 0;
    for (long trip = -1; trip < trips; trip++) {
        if (trip == 0)
            start = now_ns();
        if (t == PIPE) {
            write_all(down[1], buf, bytes);
            if (read_all(up[0], buf, bytes) != bytes)
                die_msg("the child ended early");
        } else {
            shm_round_trip(ch, buf, bytes, (uint64_t)(trip + 1));
        }
    }
    double us = (double)(now_ns() - start) / NS_PER_US / (double)trips / 2;
    if (buf[0] != (char)(trips + 1))
        die_msg("%zu bytes: the message did not come back %ld times", bytes, trips + 1);
    close(down[1]);
    close(up[0]);
    int wstatus;
    if (waitpid(child, &wstatus, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        die_msg("the child process failed (status %d)", wstatus);
    if (munmap(ch, sizeof *ch + bytes) == -1)
        die("munmap");
    free(buf);
    return us;
}

/* The child: receive, mark the message (proof it went round), send back. */
static void child_side(enum transport t, int to_parent, int from_parent, struct channel *ch, char *buf,
                       size_t bytes, long trips)
{
    for (long trip = 0; trip <= trips; trip++) {
        if (t == PIPE) {
            if (read_all(from_parent, buf, bytes) != bytes)
                die_msg("the parent ended early");
            buf[0]++;
            write_all(to_parent, buf, bytes);
        } else {
            uint64_t n = (uint64_t)trip + 1;
            wait_turn(ch, 2 * n - 1);
            memcpy(buf, ch->message, bytes);
            buf[0]++;
            memcpy(ch->message, buf, bytes);
            atomic_store_explicit(&ch->turn, 2 * n, memory_order_release);
        }
    }
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pingpong_local [--transports LIST] [--sizes LIST] [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "Ping-pong between a parent and a child process, pinned to two cores, through\n"
    "a pipe and through shared memory: pingpong.c's yardstick, without MPI.\n"
    "\n"
    "  --transports LIST  pipe, shm (default both)\n"
    "  --sizes LIST       message sizes in bytes (1 to 64 MiB; default\n"
    "                     8,64,512,4096,32768,262144,2097152,16777216)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "transports", required_argument, NULL, 't' },
        { "sizes", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    static const long long sizes[] = { 8, 64, 512, 4096, 32768, 262144, 2097152, 16777216 };
    *cfg = (struct config){
        .used = { true, true },
        .n_sizes = sizeof sizes / sizeof sizes[0],
        .budget = quick ? 8LL << 20 : 32LL << 20,
        .max_trips = quick ? 500 : 2000,
        .run.repeat = quick ? 2 : 5,
    };
    memcpy(cfg->sizes, sizes, sizeof sizes);
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "fewer round trips, repeat 2";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 't':
            arg_choice_list("--transports", optarg, transport_names, cfg->used);
            break;
        case 's':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 1, 64LL << 20, cfg->sizes, MAX_SIZES);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
