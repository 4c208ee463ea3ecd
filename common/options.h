/*
 * options.h - the options every measurement program shares, handled once.
 *
 * A program lists every option it takes in one getopt_long table, its own
 * beside the shared ones, so that a reader sees them all in one place; the
 * shared ones use the codes below and options_next() handles them:
 *
 *   static const struct option options[] = {
 *       { "threads",  required_argument, NULL, 't' },          // its own
 *       { "repeat",   required_argument, NULL, OPT_REPEAT },   // shared
 *       { "data",     required_argument, NULL, OPT_DATA },
 *       { "quick",    no_argument,       NULL, OPT_QUICK },
 *       { "progress", no_argument,       NULL, OPT_PROGRESS },
 *       { "help",     no_argument,       NULL, OPT_HELP },
 *       { NULL, 0, NULL, 0 },
 *   };
 *
 * Parsing takes two steps, so that no value ever has to stand for "not
 * given": the defaults first (they depend on --quick, wherever it stands on
 * the command line), then the options given, each overriding its default.
 *
 *   bool quick = options_quick(argc, argv, options);
 *   *cfg = (struct config){ .threads = quick ? 2 : 4, .run.repeat = quick ? 3 : 5 };
 *   for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
 *       switch (c) {
 *       case 't':
 *           cfg->threads = (int)arg_int("--threads", optarg, 1, 64);
 *           break;
 *       }
 *   }
 *   arg_no_operands(argc, argv);
 *
 *   --repeat N     repeats of every point, 1 to REPEAT_MAX
 *   --data FILE    also write the results as TSV to FILE (datafile.h)
 *   --quick        smaller defaults, for `make chapterN` (seconds)
 *   --progress     the progress bar even when stderr is not a terminal
 *   --help, -h     the usage line and the help text given to cli_init()
 *
 * An unknown option, a missing value or a bad one ends the program with
 * the usage line and exit status 2 (args.h).
 */
#ifndef WORKBOOK_OPTIONS_H
#define WORKBOOK_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

/* Codes of the shared options in a getopt_long table: above any character. */
enum {
    OPT_REPEAT = 1000,
    OPT_DATA,
    OPT_QUICK,
    OPT_PROGRESS,
    OPT_HELP,
};

#define REPEAT_MAX 10000

/* What the shared options set. */
typedef struct {
    long repeat;           /* the program's default, or --repeat */
    const char *data_path; /* --data; NULL: no data file */
    bool quick;            /* --quick */
    bool force_progress;   /* --progress */
} run_options;

/* Is the option with code `code` (OPT_QUICK, or one of the program's own)
 * on the command line? Reads argv with `table`, changes nothing: for
 * defaults that depend on another option. */
bool options_given(int argc, char *const argv[], const struct option *table, int code);

/* options_given(argc, argv, table, OPT_QUICK). */
bool options_quick(int argc, char *const argv[], const struct option *table);

/*
 * The next of the program's own options (its code, with optarg set), or -1
 * when there are no more. Shared options are handled here and not returned.
 * A program whose only shared option is --help may pass run = NULL.
 */
int options_next(int argc, char *const argv[], const struct option *table, run_options *run);

#endif
