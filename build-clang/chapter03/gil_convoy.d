build-clang/chapter03/gil_convoy: chapters/03-simulated-gil/gil_convoy.c \
  common/args.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/gil.h common/interp.h common/progress.h \
  common/stats.h common/threads.h

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
