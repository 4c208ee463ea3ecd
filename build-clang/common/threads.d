build-clang/common/threads.o: common/threads.c common/threads.h \
  common/error.h

common/threads.h:

common/error.h:
