build-clang/common/io.o: common/io.c common/io.h common/error.h

common/io.h:

common/error.h:
