/*
 * locking.h - what every multi-threaded program of the workbook repeats,
 * written once: the join loop, and the mutex and condition-variable calls
 * with their return codes checked.
 *
 *   join_all(ids, n);   // pthread_join each of ids[0..n-1], or die naming it
 *   lock(&m); ... wait_on(&c, &m); ... unlock(&m);
 */
#ifndef WORKBOOK_LOCKING_H
#define WORKBOOK_LOCKING_H

#include <pthread.h>

void join_all(const pthread_t *ids, int n);

/* The pthread mutex and condition-variable calls, each checked: a failure
 * is a bug, reported with its cause (die_rc), never ignored. */
void lock(pthread_mutex_t *m);
void unlock(pthread_mutex_t *m);
void wait_on(pthread_cond_t *c, pthread_mutex_t *m);
void signal_one(pthread_cond_t *c);
void signal_all(pthread_cond_t *c);

/* The same for a spinlock. */
void spin_lock(pthread_spinlock_t *s);
void spin_unlock(pthread_spinlock_t *s);

#endif
