build-clang/chapter05/overhead: chapters/05-pools/overhead.c \
  common/args.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/pool.h common/gil.h common/progress.h \
  common/stats.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/pool.h:

common/gil.h:

common/progress.h:

common/stats.h:
