/*
 * args.h - strict parsing of command-line values, for getopt_long loops.
 *
 * Every function names the option in its messages and exits with status 2
 * (through usage_error) on anything it cannot accept:
 *
 *   --repeat ''       --repeat: empty value
 *   --repeat abc      --repeat: 'abc' is not a whole number
 *   --repeat 5x       --repeat: '5x' has trailing characters 'x'
 *   --repeat 1e99     --repeat: '1e99' has trailing characters 'e99'
 *   --repeat 99999999999999999999   --repeat: '9999...' is too large
 *   --repeat 0        --repeat: 0 is out of range (1 to 100000)
 */
#ifndef WORKBOOK_ARGS_H
#define WORKBOOK_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

/* A whole number in [min, max]. */
long long arg_int(const char *option, const char *text, long long min, long long max);

/*
 * A duration with a unit: "500us", "0.5ms", "5ms", "2s", "100ns".
 * A bare number is rejected (is "5" seconds or milliseconds?).
 * Returns nanoseconds, in [min_ns, max_ns].
 */
long long arg_duration_ns(const char *option, const char *text, long long min_ns, long long max_ns);

/*
 * A comma-separated list of whole numbers, each in [min, max]: "0,64,256".
 * Stores up to `capacity` values in out[] and returns how many there were.
 */
size_t arg_int_list(const char *option, const char *text, long long min, long long max,
                    long long *out, size_t capacity);

/* A comma-separated list of durations ("0.5ms,5ms"), each in [min_ns, max_ns]. */
size_t arg_duration_list(const char *option, const char *text, long long min_ns,
                         long long max_ns, long long *out, size_t capacity);

/* One of `choices` (a NULL-terminated list); returns its index. */
int arg_choice(const char *option, const char *text, const char *const choices[]);

/*
 * A comma-separated list of names from `choices` (NULL-terminated):
 * chosen[i] becomes true for each name given, false for the others.
 */
void arg_choice_list(const char *option, const char *text, const char *const choices[],
                     bool chosen[]);

/* A file name: any non-empty text. */
const char *arg_path(const char *option, const char *text);

/*
 * For the default: branch of a getopt_long loop (opterr = 0, optstring
 * starting with ':'): reports the unknown option or the missing value.
 */
noreturn void arg_reject(int getopt_result, char *const argv[]);

/* Reject positional arguments left after option parsing. */
void arg_no_operands(int argc, char *const argv[]);

#endif
