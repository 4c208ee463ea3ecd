/*
 * threads.h - the join loop every multi-threaded program of the workbook
 * ends with, written once.
 *
 *   join_all(ids, n);   // pthread_join each of ids[0..n-1], or die naming it
 */
#ifndef WORKBOOK_THREADS_H
#define WORKBOOK_THREADS_H

#include <pthread.h>

void join_all(const pthread_t *ids, int n);

#endif
