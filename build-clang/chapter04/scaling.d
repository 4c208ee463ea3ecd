build-clang/chapter04/scaling: chapters/04-io-vs-cpu/scaling.c \
  common/args.h common/cleanup.h common/clock.h common/cpus.h \
  common/datafile.h common/error.h common/interp.h common/gil.h \
  common/pool.h common/progress.h common/server.h common/stats.h \
  common/workloads.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/interp.h:

common/gil.h:

common/pool.h:

common/progress.h:

common/server.h:

common/stats.h:

common/workloads.h:
