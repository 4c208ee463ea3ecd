build-clang/chapter08/shared_matrix: \
  chapters/08-shared-memory/shared_matrix.c common/args.h \
  common/cleanup.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/pool.h common/gil.h common/progress.h \
  common/stats.h common/workloads.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/pool.h:

common/gil.h:

common/progress.h:

common/stats.h:

common/workloads.h:
