build-clang/chapter05/pool_errors: chapters/05-pools/pool_errors.c \
  common/args.h common/clock.h common/error.h common/interp.h \
  common/gil.h common/pool.h

common/args.h:

common/clock.h:

common/error.h:

common/interp.h:

common/gil.h:

common/pool.h:
