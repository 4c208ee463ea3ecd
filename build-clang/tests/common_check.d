build-clang/tests/common_check: tests/helpers/common_check.c \
  common/args.h common/datafile.h common/error.h common/progress.h \
  common/stats.h

common/args.h:

common/datafile.h:

common/error.h:

common/progress.h:

common/stats.h:
