build-clang/tests/no_orphans: tests/helpers/no_orphans.c common/error.h

common/error.h:
