build-clang/common/clock.o: common/clock.c common/clock.h common/error.h

common/clock.h:

common/error.h:
