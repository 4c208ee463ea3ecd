build-clang/chapter08/shared_vs_private: \
  chapters/08-shared-memory/shared_vs_private.c common/args.h \
  common/cleanup.h common/error.h

common/args.h:

common/cleanup.h:

common/error.h:
