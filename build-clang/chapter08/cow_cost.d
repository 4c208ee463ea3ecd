build-clang/chapter08/cow_cost: chapters/08-shared-memory/cow_cost.c \
  common/args.h common/cleanup.h common/clock.h common/datafile.h \
  common/error.h

common/args.h:

common/cleanup.h:

common/clock.h:

common/datafile.h:

common/error.h:
