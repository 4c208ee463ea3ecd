build-clang/chapter08/shm_named: chapters/08-shared-memory/shm_named.c \
  common/args.h common/cleanup.h common/clock.h common/error.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/error.h:
