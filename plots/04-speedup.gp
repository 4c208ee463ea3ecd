# 04-speedup.gp - speed-up over serial against the number of workers, every
# workload and pool, beside the ideal lines (chapter 4). Data: 04-scaling.tsv.
# Error bars: the serial median over the slowest and the fastest repeat.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-speedup.svg"
data = datadir . "/04-scaling.tsv"
set output outfile
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

cores = real(provenance(data, "cores"))
array serial[5]
workloads = "sleep api file factorize compute"
do for [i = 1:5] {
    stats select(data, sprintf("workload=%s,mode=serial", word(workloads, i))) using "median_s" name "S" nooutput
    serial[i] = S_max
}
index_of(w) = w eq "sleep" ? 1 : w eq "api" ? 2 : w eq "file" ? 3 : w eq "factorize" ? 4 : 5
series(w, m, g) = select(data, sprintf("workload=%s,mode=%s,gil=%s", w, m, g))

set multiplot layout 1,2 title sprintf("Speed-up over serial (error bars: slowest and fastest repeat)\n%s", machine(data))
set xlabel "workers"
set ylabel "speed-up (×)"
set logscale x 2
set key top left

set title "waiting: sleep, api and file"
set logscale y 2
set xrange [0.8:20]
set yrange [0.5:24]
set xtics (1, 2, 4, 8, 16)
set ytics (0.5, 1, 2, 4, 8, 16)
plot x with lines lt 7 dt 3 lw 1.5 title "ideal: workers", \
     series("sleep", "threads", "new") using "workers":"speedup":(serial[1] / column("max_s")):(serial[1] / column("min_s")) \
         with yerrorlines lt 1 title "sleep, threads (GIL)", \
     series("sleep", "processes", "-") using "workers":"speedup":(serial[1] / column("max_s")):(serial[1] / column("min_s")) \
         with yerrorlines lt 5 title "sleep, processes", \
     series("api", "threads", "new") using "workers":"speedup":(serial[2] / column("max_s")):(serial[2] / column("min_s")) \
         with yerrorlines lt 1 dt 2 pt 6 title "api, threads (GIL)", \
     series("api", "processes", "-") using "workers":"speedup":(serial[2] / column("max_s")):(serial[2] / column("min_s")) \
         with yerrorlines lt 5 dt 2 pt 10 title "api, processes", \
     series("file", "threads", "new") using "workers":"speedup":(serial[3] / column("max_s")):(serial[3] / column("min_s")) \
         with yerrorlines lt 2 title "file, threads (GIL)"

set title "computing: factorize and compute"
unset logscale y
set xrange [0.8:5]
set yrange [0:cores + 2.6]
set xtics (1, 2, 3, 4)
set key top left
set ytics auto
plot series("factorize", "processes", "-") using "workers":(column("workers") < cores ? column("workers") : cores) \
         with linespoints lt 7 dt 3 lw 1.5 pt 1 title sprintf("ideal: min(workers, %d cores)", cores), \
     series("factorize", "threads", "new") using "workers":"speedup":(serial[4] / column("max_s")):(serial[4] / column("min_s")) \
         with yerrorlines lt 1 title "factorize, threads (GIL)", \
     series("factorize", "threads", "none") using "workers":"speedup":(serial[4] / column("max_s")):(serial[4] / column("min_s")) \
         with yerrorlines lt 3 title "factorize, threads (no GIL)", \
     series("factorize", "processes", "-") using "workers":"speedup":(serial[4] / column("max_s")):(serial[4] / column("min_s")) \
         with yerrorlines lt 5 title "factorize, processes", \
     series("compute", "threads", "new") using "workers":"speedup":(serial[5] / column("max_s")):(serial[5] / column("min_s")) \
         with yerrorlines lt 1 dt 2 pt 6 title "compute, threads (GIL)", \
     series("compute", "threads", "none") using "workers":"speedup":(serial[5] / column("max_s")):(serial[5] / column("min_s")) \
         with yerrorlines lt 3 dt 2 pt 8 title "compute, threads (no GIL)", \
     series("compute", "processes", "-") using "workers":"speedup":(serial[5] / column("max_s")):(serial[5] / column("min_s")) \
         with yerrorlines lt 5 dt 2 pt 10 title "compute, processes"
unset multiplot
