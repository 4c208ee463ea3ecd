build-clang/common/stats.o: common/stats.c common/stats.h common/error.h

common/stats.h:

common/error.h:
