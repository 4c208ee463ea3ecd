build-clang/chapter03/gil_calls: chapters/03-simulated-gil/gil_calls.c \
  common/args.h common/clock.h common/cpus.h common/datafile.h \
  common/error.h common/gil.h common/interp.h common/threads.h

common/args.h:

common/clock.h:

common/cpus.h:

common/datafile.h:

common/error.h:

common/gil.h:

common/interp.h:

common/threads.h:
