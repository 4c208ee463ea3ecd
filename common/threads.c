/* threads.c - see threads.h. */
#include "threads.h"
#include "error.h"

void join_all(const pthread_t *ids, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = pthread_join(ids[i], NULL);
        if (rc != 0)
            die_rc(rc, "pthread_join thread %d", i);
    }
}
