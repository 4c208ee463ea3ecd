build-clang/common/gil.o: common/gil.c common/gil.h common/threads.h \
  common/clock.h common/error.h

common/gil.h:

common/threads.h:

common/clock.h:

common/error.h:
