build-clang/chapter09/lock_cost: chapters/09-races-and-locks/lock_cost.c \
  common/args.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/progress.h common/stats.h common/threads.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/progress.h:

common/stats.h:

common/threads.h:
