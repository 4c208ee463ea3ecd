build-clang/common/interp.o: common/interp.c common/interp.h common/gil.h \
  common/clock.h common/error.h

common/interp.h:

common/gil.h:

common/clock.h:

common/error.h:
