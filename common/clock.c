/* clock.c - see clock.h. */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"
#include "error.h"

#include <errno.h>
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

int64_t cpu_ns_with_children(void)
{
    return cpu_ns_self() + cpu_ns_children();
}

void sleep_ns(int64_t ns)
{
    struct timespec left = { .tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S };
    while (nanosleep(&left, &left) == -1)
        if (errno != EINTR)
            die("nanosleep");
}

struct timespec realtime_after(int64_t ns)
{
    struct timespec t;
    if (clock_gettime(CLOCK_REALTIME, &t) == -1)
        die("clock_gettime(CLOCK_REALTIME)");
    t.tv_sec += ns / NS_PER_S;
    t.tv_nsec += ns % NS_PER_S;
    if (t.tv_nsec >= NS_PER_S) {
        t.tv_sec++;
        t.tv_nsec -= NS_PER_S;
    }
    return t;
}
