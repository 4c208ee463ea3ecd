# 03-gil-cpu.gp - speed-up of CPU-bound work over serial: threads under each
# simulated GIL, processes, and CPython beside them (chapter 3).
# Data: 03-gil-cpu.tsv (simulation), 03-cpython-cpu.tsv (CPython, optional).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-gil-cpu.svg"
sim = datadir . "/03-gil-cpu.tsv"
py = datadir . "/03-cpython-cpu.tsv"
set output outfile

cores = real(provenance(sim, "cores"))
set title sprintf("CPU-bound work split among workers: speed-up over one thread\n%s", machine(sim))
set xlabel "workers (threads or processes)"
set ylabel "speed-up over serial (×)"
set logscale x 2
set xrange [0.8:20]
set yrange [0:cores + 1.4]
set xtics (1, 2, 4, 8, 16)
set key top center maxrows 4 width -2

pick(mode, gil, col) = (strcol("mode") eq mode && strcol("gil") eq gil) ? column(col) : NaN
ideal(x) = x < 1 ? NaN : x < cores ? x : cores
# The error bars: the speed-up over the serial median of the slowest and the
# fastest of the repeats (a speed-up is serial / time: max_s gives the low end).
serial_sim = lookup(sim, "median_s", "mode", "serial")
serial_py = have(py) ? lookup(py, "median_s", "mode", "serial") : 1

plot ideal(x) with lines lt 7 dt 3 lw 1.5 title sprintf("ideal: min(workers, %d cores)", cores), \
     sim using "workers":(pick("threads", "none", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 3 title "threads, no GIL (free-threaded)", \
     sim using "workers":(pick("processes", "-", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 5 title "processes", \
     sim using "workers":(pick("threads", "new", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 1 title "threads, new GIL", \
     sim using "workers":(pick("threads", "old", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 2 title "threads, old GIL", \
     (have(py) ? py : sim) using "workers":(have(py) ? pick("threads", "new", "speedup") : NaN):(serial_py / column("max_s")):(serial_py / column("min_s")) \
         with yerrorlines lt 1 dt 2 pt 6 title (have(py) ? "CPython threads (measured)" : ""), \
     (have(py) ? py : sim) using "workers":(have(py) ? pick("processes", "-", "speedup") : NaN):(serial_py / column("max_s")):(serial_py / column("min_s")) \
         with yerrorlines lt 5 dt 2 pt 10 title (have(py) ? "CPython processes (measured)" : "")
