/*
 * options.h - the options every measurement program shares, handled once.
 *
 * A program's getopt_long table lists its own options only; it says which of
 * the shared ones it takes in its run_options, and options_next() adds
 * them, parses them and prints their help:
 *
 *   static const struct option options[] = {
 *       { "threads", required_argument, NULL, 't' },
 *       { NULL, 0, NULL, 0 },
 *   };
 *
 * Parsing takes two steps, so that no value ever has to stand for "not
 * given": the defaults first (they may depend on --quick, wherever it stands
 * on the command line), then the options given, each overriding its default.
 *
 *   bool quick = options_quick(argc, argv, options);
 *   *cfg = (struct config){
 *       .threads = quick ? 2 : 4,
 *       .run = { .takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK,
 *                .repeat = quick ? 3 : 5, .quick_help = "threads 2, repeat 3" },
 *   };
 *   for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
 *       switch (c) {
 *       case 't':
 *           cfg->threads = (int)arg_int("--threads", optarg, 1, 64);
 *           break;
 *       }
 *   }
 *   arg_no_operands(argc, argv);
 *
 * The shared options, and the lines --help prints for them after the
 * program's own help text:
 *
 *   --repeat N     repeats of every point (1 to REPEAT_MAX; default: .repeat)
 *   --data FILE    also write the results as TSV to FILE (datafile.h)
 *   --quick        smaller settings, for `make chapterN`: .quick_help
 *   --progress     the progress bar even when stderr is not a terminal
 *   --help, -h     this help (every program)
 *
 * An unknown option, a missing value or a bad one ends the program with
 * the usage line and exit status 2 (args.h).
 */
#ifndef WORKBOOK_OPTIONS_H
#define WORKBOOK_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

/* The shared options a program takes (run_options.takes); --help always. */
enum {
    TAKES_REPEAT = 1,
    TAKES_DATA = 2,
    TAKES_QUICK = 4,
    TAKES_PROGRESS = 8,
};

/* Their codes in the table options_next() builds: above any character. */
enum {
    OPT_REPEAT = 1000,
    OPT_DATA,
    OPT_QUICK,
    OPT_PROGRESS,
    OPT_HELP,
};

#define REPEAT_MAX 10000

/* Which shared options a program takes, and what they set. */
typedef struct {
    unsigned takes;         /* TAKES_* */
    long repeat;            /* the program's default, then --repeat */
    const char *quick_help; /* what --quick changes, for --help */
    const char *data_path;  /* --data; NULL: no data file */
    bool quick;             /* --quick */
    bool force_progress;    /* --progress */
} run_options;

/* Is the option with code `code` (OPT_QUICK, or one of the program's own)
 * on the command line? Reads argv, changes nothing: for defaults that
 * depend on another option. */
bool options_given(int argc, char *const argv[], const struct option *table, int code);

/* options_given(argc, argv, table, OPT_QUICK). */
bool options_quick(int argc, char *const argv[], const struct option *table);

/*
 * The next of the program's own options (its code, with optarg set), or -1
 * when there are no more. The shared options are handled here and not
 * returned. A program that takes none of them but --help may pass NULL.
 */
int options_next(int argc, char *const argv[], const struct option *table, run_options *run);

#endif
