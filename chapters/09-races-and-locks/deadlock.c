/*
 * deadlock.c - two threads, two locks. Thread 1 takes A then B; thread 2
 * takes B then A. If each gets its first lock before the other's second,
 * each waits for the other forever: a deadlock. A pause between the two
 * locks makes it certain here.
 *
 *   build/chapter09/deadlock                    # opposite orders: deadlock, detected
 *   build/chapter09/deadlock --order same       # the fix: one order for everyone
 *   build/chapter09/deadlock --order trylock    # or: back off when the second is taken
 *
 * Nothing hangs: each thread waits for its second lock with
 * pthread_mutex_timedlock. When both time out, each holding one lock and
 * waiting for the other's, the program reports who holds what and who waits
 * for what, and exits with status 3 (DEADLOCK_STATUS). With --order same or
 * trylock it prints "done" and how often trylock backed off.
 *
 * The three orders stay one flag: they are the same two threads, and what
 * changes is one line of setup (the order) or one branch of the worker (the
 * back-off), which the chapter shows side by side. Compare with
 * lost_wakeup.c (the other way threads wait for each other in vain), and
 * run it under valgrind --tool=helgrind (exercise 6).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "locking.h"
#include "options.h"
#include "random.h"

#define DEADLOCK_STATUS 3

enum order { OPPOSITE, SAME, TRYLOCK };
static const char *const order_names[] = { "opposite", "same", "trylock", NULL };

struct config {
    enum order order;
    long rounds;
    int64_t timeout_ns;
};

/* A lock that knows who holds it, for the report. */
struct owned_lock {
    pthread_mutex_t m;
    const char *name;
    atomic_int holder;          /* thread number, 0: nobody */
};

static struct owned_lock A = { PTHREAD_MUTEX_INITIALIZER, "A", 0 };
static struct owned_lock B = { PTHREAD_MUTEX_INITIALIZER, "B", 0 };

struct thread {
    int id;
    struct owned_lock *first, *second;
    enum order order;
    long rounds;
    int64_t timeout_ns;
    atomic_int waiting_for_second;   /* for the report */
    int timed_out;
    long backoffs;
};

static void take(struct owned_lock *l, int me);
static void release(struct owned_lock *l);

// snippet-begin: take-both
static void *worker(void *arg)
{
    struct thread *t = arg;
    for (long r = 0; r < t->rounds; r++) {
        take(t->first, t->id);
        sleep_ns(50 * NS_PER_MS);            /* the window: the other takes its first */
        if (t->order == TRYLOCK) {
            int rc;
            while ((rc = pthread_mutex_trylock(&t->second->m)) == EBUSY) {
                release(t->first);           /* back off: give the first lock up */
                t->backoffs++;
                sleep_ns((1 + (int64_t)(hash64((uint64_t)(t->id * 1000 + t->backoffs)) % 20)) * NS_PER_MS);
                take(t->first, t->id);       /* and try again, a random while later */
            }
            if (rc != 0)
                die_rc(rc, "pthread_mutex_trylock");
            atomic_store(&t->second->holder, t->id);
        } else {
            struct timespec limit = realtime_after(t->timeout_ns);
            atomic_store(&t->waiting_for_second, 1);
            int rc = pthread_mutex_timedlock(&t->second->m, &limit);
            if (rc == ETIMEDOUT) {           /* stuck: report, don't hang */
                t->timed_out = 1;
                return NULL;                 /* still holding `first`: the state */
            }                                /* is reported by main */
            if (rc != 0)
                die_rc(rc, "pthread_mutex_timedlock");
            atomic_store(&t->waiting_for_second, 0);
            atomic_store(&t->second->holder, t->id);
        }
        release(t->second);                  /* the work would be here */
        release(t->first);
    }
    return NULL;
}
// snippet-end: take-both

static void parse_args(int argc, char *argv[], struct config *cfg);
static void run_both(struct thread *t1, struct thread *t2);
static int report_deadlock(const struct thread *t1, const struct thread *t2, double seconds);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    // snippet-begin: orders
    struct thread t1 = { .id = 1, .first = &A, .second = &B, .order = cfg.order, .rounds = cfg.rounds,
                         .timeout_ns = cfg.timeout_ns };
    struct thread t2 = { .id = 2, .first = &B, .second = &A, .order = cfg.order, .rounds = cfg.rounds,
                         .timeout_ns = cfg.timeout_ns };
    if (cfg.order == SAME) {       /* the fix: every thread takes A before B */
        t2.first = &A;
        t2.second = &B;
    }
    // snippet-end: orders
    printf("thread 1 takes %s then %s; thread 2 takes %s then %s; %ld rounds each (%s)\n", t1.first->name,
           t1.second->name, t2.first->name, t2.second->name, cfg.rounds, order_names[cfg.order]);
    fflush(stdout);

    int64_t start = now_ns();
    run_both(&t1, &t2);
    double seconds = (double)(now_ns() - start) / NS_PER_S;
    if (t1.timed_out || t2.timed_out)
        return report_deadlock(&t1, &t2, seconds);
    printf("done: %ld rounds each in %.2f s", cfg.rounds, seconds);
    if (cfg.order == TRYLOCK)
        printf(", backing off %ld and %ld times", t1.backoffs, t2.backoffs);
    printf("\n");
    return EXIT_SUCCESS;
}

static void take(struct owned_lock *l, int me)
{
    lock(&l->m);
    atomic_store(&l->holder, me);
}

static void release(struct owned_lock *l)
{
    atomic_store(&l->holder, 0);
    unlock(&l->m);
}

/* Both threads, started together, run to the end (or to their timeout). */
static void run_both(struct thread *t1, struct thread *t2)
{
    struct thread *ts[2] = { t1, t2 };
    pthread_t ids[2];
    for (int i = 0; i < 2; i++) {
        int rc = pthread_create(&ids[i], NULL, worker, ts[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create thread %d", ts[i]->id);
    }
    join_all(ids, 2);
}

/* Who holds what and waits for what; the exit status that says "deadlock". */
static int report_deadlock(const struct thread *t1, const struct thread *t2, double seconds)
{
    const struct thread *ts[2] = { t1, t2 };
    printf("deadlock after %.1f s:\n", seconds);
    for (int i = 0; i < 2; i++)
        if (ts[i]->timed_out)
            printf("  thread %d holds %s and waited %.1f s for %s, held by thread %d\n", ts[i]->id,
                   ts[i]->first->name, (double)ts[i]->timeout_ns / NS_PER_S, ts[i]->second->name,
                   atomic_load(&ts[i]->second->holder));
    return DEADLOCK_STATUS;
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] = "deadlock [--order opposite|same|trylock] [--rounds N] [--timeout D]";
static const char help_text[] =
    "Two threads take two locks, in opposite orders (a deadlock, detected and\n"
    "reported, exit status 3), in the same order, or with trylock and back-off.\n"
    "\n"
    "  --order HOW      opposite (default), same, trylock\n"
    "  --rounds N       times each thread takes both locks (1 to 10^6; default 5)\n"
    "  --timeout D      how long a thread waits for its second lock before the\n"
    "                   program calls it a deadlock (default 1s)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "order", required_argument, NULL, 'o' },
        { "rounds", required_argument, NULL, 'r' },
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .order = OPPOSITE, .rounds = 5, .timeout_ns = NS_PER_S };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'o':
            cfg->order = (enum order)arg_choice("--order", optarg, order_names);
            break;
        case 'r':
            cfg->rounds = (long)arg_int("--rounds", optarg, 1, 1000000);
            break;
        case 't':
            cfg->timeout_ns = arg_duration_ns("--timeout", optarg, 10 * NS_PER_MS, 60 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
