build-clang/chapter06/pipe_atomic: chapters/06-pipes/pipe_atomic.c \
  common/args.h common/cleanup.h common/datafile.h common/error.h \
  common/io.h common/workloads.h common/gil.h common/pool.h

common/args.h:

common/cleanup.h:

common/datafile.h:

common/error.h:

common/io.h:

common/workloads.h:

common/gil.h:

common/pool.h:
