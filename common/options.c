/* options.c - see options.h. */
#define _POSIX_C_SOURCE 200809L
#include "options.h"
#include "args.h"
#include "error.h"

#include <stddef.h>

/* "-h" is the one short option every program takes; ':' first makes
 * getopt_long report a missing value as ':' instead of printing. */
static const char short_options[] = ":h";

bool options_given(int argc, char *const argv[], const struct option *table, int code)
{
    bool given = false;
    opterr = 0;
    optind = 0; /* glibc: start afresh (also resets its internal state) */
    for (int c; (c = getopt_long(argc, argv, short_options, table, NULL)) != -1;)
        if (c == code)
            given = true;
    optind = 0; /* the next reader starts from the beginning again */
    return given;
}

bool options_quick(int argc, char *const argv[], const struct option *table)
{
    return options_given(argc, argv, table, OPT_QUICK);
}

int options_next(int argc, char *const argv[], const struct option *table, run_options *run)
{
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, short_options, table, NULL);
        if (run == NULL && c >= OPT_REPEAT && c < OPT_HELP)
            die_msg("options_next: option code %d needs a run_options", c);
        switch (c) {
        case OPT_REPEAT:
            run->repeat = (long)arg_int("--repeat", optarg, 1, REPEAT_MAX);
            break;
        case OPT_DATA:
            run->data_path = arg_path("--data", optarg);
            break;
        case OPT_QUICK:
            run->quick = true;
            break;
        case OPT_PROGRESS:
            run->force_progress = true;
            break;
        case OPT_HELP:
        case 'h':
            cli_help();
        case '?':
        case ':':
            arg_reject(c, argv);
        default:
            return c; /* the program's own option, or -1 at the end */
        }
    }
}
