/*
 * message_passing.c - one thread hands another a message: the data, then a
 * flag that says the data is there. Can the reader see the flag and still
 * read the old data (a stale read)?
 *
 *   writer:  data = r;  flag = r;          reader:  wait until flag == r;  read data
 *
 * Three ways to write it, each run for many rounds r = 1, 2, ... with the
 * two threads pinned to two cores:
 *
 *   plain            plain variables: a data race, undefined behaviour in
 *                    C11. The compiler may read the flag once, before the
 *                    loop, and the reader then waits forever; the writer
 *                    notices (--timeout) and the program reports it.
 *   relaxed          atomics with memory_order_relaxed: no data race, but no
 *                    order either. C11 allows the reader to see the new flag
 *                    and the old data; x86 never shows it (total store order
 *                    keeps stores in order, and loads in order), ARM and
 *                    POWER may.
 *   release-acquire  the flag stored with release, loaded with acquire: a
 *                    reader that sees the flag sees the data. C11 promises
 *                    it on every machine; no stale read, ever.
 *
 *   build/chapter09/message_passing --quick
 *   build/chapter09/message_passing --variants relaxed,release-acquire --rounds 10000000
 *
 * It prints one row per way: the rounds, how many the reader got the new
 * data (fresh), the old data (stale), and how many rounds it never
 * finished (missed: the reader stopped seeing the flag). fresh + stale +
 * missed = rounds. The plain way runs last, whatever the order asked: its
 * reader may never return, and is left spinning until the program ends.
 * Compare with store_buffer.c: the one reordering x86 does show.
 */
#define _POSIX_C_SOURCE 200809L /* sched_yield, pthreads */
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "options.h"
#include "report.h"

/* In the order they run: plain last (its reader may never come back). */
enum variant { RELAXED, RELEASE_ACQUIRE, PLAIN, VARIANTS };
static const char *const variant_names[] = { "relaxed", "release-acquire", "plain", NULL };

struct config {
    bool use[VARIANTS];
    long long rounds;
    long long timeout_ns;   /* the writer gives up after this long without an answer */
    run_options run;
};

// snippet-begin: message
/* The message, each field on a cache line of its own: nothing but the
 * memory order keeps data and flag in step. The plain fields are for the
 * plain way, the atomic ones for the other two. */
static struct {
    alignas(64) long data;
    alignas(64) long flag;
    alignas(64) atomic_long atomic_data;
    alignas(64) atomic_long atomic_flag;
} message;

/* The writer's side of round r: the data first, then the flag. */
static void send(enum variant v, long r)
{
    switch (v) {
    case PLAIN:
        message.data = r;
        message.flag = r;
        break;
    case RELAXED:
        atomic_store_explicit(&message.atomic_data, r, memory_order_relaxed);
        atomic_store_explicit(&message.atomic_flag, r, memory_order_relaxed);
        break;
    default:
        atomic_store_explicit(&message.atomic_data, r, memory_order_relaxed);
        atomic_store_explicit(&message.atomic_flag, r, memory_order_release);  /* publishes the data */
        break;
    }
}

/* The reader's side: wait for the flag of round r, then read the data. */
static long receive(enum variant v, long r)
{
    switch (v) {
    case PLAIN:
        while (message.flag != r)    /* the compiler may load the flag once, here */
            ;
        return message.data;
    case RELAXED:
        while (atomic_load_explicit(&message.atomic_flag, memory_order_relaxed) != r)
            ;
        return atomic_load_explicit(&message.atomic_data, memory_order_relaxed);
    default:
        while (atomic_load_explicit(&message.atomic_flag, memory_order_acquire) != r)
            ;                        /* saw the flag: sees what came before it */
        return atomic_load_explicit(&message.atomic_data, memory_order_relaxed);
    }
}
// snippet-end: message

/* One way, run for all its rounds, and what the reader saw. The counts
 * are atomic so that main can read them even from a reader it abandoned. */
struct run {
    enum variant variant;
    long long rounds;
    long long timeout_ns;
    bool gave_up;                        /* the writer's: no answer within timeout_ns */
    alignas(64) atomic_llong answered;   /* the last round the reader finished */
    alignas(64) atomic_llong fresh, stale;
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void run_rounds(struct run *run);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cpus_allowed() < 2)
        die_msg("message passing needs two cores; this process may use %d", cpus_allowed());
    printf("message passing, %lld rounds per way; writer on core 0, reader on core 1 (of %d)\n",
           cfg.rounds, cpus_allowed());

    static const column columns[] = {
        { .name = "variant", .kind = COL_TEXT, .width = 15 },
        { .name = "rounds", .kind = COL_INT },
        { .name = "fresh", .kind = COL_INT },
        { .name = "stale", .kind = COL_INT },
        { .name = "missed", .kind = COL_INT },
        { 0 },
    };
    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "timeout_ns: %lld", cfg.timeout_ns);
    static struct run runs[VARIANTS];    /* static and one each: an abandoned reader keeps its own */
    long long stuck_round = 0;
    for (int v = 0; v < VARIANTS; v++) {
        if (!cfg.use[v])
            continue;
        struct run *run = &runs[v];
        run->variant = (enum variant)v;
        run->rounds = cfg.rounds;
        run->timeout_ns = cfg.timeout_ns;
        run_rounds(run);
        long long answered = atomic_load(&run->answered);
        report_text(out, variant_names[v]);
        report_int(out, cfg.rounds);
        report_int(out, atomic_load(&run->fresh));
        report_int(out, atomic_load(&run->stale));
        report_int(out, cfg.rounds - answered);
        if (run->gave_up)
            stuck_round = answered + 1;
    }
    report_finish(out);
    if (stuck_round > 0)
        printf("plain: round %lld never ended: the reader did not see the flag for %.1f s. A plain\n"
               "flag may be loaded once, before the loop (objdump -d shows the loop); the reader is\n"
               "left spinning until the program ends\n",
               stuck_round, (double)cfg.timeout_ns / 1e9);
    printf("stale: the reader saw the round's flag but the data of the round before\n");
    return EXIT_SUCCESS;
}

/* The writer: round after round, wait until the reader has answered the
 * round before (so that data is never more than one round ahead), then
 * send. It gives up when the reader has not answered for timeout_ns. */
static void *write_rounds(void *arg)
{
    struct run *run = arg;
    pin_to_cpu(0);
    for (long long r = 1; r <= run->rounds; r++) {
        int64_t since = now_ns();
        for (long spins = 1; atomic_load(&run->answered) < r - 1; spins++) {
            if (spins % 4096 != 0)
                continue;
            if (now_ns() - since > run->timeout_ns) {
                run->gave_up = true;
                return NULL;
            }
            sched_yield();           /* a busy machine: let others have the core */
        }
        send(run->variant, (long)r);
    }
    return NULL;
}

/* The reader: receive each round, count what it saw, answer. */
static void *read_rounds(void *arg)
{
    struct run *run = arg;
    pin_to_cpu(1);
    long long fresh = 0, stale = 0;
    for (long long r = 1; r <= run->rounds; r++) {
        if (receive(run->variant, (long)r) == r)
            atomic_store_explicit(&run->fresh, ++fresh, memory_order_relaxed);
        else
            atomic_store_explicit(&run->stale, ++stale, memory_order_relaxed);
        atomic_store(&run->answered, r);   /* after the counts: main reads them in this order */
    }
    return NULL;
}

/* Start both, wait for the writer; join the reader, or, if the writer gave
 * up on it, leave it: a reader that waits on a flag it never reloads
 * cannot be stopped, only ended with the program. */
static void run_rounds(struct run *run)
{
    message.data = message.flag = 0;
    atomic_store(&message.atomic_data, 0);
    atomic_store(&message.atomic_flag, 0);
    pthread_t writer, reader;
    int rc = pthread_create(&reader, NULL, read_rounds, run);
    if (rc != 0)
        die_rc(rc, "pthread_create reader");
    if ((rc = pthread_create(&writer, NULL, write_rounds, run)) != 0)
        die_rc(rc, "pthread_create writer");
    if ((rc = pthread_join(writer, NULL)) != 0)
        die_rc(rc, "pthread_join writer");
    if (!run->gave_up) {
        if ((rc = pthread_join(reader, NULL)) != 0)
            die_rc(rc, "pthread_join reader");
        return;
    }
    if (run->variant != PLAIN)       /* an atomic flag is always seen in the end */
        die_msg("%s: the reader did not answer for %.1f s: is the machine too busy?",
                variant_names[run->variant], (double)run->timeout_ns / 1e9);
    if ((rc = pthread_detach(reader)) != 0)
        die_rc(rc, "pthread_detach reader");
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] =
    "message_passing [--variants LIST] [--rounds N] [--timeout DURATION] [--data FILE] [--quick]";
static const char help_text[] =
    "Passes a message (data, then a flag) from a writer thread to a reader\n"
    "thread on another core, round after round, and counts the rounds in which\n"
    "the reader saw the flag but old data (stale reads).\n"
    "\n"
    "  --variants LIST     plain, relaxed, release-acquire (default all; plain runs last)\n"
    "  --rounds N          rounds per way (1 to 10^9; default 1000000)\n"
    "  --timeout DURATION  how long the writer waits for an answer before it\n"
    "                      gives up on the reader (10ms to 60s; default 1s)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "variants", required_argument, NULL, 'v' },
        { "rounds", required_argument, NULL, 'n' },
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .use = { true, true, true },
        .rounds = quick ? 100000 : 1000000,
        .timeout_ns = NS_PER_S,
    };
    cfg->run.takes = TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "100000 rounds";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'v':
            arg_choice_list("--variants", optarg, variant_names, cfg->use);
            break;
        case 'n':
            cfg->rounds = arg_int("--rounds", optarg, 1, 1000000000);
            break;
        case 't':
            cfg->timeout_ns = arg_duration_ns("--timeout", optarg, 10 * NS_PER_MS, 60 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
