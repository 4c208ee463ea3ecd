build-clang/chapter05/completion_order: \
  chapters/05-pools/completion_order.c common/args.h common/clock.h \
  common/datafile.h common/error.h common/pool.h common/gil.h \
  common/workloads.h

common/args.h:

common/clock.h:

common/datafile.h:

common/error.h:

common/pool.h:

common/gil.h:

common/workloads.h:
