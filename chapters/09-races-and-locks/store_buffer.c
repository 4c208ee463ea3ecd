/*
 * store_buffer.c - the store-buffering litmus test: can both threads miss
 * each other's store?
 *
 *   thread 0:  x = 1;  r0 = y;         thread 1:  y = 1;  r1 = x;
 *
 * Run one after the other in any order, at least one thread sees the
 * other's 1: (r0, r1) is (0, 1), (1, 0) or (1, 1), never (0, 0). C11 promises
 * that only for seq_cst atomics. With relaxed or release/acquire atomics it
 * allows (0, 0), and an x86 core produces it: a store waits in the core's
 * store buffer while the load after it already reads the cache, so each
 * thread can read the other's variable before its own store is visible.
 * x86 keeps every other order (it is "total store order"); this is the one
 * it relaxes. A seq_cst store compiles to XCHG (a full barrier) on x86 and
 * the (0, 0) outcome disappears.
 *
 *   build/chapter09/store_buffer --quick
 *   build/chapter09/store_buffer --orders relaxed,seq_cst --rounds 1000000
 *
 * It prints, for each memory order, how often each outcome came up. Compare
 * with message_passing.c: the pattern x86 does keep in order.
 */
#define _GNU_SOURCE /* pthread_setaffinity_np via cpus.h */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "cpus.h"
#include "error.h"
#include "options.h"
#include "report.h"

enum order { RELAXED, RELEASE_ACQUIRE, SEQ_CST, ORDERS };
static const char *const order_names[] = { "relaxed", "release-acquire", "seq_cst", NULL };

// snippet-begin: litmus
/* One round of the test, as thread `me` (0 or 1) runs it: store my
 * variable, load the other one. */
static atomic_int x, y;

static int store_then_load(int me, enum order order)
{
    atomic_int *mine = me == 0 ? &x : &y, *other = me == 0 ? &y : &x;
    switch (order) {
    case RELAXED:
        atomic_store_explicit(mine, 1, memory_order_relaxed);
        return atomic_load_explicit(other, memory_order_relaxed);
    case RELEASE_ACQUIRE:
        atomic_store_explicit(mine, 1, memory_order_release);
        return atomic_load_explicit(other, memory_order_acquire);
    default:
        atomic_store_explicit(mine, 1, memory_order_seq_cst);   /* XCHG on x86 */
        return atomic_load_explicit(other, memory_order_seq_cst);
    }
}
// snippet-end: litmus

struct config {
    bool use[ORDERS];
    long long rounds;
    run_options run;
};

/* What the two threads share: the memory order, their meeting point, and
 * the results of every round. */
struct race {
    enum order order;
    long long rounds;
    atomic_llong arrived;    /* how many times a thread reached the barrier */
    int *result[2];          /* r0 and r1 of every round */
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void run_rounds(struct race *race, long long counts[4]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cpus_allowed() < 2)
        die_msg("store buffering needs two cores; this process may use %d", cpus_allowed());
    printf("store buffering, %lld rounds per memory order; threads pinned to cores 0 and 1 (of %d)\n",
           cfg.rounds, cpus_allowed());

    static const column columns[] = {
        { .name = "order", .kind = COL_TEXT, .width = 15 },
        { .name = "rounds", .kind = COL_INT },
        { .name = "r0_0_r1_0", .kind = COL_INT },
        { .name = "r0_0_r1_1", .kind = COL_INT },
        { .name = "r0_1_r1_0", .kind = COL_INT },
        { .name = "r0_1_r1_1", .kind = COL_INT },
        { 0 },
    };
    report *out = report_create(columns, &cfg.run, argc, argv);
    for (int o = 0; o < ORDERS; o++) {
        if (!cfg.use[o])
            continue;
        struct race race = { .order = (enum order)o, .rounds = cfg.rounds };
        long long counts[4] = { 0 };   /* indexed by 2 * r0 + r1 */
        run_rounds(&race, counts);
        report_text(out, order_names[o]);
        report_int(out, cfg.rounds);
        for (int k = 0; k < 4; k++)
            report_int(out, counts[k]);
    }
    report_finish(out);
    printf("(0, 0): both loads ran before either store was visible; seq_cst forbids it\n");
    return EXIT_SUCCESS;
}

struct worker {
    struct race *race;
    int me;
};

/* Both threads meet here: the n-th meeting ends when both have arrived
 * 2n times in all. Spinning keeps both ready to go at the same instant
 * (a sleep would let one finish before the other starts); on a busy
 * machine a spinner yields its core now and then. */
static void meet(struct race *race, long long n)
{
    atomic_fetch_add(&race->arrived, 1);
    for (long spins = 1; atomic_load(&race->arrived) < 2 * n; spins++)
        if (spins % 1000 == 0)
            sched_yield();
}

/* Each round: meet, store and load, meet again; thread 0 then resets x and
 * y for the next round, while thread 1 waits at the next meeting. */
static void *run_thread(void *arg)
{
    struct worker *w = arg;
    struct race *race = w->race;
    pin_to_cpu(w->me);
    for (long long r = 0; r < race->rounds; r++) {
        meet(race, 2 * r + 1);
        race->result[w->me][r] = store_then_load(w->me, race->order);
        meet(race, 2 * r + 2);
        if (w->me == 0) {
            atomic_store(&x, 0);
            atomic_store(&y, 0);
        }
    }
    return NULL;
}

static void run_rounds(struct race *race, long long counts[4])
{
    for (int t = 0; t < 2; t++) {
        race->result[t] = malloc((size_t)race->rounds * sizeof(int));
        if (race->result[t] == NULL)
            die("malloc");
    }
    atomic_store(&x, 0);
    atomic_store(&y, 0);
    pthread_t ids[2];
    struct worker workers[2] = { { race, 0 }, { race, 1 } };
    for (int t = 0; t < 2; t++) {
        int rc = pthread_create(&ids[t], NULL, run_thread, &workers[t]);
        if (rc != 0)
            die_rc(rc, "pthread_create %d", t);
    }
    for (int t = 0; t < 2; t++) {
        int rc = pthread_join(ids[t], NULL);
        if (rc != 0)
            die_rc(rc, "pthread_join %d", t);
    }
    for (long long r = 0; r < race->rounds; r++)
        counts[2 * race->result[0][r] + race->result[1][r]]++;
    free(race->result[0]);
    free(race->result[1]);
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] =
    "store_buffer [--orders LIST] [--rounds N] [--data FILE] [--quick] [--help]";
static const char help_text[] =
    "Runs the store-buffering litmus test (x = 1; r0 = y  against  y = 1; r1 = x)\n"
    "on two threads pinned to two cores, and counts each outcome (r0, r1).\n"
    "\n"
    "  --orders LIST   relaxed, release-acquire, seq_cst (default all)\n"
    "  --rounds N      rounds per memory order (1 to 10^8; default 1000000)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "orders", required_argument, NULL, 'o' },
        { "rounds", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){ .use = { true, true, true }, .rounds = quick ? 100000 : 1000000 };
    cfg->run.takes = TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "100000 rounds";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'o':
            arg_choice_list("--orders", optarg, order_names, cfg->use);
            break;
        case 'n':
            cfg->rounds = arg_int("--rounds", optarg, 1, 100000000);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
