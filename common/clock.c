/* clock.c - see clock.h. */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"
#include "error.h"

#include <sys/resource.h>
#include <time.h>

int64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
        die("clock_gettime(CLOCK_MONOTONIC)");
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int64_t timeval_ns(struct timeval tv)
{
    return (int64_t)tv.tv_sec * NS_PER_S + (int64_t)tv.tv_usec * NS_PER_US;
}

static int64_t rusage_cpu_ns(int who)
{
    struct rusage ru;
    if (getrusage(who, &ru) == -1)
        die("getrusage");
    return timeval_ns(ru.ru_utime) + timeval_ns(ru.ru_stime);
}

int64_t cpu_ns_self(void)
{
    return rusage_cpu_ns(RUSAGE_SELF);
}

int64_t cpu_ns_children(void)
{
    return rusage_cpu_ns(RUSAGE_CHILDREN);
}
