/*
 * workloads.h - the tasks the chapters time. Each is written as the Python
 * function it stands for would run in CPython, on a simulated Python thread
 * (interp.h): its CPU work holds the GIL and checks the eval breaker as it
 * goes; its blocking calls (sleep, file and socket I/O) let go of the GIL.
 *
 *   delayed_return      sleep a while, then return the value      I/O-bound
 *   long_factorize      largest factor of n, the slow way         CPU-bound
 *   compute_intensive   a floating-point loop                     CPU-bound
 *   write_file          write a file over and over, read it back  I/O (see below)
 *   api request         one request to the local server           I/O-bound
 *
 * The first two are the functions of the pool demos in the source documents
 * (delayed_return and long_factorize, n = 100000001 + offset); the third is
 * the article's compute_intensive; the last two its io_intensive, with the
 * workbook's own server (server.h) in place of a remote web site.
 *
 * The api request, server_request(), is the one that needs the GIL: the
 * server (server.h) knows nothing of it, so the request drops the GIL, calls
 * the server's client, and takes the GIL back, here with the other
 * workloads.
 *
 * workload_task() runs any of them as a pool task (pool.h): its input is the
 * task's number (an int64_t), its result an int64_t that depends only on
 * that number, so every way of running a workload must give the same results.
 */
#ifndef WORKBOOK_WORKLOADS_H
#define WORKBOOK_WORKLOADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gil.h"
#include "pool.h"
#include "random.h" /* the seeded delays the sleep workload draws; its callers draw them too */

#define FACTORIZE_BASE 100000001LL /* the source documents' n for offset 0 */

/* Sleep delay_ns with the GIL released, then return value. */
int64_t delayed_return(gil_thread *t, int64_t value, int64_t delay_ns);

/* The largest factor of n below n, by trying every number from 1 to n - 1
 * (as the Python does: deliberately slow; 1 for a prime). */
int64_t long_factorize(gil_thread *t, int64_t n);

/* sum of cos(i / 1000) / 1000 for i below iterations. */
double compute_intensive(gil_thread *t, long iterations);

/* Write `bytes` bytes to `path` (create, write, close) `writes` times, then
 * read the file back; returns a checksum of what was read, or -1 with error.
 * Without fsync these writes only reach the page cache: the kernel copies
 * the bytes and returns, so this is mostly CPU work in the kernel; with
 * `sync` each write waits for the device. */
int64_t write_file(gil_thread *t, const char *path, int writes, size_t bytes, bool sync,
                   char *error, size_t error_len);

/* GET /item/ID?attempt=A from the local server on `port` (server.h), as a
 * simulated Python thread would: the GIL is released while waiting. Returns
 * the HTTP status (200, or 503 for a failed attempt), with *value set on
 * 200; or -1 when the request could not be made or timed out, with `error`
 * saying why. */
int server_request(gil_thread *t, int port, long id, int attempt, int64_t timeout_ns,
                   uint64_t *value, char *error, size_t error_len);

typedef enum { WORKLOAD_SLEEP, WORKLOAD_FACTORIZE, WORKLOAD_COMPUTE, WORKLOAD_FILE,
               WORKLOAD_API } workload_kind;
extern const char *const workload_names[]; /* "sleep", "factorize", "compute", "file", "api" */

/* Which workloads are CPU-bound (the rest wait). */
bool workload_is_cpu(workload_kind kind);

typedef struct {
    workload_kind kind;
    int64_t sleep_ns, sleep_sd_ns; /* sleep: delay per task (Gaussian when sd > 0) */
    uint64_t seed;
    int64_t factorize_base;        /* factorize: n = base + task number */
    long compute_iterations;       /* compute */
    const char *file_dir;          /* file: task i writes file_dir/task-i */
    int file_writes;
    size_t file_bytes;
    bool file_sync;
    int api_port;                  /* api: the server's port (server.h) */
    int64_t api_timeout_ns;
} workload;

/* Run task number `index` of w on simulated thread t. Returns 0 with *result
 * set, or -1 with `error` saying why. */
int workload_run(const workload *w, gil_thread *t, int64_t index, int64_t *result,
                 char *error, size_t error_len);

/* workload_run as a pool task: context is the workload, the input the task
 * number (int64_t), the output its result (int64_t). */
int workload_task(pool_task *task);

#endif
