build-clang/chapter09/false_sharing: \
  chapters/09-races-and-locks/false_sharing.c common/args.h \
  common/clock.h common/cpus.h common/datafile.h common/error.h \
  common/stats.h common/threads.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/stats.h:

common/threads.h:
