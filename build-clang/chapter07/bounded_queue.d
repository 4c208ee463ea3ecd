build-clang/chapter07/bounded_queue: chapters/07-queues/bounded_queue.c \
  common/args.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/progress.h common/stats.h common/threads.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/progress.h:

common/stats.h:

common/threads.h:
