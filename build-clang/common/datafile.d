build-clang/common/datafile.o: common/datafile.c common/datafile.h \
  common/cleanup.h common/error.h

common/datafile.h:

common/cleanup.h:

common/error.h:
