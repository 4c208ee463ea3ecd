build-clang/common/args.o: common/args.c common/args.h common/error.h

common/args.h:

common/error.h:
