build-clang/common/cpus.o: common/cpus.c common/cpus.h common/error.h

common/cpus.h:

common/error.h:
