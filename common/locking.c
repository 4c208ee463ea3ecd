/* locking.c - see locking.h. */
#define _POSIX_C_SOURCE 200809L /* pthread_spinlock_t */
#include "locking.h"
#include "error.h"

void join_all(const pthread_t *ids, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = pthread_join(ids[i], NULL);
        if (rc != 0)
            die_rc(rc, "pthread_join thread %d", i);
    }
}

void lock(pthread_mutex_t *m)
{
    int rc = pthread_mutex_lock(m);
    if (rc != 0)
        die_rc(rc, "pthread_mutex_lock");
}

void unlock(pthread_mutex_t *m)
{
    int rc = pthread_mutex_unlock(m);
    if (rc != 0)
        die_rc(rc, "pthread_mutex_unlock");
}

void wait_on(pthread_cond_t *c, pthread_mutex_t *m)
{
    int rc = pthread_cond_wait(c, m);
    if (rc != 0)
        die_rc(rc, "pthread_cond_wait");
}

void signal_one(pthread_cond_t *c)
{
    int rc = pthread_cond_signal(c);
    if (rc != 0)
        die_rc(rc, "pthread_cond_signal");
}

void signal_all(pthread_cond_t *c)
{
    int rc = pthread_cond_broadcast(c);
    if (rc != 0)
        die_rc(rc, "pthread_cond_broadcast");
}

void spin_lock(pthread_spinlock_t *s)
{
    int rc = pthread_spin_lock(s);
    if (rc != 0)
        die_rc(rc, "pthread_spin_lock");
}

void spin_unlock(pthread_spinlock_t *s)
{
    int rc = pthread_spin_unlock(s);
    if (rc != 0)
        die_rc(rc, "pthread_spin_unlock");
}
