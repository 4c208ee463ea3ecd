/* options.c - see options.h. */
#define _POSIX_C_SOURCE 200809L
#include "options.h"
#include "args.h"
#include "error.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stdnoreturn.h>

/* "-h" is the one short option every program takes; ':' first makes
 * getopt_long report a missing value as ':' instead of printing. */
static const char short_options[] = ":h";

/* The shared options, in the order --help lists them. */
static const struct {
    unsigned takes;
    struct option option;
} shared[] = {
    { TAKES_REPEAT, { "repeat", required_argument, NULL, OPT_REPEAT } },
    { TAKES_DATA, { "data", required_argument, NULL, OPT_DATA } },
    { TAKES_QUICK, { "quick", no_argument, NULL, OPT_QUICK } },
    { TAKES_PROGRESS, { "progress", no_argument, NULL, OPT_PROGRESS } },
};
#define N_SHARED (sizeof shared / sizeof shared[0])
#define TABLE_MAX 64

/* The program's own options followed by the shared ones it takes (all of
 * them for a look ahead, takes = ~0u) and --help. */
static const struct option *full_table(const struct option *own, unsigned takes)
{
    static struct option table[TABLE_MAX + N_SHARED + 2];
    size_t n = 0;
    for (; own[n].name != NULL; n++) {
        if (n == TABLE_MAX)
            die_msg("options: more than %d options", TABLE_MAX);
        table[n] = own[n];
    }
    for (size_t i = 0; i < N_SHARED; i++)
        if (takes & shared[i].takes)
            table[n++] = shared[i].option;
    table[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
    table[n] = (struct option){ NULL, 0, NULL, 0 };
    return table;
}

bool options_given(int argc, char *const argv[], const struct option *own, int code)
{
    const struct option *table = full_table(own, ~0u);
    bool given = false;
    opterr = 0;
    optind = 0; /* glibc: start afresh (also resets its internal state) */
    for (int c; (c = getopt_long(argc, argv, short_options, table, NULL)) != -1;)
        if (c == code)
            given = true;
    optind = 0; /* the next reader starts from the beginning again */
    return given;
}

bool options_quick(int argc, char *const argv[], const struct option *own)
{
    return options_given(argc, argv, own, OPT_QUICK);
}

/* One option's help: its name in a column of 20, then `text` wrapped at 78. */
static void help_line(const char *name, const char *text)
{
    int column = printf("  %-18s", name);
    for (const char *word = text; *word;) {
        size_t len = strcspn(word, " ");
        if (column > 20 && column + 1 + (int)len > 78)
            column = printf("\n%20s", "") - 1;
        column += printf("%s%.*s", column > 20 ? " " : "", (int)len, word);
        word += len;
        word += strspn(word, " ");
    }
    putchar('\n');
}

/* --help: the program's usage and help text, then the shared options'. */
static noreturn void help(const run_options *run)
{
    cli_print_help();
    unsigned takes = run ? run->takes : 0;
    if (takes & TAKES_REPEAT) {
        char text[80];
        snprintf(text, sizeof text, "repeats of every point (1 to %d; default %ld)", REPEAT_MAX,
                 run->repeat);
        help_line("--repeat N", text);
    }
    if (takes & TAKES_DATA)
        help_line("--data FILE", "also write the results as TSV to FILE");
    if (takes & TAKES_QUICK)
        help_line("--quick", run->quick_help ? run->quick_help : "smaller settings, for a run of seconds");
    if (takes & TAKES_PROGRESS)
        help_line("--progress", "show the progress bar even when stderr is not a terminal");
    help_line("--help", "show this help");
    exit(EXIT_SUCCESS);
}

int options_next(int argc, char *const argv[], const struct option *own, run_options *run)
{
    const struct option *table = full_table(own, run ? run->takes : 0);
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, short_options, table, NULL);
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
            help(run);
        case '?':
        case ':':
            arg_reject(c, argv);
        default:
            return c; /* the program's own option, or -1 at the end */
        }
    }
}
