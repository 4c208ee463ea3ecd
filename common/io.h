/*
 * io.h - whole reads and writes on pipes and sockets, which may move fewer
 * bytes per call than asked, or be interrupted by a signal (EINTR).
 *
 *   write_all(fd, buf, n);             // all n bytes, or die naming the cause
 *   if (read_all(fd, buf, n) < n) ...  // end-of-file came first
 *   long max = read_number("/proc/sys/fs/pipe-max-size");
 */
#ifndef WORKBOOK_IO_H
#define WORKBOOK_IO_H

#include <stddef.h>

/* Write all n bytes (retrying short writes and EINTR); die on an error. */
void write_all(int fd, const void *buf, size_t n);

/* Read n bytes unless end-of-file comes first; returns how many were read
 * (n, or fewer at end-of-file). Dies on an error. */
size_t read_all(int fd, void *buf, size_t n);

/* The whole number a file holds (a kernel setting in /proc/sys, say), or -1
 * if it cannot be read. */
long read_number(const char *path);

/* The kind of file system `path` is on ("ext4", "tmpfs", "xfs", "btrfs",
 * "overlayfs", "other"; "unknown" if it cannot be told): where file writes
 * go decides whether they wait. */
const char *file_system_name(const char *path);

#endif
