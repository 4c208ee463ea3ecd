build-clang/chapter06/pipe_throughput: \
  chapters/06-pipes/pipe_throughput.c common/args.h common/cleanup.h \
  common/clock.h common/cpus.h common/datafile.h common/error.h \
  common/io.h common/progress.h common/stats.h common/workloads.h \
  common/gil.h common/pool.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/io.h:

common/progress.h:

common/stats.h:

common/workloads.h:

common/gil.h:

common/pool.h:
