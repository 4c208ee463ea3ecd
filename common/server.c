/* server.c - see server.h. */
#define _GNU_SOURCE /* accept4, struct sockaddr_in helpers, prctl */
#include "server.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "eventloop.h"
#include "random.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define REQUEST_MAX 2048    /* the longest request the server reads */
#define LISTEN_BACKLOG 4096 /* connections the kernel queues before accept */

uint64_t server_value(uint64_t seed, long id)
{
    return hash64(seed * 0x2545f4914f6cdd1dULL + (uint64_t)id) & 0xffffffffULL;
}

void server_plan(const server_options *opt, long id, int attempt, int64_t *latency_ns, int *status)
{
    uint64_t key = hash64(opt->seed) ^ hash64((uint64_t)id * 1000003ULL + (uint64_t)attempt);
    double u = hash_unit(key);
    *status = u < opt->fail_rate ? 503 : 200;
    if (u >= opt->fail_rate && u < opt->fail_rate + opt->slow_rate)
        *latency_ns = opt->slow_ns;
    else
        *latency_ns = gaussian_delay_ns(opt->seed, key, opt->latency_ns, opt->latency_sd_ns);
}

/* ---- the server (a child process): one thread, one event loop ----------------------- */

/* One connection, from its request to its answer. The server holds
 * thousands at once: each is this struct and a socket, not a thread. */
struct connection {
    loop_handler handler;       /* first: the loop hands it back */
    const server_options *opt;
    char request[REQUEST_MAX + 1];
    size_t got;
    bool planned;               /* the request is in: waiting for its deadline */
    char response[512];
    size_t response_len, sent;
};

static void close_connection(event_loop *loop, struct connection *c)
{
    int fd = c->handler.fd;
    loop_forget(loop, &c->handler);
    loop_clear_deadline(loop, &c->handler);
    close(fd);
    free(c);
}

static bool request_complete(const struct connection *c)
{
    return c->got == REQUEST_MAX || strstr(c->request, "\r\n\r\n") != NULL || strstr(c->request, "\n\n") != NULL;
}

static void write_response(const struct connection *c, char *response, size_t max, size_t *len);

// snippet-begin: handle-request
/* A connection's events: its request comes in; the answer is planned and
 * the connection given a deadline, the planned latency from now; when it
 * passes, the answer goes out. Nobody sleeps: a thread that slept here
 * would keep every other connection waiting. */
static void on_connection(event_loop *loop, loop_handler *h, uint32_t events)
{
    struct connection *c = (struct connection *)h;
    if (events == LOOP_DEADLINE) {                      /* the remote end has thought */
        write_response(c, c->response, sizeof c->response, &c->response_len);
        loop_change(loop, h, EPOLLOUT);
        return;
    }
    if (c->response_len > 0) {                          /* sending the answer */
        ssize_t n = send(h->fd, c->response + c->sent, c->response_len - c->sent, MSG_NOSIGNAL);
        if (n > 0)
            c->sent += (size_t)n;
        if ((n == -1 && errno != EAGAIN && errno != EINTR) || c->sent == c->response_len)
            close_connection(loop, c);                  /* done, or the client has gone */
        return;
    }
    if (c->planned) {                                   /* an error while waiting: the client has gone */
        close_connection(loop, c);
        return;
    }
    ssize_t n = recv(h->fd, c->request + c->got, REQUEST_MAX - c->got, 0);
    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0) {
        c->got += (size_t)n;
        c->request[c->got] = '\0';
    }
    if (n <= 0 || request_complete(c)) {                /* the whole request (or all there is) */
        long id;
        int attempt = 0, status;
        int64_t latency = 0;
        if (sscanf(c->request, "GET /item/%ld?attempt=%d", &id, &attempt) >= 1 && id >= 0 && attempt >= 0)
            server_plan(c->opt, id, attempt, &latency, &status);
        c->planned = true;
        loop_change(loop, h, 0);                        /* nothing to read now: just wait */
        loop_set_deadline(loop, h, now_ns() + latency);
    }
}
// snippet-end: handle-request

/* The answer to c's request: 200 with the value, 503, or 404. */
static void write_response(const struct connection *c, char *response, size_t max, size_t *len)
{
    long id;
    int attempt = 0, status;
    int64_t latency;
    char body[256];
    if (sscanf(c->request, "GET /item/%ld?attempt=%d", &id, &attempt) >= 1 && id >= 0 && attempt >= 0) {
        server_plan(c->opt, id, attempt, &latency, &status);
        if (status == 200)
            snprintf(body, sizeof body, "{\"id\": %ld, \"attempt\": %d, \"value\": %" PRIu64 "}\n",
                     id, attempt, server_value(c->opt->seed, id));
        else
            snprintf(body, sizeof body, "{\"id\": %ld, \"attempt\": %d, \"error\": \"unavailable\"}\n",
                     id, attempt);
    } else {
        status = 404;
        snprintf(body, sizeof body, "{\"error\": \"try GET /item/ID\"}\n");
    }
    int n = snprintf(response, max,
                     "HTTP/1.0 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, status == 200 ? "OK" : status == 503 ? "Service Unavailable" : "Not Found",
                     strlen(body), body);
    *len = n < 0 ? 0 : (size_t)n >= max ? max - 1 : (size_t)n;
}

struct listener {
    loop_handler handler;
    const server_options *opt;
};

/* The listening socket is readable: take every connection waiting. Out of
 * descriptors, stop listening for 10 ms and let some close. */
static void on_listener(event_loop *loop, loop_handler *h, uint32_t events)
{
    struct listener *l = (struct listener *)h;
    if (events == LOOP_DEADLINE) {
        loop_change(loop, h, EPOLLIN);
        return;
    }
    for (;;) {
        int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            warn_msg("server: accept: %s", strerror(errno));
            loop_change(loop, h, 0);
            loop_set_deadline(loop, h, now_ns() + 10 * NS_PER_MS);
            return;
        }
        struct connection *c = malloc(sizeof *c);
        if (c == NULL)
            die("server: malloc");
        c->opt = l->opt;
        c->got = c->response_len = c->sent = 0;
        c->planned = false;
        c->request[0] = '\0';
        loop_handler_init(&c->handler, on_connection);
        loop_watch(loop, &c->handler, fd, EPOLLIN);
    }
}

static void serve(const server_options *opt, int port_pipe)
{
#ifdef __linux__
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1) /* if the program dies, so do we */
        die("server: prctl PR_SET_PDEATHSIG");
#endif
    /* SIGTERM (server_stop) and SIGINT end the server at once: the program's
     * cleanup handlers are not ours, and it may have blocked the signals. */
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    if (sigaction(SIGTERM, &dfl, NULL) == -1)
        die("server: sigaction SIGTERM");
    if (sigaction(SIGINT, &dfl, NULL) == -1)
        die("server: sigaction SIGINT");
    sigset_t stop;
    if (sigemptyset(&stop) == -1)
        die("server: sigemptyset");
    if (sigaddset(&stop, SIGTERM) == -1)
        die("server: sigaddset SIGTERM");
    if (sigaddset(&stop, SIGINT) == -1)
        die("server: sigaddset SIGINT");
    if (sigprocmask(SIG_UNBLOCK, &stop, NULL) == -1)
        die("server: sigprocmask SIG_UNBLOCK");
    long before;
    loop_raise_descriptor_limit(&before);       /* a descriptor per connection held */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1)
        die("server: socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
        die("server: setsockopt");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0,
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t addr_len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        die("server: bind 127.0.0.1");
    if (listen(fd, LISTEN_BACKLOG) == -1)        /* the kernel caps it at net.core.somaxconn */
        die("server: listen");
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) == -1)
        die("server: getsockname");
    int port = ntohs(addr.sin_port);
    if (write(port_pipe, &port, sizeof port) != (ssize_t)sizeof port)
        die("server: write port");
    close(port_pipe);

    event_loop loop;
    loop_init(&loop);
    struct listener l = { .opt = opt };
    loop_handler_init(&l.handler, on_listener);
    loop_watch(&loop, &l.handler, fd, EPOLLIN);
    loop_run(&loop);                             /* for ever: until SIGTERM */
}

void server_start(api_server *s, const server_options *opt)
{
    int port_pipe[2];
    if (pipe(port_pipe) == -1)
        die("server: pipe");
    fflush(NULL);
    pid_t parent = getpid();
    int slot;
    pid_t pid = cleanup_fork(&slot);
    if (pid == 0) {
        close(port_pipe[0]);
        if (getppid() != parent) /* the program died before prctl took effect */
            _exit(EXIT_FAILURE);
        serve(opt, port_pipe[1]);
        _exit(EXIT_FAILURE);
    }
    *s = (api_server){ .pid = pid, .cleanup_slot = slot };
    close(port_pipe[1]);
    int port = 0;
    ssize_t n;
    while ((n = read(port_pipe[0], &port, sizeof port)) == -1 && errno == EINTR)
        ;
    close(port_pipe[0]);
    if (n != (ssize_t)sizeof port)
        die_msg("server: it ended before it was listening (see its message above)");
    s->port = port;
}

void server_stop(api_server *s)
{
    if (s->pid <= 0)
        return;
    if (kill(s->pid, SIGTERM) == -1)
        die("server: kill %d", (int)s->pid);
    int status;
    while (waitpid(s->pid, &status, 0) == -1)
        if (errno != EINTR)
            die("server: waitpid %d", (int)s->pid);
    cleanup_forget(s->cleanup_slot);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
        warn_msg("the local server had already ended (status 0x%x)", (unsigned)status);
    s->pid = 0;
}

/* ---- the client (no GIL here: see server_request in workloads.c) --------------------- */

/* Close fd (if open) and say what failed. */
static ssize_t request_failed(int fd, char *error, size_t error_len, const char *what)
{
    snprintf(error, error_len, "%s: %s", what,
             errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Connect, send the request, read the answer until the server closes. */
ssize_t server_get(int port, long id, int attempt, int64_t timeout_ns, char *answer,
                   size_t answer_max, char *error, size_t error_len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1)
        return request_failed(-1, error, error_len, "socket");
    struct timeval limit = { .tv_sec = timeout_ns / NS_PER_S,
                             .tv_usec = timeout_ns % NS_PER_S / 1000 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) == -1)
        return request_failed(fd, error, error_len, "setsockopt SO_RCVTIMEO");
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) == -1)
        return request_failed(fd, error, error_len, "setsockopt SO_SNDTIMEO");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        return request_failed(fd, error, error_len, "connect");
    char request[256];
    int len = snprintf(request, sizeof request,
                       "GET /item/%ld?attempt=%d HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", id, attempt);
    for (int sent = 0; sent < len;) {
        ssize_t n = send(fd, request + sent, (size_t)(len - sent), MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return request_failed(fd, error, error_len, "send");
        sent += (int)n;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, answer + got, answer_max - 1 - got, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return request_failed(fd, error, error_len, "recv");
        if (n == 0 || (got += (size_t)n) == answer_max - 1)
            break;
    }
    close(fd);
    answer[got] = '\0';
    return (ssize_t)got;
}

int server_parse(const char *answer, uint64_t *value, char *error, size_t error_len)
{
    int status;
    if (sscanf(answer, "HTTP/1.%*d %d", &status) != 1) {
        snprintf(error, error_len, "not an HTTP answer (%zu bytes)", strlen(answer));
        return -1;
    }
    const char *v = strstr(answer, "\"value\": ");
    if (status == 200 && (v == NULL || sscanf(v, "\"value\": %" SCNu64, value) != 1)) {
        snprintf(error, error_len, "no value in the answer");
        return -1;
    }
    return status;
}
