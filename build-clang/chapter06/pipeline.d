build-clang/chapter06/pipeline: chapters/06-pipes/pipeline.c \
  common/args.h common/cleanup.h common/clock.h common/error.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/error.h:
