/* cpus.c - see cpus.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_SET */
#include "cpus.h"
#include "error.h"

#include <pthread.h>
#include <sched.h>

/* The cores the process was allowed when it first asked: confining to fewer
 * and then to all of them again gives back exactly these. Read once, by the
 * first caller, whatever the thread: threads that pin themselves at the
 * same moment must not see the set half made. */
static cpu_set_t start_set;
static pthread_once_t start_once = PTHREAD_ONCE_INIT;

static void read_start_set(void)
{
    CPU_ZERO(&start_set);
    if (sched_getaffinity(0, sizeof start_set, &start_set) == -1)
        die("sched_getaffinity");
}

static cpu_set_t allowed_at_start(void)
{
    int rc = pthread_once(&start_once, read_start_set);
    if (rc != 0)
        die_rc(rc, "pthread_once");
    return start_set;
}

int cpus_allowed(void)
{
    cpu_set_t set = allowed_at_start();
    return CPU_COUNT(&set);
}

/* Keep the cores numbered [first, first + n) among the allowed ones. */
static void keep_cpus(int first, int n)
{
    cpu_set_t set = allowed_at_start(), keep;
    CPU_ZERO(&keep);
    int seen = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set))
            continue;
        if (seen >= first && seen < first + n)
            CPU_SET(cpu, &keep);
        seen++;
    }
    if (CPU_COUNT(&keep) != n)
        die_msg("cannot run on %d core(s) from number %d: only %d allowed", n, first, seen);
    if (sched_setaffinity(0, sizeof keep, &keep) == -1)
        die("sched_setaffinity");
}

void confine_to_cpus(int n)
{
    keep_cpus(0, n);
}

void pin_to_cpu(int index)
{
    keep_cpus(index, 1);
}
