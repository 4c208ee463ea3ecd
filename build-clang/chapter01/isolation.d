build-clang/chapter01/isolation: \
  chapters/01-processes-and-threads/isolation.c common/args.h \
  common/error.h

common/args.h:

common/error.h:
