build-clang/common/pool.o: common/pool.c common/pool.h common/gil.h \
  common/cleanup.h common/clock.h common/error.h common/interp.h \
  common/io.h common/progress.h common/threads.h

common/pool.h:

common/gil.h:

common/cleanup.h:

common/clock.h:

common/error.h:

common/interp.h:

common/io.h:

common/progress.h:

common/threads.h:
