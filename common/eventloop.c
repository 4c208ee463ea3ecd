/* eventloop.c - see eventloop.h. */
#define _GNU_SOURCE /* RLIMIT_NOFILE helpers */
#include "eventloop.h"
#include "clock.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define EVENTS_PER_TURN 256

void loop_init(event_loop *loop)
{
    *loop = (event_loop){ .epoll_fd = epoll_create1(EPOLL_CLOEXEC) };
    if (loop->epoll_fd == -1)
        die("epoll_create1");
}

void loop_free(event_loop *loop)
{
    close(loop->epoll_fd);
    free(loop->heap);
    loop->heap = NULL;
}

void loop_handler_init(loop_handler *h, loop_fn fn)
{
    *h = (loop_handler){ .fn = fn, .fd = -1, .heap_index = SIZE_MAX };
}

void loop_watch(event_loop *loop, loop_handler *h, int fd, uint32_t events)
{
    struct epoll_event e = { .events = events, .data.ptr = h };
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &e) == -1)
        die("epoll_ctl ADD %d", fd);
    h->fd = fd;
    loop->watched++;
}

void loop_change(event_loop *loop, loop_handler *h, uint32_t events)
{
    struct epoll_event e = { .events = events, .data.ptr = h };
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, h->fd, &e) == -1)
        die("epoll_ctl MOD %d", h->fd);
}

void loop_forget(event_loop *loop, loop_handler *h)
{
    if (h->fd < 0)
        return;
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, h->fd, NULL) == -1)
        die("epoll_ctl DEL %d", h->fd);
    h->fd = -1;
    loop->watched--;
}

/* ---- the deadlines: a binary heap, earliest at the top ------------------------------ */

static void heap_place(event_loop *loop, size_t i, loop_handler *h)
{
    loop->heap[i] = h;
    h->heap_index = i;
}

static void heap_up(event_loop *loop, size_t i)
{
    loop_handler *h = loop->heap[i];
    while (i > 0 && loop->heap[(i - 1) / 2]->deadline_ns > h->deadline_ns) {
        heap_place(loop, i, loop->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_place(loop, i, h);
}

static void heap_down(event_loop *loop, size_t i)
{
    loop_handler *h = loop->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->deadlines)
            break;
        if (child + 1 < loop->deadlines && loop->heap[child + 1]->deadline_ns < loop->heap[child]->deadline_ns)
            child++;
        if (loop->heap[child]->deadline_ns >= h->deadline_ns)
            break;
        heap_place(loop, i, loop->heap[child]);
        i = child;
    }
    heap_place(loop, i, h);
}

void loop_clear_deadline(event_loop *loop, loop_handler *h)
{
    size_t i = h->heap_index;
    if (i == SIZE_MAX)
        return;
    h->heap_index = SIZE_MAX;
    loop_handler *last = loop->heap[--loop->deadlines];
    if (last == h)
        return;
    heap_place(loop, i, last);  /* the last one fills the hole, then finds its place */
    heap_up(loop, i);
    heap_down(loop, last->heap_index);
}

void loop_set_deadline(event_loop *loop, loop_handler *h, int64_t when_ns)
{
    loop_clear_deadline(loop, h);
    if (loop->deadlines == loop->heap_cap) {
        size_t cap = loop->heap_cap ? 2 * loop->heap_cap : 64;
        loop_handler **grown = realloc(loop->heap, cap * sizeof *grown);
        if (grown == NULL)
            die("realloc");
        loop->heap = grown;
        loop->heap_cap = cap;
    }
    h->deadline_ns = when_ns;
    heap_place(loop, loop->deadlines++, h);
    heap_up(loop, h->heap_index);
}

// snippet-begin: loop-run
/* Sleep in epoll_wait until a descriptor is ready or the earliest deadline
 * comes; call the handlers of what is ready, then of the deadlines that
 * have passed; again. */
void loop_run(event_loop *loop)
{
    struct epoll_event ready[EVENTS_PER_TURN];
    while (loop->watched > 0 || loop->deadlines > 0) {
        int timeout_ms = -1;                               /* no deadline: wait for I/O */
        if (loop->deadlines > 0) {
            int64_t wait_ns = loop->heap[0]->deadline_ns - now_ns();
            timeout_ms = wait_ns <= 0 ? 0 : (int)((wait_ns + NS_PER_MS - 1) / NS_PER_MS);
        }
        int n = epoll_wait(loop->epoll_fd, ready, EVENTS_PER_TURN, timeout_ms);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            die("epoll_wait");
        int64_t woke = now_ns();
        loop->turns++;
        for (int i = 0; i < n; i++) {                      /* the descriptors ready */
            loop_handler *h = ready[i].data.ptr;
            h->fn(loop, h, ready[i].events);
        }
        while (loop->deadlines > 0 && loop->heap[0]->deadline_ns <= now_ns()) {
            loop_handler *h = loop->heap[0];               /* the deadlines passed */
            loop_clear_deadline(loop, h);
            h->fn(loop, h, LOOP_DEADLINE);
        }
        int64_t busy = now_ns() - woke;                    /* nobody else was served */
        if (busy > loop->longest_stall_ns)
            loop->longest_stall_ns = busy;
    }
}
// snippet-end: loop-run

long loop_raise_descriptor_limit(long *before)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == -1)
        die("getrlimit RLIMIT_NOFILE");
    *before = (long)limit.rlim_cur;
    if (limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) == -1)
            die("setrlimit RLIMIT_NOFILE to %ld", (long)limit.rlim_max);
    }
    return (long)limit.rlim_cur;
}
