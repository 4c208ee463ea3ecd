build-clang/chapter06/pipe_limits: chapters/06-pipes/pipe_limits.c \
  common/args.h common/cleanup.h common/clock.h common/error.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/error.h:
