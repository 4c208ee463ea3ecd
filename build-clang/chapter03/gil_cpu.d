build-clang/chapter03/gil_cpu: chapters/03-simulated-gil/gil_cpu.c \
  common/args.h common/cleanup.h common/clock.h common/cpus.h \
  common/datafile.h common/error.h common/gil.h common/interp.h \
  common/progress.h common/stats.h common/threads.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/gil.h:

common/interp.h:

common/progress.h:

common/stats.h:

common/threads.h:
