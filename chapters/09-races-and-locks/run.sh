#!/usr/bin/env bash
# Chapter 9: what `make chapter9` (quick) and `make measure-chapter9`
# (measure) run. See common/chapter.sh for the two modes. Under `make tsan`
# (WORKBOOK_SANITIZER=tsan) the racy counter must be reported as a data race
# and every fixed one must not.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)
n=(--increments 2000000)
[ "${WORKBOOK_SANITIZER:-}" = tsan ] && n=(--increments 20000)

say "1. Lost updates: threads and processes, free-running (lost_updates)"
if [ "${WORKBOOK_SANITIZER:-}" = tsan ]; then
    status=0
    out=$("$BIN/lost_updates" "${n[@]}" 2>&1) || status=$?
    echo "$out" | sed -n '/WARNING: ThreadSanitizer/,/^$/p' | head -n 12
    if [ "$status" -eq 0 ] || ! grep -q "WARNING: ThreadSanitizer: data race" <<<"$out"; then
        echo "ThreadSanitizer did not report the racy counter (status $status)"
        exit 1
    fi
    echo "(ThreadSanitizer reported the race, as it must; status $status)"
else
    "$BIN/lost_updates" "${n[@]}"
    "$BIN/lost_updates" --kind processes --increments 20000000
fi

say "1b. A schedule that loses exactly 5 updates, every time"
"$BIN/lost_updates" --mode forced
"$BIN/lost_updates" --mode forced --kind processes

say "2. The fixes: the exact total, every time"
for fix in mutex spin atomic local; do
    "$BIN/lost_updates" "${n[@]}" --fix "$fix"
done
for fix in mutex semaphore atomic; do
    "$BIN/lost_updates" "${n[@]}" --kind processes --fix "$fix"
done
"$BIN/lost_updates" --mode forced --fix mutex

say "3. What each fix costs per increment (lock_cost)"
"$BIN/lock_cost" "${quick[@]}" --data "$DATA_DIR/09-lock-cost.tsv"

say "4. False sharing (false_sharing)"
if [ "$(nproc)" -ge 2 ]; then
    "$BIN/false_sharing" "${quick[@]}" --data "$DATA_DIR/09-false-sharing.tsv"
else
    echo "(one core: false sharing needs two)"
fi

say "5. Deadlock: two locks in opposite orders, then the fixes (deadlock)"
status=0
"$BIN/deadlock" --timeout 500ms || status=$?
[ "$status" -eq 3 ] || { echo "deadlock: expected exit status 3, got $status"; exit 1; }
"$BIN/deadlock" --order same
"$BIN/deadlock" --order trylock

say "6. Lost and stolen wakeups (lost_wakeup)"
"$BIN/lost_wakeup" --timeout 300ms

say "Graphs"
draw_graph 09-lock-cost
