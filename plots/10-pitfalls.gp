# 10-pitfalls.gp - where a process pool stops paying: speed-up over serial
# against the task length, and against the size of each task's argument,
# with a thread pool without a GIL beside it (chapter 10). Each point: the
# median of the repeats' speed-ups (each repeat's serial run over its own
# pool run), the bars their min and max; the task length is the one
# measured serially (task_us), not the one asked for. Data: 10-pitfalls.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/10-pitfalls.svg"
data = datadir . "/10-pitfalls.tsv"
set output outfile
set terminal svg size 1150,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

cores = real(provenance(data, "cores"))
rows(p, m) = sprintf("< awk -F'\t' -v p=%s -v m=%s " . \
    "'/^#/ { next } !n++ { for (i = 1; i <= NF; i++) h[$i] = i; print; next } " . \
    "$h[\"pitfall\"] == p && $h[\"method\"] == m' '%s'", p, m, data)

# The two ways' points a little apart, so that their bars do not hide each other.
left(x) = x * 0.93
right(x) = x * 1.07

set multiplot layout 1,2 title sprintf("When a process pool loses to one thread\n%s", machine(data))
set ylabel "speed-up over serial (×)"
set logscale x 10
set yrange [0:cores + 1.3]
set key top left

set title "the same work in tasks of different lengths"
set xlabel "task length, measured serially (µs)"
set xrange [0.5:20000]
plot 1 with lines lt 7 dt 2 title "serial", \
     cores with lines lt 7 dt 3 title sprintf("%d cores", cores), \
     rows("small-tasks", "process-pool") using (left(column("task_us"))):"speedup":"speedup_min":"speedup_max" \
         with yerrorlines lt 5 title "process pool (chunk size 1)", \
     rows("small-tasks", "threads-no-gil") using (right(column("task_us"))):"speedup":"speedup_min":"speedup_max" \
         with yerrorlines lt 3 title "threads, no GIL"

set title "100 tasks of equal work carrying bigger arguments"
set xlabel "bytes of argument per task"
set xrange [500:8e6]
set xtics ("1K" 1024, "16K" 16384, "256K" 262144, "1M" 1048576, "4M" 4194304)
unset key
plot 1 with lines lt 7 dt 2, cores with lines lt 7 dt 3, \
     rows("big-args", "process-pool") using (left(column("x"))):"speedup":"speedup_min":"speedup_max" with yerrorlines lt 5, \
     rows("big-args", "threads-no-gil") using (right(column("x"))):"speedup":"speedup_min":"speedup_max" with yerrorlines lt 3
unset multiplot
