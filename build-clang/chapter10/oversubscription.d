build-clang/chapter10/oversubscription: \
  chapters/10-choosing-a-model/oversubscription.c common/args.h \
  common/cleanup.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/io.h common/stats.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/io.h:

common/stats.h:
