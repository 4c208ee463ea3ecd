build-clang/chapter09/deadlock: chapters/09-races-and-locks/deadlock.c \
  common/args.h common/clock.h common/error.h common/threads.h \
  common/workloads.h common/gil.h common/pool.h

common/args.h:

common/clock.h:

common/error.h:

common/threads.h:

common/workloads.h:

common/gil.h:

common/pool.h:
