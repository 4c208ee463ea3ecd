build-clang/chapter10/case_study: \
  chapters/10-choosing-a-model/case_study.c common/args.h \
  common/cleanup.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/interp.h common/gil.h common/io.h common/pool.h \
  common/progress.h common/server.h common/stats.h common/threads.h \
  common/workloads.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/interp.h:

common/gil.h:

common/io.h:

common/pool.h:

common/progress.h:

common/server.h:

common/stats.h:

common/threads.h:

common/workloads.h:
