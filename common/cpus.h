/*
 * cpus.h - which cores a program may run on.
 *
 *   confine_to_cpus(1);   // this thread, and every thread or process it
 *                         // creates from now on, runs on one core only
 */
#ifndef WORKBOOK_CPUS_H
#define WORKBOOK_CPUS_H

/* How many cores this process was allowed to run on when it started. */
int cpus_allowed(void);

/*
 * Restrict the calling thread (and what it creates afterwards) to the first
 * `n` of the cores allowed at the start; n = cpus_allowed() gives them all
 * back.
 */
void confine_to_cpus(int n);

/* Run the calling thread on core number `index` of the allowed ones only. */
void pin_to_cpu(int index);

#endif
