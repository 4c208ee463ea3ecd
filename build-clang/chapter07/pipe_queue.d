build-clang/chapter07/pipe_queue: chapters/07-queues/pipe_queue.c \
  common/args.h common/cleanup.h common/clock.h common/cpus.h \
  common/datafile.h common/error.h common/io.h common/progress.h \
  common/stats.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/io.h:

common/progress.h:

common/stats.h:
