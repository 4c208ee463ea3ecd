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

# The same in real CPython (matrix_python.py, pure Python), under every
# CPython 3 found (chapter 3's find_pythons.sh; 3.8 or later: shared_memory).
find_python3s multiprocessing.shared_memory
[ "$MODE" != quick ] || rm -f "$DATA_DIR"/08-python-*.tsv
if [ ${#pythons[@]} -gt 0 ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    rounds=(--quick)
    [ "$MODE" = measure ] && rounds=(--repeat 3)
    i=0
    for python in "${pythons[@]}"; do
        say "4b. The matrix in CPython $("$python" chapters/03-simulated-gil/gil_cpython.py about) ($python): pickled, shared_memory, threads"
        "$python" chapters/08-shared-memory/matrix_python.py "${rounds[@]}" --data "$scratch/matrix-$i.tsv"
        i=$((i + 1))
    done
    merge_tsv "$DATA_DIR/08-python-matrix.tsv" "$scratch"/matrix-*.tsv
fi

say "Graphs"
draw_graph 08-shared-matrix
[ ${#pythons[@]} -eq 0 ] || draw_graph 08-python-matrix
