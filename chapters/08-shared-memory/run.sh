#!/usr/bin/env bash
# Chapter 8: what `make chapter8` (quick) and `make measure-chapter8`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)

say "1. Shared and private mappings across fork (shared_vs_private)"
"$BIN/shared_vs_private"

say "2. What copy-on-write costs (cow_cost)"
if [ "$MODE" = quick ]; then
    "$BIN/cow_cost" --mib 64 --pages normal,huge --data "$DATA_DIR/08-cow.tsv"
else
    "$BIN/cow_cost" --mib 512 --pages normal,huge --data "$DATA_DIR/08-cow.tsv"
fi

say "3. Named shared memory between two programs (shm_named)"
name=/workbook-chapter8-$$
"$BIN/shm_named" --role owner --name "$name" --for 1s &
owner=$!
for _ in $(seq 50); do [ -e "/dev/shm${name}" ] && break; sleep 0.02; done
"$BIN/shm_named" --role reader --name "$name"
wait "$owner"
if [ -e "/dev/shm${name}" ]; then echo "left behind: /dev/shm${name}"; exit 1; fi

say "4. A big read-only matrix: sent with every task, shared, or shared by threads (shared_matrix)"
# measure: eleven rounds, the four ways taking turns in each: a single busy
# core of a virtual machine runs at a speed that varies from run to run
[ "$MODE" = measure ] && quick=(--repeat 11)
"$BIN/shared_matrix" "${quick[@]}" --data "$DATA_DIR/08-shared-matrix.tsv"
compare_with_reference 08-shared-matrix method,m median_s

say "Graphs"
draw_graph 08-shared-matrix
