build-clang/common/server.o: common/server.c common/server.h common/gil.h \
  common/cleanup.h common/clock.h common/error.h common/workloads.h \
  common/pool.h

common/server.h:

common/gil.h:

common/cleanup.h:

common/clock.h:

common/error.h:

common/workloads.h:

common/pool.h:
