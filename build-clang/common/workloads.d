build-clang/common/workloads.o: common/workloads.c common/workloads.h \
  common/gil.h common/pool.h common/clock.h common/error.h \
  common/interp.h common/server.h

common/workloads.h:

common/gil.h:

common/pool.h:

common/clock.h:

common/error.h:

common/interp.h:

common/server.h:
