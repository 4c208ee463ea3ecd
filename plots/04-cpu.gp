# 04-cpu.gp - CPU-bound tasks: wall time against the number of workers, for
# threads under the GIL, threads without it, and processes (chapter 4; the
# article's second graph). Data: 04-scaling.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-cpu.svg"
data = datadir . "/04-scaling.tsv"
set output outfile
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

cores = real(provenance(data, "cores"))
tasks = real(provenance(data, "cpu_tasks"))
pick(w, m, g, col) = (strcol("workload") eq w && strcol("mode") eq m && strcol("gil") eq g) ? column(col) : NaN

set multiplot layout 1,2 title sprintf("%d CPU-bound tasks run by a pool of workers\n%s", tasks, machine(data))
set xlabel "workers (threads or processes)"
set ylabel "wall time (s), median with min-max"
set xrange [0.7:4.3]
set xtics 1
set yrange [0:*]
set key bottom right

do for [w in "factorize compute"] {
    stats data using (pick(w, "serial", "-", "median_s")) nooutput
    serial = STATS_max
    set title (w eq "factorize" ? "factorize (long_factorize)" : "compute (compute_intensive)")
    plot serial with lines lt 7 dt 2 lw 1.5 title "serial", \
         select(data, sprintf("workload=%s,mode=processes", w)) using "workers":(serial / (column("workers") < cores ? column("workers") : cores)) \
             with linespoints lt 7 dt 3 lw 1.5 pt 1 title sprintf("ideal: serial / min(workers, %d cores)", cores), \
         data using "workers":(pick(w, "threads", "new", "median_s")):(pick(w, "threads", "new", "min_s")):(pick(w, "threads", "new", "max_s")) \
             with yerrorlines lt 1 title "threads, simulated GIL", \
         data using "workers":(pick(w, "threads", "none", "median_s")):(pick(w, "threads", "none", "min_s")):(pick(w, "threads", "none", "max_s")) \
             with yerrorlines lt 3 title "threads, no GIL (free-threaded)", \
         data using "workers":(pick(w, "processes", "-", "median_s")):(pick(w, "processes", "-", "min_s")):(pick(w, "processes", "-", "max_s")) \
             with yerrorlines lt 5 title "processes"
    unset key
}
unset multiplot
