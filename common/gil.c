/*
 * gil.c - the simulated GIL: take and drop in its three modes (see gil.h).
 *
 * The new GIL follows CPython's Python/ceval_gil.c (take_gil, drop_gil) step
 * by step; the names are CPython's. Compare with the reference algorithm in
 * chapter 3.
 */
#define _POSIX_C_SOURCE 200809L
#include "gil.h"
#include "locking.h"
#include "clock.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const gil_mode_names[] = { "new", "old", "none", NULL };
const char *const release_reason_names[] = { "drop-request", "ticks", "blocking", "exit", NULL };

void gil_init(gil *g, gil_mode mode, long interval_us)
{
    memset(g, 0, sizeof *g);
    g->mode = mode;
    g->interval_us = interval_us;
    g->check_interval = GIL_CHECK_INTERVAL;
    g->ticker = GIL_CHECK_INTERVAL;
    atomic_init(&g->locked, 0);
    atomic_init(&g->last_holder, -1);
    atomic_init(&g->drop_request, 0);
    atomic_init(&g->drop_requests, 0);
    atomic_init(&g->current, NULL);

    /* Timed waits measure the interval on the monotonic clock, as CPython does. */
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_condattr_init");
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_condattr_setclock CLOCK_MONOTONIC");
    rc = pthread_cond_init(&g->cond, &attr);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_cond_init cond");
    rc = pthread_condattr_destroy(&attr);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_condattr_destroy");
    rc = pthread_cond_init(&g->switch_cond, NULL);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_cond_init switch_cond");
    rc = pthread_mutex_init(&g->mutex, NULL);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_mutex_init mutex");
    rc = pthread_mutex_init(&g->switch_mutex, NULL);
    if (rc != 0)
        die_rc(rc, "gil_init: pthread_mutex_init switch_mutex");
    /* The old GIL's lock: a semaphore, as CPython 2 used on Linux. */
    if (sem_init(&g->lock, 0, 1) == -1)
        die("gil_init: sem_init");
    g->start_ns = now_ns();
}

void gil_destroy(gil *g)
{
    /* Destroying one a thread still waits on is a bug (EBUSY): say which. */
    int rc = pthread_cond_destroy(&g->cond);
    if (rc != 0)
        die_rc(rc, "gil_destroy: pthread_cond_destroy cond");
    rc = pthread_cond_destroy(&g->switch_cond);
    if (rc != 0)
        die_rc(rc, "gil_destroy: pthread_cond_destroy switch_cond");
    rc = pthread_mutex_destroy(&g->mutex);
    if (rc != 0)
        die_rc(rc, "gil_destroy: pthread_mutex_destroy mutex");
    rc = pthread_mutex_destroy(&g->switch_mutex);
    if (rc != 0)
        die_rc(rc, "gil_destroy: pthread_mutex_destroy switch_mutex");
    if (sem_destroy(&g->lock) == -1)
        die("gil_destroy: sem_destroy");
}

void gil_thread_init(gil_thread *t, gil *g, int id, size_t trace_capacity)
{
    memset(t, 0, sizeof *t);
    t->gil = g;
    t->id = id;
    t->state = 0x9E3779B97F4A7C15ULL * (uint64_t)(id + 1);
    t->trace_capacity = trace_capacity;
    if (trace_capacity > 0) {
        t->trace = malloc(trace_capacity * sizeof *t->trace);
        if (t->trace == NULL)
            die("malloc trace for %zu holds", trace_capacity);
    }
}

void gil_thread_free(gil_thread *t)
{
    free(t->trace);
    t->trace = NULL;
}

unsigned long gil_switches(gil *g)
{
    lock(&g->mutex);
    unsigned long n = g->switch_number;
    unlock(&g->mutex);
    return n;
}

/* Close the current hold in the thread's trace (before letting go). */
static void record_release(gil_thread *t, release_reason why)
{
    if (t->trace == NULL)
        return;
    if (t->trace_len == t->trace_capacity) {
        t->trace_lost++;
        return;
    }
    t->trace[t->trace_len++] = (gil_hold){
        .acquire_ns = t->acquired_ns - t->gil->start_ns,
        .release_ns = now_ns() - t->gil->start_ns,
        .thread = t->id,
        .reason = why,
    };
}

/* ---- new GIL: CPython 3.2+ ---------------------------------------------------- */

// snippet-begin: take-new
static void take_gil(gil_thread *t)
{
    gil *g = t->gil;
    lock(&g->mutex);
    while (atomic_load(&g->locked)) {
        unsigned long saved_switch_number = g->switch_number;
        /* Wait one interval (a fresh timeout on every pass) ... */
        struct timespec deadline;
        if (clock_gettime(CLOCK_MONOTONIC, &deadline) == -1)
            die("clock_gettime");
        deadline.tv_nsec += g->interval_us * 1000;
        deadline.tv_sec += deadline.tv_nsec / 1000000000;
        deadline.tv_nsec %= 1000000000;
        int rc = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        if (rc != 0 && rc != ETIMEDOUT)
            die_rc(rc, "pthread_cond_timedwait");
        /* ... then, if nobody switched meanwhile, ask the holder to drop it. */
        if (rc == ETIMEDOUT && atomic_load(&g->locked) &&
            g->switch_number == saved_switch_number) {
            atomic_store(&g->drop_request, 1);
            atomic_fetch_add(&g->drop_requests, 1);
        }
    }
    /* We hold the GIL now. */
    lock(&g->switch_mutex);
    atomic_store(&g->locked, 1);
    if (t->trace != NULL)                    /* only a trace needs the time */
        t->acquired_ns = now_ns();
    if (atomic_load(&g->last_holder) != t->id) {
        atomic_store(&g->last_holder, t->id);
        g->switch_number++;                  /* a hand-off */
    }
    signal_one(&g->switch_cond);             /* the forced-switch wait can end */
    unlock(&g->switch_mutex);
    if (atomic_load(&g->drop_request))
        atomic_store(&g->drop_request, 0);   /* the winner clears the request */
    unlock(&g->mutex);
}
// snippet-end: take-new

// snippet-begin: drop-new
static void drop_gil(gil_thread *t, release_reason why)
{
    gil *g = t->gil;
    record_release(t, why);
    atomic_store(&g->last_holder, t->id);
    lock(&g->mutex);
    atomic_store(&g->locked, 0);
    signal_one(&g->cond);                    /* wake one waiter */
    unlock(&g->mutex);
    /* Forced switching: if we were asked to drop it, do not take it straight
     * back; wait until another thread has had it. */
    if (atomic_load(&g->drop_request)) {
        lock(&g->switch_mutex);
        if (atomic_load(&g->last_holder) == t->id) {
            int rc = pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
            if (rc != 0)
                die_rc(rc, "pthread_cond_wait");
        }
        unlock(&g->switch_mutex);
    }
}
// snippet-end: drop-new

/* ---- old GIL: CPython 2.x and 3.1 ------------------------------------------------ */

// snippet-begin: old-gil
static void take_old(gil_thread *t)
{
    gil *g = t->gil;
    while (sem_wait(&g->lock) == -1)         /* the lock: no timeout, no queue */
        if (errno != EINTR)
            die("sem_wait");
    if (t->trace != NULL)
        t->acquired_ns = now_ns();
    if (atomic_load(&g->last_holder) != t->id) {
        atomic_store(&g->last_holder, t->id);
        g->switch_number++;                  /* only the holder writes it */
    } else if (t->trace_len > 0 && t->trace[t->trace_len - 1].reason == RELEASE_TICKS) {
        /* We took it straight back: the trace shows one hold, not two. */
        t->trace_len--;
        t->acquired_ns = t->trace[t->trace_len].acquire_ns + g->start_ns;
    }
}

static void drop_old(gil_thread *t, release_reason why)
{
    record_release(t, why);
    if (sem_post(&t->gil->lock) == -1)       /* wakes a waiter, who usually */
        die("sem_post");                     /* finds it taken again */
}
// snippet-end: old-gil

/* ---- the public pair -------------------------------------------------------------- */

/* PyThreadState_Swap: the holder's thread state becomes the current one. */
static void swap_current(gil *g, const gil_thread *t)
{
    atomic_store_explicit(&g->current, t, memory_order_relaxed);
}

void gil_take(gil_thread *t)
{
    switch (t->gil->mode) {
    case GIL_NEW:
        take_gil(t);
        swap_current(t->gil, t);
        break;
    case GIL_OLD:
        take_old(t);
        swap_current(t->gil, t);
        break;
    case GIL_NONE:
        if (t->trace != NULL)
            t->acquired_ns = now_ns(); /* no lock: the trace shows when it ran */
        break;
    }
}

void gil_drop(gil_thread *t, release_reason why)
{
    switch (t->gil->mode) {
    case GIL_NEW:
        swap_current(t->gil, NULL);
        drop_gil(t, why);
        break;
    case GIL_OLD:
        swap_current(t->gil, NULL);
        drop_old(t, why);
        break;
    case GIL_NONE:
        record_release(t, why);
        break;
    }
}
