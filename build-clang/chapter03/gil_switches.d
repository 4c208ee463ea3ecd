build-clang/chapter03/gil_switches: \
  chapters/03-simulated-gil/gil_switches.c common/args.h common/clock.h \
  common/cpus.h common/datafile.h common/error.h common/gil.h \
  common/interp.h common/progress.h common/stats.h common/threads.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/gil.h:

common/interp.h:

common/progress.h:

common/stats.h:

common/threads.h:
