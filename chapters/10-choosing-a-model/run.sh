#!/usr/bin/env bash
# Chapter 10: what `make chapter10` (quick) and `make measure-chapter10`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)

say "1. The case study: synthetic users five ways (case_study)"
"$BIN/case_study" "${quick[@]}" --data "$DATA_DIR/10-case-study.tsv"

say "2. Pitfalls: tasks too small, arguments too big (pitfalls)"
"$BIN/pitfalls" "${quick[@]}" --data "$DATA_DIR/10-pitfalls.tsv"

say "3. Pitfall: OpenMP threads inside a pool of processes (oversubscription)"
# Twice: as built (gcc links GNU's OpenMP runtime, libgomp), then built by
# clang, which links LLVM's (libomp), into a folder of its own beside BIN.
# Each data file names the runtime it ran with (# openmp_runtime).
libomp_build=$(dirname "$BIN")/libomp
if [ "${WORKBOOK_SANITIZER:-}" = tsan ]; then
    # The OpenMP runtime is not built for ThreadSanitizer: it would report
    # its own internals. The program is checked in the other builds.
    echo "(ThreadSanitizer build: the OpenMP pitfall is skipped)"
else
    "$BIN/oversubscription" "${quick[@]}" --data "$DATA_DIR/10-oversubscription.tsv"
    if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
        echo "(sanitizer build: the clang/libomp run is left to the plain builds)"
    elif echo 'int main(void) { return 0; }' | clang -fopenmp -x c - -o /dev/null 2>/dev/null; then
        echo "(the same program built by clang, in $libomp_build)"
        make --no-print-directory BUILD="$libomp_build" CC=clang "$libomp_build/chapter10/oversubscription" >/dev/null
        "$libomp_build/chapter10/oversubscription" "${quick[@]}" --data "$DATA_DIR/10-oversubscription-libomp.tsv"
    else
        echo "(no clang with OpenMP here, so no libomp run: apt-get install clang libomp-dev)"
    fi
fi

say "Graphs"
draw_graph 10-case-study
draw_graph 10-pitfalls
if [ -f "$DATA_DIR/10-oversubscription.tsv" ]; then    # not in a ThreadSanitizer build
    draw_graph 10-oversubscription
fi
