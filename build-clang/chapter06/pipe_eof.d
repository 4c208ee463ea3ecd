build-clang/chapter06/pipe_eof: chapters/06-pipes/pipe_eof.c \
  common/args.h common/cleanup.h common/clock.h common/error.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/error.h:
