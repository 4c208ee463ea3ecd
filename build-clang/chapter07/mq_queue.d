build-clang/chapter07/mq_queue: chapters/07-queues/mq_queue.c \
  common/args.h common/cleanup.h common/clock.h common/cpus.h \
  common/datafile.h common/error.h common/progress.h common/stats.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/progress.h:

common/stats.h:
