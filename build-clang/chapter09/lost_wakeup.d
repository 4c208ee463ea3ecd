build-clang/chapter09/lost_wakeup: \
  chapters/09-races-and-locks/lost_wakeup.c common/args.h common/clock.h \
  common/error.h common/threads.h

common/args.h:

common/clock.h:

common/error.h:

common/threads.h:
