#!/usr/bin/env bash
# Chapter 7: what `make chapter7` (quick) and `make measure-chapter7`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)
[ "$MODE" = measure ] && quick=(--repeat 3)

say "1. A bounded blocking queue for threads (bounded_queue)"
"$BIN/bounded_queue"
"$BIN/bounded_queue" --shutdown pills
say "1b. The same with \`if\` instead of \`while\` around the wait (bounded_queue_if)"
"$BIN/bounded_queue_if"

say "2. POSIX message queues: priorities and limits (mq_queue)"
"$BIN/mq_queue"

say "3. A queue over a pipe: framed messages, a writers' lock (pipe_queue)"
"$BIN/pipe_queue"
"$BIN/pipe_queue" --bytes 200000 --items 200
"$BIN/pipe_queue" --bytes 200000 --items 200 --no-lock

say "4. Throughput of the three, by message size, producers and placement"
"$BIN/bounded_queue" --measure "${quick[@]}" --data "$DATA_DIR/07-threads.tsv"
"$BIN/mq_queue" --measure "${quick[@]}" --data "$DATA_DIR/07-mq.tsv"
"$BIN/pipe_queue" --measure "${quick[@]}" --data "$DATA_DIR/07-pipe.tsv"
merge_tsv "$DATA_DIR/07-queue-throughput.tsv" "$DATA_DIR/07-threads.tsv" "$DATA_DIR/07-mq.tsv" "$DATA_DIR/07-pipe.tsv"
rm -f "$DATA_DIR/07-threads.tsv" "$DATA_DIR/07-mq.tsv" "$DATA_DIR/07-pipe.tsv"
compare_with_reference 07-queue-throughput queue,producers,msg_bytes,placement median_msgs_per_s

say "4b. The thread queue by capacity: 1, 16 and 1024 slots (bounded_queue)"
"$BIN/bounded_queue" --measure "${quick[@]}" --producers 1 --bytes 64 --capacity 1,16,1024 \
    --data "$DATA_DIR/07-queue-capacity.tsv"
compare_with_reference 07-queue-capacity capacity,placement median_us_per_msg

say "Graphs"
draw_graph 07-queue-throughput
