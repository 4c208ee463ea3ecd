# Threads, Processes and the GIL - the one entry point.  `make help` lists
# the targets.  Every folder chapters/NN-name/ is a chapter: each .c file in it
# is one program (built as build/chapterNN/NAME), and its run.sh says what
# `make chapterN` and `make measure-chapterN` run.  Adding a chapter means
# adding a folder; nothing here changes.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  ?=
WARN     = -Wall -Wextra -Wpedantic -Werror
ALL_CFLAGS = -std=c11 -pthread $(WARN) $(OPT) $(SAN) $(CFLAGS) -Icommon
LDLIBS   = -pthread -lm -lrt

# The tools a target needs; .ci/deps.sh installs what is missing (or says
# exactly what to install).
COMPILER := $(firstword $(CC))
DEPS_BUILD = $(COMPILER)
DEPS_RUN   = $(COMPILER) gnuplot
DEPS_MPI   = mpicc mpirun
DEPS_TEST  = $(COMPILER) gnuplot bats python3 curl shellcheck strace pandoc chromium $(DEPS_MPI) ip python3-mpi4py

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

# ---- common/: the small library every chapter links -------------------------
COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIB        := $(BUILD)/libworkbook.a

# datafile.o records how the programs were built in every data file.
$(BUILD)/common/datafile.o: DEFINES = -DBUILD_CFLAGS='"$(strip $(ALL_CFLAGS))"'

$(BUILD)/common/%.o: common/%.c | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEFINES) -MMD -MP -c -o $@ $<

# Made afresh each time: an archive only updated would keep the objects of
# sources since removed or renamed (their symbols then clash at link time).
$(LIB): $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# ---- chapters ----------------------------------------------------------------
CHAPTER_DIRS := $(sort $(patsubst %/,%,$(wildcard chapters/[0-9][0-9]-*/)))

# A program that needs more than the common flags says so in a line of its
# own, "// build-flags: -fopenmp" (chapter 10's OpenMP kernel does). An MPI
# program says "// build-with: mpicc": it is compiled by $(CC) all the same
# (gcc, clang, the sanitizers), with the include and link flags Open MPI's
# wrapper gives (`mpicc --showme`), asked when the rule runs, after deps-mpi
# has installed Open MPI: only those programs need it, so `make chapter1`
# does not install it.
program_flags = $(shell sed -n 's|^// build-flags: ||p' $(1))
program_mpi = $(shell grep -q '^// build-with: mpicc$$' $(1) && echo mpi)
program_mpi_cflags = $(if $(program_mpi),$(shell mpicc --showme:compile))
program_mpi_libs = $(if $(program_mpi),$(shell mpicc --showme:link))

# $(call chapter_rules,DIR,NN,N): rules for one chapter folder.
define chapter_rules
CHAPTER$(2)_BIN := $$(patsubst $(1)/%.c,$(BUILD)/chapter$(2)/%,$$(wildcard $(1)/*.c))
ALL_BIN += $$(CHAPTER$(2)_BIN)

$(BUILD)/chapter$(2)/%: $(1)/%.c $(LIB) | deps-build
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(call program_flags,$$<) $$(call program_mpi_cflags,$$<) -MMD -MP -MF $$@.d -o $$@ $$< $(LIB) $$(call program_mpi_libs,$$<) $$(LDLIBS)

.PHONY: build-chapter$(2) $$(sort chapter$(2) chapter$(3) measure-chapter$(2) measure-chapter$(3))
build-chapter$(2): $$(CHAPTER$(2)_BIN)
$$(sort chapter$(2) chapter$(3)): build-chapter$(2) | deps-run
	BIN=$(BUILD)/chapter$(2) OUT=$(BUILD)/chapter$(2) $(1)/run.sh quick
$$(sort measure-chapter$(2) measure-chapter$(3)): build-chapter$(2) | deps-run
	BIN=$(BUILD)/chapter$(2) OUT=plots $(1)/run.sh measure
QUICK_TARGETS += chapter$(2)
MEASURE_TARGETS += measure-chapter$(2)
endef

chapter_number = $(firstword $(subst -, ,$(notdir $(1))))
$(foreach dir,$(CHAPTER_DIRS),$(eval $(call chapter_rules,$(dir),$(call chapter_number,$(dir)),$(patsubst 0%,%,$(call chapter_number,$(dir))))))

MPI_SRC := $(shell grep -l '^// build-with: mpicc$$' chapters/[0-9][0-9]-*/*.c)
MPI_BIN := $(foreach src,$(MPI_SRC),$(BUILD)/chapter$(call chapter_number,$(patsubst %/,%,$(dir $(src))))/$(basename $(notdir $(src))))
$(MPI_BIN): | deps-mpi

# ---- chapter 3's tracer: a library loaded with LD_PRELOAD --------------------
# It is loaded into interpreters built without sanitizers, so it is built
# without them (the sanitizer builds get an ordinary copy). It names libdl
# (libdl.so.2) even where the C library holds dlsym itself (glibc 2.34 and
# later): an older C library, as 2.7's from Debian 11, keeps it there.
TRACE_SO := $(BUILD)/chapter03/gil_trace.so

$(TRACE_SO): chapters/03-simulated-gil/trace/gil_trace.c | deps-build
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SAN),$(ALL_CFLAGS)) -fPIC -shared -MMD -MP -MF $@.d -o $@ $< \
	    -Wl,--no-as-needed -l:libdl.so.2

build-chapter03: $(TRACE_SO)

# ---- test helpers: small programs the bats suites drive ---------------------
TEST_BIN := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(wildcard tests/helpers/*.c))

$(BUILD)/tests/%: tests/helpers/%.c $(LIB) | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(LIB) $(LDLIBS)

# ---- the targets a reader uses ------------------------------------------------
.PHONY: all test plots measure docs check-docs check-exercise student-edition grade clean help \
        asan tsan quick-all \
        deps-build deps-run deps-mpi deps-test interpreters clean-interpreters

all: $(ALL_BIN) $(TEST_BIN) $(TRACE_SO)

test: all | deps-test
	BUILD=$(BUILD) tests/run.sh

# Redraw every reference graph from the reference data (no measuring).
plots: | deps-run
	@for script in plots/[0-9]*.gp; do \
	    echo "gnuplot $$script"; LC_ALL=C.UTF-8 gnuplot "$$script" || exit 1; \
	done

measure: $(MEASURE_TARGETS)

# Every chapter's quick mode, one after the other (used by the sanitizer builds).
quick-all:
	@for target in $(QUICK_TARGETS); do $(MAKE) --no-print-directory $$target || exit 1; done

# Refresh the code blocks, tables and figures in the markdown from the sources
# and the data; check them, and every link, against the repository.
docs:
	tests/lib/docs.sh update README.md INSTRUCTORS.md chapters/*/README.md
check-docs:
	tests/lib/docs.sh check README.md INSTRUCTORS.md chapters/*/README.md

# The course kit: check one exercise against this working tree (EX=1.2), or
# write the student edition (the texts without their folded answers, no
# solutions/) into $(BUILD)/student-edition.
check-exercise:
	@tests/lib/exercise.sh check "$(EX)"
student-edition:
	tests/lib/student-edition.sh $(BUILD)/student-edition
# Grade a class: every checker over each student's tree (TREES="dir ...",
# EXERCISES=1.2,1.4 for some only); a table, and every verdict in grade-details.txt.
grade:
	tests/lib/grade.sh $(if $(EXERCISES),--exercises $(EXERCISES)) $(TREES)

# Sanitizer builds: each in its own folder, running every chapter's quick mode.
asan:
	WORKBOOK_SANITIZER=asan $(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" quick-all
tsan:
	WORKBOOK_SANITIZER=tsan $(MAKE) --no-print-directory BUILD=build-tsan OPT="-O1 -g" SAN="-fsanitize=thread" quick-all

clean:
	rm -rf build build-asan build-tsan

# Optional, as root: CPython 2.7 and a free-threaded 3.13t with its GIL twin,
# from Debian's archive, for chapter 3 (common/interpreters.sh says how).
WORKBOOK_INTERPRETERS ?= /opt/workbook-interpreters
interpreters:
	WORKBOOK_INTERPRETERS=$(WORKBOOK_INTERPRETERS) common/interpreters.sh
clean-interpreters:
	rm -rf $(WORKBOOK_INTERPRETERS)

# ---- the book: the workbook as HTML pages and a PDF (book/README.md) ----------
# Built from the chapter files by pandoc; this machine's graphs come from
# $(BUILD)/chapterNN/ when `make chapterN` drew them.
DEPS_BOOK     = pandoc
DEPS_BOOK_PDF = pandoc chromium
.PHONY: book book-pdf deps-book deps-book-pdf
book: | deps-book
	BUILD=$(BUILD) book/build.sh $(BUILD)/book
book-pdf: | deps-book-pdf
	BUILD=$(BUILD) book/build.sh --pdf $(BUILD)/book
deps-book:
	@.ci/deps.sh $(DEPS_BOOK)
deps-book-pdf:
	@.ci/deps.sh $(DEPS_BOOK_PDF)
# ---- end of the book ------------------------------------------------------------

deps-build:
	@.ci/deps.sh $(DEPS_BUILD)
deps-run:
	@.ci/deps.sh $(DEPS_RUN)
deps-mpi:
	@.ci/deps.sh $(DEPS_MPI)
deps-test:
	@.ci/deps.sh $(DEPS_TEST)

help:
	@echo "make                   build every program (build/chapterNN/NAME)"
	@echo "make chapterN          build chapter N, run it in quick mode, draw this machine's"
	@echo "                       graphs under build/chapterNN/ (also chapter0N)"
	@echo "make test              run the whole bats test suite"
	@echo "make plots             redraw the reference graphs in plots/ from plots/data/"
	@echo "make measure           measure every chapter again and rewrite plots/data/"
	@echo "make measure-chapterN  the same for chapter N"
	@echo "make docs              refresh code blocks, tables and figures from sources and data"
	@echo "make check-docs        check them, and that every link stays in the repository"
	@echo "make check-exercise EX=1.2  check exercise 1.2 in this tree (pass or fail, and why)"
	@echo "make student-edition   the texts without answers or solutions, in build/student-edition"
	@echo "make grade TREES='a b' every checker over each student's tree: a table of results"
	@echo "make asan | tsan       sanitizer builds (build-asan/, build-tsan/) + quick mode"
	@echo "make book              the workbook as HTML pages in build/book/ (index.html)"
	@echo "make book-pdf          the same, and build/book/workbook.pdf (headless chromium)"
	@echo "make clean             remove build/, build-asan/, build-tsan/"
	@echo "make interpreters      (optional, root) CPython 2.7, 3.13 and free-threaded 3.13t"
	@echo "                       from Debian's archive, for chapter 3 (about 1.9 GB, 15 min)"
	@echo "make clean-interpreters  remove them"
	@echo "variables: CC=clang, BUILD=dir, OPT='-O0 -g', CFLAGS=extra"
	@echo "chapters: $(notdir $(CHAPTER_DIRS))"

-include $(COMMON_OBJ:.o=.d) $(addsuffix .d,$(ALL_BIN) $(TEST_BIN) $(TRACE_SO))
