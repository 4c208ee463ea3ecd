# 07-queue-throughput.gp - messages per second through three queues (a
# mutex + condition-variable queue between threads, a POSIX message queue
# and a framed pipe between processes), against the message size and
# against the number of producers, on one core and on two (chapter 7).
# Data: 07-queue-throughput.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/07-queue-throughput.svg"
data = datadir . "/07-queue-throughput.tsv"
set output outfile
set terminal svg size 1150,600 dynamic font "DejaVu Sans,13" noenhanced background "white"

# The rows of one series (queue, placement, and one column held at a value),
# so that each series is drawn as one connected line.
rows(q, pl, col, val) = select(data, sprintf("queue=%s,placement=%s,%s=%s", q, pl, col, val))
set multiplot layout 1,2 title sprintf("Messages per second through three queues, one consumer\n%s", machine(data))
set ylabel "messages per second: median, min and max"
set logscale y 10
set format y "%.0s%c"
set key bottom left

set title "against message size (1 producer)"
set xlabel "bytes per message"
set logscale x 2
set xrange [40:12000]
set xtics (64, 1024, 8192)
plot for [q in "threads mq pipe"] rows(q, "two-cores", "producers", "1") using "msg_bytes":"median_msgs_per_s":"min_msgs_per_s":"max_msgs_per_s" \
         with yerrorlines lt (q eq "threads" ? 1 : q eq "mq" ? 2 : 3) title q . ", two cores", \
     for [q in "threads mq pipe"] rows(q, "one-core", "producers", "1") using "msg_bytes":"median_msgs_per_s":"min_msgs_per_s":"max_msgs_per_s" \
         with yerrorlines lt (q eq "threads" ? 1 : q eq "mq" ? 2 : 3) dt 2 pt 6 title q . ", one core"

set title "against producers (64-byte messages)"
set xlabel "producers"
set xrange [0.8:5]
set xtics (1, 2, 4)
unset key
plot for [q in "threads mq pipe"] rows(q, "two-cores", "msg_bytes", "64") using "producers":"median_msgs_per_s":"min_msgs_per_s":"max_msgs_per_s" \
         with yerrorlines lt (q eq "threads" ? 1 : q eq "mq" ? 2 : 3), \
     for [q in "threads mq pipe"] rows(q, "one-core", "msg_bytes", "64") using "producers":"median_msgs_per_s":"min_msgs_per_s":"max_msgs_per_s" \
         with yerrorlines lt (q eq "threads" ? 1 : q eq "mq" ? 2 : 3) dt 2 pt 6
unset multiplot
