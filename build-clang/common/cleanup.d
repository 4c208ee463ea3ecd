build-clang/common/cleanup.o: common/cleanup.c common/cleanup.h \
  common/error.h

common/cleanup.h:

common/error.h:
