# 04-speedup.gp - speed-up over serial against the number of workers, every
# workload and pool, beside the ideal lines (chapter 4). Data: 04-scaling.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-speedup.svg"
data = datadir . "/04-scaling.tsv"
set output outfile
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

cores = real(provenance(data, "cores"))
pick(w, m, g) = (strcol("workload") eq w && strcol("mode") eq m && strcol("gil") eq g) ? column("speedup") : NaN

set multiplot layout 1,2 title sprintf("Speed-up over serial\n%s", machine(data))
set xlabel "workers"
set ylabel "speed-up (×)"
set logscale x 2
set key top left

set title "waiting: sleep and api"
set logscale y 2
set xrange [0.8:20]
set yrange [0.5:24]
set xtics (1, 2, 4, 8, 16)
set ytics (0.5, 1, 2, 4, 8, 16)
plot x with lines lt 7 dt 3 lw 1.5 title "ideal: workers", \
     data using "workers":(pick("sleep", "threads", "new")) with linespoints lt 1 title "sleep, threads (GIL)", \
     data using "workers":(pick("sleep", "processes", "-")) with linespoints lt 5 title "sleep, processes", \
     data using "workers":(pick("api", "threads", "new")) with linespoints lt 1 dt 2 pt 6 title "api, threads (GIL)", \
     data using "workers":(pick("api", "processes", "-")) with linespoints lt 5 dt 2 pt 10 title "api, processes", \
     data using "workers":(pick("file", "threads", "new")) with linespoints lt 2 title "file, threads (GIL)"

set title "computing: factorize and compute"
unset logscale y
set xrange [0.8:5]
set yrange [0:cores + 2.6]
set xtics (1, 2, 3, 4)
set key top left
set ytics auto
plot (x < cores ? x : cores) with lines lt 7 dt 3 lw 1.5 title sprintf("ideal: min(workers, %d cores)", cores), \
     data using "workers":(pick("factorize", "threads", "new")) with linespoints lt 1 title "factorize, threads (GIL)", \
     data using "workers":(pick("factorize", "threads", "none")) with linespoints lt 3 title "factorize, threads (no GIL)", \
     data using "workers":(pick("factorize", "processes", "-")) with linespoints lt 5 title "factorize, processes", \
     data using "workers":(pick("compute", "threads", "new")) with linespoints lt 1 dt 2 pt 6 title "compute, threads (GIL)", \
     data using "workers":(pick("compute", "threads", "none")) with linespoints lt 3 dt 2 pt 8 title "compute, threads (no GIL)", \
     data using "workers":(pick("compute", "processes", "-")) with linespoints lt 5 dt 2 pt 10 title "compute, processes"
unset multiplot
