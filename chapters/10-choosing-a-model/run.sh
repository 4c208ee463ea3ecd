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
if [ "${WORKBOOK_SANITIZER:-}" = tsan ]; then
    # The OpenMP runtime is not built for ThreadSanitizer: it would report
    # its own internals. The program is checked in the other builds.
    echo "(ThreadSanitizer build: the OpenMP pitfall is skipped)"
else
    "$BIN/oversubscription" "${quick[@]}" --data "$DATA_DIR/10-oversubscription.tsv"
fi

say "Graphs"
draw_graph 10-case-study
draw_graph 10-pitfalls
