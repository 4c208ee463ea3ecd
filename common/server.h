/*
 * server.h - a small HTTP server of the workbook's own on 127.0.0.1, standing
 * in for a remote API: each request waits a chosen latency, then answers.
 * No external network is ever used.
 *
 *   api_server s;
 *   server_start(&s, &(server_options){ .latency_ns = 100 * NS_PER_MS });
 *   char answer[SERVER_ANSWER_MAX];
 *   if (server_get(s.port, 17, 0, timeout, answer, sizeof answer, err, sizeof err) >= 0)
 *       status = server_parse(answer, &value, err, sizeof err);
 *   server_stop(&s);
 *
 * The server knows nothing of the simulated GIL. A simulated Python thread
 * makes its request with server_request() (workloads.h), which lets go of
 * the GIL around server_get(), as CPython's socket calls do.
 *
 * The server is a child process listening on an ephemeral port (the kernel
 * picks it; s.port says which), one request per connection (HTTP/1.0). It
 * is one thread with an event loop (eventloop.h): a connection waiting for
 * its latency to pass is a small struct, a socket and a deadline, not a
 * thread, so it holds thousands at once (its descriptor limit is raised to
 * the hard limit). Try it by hand:
 *
 *   curl http://127.0.0.1:PORT/item/17
 *   {"id": 17, "attempt": 0, "value": 2793134165}
 *
 * Everything it does is a function of (seed, id, attempt): the value, the
 * latency drawn from a Gaussian, and whether this attempt fails (503) or is
 * slow. So a run can be repeated exactly, and a retry (attempt + 1) of a
 * failed request can succeed.
 *
 * The server is stopped by server_stop(), and also when the program that
 * started it ends early (exit, die(), SIGINT, SIGTERM: see cleanup.h), and
 * on Linux when that program is killed outright (PR_SET_PDEATHSIG).
 */
#ifndef WORKBOOK_SERVER_H
#define WORKBOOK_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    int64_t latency_ns;    /* how long each answer takes (mean) */
    int64_t latency_sd_ns; /* its standard deviation (0: always the mean) */
    double fail_rate;      /* share of attempts answered 503 Service Unavailable */
    double slow_rate;      /* share of attempts answered only after slow_ns */
    int64_t slow_ns;
    uint64_t seed;
} server_options;

typedef struct {
    pid_t pid;
    int port;
    int cleanup_slot;
} api_server;

/* Start the server; dies (exit 1) if it cannot. */
void server_start(api_server *s, const server_options *opt);

/* Stop it (SIGTERM) and reap it. */
void server_stop(api_server *s);

/* The longest answer server_get() keeps (the server's are far shorter). */
#define SERVER_ANSWER_MAX 2048

/* GET /item/ID?attempt=A from the server on `port`: connect, send, read the
 * answer until the server closes, each step within timeout_ns. Returns the
 * answer's length, NUL-terminated in `answer`; or -1 when the request could
 * not be made or timed out, with `error` saying why. */
ssize_t server_get(int port, long id, int attempt, int64_t timeout_ns, char *answer,
                   size_t answer_max, char *error, size_t error_len);

/* Read an answer of server_get(): returns the HTTP status (200, or 503 for
 * a failed attempt), with *value set on 200; or -1 with `error` saying why. */
int server_parse(const char *answer, uint64_t *value, char *error, size_t error_len);

/* The value the server answers for `id`. */
uint64_t server_value(uint64_t seed, long id);

/* The latency (ns) and status the server gives attempt `attempt` of `id`. */
void server_plan(const server_options *opt, long id, int attempt, int64_t *latency_ns, int *status);

#endif
