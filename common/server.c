/* server.c - see server.h. */
#define _DEFAULT_SOURCE /* struct sockaddr_in helpers, prctl */
#include "server.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "random.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
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

#define REQUEST_MAX 2048 /* the longest request the server reads */

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

/* ---- the server (a child process) --------------------------------------------------- */

struct connection {
    int fd;
    const server_options *opt;
};

static void send_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return; /* the client has gone: nothing more to do for it */
        text += n;
        len -= (size_t)n;
    }
}

// snippet-begin: handle-request
/* One connection: read the request, wait the planned latency, answer. */
static void *handle_connection(void *arg)
{
    struct connection c = *(struct connection *)arg;
    free(arg);
    char request[REQUEST_MAX + 1];
    size_t got = 0;
    request[0] = '\0';
    while (got < REQUEST_MAX && strstr(request, "\r\n\r\n") == NULL &&
           strstr(request, "\n\n") == NULL) {
        ssize_t n = recv(c.fd, request + got, REQUEST_MAX - got, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        request[got] = '\0';
    }

    long id;
    int attempt = 0, status;
    int64_t latency;
    char body[256];
    if (sscanf(request, "GET /item/%ld?attempt=%d", &id, &attempt) >= 1 && id >= 0 && attempt >= 0) {
        server_plan(c.opt, id, attempt, &latency, &status);
        sleep_ns(latency);                     /* the remote end thinking */
        if (status == 200)
            snprintf(body, sizeof body, "{\"id\": %ld, \"attempt\": %d, \"value\": %" PRIu64 "}\n",
                     id, attempt, server_value(c.opt->seed, id));
        else
            snprintf(body, sizeof body, "{\"id\": %ld, \"attempt\": %d, \"error\": \"unavailable\"}\n",
                     id, attempt);
    } else {
        status = 404;
        snprintf(body, sizeof body, "{\"error\": \"try GET /item/ID\"}\n");
    }
    char response[512];
    int len = snprintf(response, sizeof response,
                       "HTTP/1.0 %d %s\r\nContent-Type: application/json\r\n"
                       "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                       status, status == 200 ? "OK" : status == 503 ? "Service Unavailable" : "Not Found",
                       strlen(body), body);
    send_all(c.fd, response, (size_t)len);
    close(c.fd);
    return NULL;
}
// snippet-end: handle-request

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
    int fd = socket(AF_INET, SOCK_STREAM, 0);
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
    if (listen(fd, 512) == -1)
        die("server: listen");
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) == -1)
        die("server: getsockname");
    int port = ntohs(addr.sin_port);
    if (write(port_pipe, &port, sizeof port) != (ssize_t)sizeof port)
        die("server: write port");
    close(port_pipe);

    /* Detached: nobody joins a connection's thread; it ends with its answer. */
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0)
        die_rc(rc, "server: pthread_attr_init");
    rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc != 0)
        die_rc(rc, "server: pthread_attr_setdetachstate");
    for (;;) {
        int client = accept(fd, NULL, NULL);
        if (client == -1) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            warn_msg("server: accept: %s", strerror(errno));
            sleep_ns(10 * NS_PER_MS); /* out of descriptors: let some close */
            continue;
        }
        struct connection *c = malloc(sizeof *c);
        if (c == NULL)
            die("server: malloc");
        *c = (struct connection){ .fd = client, .opt = opt };
        pthread_t id;
        if ((rc = pthread_create(&id, &attr, handle_connection, c)) != 0)
            die_rc(rc, "server: pthread_create");
    }
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
