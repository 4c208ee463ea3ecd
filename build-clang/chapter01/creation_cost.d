build-clang/chapter01/creation_cost: \
  chapters/01-processes-and-threads/creation_cost.c common/args.h \
  common/clock.h common/datafile.h common/error.h common/progress.h \
  common/stats.h

common/args.h:

common/clock.h:

common/datafile.h:

common/error.h:

common/progress.h:

common/stats.h:
