/*
 * memory.h - what the kernel says a process's memory is, from
 * /proc/PID/status (proc(5)): resident set size, page-table size.
 *
 *   long rss = status_kib(0, "VmRSS");        // this process, KiB
 *   long pte = status_kib(child, "VmPTE");    // another one
 */
#ifndef WORKBOOK_MEMORY_H
#define WORKBOOK_MEMORY_H

#include <sys/types.h>

/* The field ("VmRSS", "VmPTE", "VmHWM", ...) of /proc/PID/status in KiB;
 * pid 0 means this process. -1 when the process is gone or has no such
 * field (a kernel thread, another system). */
long status_kib(pid_t pid, const char *field);

#endif
