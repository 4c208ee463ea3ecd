#!/usr/bin/env bash
# Chapter 9: what `make chapter9` (quick) and `make measure-chapter9`
# (measure) run. See common/chapter.sh for the two modes. Under `make tsan`
# (WORKBOOK_SANITIZER=tsan) the racy counter and the plain-variable message
# must be reported as data races, and every fixed or atomic one must not
# (a report makes the program exit with status 66, which ends this script).
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)
tsan=false
[ "${WORKBOOK_SANITIZER:-}" = tsan ] && tsan=true
n=(--increments 2000000)
$tsan && n=(--increments 20000)

# must_report WHAT PROGRAM ARGS...: under ThreadSanitizer, PROGRAM must
# report a data race (and so exit with a non-zero status).
must_report() {
    local what=$1 status=0 out
    shift
    out=$("$@" 2>&1) || status=$?
    echo "$out" | sed -n '/WARNING: ThreadSanitizer/,/^$/p' | head -n 12
    if [ "$status" -eq 0 ] || ! grep -q "WARNING: ThreadSanitizer: data race" <<<"$out"; then
        echo "ThreadSanitizer did not report $what (status $status)"
        exit 1
    fi
    echo "(ThreadSanitizer reported $what, as it must; status $status)"
}

say "1. Lost updates: threads and processes, free-running (lost_updates)"
if $tsan; then
    must_report "the racy counter" "$BIN/lost_updates" "${n[@]}"
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

say "5. Stale reads? A message passed with plain, relaxed and release/acquire variables (message_passing)"
if [ "$(nproc)" -lt 2 ]; then
    echo "(one core: message passing needs two)"
elif $tsan; then
    must_report "the plain flag and data" "$BIN/message_passing" --variants plain --rounds 10000 --timeout 500ms
    "$BIN/message_passing" --variants relaxed,release-acquire --rounds 10000
else
    "$BIN/message_passing" "${quick[@]}" --data "$DATA_DIR/09-message-passing.tsv"
fi

say "6. The reordering x86 does make: store buffering (store_buffer)"
if [ "$(nproc)" -lt 2 ]; then
    echo "(one core: store buffering needs two)"
elif $tsan; then
    "$BIN/store_buffer" --rounds 10000
else
    "$BIN/store_buffer" "${quick[@]}" --data "$DATA_DIR/09-store-buffer.tsv"
fi

say "7. Deadlock: two locks in opposite orders, then the fixes (deadlock)"
status=0
"$BIN/deadlock" --timeout 500ms || status=$?
[ "$status" -eq 3 ] || { echo "deadlock: expected exit status 3, got $status"; exit 1; }
"$BIN/deadlock" --order same
"$BIN/deadlock" --order trylock

say "8. Lost and stolen wakeups (lost_wakeup)"
"$BIN/lost_wakeup" --timeout 300ms

say "Graphs"
draw_graph 09-lock-cost
if [ -f "$DATA_DIR/09-false-sharing.tsv" ]; then
    draw_graph 09-false-sharing
fi
