build-clang/chapter04/api_server: chapters/04-io-vs-cpu/api_server.c \
  common/args.h common/clock.h common/error.h common/server.h \
  common/gil.h

common/args.h:

common/clock.h:

common/error.h:

common/server.h:

common/gil.h:
