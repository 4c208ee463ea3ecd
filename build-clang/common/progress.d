build-clang/common/progress.o: common/progress.c common/progress.h \
  common/clock.h

common/progress.h:

common/clock.h:
