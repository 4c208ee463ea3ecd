build-clang/tests/common_check: tests/helpers/common_check.c \
  common/args.h common/clock.h common/datafile.h common/error.h \
  common/progress.h common/stats.h common/workloads.h common/gil.h \
  common/pool.h common/interp.h

common/args.h:

common/clock.h:

common/datafile.h:

common/error.h:

common/progress.h:

common/stats.h:

common/workloads.h:

common/gil.h:

common/pool.h:

common/interp.h:
