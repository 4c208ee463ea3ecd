/* workloads.c - see workloads.h. */
#define _XOPEN_SOURCE 700 /* M_PI */
#include "workloads.h"
#include "clock.h"
#include "error.h"
#include "interp.h"
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const workload_names[] = { "sleep", "factorize", "compute", "file", "api", NULL };

// snippet-begin: delayed-return
int64_t delayed_return(gil_thread *t, int64_t value, int64_t delay_ns)
{
    interp_sleep(t, delay_ns); /* time.sleep(delay): the GIL is released */
    return value;
}
// snippet-end: delayed-return

// snippet-begin: long-factorize
int64_t long_factorize(gil_thread *t, int64_t n)
{
    int64_t largest = 1;
    for (int64_t i = 2; i < n; i++) {   /* for i in range(2, n): */
        if (n % i == 0)                 /*     if n % i == 0: */
            largest = i;                /*         largest = i */
        gil_eval_breaker(t);            /* the loop's back-edge */
    }
    return largest;
}
// snippet-end: long-factorize

double compute_intensive(gil_thread *t, long iterations)
{
    double sum = 0;
    for (long i = 0; i < iterations; i++) {
        sum += cos((double)i / 1000.0) / 1000.0;
        gil_eval_breaker(t);
    }
    return sum;
}

/* FNV-1a over bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const unsigned char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ bytes[i]) * 0x100000001b3ULL;
    return h;
}

static int64_t io_failed(gil_thread *t, int fd, char *error, size_t error_len, const char *what,
                         const char *path)
{
    snprintf(error, error_len, "%s %s: %s", what, path, strerror(errno));
    if (fd >= 0)
        close(fd);
    gil_take(t);
    return -1;
}

int64_t write_file(gil_thread *t, const char *path, int writes, size_t bytes, bool sync,
                   char *error, size_t error_len)
{
    unsigned char *data = malloc(bytes ? bytes : 1);
    if (data == NULL)
        die("malloc");
    uint64_t seed = fnv1a(0xcbf29ce484222325ULL, (const unsigned char *)path, strlen(path));
    for (size_t i = 0; i < bytes; i++) /* the content depends on the path alone */
        data[i] = (unsigned char)(hash64(seed + i / 8) >> (i % 8 * 8));
    int64_t result = -1;
    gil_drop(t, RELEASE_BLOCKING); /* Py_BEGIN_ALLOW_THREADS around the I/O */
    for (int w = 0; w < writes; w++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd == -1) {
            result = io_failed(t, -1, error, error_len, "open", path);
            goto out;
        }
        for (size_t done = 0; done < bytes;) {
            ssize_t n = write(fd, data + done, bytes - done);
            if (n == -1 && errno == EINTR)
                continue;
            if (n == -1) {
                result = io_failed(t, fd, error, error_len, "write", path);
                goto out;
            }
            done += (size_t)n;
        }
        if (sync && fsync(fd) == -1) {
            result = io_failed(t, fd, error, error_len, "fsync", path);
            goto out;
        }
        if (close(fd) == -1) {
            result = io_failed(t, -1, error, error_len, "close", path);
            goto out;
        }
    }
    /* Read it back: the checksum proves what the last write left there. */
    int fd = open(path, O_RDONLY);
    if (fd == -1) {
        result = io_failed(t, -1, error, error_len, "open", path);
        goto out;
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    for (;;) {
        ssize_t n = read(fd, data, bytes ? bytes : 1);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            result = io_failed(t, fd, error, error_len, "read", path);
            goto out;
        }
        if (n == 0)
            break;
        h = fnv1a(h, data, (size_t)n);
    }
    close(fd);
    gil_take(t);
    result = (int64_t)(h >> 1);
out:
    free(data);
    return result;
}

// snippet-begin: request
int server_request(gil_thread *t, int port, long id, int attempt, int64_t timeout_ns,
                   uint64_t *value, char *error, size_t error_len)
{
    char answer[SERVER_ANSWER_MAX];
    gil_drop(t, RELEASE_BLOCKING); /* connect, send, wait, read: no GIL */
    ssize_t got = server_get(port, id, attempt, timeout_ns, answer, sizeof answer, error, error_len);
    gil_take(t);
    if (got < 0)
        return -1;
    return server_parse(answer, value, error, error_len); /* Python code again: with the GIL */
}
// snippet-end: request

bool workload_is_cpu(workload_kind kind)
{
    return kind == WORKLOAD_FACTORIZE || kind == WORKLOAD_COMPUTE;
}

int workload_run(const workload *w, gil_thread *t, int64_t index, int64_t *result,
                 char *error, size_t error_len)
{
    switch (w->kind) {
    case WORKLOAD_SLEEP:
        *result = delayed_return(t, index,
                                 gaussian_delay_ns(w->seed, (uint64_t)index, w->sleep_ns, w->sleep_sd_ns));
        return 0;
    case WORKLOAD_FACTORIZE:
        *result = long_factorize(t, w->factorize_base + index);
        return 0;
    case WORKLOAD_COMPUTE: {
        double sum = compute_intensive(t, w->compute_iterations + index);
        memcpy(result, &sum, sizeof sum); /* the exact bits, to compare exactly */
        return 0;
    }
    case WORKLOAD_FILE: {
        char path[4096];
        snprintf(path, sizeof path, "%s/task-%lld", w->file_dir, (long long)index);
        *result = write_file(t, path, w->file_writes, w->file_bytes, w->file_sync, error, error_len);
        return *result < 0 ? -1 : 0;
    }
    case WORKLOAD_API: {
        uint64_t value;
        int status = server_request(t, w->api_port, (long)index, 0, w->api_timeout_ns, &value,
                                    error, error_len);
        if (status == 200) {
            *result = (int64_t)(value >> 1);
            return 0;
        }
        if (status > 0)
            snprintf(error, error_len, "the server answered %d", status);
        return -1;
    }
    }
    snprintf(error, error_len, "unknown workload %d", (int)w->kind);
    return -1;
}

// snippet-begin: workload-task
int workload_task(pool_task *task)
{
    int64_t index, result;
    if (task->input_len != sizeof index || task->output_max < sizeof result) {
        snprintf(task->error, sizeof task->error, "workload_task: bad input or output size");
        return -1;
    }
    memcpy(&index, task->input, sizeof index);        /* unpack the input ... */
    if (workload_run(task->context, task->thread, index, &result, task->error,
                     sizeof task->error) != 0)
        return -1;
    memcpy(task->output, &result, sizeof result);     /* ... and pack the result */
    task->output_len = sizeof result;
    return 0;
}
// snippet-end: workload-task
