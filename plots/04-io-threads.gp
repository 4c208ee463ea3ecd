# 04-io-threads.gp - I/O-bound tasks: wall time against the number of threads
# (chapter 4; the article's first graph). Data: 04-scaling.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-io-threads.svg"
if (!exists("mode")) mode = "threads"
data = datadir . "/04-scaling.tsv"
set output outfile

tasks = real(provenance(data, "io_tasks"))
pick(w, m, g, col) = (strcol("workload") eq w && strcol("mode") eq m && strcol("gil") eq g) ? column(col) : NaN
stats data using (pick("sleep", "serial", "-", "median_s")) nooutput
serial_sleep = STATS_max
gil = mode eq "threads" ? "new" : "-"

set title sprintf("%d I/O-bound tasks run by a pool of %s%s\n%s", tasks, mode, \
                  mode eq "threads" ? " under the simulated GIL" : "", machine(data))
set xlabel sprintf("%s in the pool", mode)
set ylabel "wall time (s), median with min-max"
set logscale xy 2
set xrange [0.8:20]
set xtics (1, 2, 4, 8, 16)
set format y "%g"
set key top right

ideal(x) = serial_sleep / (x < tasks ? x : tasks)
plot ideal(x) with lines lt 7 dt 3 lw 1.5 title "ideal for sleep: serial time / workers", \
     data using "workers":(pick("sleep", mode, gil, "median_s")):(pick("sleep", mode, gil, "min_s")):(pick("sleep", mode, gil, "max_s")) \
         with yerrorlines lt 1 title "sleep (delayed_return)", \
     data using "workers":(pick("api", mode, gil, "median_s")):(pick("api", mode, gil, "min_s")):(pick("api", mode, gil, "max_s")) \
         with yerrorlines lt 3 dt 2 pt 8 title "api (requests to the local server)", \
     data using "workers":(pick("file", mode, gil, "median_s")):(pick("file", mode, gil, "min_s")):(pick("file", mode, gil, "max_s")) \
         with yerrorlines lt 2 title "file (50 writes of 256 KiB, no fsync)"
