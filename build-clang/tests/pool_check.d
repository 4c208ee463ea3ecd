build-clang/tests/pool_check: tests/helpers/pool_check.c common/args.h \
  common/clock.h common/error.h common/interp.h common/gil.h \
  common/pool.h

common/args.h:

common/clock.h:

common/error.h:

common/interp.h:

common/gil.h:

common/pool.h:
