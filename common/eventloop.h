/*
 * eventloop.h - one thread waiting on many things at once: descriptors
 * (epoll) and deadlines (a heap of times), the loop under asyncio and under
 * every event-driven server.
 *
 *   event_loop loop;
 *   loop_init(&loop);
 *   loop_handler_init(&conn->handler, on_event);  // embedded in the caller's struct
 *   loop_watch(&loop, &conn->handler, fd, EPOLLIN);          // call me when fd is readable
 *   loop_set_deadline(&loop, &conn->handler, now_ns() + timeout); // ... or at this time
 *   loop_run(&loop);   // until nothing is watched and no deadline is set
 *   loop_free(&loop);
 *
 * The handler is called with what epoll reported (EPOLLIN, EPOLLOUT,
 * EPOLLERR, EPOLLHUP), or with LOOP_DEADLINE (0) once its deadline has
 * passed (the deadline is cleared first). Each handler has at most one
 * descriptor and one deadline. A handler may free its own struct (after
 * loop_forget and loop_clear_deadline), never another handler's.
 *
 * Nothing runs while a handler runs: a handler that computes for 100 ms
 * delays every other descriptor and deadline by 100 ms. The loop measures
 * it: longest_stall_ns is the longest time it went between two looks at its
 * descriptors.
 */
#ifndef WORKBOOK_EVENTLOOP_H
#define WORKBOOK_EVENTLOOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#define LOOP_DEADLINE 0u /* the events a handler gets when its deadline passes */

typedef struct event_loop event_loop;
typedef struct loop_handler loop_handler;
typedef void (*loop_fn)(event_loop *loop, loop_handler *h, uint32_t events);

struct loop_handler {
    loop_fn fn;
    int fd;               /* the descriptor watched, -1: none */
    int64_t deadline_ns;  /* now_ns() time, while heap_index says it is set */
    size_t heap_index;    /* its place in the loop's heap; SIZE_MAX: no deadline */
};

struct event_loop {
    int epoll_fd;
    loop_handler **heap;  /* the deadlines, earliest first */
    size_t deadlines, heap_cap;
    long watched;         /* descriptors watched */
    int64_t longest_stall_ns;
    long turns;           /* epoll_wait calls */
};

void loop_init(event_loop *loop);
void loop_free(event_loop *loop);
void loop_handler_init(loop_handler *h, loop_fn fn);

/* Watch fd for `events` (EPOLLIN, EPOLLOUT); change them; stop watching
 * (before closing fd). Die on an error. */
void loop_watch(event_loop *loop, loop_handler *h, int fd, uint32_t events);
void loop_change(event_loop *loop, loop_handler *h, uint32_t events);
void loop_forget(event_loop *loop, loop_handler *h);

/* Call h at now_ns() time `when_ns` (replacing its deadline, if any); or not. */
void loop_set_deadline(event_loop *loop, loop_handler *h, int64_t when_ns);
void loop_clear_deadline(event_loop *loop, loop_handler *h);

/* Wait and call handlers until nothing is watched and no deadline is set. */
void loop_run(event_loop *loop);

/* Raise this process's soft limit on open descriptors (RLIMIT_NOFILE) to
 * its hard limit: a loop holding thousands of sockets needs one each.
 * Returns the new soft limit, with the old one in *before. */
long loop_raise_descriptor_limit(long *before);

#endif
