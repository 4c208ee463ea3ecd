build-clang/chapter09/lost_updates: \
  chapters/09-races-and-locks/lost_updates.c common/args.h \
  common/cleanup.h common/clock.h common/error.h common/io.h \
  common/threads.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/error.h:

common/io.h:

common/threads.h:
