build-clang/chapter02/parallelism: \
  chapters/02-concurrency-vs-parallelism/parallelism.c common/args.h \
  common/clock.h common/cpus.h common/datafile.h common/error.h \
  common/interp.h common/gil.h common/progress.h common/stats.h \
  common/threads.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/interp.h:

common/gil.h:

common/progress.h:

common/stats.h:

common/threads.h:
