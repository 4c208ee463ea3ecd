/*
 * lost_wakeup.c - a condition variable has no memory: a signal sent while
 * nobody waits is gone. Whoever waits must check a condition (a predicate)
 * under the mutex, and check it again when it wakes.
 *
 *   build/chapter09/lost_wakeup --variant no-predicate   # the wakeup is lost: waits forever
 *   build/chapter09/lost_wakeup --variant if             # two consumers, one item:
 *                                                        # one goes on with nothing
 *   build/chapter09/lost_wakeup --variant while          # right, both ways
 *
 * no-predicate: the producer signals "ready" before the consumer waits; the
 *   consumer waits for a signal that has already come and gone.
 * if: two consumers wait for one item; the producer broadcasts; both wake,
 *   the first takes the item, and the second, which looked only once before
 *   sleeping, goes on as if it had one.
 * while: the consumer waits in `while (!ready)`: the early signal is
 *   remembered in `ready`, and a consumer that finds the item gone waits
 *   again.
 *
 * It prints, for each variant, what the producer did and what became of
 * each consumer. Nothing hangs: waits are timed (--timeout), and a wait
 * that times out is reported as the lost wakeup it is.
 *
 * The three variants stay one flag and run one after the other by default:
 * the chapter shows the three waits side by side, in one function, so that
 * the one line that differs is what the reader compares. Compare with
 * chapter 7's bounded_queue.c: the same `if` and `while`, in a real queue.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "locking.h"
#include "options.h"

enum variant { NO_PREDICATE, IF, WHILE };
static const char *const variant_names[] = { "no-predicate", "if", "while", NULL };

struct config {
    bool variant_used[3];
    int64_t timeout_ns;
};

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int items;          /* the predicate: items ready to take */
static int waiting;        /* consumers asleep on cond (so the producer knows when to go) */
static int64_t timeout_ns;

struct consumer {
    enum variant variant;
    int id;
    const char *outcome;
};

static bool timed_wait(void);

// snippet-begin: consumers
static void *consume(void *arg)
{
    struct consumer *c = arg;
    lock(&mutex);
    waiting++;
    switch (c->variant) {
    case NO_PREDICATE:                 /* WRONG: wait for a signal, not a state */
        c->outcome = timed_wait() ? "woke up" : "waited in vain: the wakeup was lost";
        break;
    case IF:                           /* WRONG: look once, then assume */
        if (items == 0)
            timed_wait();
        c->outcome = items > 0 ? "took the item" : "went on with no item: nothing was there";
        if (items > 0)
            items--;
        break;
    case WHILE:                        /* right: look again after every wake-up */
        c->outcome = "took the item";
        while (items == 0)
            if (!timed_wait()) {
                c->outcome = "waited, correctly, for an item that never came";
                break;
            }
        if (items > 0)
            items--;
        break;
    }
    waiting--;
    unlock(&mutex);
    return NULL;
}
// snippet-end: consumers

static void parse_args(int argc, char *argv[], struct config *cfg);
static void show_variant(enum variant v);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    timeout_ns = cfg.timeout_ns;
    for (int v = 0; v < 3; v++)
        if (cfg.variant_used[v])
            show_variant((enum variant)v);
    return EXIT_SUCCESS;
}

static void until_waiting(int n);

/* One variant: the producer's schedule, the consumers, what became of them. */
static void show_variant(enum variant v)
{
    items = 0;
    struct consumer cs[2] = { { v, 1, NULL }, { v, 2, NULL } };
    pthread_t ids[2];
    int n = v == NO_PREDICATE ? 1 : 2, rc;
    printf("%s:\n", variant_names[v]);
    // snippet-begin: schedules
    if (v == NO_PREDICATE || v == WHILE) {     /* the signal before the wait */
        lock(&mutex);
        items = 1;                             /* (no-predicate never looks at it) */
        signal_one(&cond);                     /* nobody is waiting: it is lost */
        unlock(&mutex);
        printf("  producer: one item ready, signalled before anyone waited\n");
    }
    for (int i = 0; i < n; i++)
        if ((rc = pthread_create(&ids[i], NULL, consume, &cs[i])) != 0)
            die_rc(rc, "pthread_create");
    if (v == IF) {                             /* two asleep, then one item, broadcast */
        until_waiting(2);
        lock(&mutex);
        items = 1;
        signal_all(&cond);
        unlock(&mutex);
        printf("  producer: one item ready, both consumers woken\n");
    }
    // snippet-end: schedules
    join_all(ids, n);
    for (int i = 0; i < n; i++)
        printf("  consumer %d: %s\n", cs[i].id, cs[i].outcome);
}

/* Wait (politely) until n consumers are asleep on cond. */
static void until_waiting(int n)
{
    for (;;) {
        lock(&mutex);
        int w = waiting;
        unlock(&mutex);
        if (w >= n)
            return;
        sleep_ns(NS_PER_MS);
    }
}

/* Wait on cond for at most timeout_ns; false if it timed out. */
static bool timed_wait(void)
{
    struct timespec limit = realtime_after(timeout_ns);
    int rc = pthread_cond_timedwait(&cond, &mutex, &limit);
    if (rc != 0 && rc != ETIMEDOUT)
        die_rc(rc, "pthread_cond_timedwait");
    return rc == 0;
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] = "lost_wakeup [--variant no-predicate|if|while] [--timeout D]";
static const char help_text[] =
    "Shows what goes wrong when a condition variable is waited on without a\n"
    "predicate, or with `if` instead of `while`, and that `while` is right.\n"
    "\n"
    "  --variant V      no-predicate, if, while (default: all three)\n"
    "  --timeout D      how long a wait may last before it counts as lost (default 1s)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "variant", required_argument, NULL, 'v' },
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .variant_used = { true, true, true }, .timeout_ns = NS_PER_S };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'v': {
            int chosen = arg_choice("--variant", optarg, variant_names);
            for (int v = 0; v < 3; v++)
                cfg->variant_used[v] = v == chosen;
            break;
        }
        case 't':
            cfg->timeout_ns = arg_duration_ns("--timeout", optarg, 10 * NS_PER_MS, 60 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
